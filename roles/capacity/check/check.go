// Package check verifies a capacity plan against its input independently of the planning
// code: it shares only the data types and the documented default constants with package
// capacity. It recomputes the space requirement (pallets, rack positions, doors, sq ft)
// and the inventory figures from the input, and checks that each year's internal space
// plus 3PL space covers the gross requirement, that 3PL space stays within its share,
// that options start no earlier than allowed, keep their lease commitment and their tier
// order, and that every reported cost equals the cost recomputed from the option data.
// Tests run it on every plan they produce.
package check

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"networx/roles/capacity"
)

// Tolerances of the checker.
const (
	// relTol is the relative tolerance of sq ft, unit and money comparisons: the solver's
	// feasibility tolerance (about 1e-9 on scaled rows) is far below it.
	relTol = 1e-6
	// absTol is the absolute floor of those comparisons (a sq ft or dollar fraction).
	absTol = 1e-4
)

func near(a, b float64) bool {
	return math.Abs(a-b) <= absTol+relTol*math.Max(math.Abs(a), math.Abs(b))
}

func def(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// normalQuantile inverts the standard normal CDF by bisection on math.Erf (an
// implementation unrelated to the planner's Erfinv).
func normalQuantile(p float64) float64 {
	lo, hi := -10.0, 10.0
	for k := 0; k < 200; k++ {
		mid := (lo + hi) / 2
		if 0.5*(1+math.Erf(mid/math.Sqrt2)) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// Plan checks res against in and returns every violation found, joined.
func Plan(in *capacity.Input, res *capacity.Result) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s := in.Settings
	days := def(s.OperatingDays, capacity.DefaultOperatingDays)
	doh := def(s.DaysOnHand, s.ReviewPeriodDays)
	levels := math.Floor(def(s.ClearHeightFt, capacity.DefaultClearHeightFt) / def(s.RackHeightFt, capacity.DefaultRackHeightFt))
	aisle := def(s.AisleFactor, capacity.DefaultAisleFactor)
	if s.AisleFactor < 0 {
		aisle = 0
	}
	foot := def(s.PalletFootprintSqft, capacity.DefaultPalletFootprintSqft)
	doorRate := def(s.PalletsPerDoorPerDay, capacity.DefaultPalletsPerDoorPerDay)
	doorArea := def(s.DoorAreaSqft, capacity.DefaultDoorAreaSqft)
	maxU := def(s.MaxUtilization, capacity.DefaultMaxUtilization)
	levelsABC := []float64{def(s.ServiceA, capacity.DefaultServiceA), def(s.ServiceB, capacity.DefaultServiceB), def(s.ServiceC, capacity.DefaultServiceC)}
	cutA, cutB := def(s.ClassA, capacity.DefaultClassA), def(s.ClassB, capacity.DefaultClassB)

	// SKU classes: rank by annual value.
	type skuInfo struct {
		share, z, perPallet, cost float64
		class                     string
	}
	info := make([]skuInfo, len(in.SKUs))
	totalUnits, totalValue := 0.0, 0.0
	for _, k := range in.SKUs {
		totalUnits += k.AnnualUnits
		totalValue += k.AnnualUnits * k.UnitCost
	}
	rank := make([]int, len(in.SKUs))
	for k := range rank {
		rank[k] = k
	}
	sort.SliceStable(rank, func(a, b int) bool {
		return in.SKUs[rank[a]].AnnualUnits*in.SKUs[rank[a]].UnitCost > in.SKUs[rank[b]].AnnualUnits*in.SKUs[rank[b]].UnitCost
	})
	before := 0.0
	for _, k := range rank {
		sku := in.SKUs[k]
		c := "C"
		if before/totalValue < cutA {
			c = "A"
		} else if before/totalValue < cutB {
			c = "B"
		}
		before += sku.AnnualUnits * sku.UnitCost
		lv := levelsABC[map[string]int{"A": 0, "B": 1, "C": 2}[c]]
		info[k] = skuInfo{share: sku.AnnualUnits / totalUnits, z: normalQuantile(lv), perPallet: 1 / (sku.UnitsPerCase * sku.CasesPerPallet), cost: sku.UnitCost, class: c}
	}
	root := math.Sqrt(s.LeadTimeDays + s.ReviewPeriodDays)

	// Space requirement, recomputed.
	gross := make([]float64, len(in.Volumes))
	net := make([]float64, len(in.Volumes))
	if len(res.Space) != len(in.Volumes) {
		bad("space: %d years reported, input has %d", len(res.Space), len(in.Volumes))
		return errors.Join(errs...)
	}
	poolFactor := make([]float64, len(in.Volumes))
	for t, v := range in.Volumes {
		pools := map[string]float64{}
		sum := 0.0
		for _, l := range in.Loads {
			if l.Year == v.Year && l.Units > 0 {
				pools[l.Facility] += l.Units
				sum += l.Units
			}
		}
		if len(pools) == 0 {
			pools[""] = v.Units
			sum = v.Units
		}
		for _, u := range pools {
			share := 1.0
			if sum > 0 {
				share = u / sum
			}
			poolFactor[t] += math.Sqrt(share)
			units := share * v.Units
			var daily, pallets float64
			for k := range in.SKUs {
				d := units * info[k].share / days
				daily += d * info[k].perPallet
				pallets += d*doh*info[k].perPallet + info[k].z*s.DemandCV*(v.Units*info[k].share/days)*root*math.Sqrt(share)*info[k].perPallet
			}
			positions := math.Ceil(pallets/levels - 1e-9)
			doors := 2 * math.Ceil(daily/doorRate-1e-9)
			n := positions*foot/(1-aisle) + doors*doorArea + s.SupportSqft
			net[t] += n
			gross[t] += n / maxU
		}
		sp := res.Space[t]
		if sp.Year != v.Year || !near(sp.NetSqft, net[t]) || !near(sp.GrossSqft, gross[t]) {
			bad("space %d: reported net %.2f gross %.2f sq ft, recomputed net %.2f gross %.2f", v.Year, sp.NetSqft, sp.GrossSqft, net[t], gross[t])
		}
	}

	// Inventory, recomputed.
	if len(res.Inventory.Years) != len(in.Volumes) {
		bad("inventory: %d years reported, input has %d", len(res.Inventory.Years), len(in.Volumes))
	} else {
		for t, v := range in.Volumes {
			var ss, cycle, value float64
			for k := range in.SKUs {
				mu := v.Units * info[k].share / days
				x := info[k].z * s.DemandCV * mu * root * poolFactor[t]
				ss += x
				cycle += mu * s.ReviewPeriodDays / 2
				value += (x + mu*s.ReviewPeriodDays/2) * info[k].cost
			}
			y := res.Inventory.Years[t]
			if !near(y.SafetyStock, ss) || !near(y.CycleStock, cycle) || !near(y.AverageInventory, ss+cycle) ||
				!near(y.HoldingCost, value*s.CarryingRate) || !near(y.Pooling, poolFactor[t]) {
				bad("inventory %d: reported safety %.3f cycle %.3f holding %.2f pooling %.4f; recomputed %.3f %.3f %.2f %.4f",
					v.Year, y.SafetyStock, y.CycleStock, y.HoldingCost, y.Pooling, ss, cycle, value*s.CarryingRate, poolFactor[t])
			}
		}
		for _, r := range res.Inventory.SKUs {
			for k, sku := range in.SKUs {
				if sku.Name == r.SKU && r.Class != info[k].class {
					bad("inventory: SKU %s is class %s, recomputed %s", r.SKU, r.Class, info[k].class)
				}
			}
		}
	}

	// Expansion plan.
	e := res.Expansion
	if e == nil {
		bad("no expansion plan")
		return errors.Join(errs...)
	}
	if e.Status != "optimal" && e.Status != "feasible" && e.Status != "cancelled" {
		return errors.Join(append(errs, fmt.Errorf("expansion status %s has no plan to check", e.Status))...)
	}
	if len(e.Years) != len(in.Volumes) || len(e.Options) != len(in.Options) {
		bad("expansion: %d years and %d options reported, input has %d and %d", len(e.Years), len(e.Options), len(in.Volumes), len(in.Options))
		return errors.Join(errs...)
	}
	first, last := in.Volumes[0].Year, in.Volumes[len(in.Volumes)-1].Year
	openIn := func(name string, y int) bool {
		for _, f := range in.Existing {
			if f.Name == name {
				if f.OpenYears == nil {
					return true
				}
				for _, oy := range f.OpenYears {
					if oy == y {
						return true
					}
				}
				return false
			}
		}
		return false
	}
	active := func(p capacity.OptionPlan, y int) bool { return p.Taken && y >= p.StartYear && y <= p.EndYear }
	byTier := map[string]capacity.OptionPlan{}
	for _, p := range e.Options {
		if p.Facility != "" {
			byTier[fmt.Sprintf("%s/%d", p.Facility, max(p.Tier, 1))] = p
		}
	}
	var oneOff, lease, tail float64
	for k, p := range e.Options {
		o := in.Options[k]
		if p.Name != o.Name {
			bad("option %d: reported %q, input %q", k, p.Name, o.Name)
			continue
		}
		if !p.Taken {
			if p.LeaseCost != 0 || p.CommitmentBeyondHorizon != 0 {
				bad("option %s: not taken but costs %v + %v", o.Name, p.LeaseCost, p.CommitmentBeyondHorizon)
			}
			continue
		}
		if p.StartYear < first || p.EndYear > last || p.EndYear < p.StartYear {
			bad("option %s: active %d..%d outside the horizon %d..%d", o.Name, p.StartYear, p.EndYear, first, last)
		}
		if o.EarliestYear != 0 && p.StartYear < o.EarliestYear {
			bad("option %s: starts %d before its earliest year %d", o.Name, p.StartYear, o.EarliestYear)
		}
		commitEnd := p.StartYear + o.LeaseYears - 1
		if p.EndYear < min(commitEnd, last) {
			bad("option %s: active %d..%d, its %d-year lease commits it through %d", o.Name, p.StartYear, p.EndYear, o.LeaseYears, commitEnd)
		}
		annual := o.Sqft * o.CostPerSqftYear
		years := float64(p.EndYear - p.StartYear + 1)
		beyond := math.Max(0, float64(commitEnd-last))
		if !near(p.LeaseCost, annual*years) || !near(p.CommitmentBeyondHorizon, annual*beyond) {
			bad("option %s: lease %.2f and beyond-horizon %.2f, recomputed %.2f and %.2f", o.Name, p.LeaseCost, p.CommitmentBeyondHorizon, annual*years, annual*beyond)
		}
		oneOff += o.OneOffCost
		lease += annual * years
		tail += annual * beyond
		for y := p.StartYear; y <= min(commitEnd, last); y++ {
			if o.Facility != "" && !openIn(o.Facility, y) {
				bad("option %s: expands %s in %d, when it is closed", o.Name, o.Facility, y)
			}
		}
		if o.Facility != "" && max(o.Tier, 1) > 1 {
			prev, ok := byTier[fmt.Sprintf("%s/%d", o.Facility, max(o.Tier, 1)-1)]
			for y := p.StartYear; y <= p.EndYear; y++ {
				if !ok || !active(prev, y) {
					bad("option %s (tier %d) is active in %d without tier %d", o.Name, o.Tier, y, o.Tier-1)
					break
				}
			}
		}
	}
	var tplCost float64
	for t, v := range in.Volumes {
		y := e.Years[t]
		existing := 0.0
		for _, f := range in.Existing {
			if openIn(f.Name, v.Year) {
				existing += f.Sqft
			}
		}
		added := 0.0
		for k, p := range e.Options {
			if active(p, v.Year) {
				added += in.Options[k].Sqft
			}
		}
		if !near(y.RequiredSqft, gross[t]) || !near(y.ExistingSqft, existing) || !near(y.InternalSqft, existing+added) {
			bad("expansion %d: required %.2f existing %.2f internal %.2f; recomputed %.2f %.2f %.2f", v.Year, y.RequiredSqft, y.ExistingSqft, y.InternalSqft, gross[t], existing, existing+added)
		}
		if y.ThirdPartySqft < -absTol || y.ThirdPartySqft > s.ThirdPartyMaxShare*gross[t]*(1+relTol)+absTol {
			bad("expansion %d: 3PL space %.2f outside [0, %.3g x %.2f]", v.Year, y.ThirdPartySqft, s.ThirdPartyMaxShare, gross[t])
		}
		if existing+added+y.ThirdPartySqft < gross[t]*(1-relTol)-absTol {
			bad("expansion %d: internal %.2f + 3PL %.2f sq ft does not cover the requirement %.2f", v.Year, existing+added, y.ThirdPartySqft, gross[t])
		}
		c := y.ThirdPartySqft * s.ThirdPartyCostPerSqftYear
		if !near(y.ThirdPartyCost, c) {
			bad("expansion %d: 3PL cost %.2f, recomputed %.2f", v.Year, y.ThirdPartyCost, c)
		}
		tplCost += c
	}
	total := oneOff + lease + tail + tplCost
	if !near(e.Costs.OneOff, oneOff) || !near(e.Costs.Lease, lease) || !near(e.Costs.LeaseBeyondHorizon, tail) ||
		!near(e.Costs.ThirdParty, tplCost) || !near(e.Costs.Total, total) {
		bad("expansion costs %+v, recomputed one-off %.2f lease %.2f beyond %.2f 3PL %.2f total %.2f", e.Costs, oneOff, lease, tail, tplCost, total)
	}
	// The solver's objective may carry 3PL space above the uncovered need only within its
	// tolerances, so it agrees with the recomputed total to the solver's gap.
	if obj := float64(e.Objective); math.Abs(obj-total) > absTol+1e-5*math.Max(math.Abs(obj), math.Abs(total)) {
		bad("expansion objective %.2f, recomputed total %.2f", obj, total)
	}
	sum := 0.0
	for _, iv := range e.Investment {
		sum += iv.OneOffCost
	}
	if !near(sum, oneOff) {
		bad("investment schedule sums to %.2f, one-off costs are %.2f", sum, oneOff)
	}
	return errors.Join(errs...)
}
