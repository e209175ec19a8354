package capacity

import "math"

// Space is the space requirement of one facility (or of the network as one pool) in one
// year, in pallets and square feet.
type Space struct {
	Year int `json:"year"`
	// Facility is empty for the network.
	Facility string  `json:"facility,omitempty"`
	Units    float64 `json:"units"`
	// DailyPallets is the pallets received (and shipped) per operating day.
	DailyPallets  float64 `json:"daily_pallets"`
	CyclePallets  float64 `json:"cycle_pallets"`
	SafetyPallets float64 `json:"safety_pallets"`
	Pallets       float64 `json:"pallets"`
	RackLevels    int     `json:"rack_levels"`
	Positions     int     `json:"positions"`
	StorageSqft   float64 `json:"storage_sqft"`
	// Doors counts inbound plus outbound doors.
	Doors       int     `json:"doors"`
	DockSqft    float64 `json:"dock_sqft"`
	SupportSqft float64 `json:"support_sqft"`
	NetSqft     float64 `json:"net_sqft"`
	// GrossSqft is NetSqft / max utilization: the space to provide.
	GrossSqft float64 `json:"gross_sqft"`
}

// space is the requirement of a pool handling units in a year with safety-stock factor
// pool (sqrt of its share of the year's volume, 1 for the whole network).
func (in *Input) space(m mix, year int, facility string, units, yearUnits, pool float64) Space {
	s := in.Settings
	days := s.operatingDays()
	cover := math.Sqrt(s.LeadTimeDays + s.ReviewPeriodDays)
	sp := Space{Year: year, Facility: facility, Units: units, RackLevels: int(s.rackLevels())}
	for k := range in.SKUs {
		daily := units * m.share[k] / days
		sp.DailyPallets += daily * m.perPal[k]
		sp.CyclePallets += daily * s.daysOnHand() * m.perPal[k]
		// The pool's safety stock: network sigma_d scaled by sqrt(share) (square-root law).
		muNet := yearUnits * m.share[k] / days
		sp.SafetyPallets += m.z[k] * s.DemandCV * muNet * cover * pool * m.perPal[k]
	}
	sp.Pallets = sp.CyclePallets + sp.SafetyPallets
	sp.Positions = int(math.Ceil(sp.Pallets/s.rackLevels() - positionTol))
	sp.StorageSqft = float64(sp.Positions) * s.footprint() / (1 - s.aisle())
	perDir := int(math.Ceil(sp.DailyPallets/s.doorRate() - positionTol))
	sp.Doors = 2 * perDir
	sp.DockSqft = float64(sp.Doors) * s.doorArea()
	sp.SupportSqft = s.SupportSqft
	sp.NetSqft = sp.StorageSqft + sp.DockSqft + sp.SupportSqft
	sp.GrossSqft = sp.NetSqft / s.maxUtil()
	return sp
}

// positionTol keeps a pallet count that is whole up to rounding (1e-12 relative) from
// costing an extra position or door.
const positionTol = 1e-9

// requirement returns the network requirement per year and, with loads, the
// per-facility requirements whose sums it is.
func (in *Input) requirement() (network []Space, facilities []Space) {
	m := in.mix()
	for _, v := range in.Volumes {
		var loads []FacilityUnits
		sum := 0.0
		for _, l := range in.Loads {
			if l.Year == v.Year && l.Units > 0 {
				loads = append(loads, l)
				sum += l.Units
			}
		}
		if len(loads) == 0 || sum <= 0 {
			network = append(network, in.space(m, v.Year, "", v.Units, v.Units, 1))
			continue
		}
		tot := Space{Year: v.Year, RackLevels: int(in.Settings.rackLevels())}
		for _, l := range loads {
			// The loads of a result serve the year's volume; scale to it so rounding in the
			// assignment does not leak into the requirement.
			units := l.Units / sum * v.Units
			sp := in.space(m, v.Year, l.Facility, units, v.Units, math.Sqrt(l.Units/sum))
			facilities = append(facilities, sp)
			tot.Units += sp.Units
			tot.DailyPallets += sp.DailyPallets
			tot.CyclePallets += sp.CyclePallets
			tot.SafetyPallets += sp.SafetyPallets
			tot.Pallets += sp.Pallets
			tot.Positions += sp.Positions
			tot.StorageSqft += sp.StorageSqft
			tot.Doors += sp.Doors
			tot.DockSqft += sp.DockSqft
			tot.SupportSqft += sp.SupportSqft
			tot.NetSqft += sp.NetSqft
			tot.GrossSqft += sp.GrossSqft
		}
		network = append(network, tot)
	}
	return network, facilities
}
