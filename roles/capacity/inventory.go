package capacity

import (
	"math"
	"sort"

	"networx/roles/optimization"
)

// Num is a number written as null in JSON when it has no finite value.
type Num = optimization.Num

// SKUStock is the inventory of one SKU in the first planning year, pooled over that
// year's facilities.
type SKUStock struct {
	SKU   string `json:"sku"`
	Class string `json:"class"`
	// Units is the SKU's share of the first year's volume; AnnualValue is Units x unit cost.
	Units        float64 `json:"units"`
	AnnualValue  float64 `json:"annual_value"`
	ServiceLevel float64 `json:"service_level"`
	Z            float64 `json:"z"`
	// DailyMean mu_d and DailySD sigma_d are network figures, in units per operating day.
	DailyMean float64 `json:"daily_mean"`
	DailySD   float64 `json:"daily_sd"`
	// SafetyStock is z sigma_d sqrt(L + r) times the pooling factor of the year.
	SafetyStock      float64 `json:"safety_stock"`
	CycleStock       float64 `json:"cycle_stock"`
	ReorderPoint     float64 `json:"reorder_point"`
	AverageInventory float64 `json:"average_inventory"`
	Turns            Num     `json:"turns"`
	HoldingCost      float64 `json:"holding_cost"`
	Pallets          float64 `json:"average_pallets"`
}

// YearStock is the network's inventory in one year.
type YearStock struct {
	Year  int     `json:"year"`
	Units float64 `json:"units"`
	// Facilities is the number of stocking facilities; Pooling is sum_f sqrt(share_f), the
	// factor the square-root law applies to one-facility safety stock (1 for one pool).
	Facilities int     `json:"facilities"`
	Pooling    float64 `json:"pooling_factor"`
	// SafetyStockCentral is the safety stock if all volume shipped from one facility.
	SafetyStockCentral float64 `json:"safety_stock_central"`
	SafetyStock        float64 `json:"safety_stock"`
	CycleStock         float64 `json:"cycle_stock"`
	AverageInventory   float64 `json:"average_inventory"`
	InventoryValue     float64 `json:"inventory_value"`
	Turns              Num     `json:"turns"`
	HoldingCost        float64 `json:"holding_cost"`
}

// Inventory is the inventory model's output.
type Inventory struct {
	Years []YearStock `json:"years"`
	// SKUs are the first year's figures per SKU, in descending annual value.
	SKUs []SKUStock `json:"skus"`
	// ClassCounts counts SKUs per class A, B, C.
	ClassCounts map[string]int `json:"class_counts"`
}

// zScore is the standard normal quantile of p.
func zScore(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// classes assigns A/B/C by cumulative share of annual value (units x unit cost),
// descending: a SKU is A while the share of the SKUs before it is below the A cut, B
// while below the B cut, C after. It returns the SKU indices in that order too.
func classes(skus []SKU, cutA, cutB float64) ([]string, []int) {
	order := make([]int, len(skus))
	total := 0.0
	for k, s := range skus {
		order[k] = k
		total += s.AnnualUnits * s.UnitCost
	}
	sort.SliceStable(order, func(a, b int) bool {
		return skus[order[a]].AnnualUnits*skus[order[a]].UnitCost > skus[order[b]].AnnualUnits*skus[order[b]].UnitCost
	})
	cls := make([]string, len(skus))
	cum := 0.0
	for _, k := range order {
		share := 0.0
		if total > 0 {
			share = cum / total
		}
		switch {
		case share < cutA:
			cls[k] = "A"
		case share < cutB:
			cls[k] = "B"
		default:
			cls[k] = "C"
		}
		cum += skus[k].AnnualUnits * skus[k].UnitCost
	}
	return cls, order
}

// mix holds the per-SKU constants of the models.
type mix struct {
	share   []float64 // of volume
	z       []float64
	service []float64
	class   []string
	order   []int
	perPal  []float64 // pallets per unit: 1 / (units per case x cases per pallet)
}

func (in *Input) mix() mix {
	s := in.Settings
	total := 0.0
	for _, k := range in.SKUs {
		total += k.AnnualUnits
	}
	a, b := s.classCuts()
	cls, order := classes(in.SKUs, a, b)
	lv := s.serviceLevels()
	m := mix{class: cls, order: order}
	for k, sku := range in.SKUs {
		m.share = append(m.share, sku.AnnualUnits/total)
		sl := lv[int(cls[k][0]-'A')]
		m.service = append(m.service, sl)
		m.z = append(m.z, zScore(sl))
		m.perPal = append(m.perPal, 1/(sku.UnitsPerCase*sku.CasesPerPallet))
	}
	return m
}

// pooling returns, per volume year, the number of stocking facilities and sum_f
// sqrt(share_f) of the loads (1 facility and 1 without loads).
func (in *Input) pooling() ([]int, []float64) {
	n := make([]int, len(in.Volumes))
	p := make([]float64, len(in.Volumes))
	for t, v := range in.Volumes {
		var loads []float64
		sum := 0.0
		for _, l := range in.Loads {
			if l.Year == v.Year && l.Units > 0 {
				loads = append(loads, l.Units)
				sum += l.Units
			}
		}
		if len(loads) == 0 || sum <= 0 {
			n[t], p[t] = 1, 1
			continue
		}
		n[t] = len(loads)
		for _, u := range loads {
			p[t] += math.Sqrt(u / sum)
		}
	}
	return n, p
}

// inventory computes the inventory model of a validated input.
func (in *Input) inventory() Inventory {
	s := in.Settings
	m := in.mix()
	nFac, pool := in.pooling()
	days := s.operatingDays()
	cover := math.Sqrt(s.LeadTimeDays + s.ReviewPeriodDays)
	out := Inventory{ClassCounts: map[string]int{"A": 0, "B": 0, "C": 0}}
	for _, c := range m.class {
		out.ClassCounts[c]++
	}
	for t, v := range in.Volumes {
		y := YearStock{Year: v.Year, Units: v.Units, Facilities: nFac[t], Pooling: pool[t]}
		for k, sku := range in.SKUs {
			mu := v.Units * m.share[k] / days
			ssCentral := m.z[k] * s.DemandCV * mu * cover
			ss := ssCentral * pool[t]
			cycle := mu * s.ReviewPeriodDays / 2
			avg := ss + cycle
			y.SafetyStockCentral += ssCentral
			y.SafetyStock += ss
			y.CycleStock += cycle
			y.AverageInventory += avg
			y.InventoryValue += avg * sku.UnitCost
			y.HoldingCost += avg * sku.UnitCost * s.CarryingRate
			if t == 0 {
				units := v.Units * m.share[k]
				out.SKUs = append(out.SKUs, SKUStock{SKU: sku.Name, Class: m.class[k], Units: units, AnnualValue: units * sku.UnitCost,
					ServiceLevel: m.service[k], Z: m.z[k], DailyMean: mu, DailySD: s.DemandCV * mu, SafetyStock: ss,
					CycleStock: cycle, ReorderPoint: mu*s.LeadTimeDays + ss, AverageInventory: avg,
					Turns: ratio(units, avg), HoldingCost: avg * sku.UnitCost * s.CarryingRate, Pallets: avg * m.perPal[k]})
			}
		}
		y.Turns = ratio(v.Units, y.AverageInventory)
		out.Years = append(out.Years, y)
	}
	sort.SliceStable(out.SKUs, func(a, b int) bool { return out.SKUs[a].AnnualValue > out.SKUs[b].AnnualValue })
	return out
}

func ratio(a, b float64) Num {
	if b == 0 {
		return Num(math.NaN())
	}
	return Num(a / b)
}
