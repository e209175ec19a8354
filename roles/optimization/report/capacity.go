package report

import (
	"fmt"
	"sort"

	"github.com/tealeg/xlsx/v3"

	"networx/roles/capacity"
	"networx/roles/optimization/canon"
)

// capacitySheets writes the Capacity and Inventory sheets of a capacity plan.
func capacitySheets(cs, is sheet, p *capacity.Result) {
	e := p.Expansion
	cs.row("Capacity plan", p.Version)
	cs.row("Status", p.Status)
	cs.row("Objective (total space cost)", moneyN(p.Objective))
	cs.row("Bound", moneyN(p.Bound))
	cs.row("Gap", pctN(p.Gap))
	for _, r := range p.Reasons {
		cs.row("Infeasible because", r)
	}
	cs.row("Scope", p.Scope)
	cs.row()
	cs.row("Year", "Units", "Pallets", "Rack positions", "Doors", "Storage sq ft", "Dock sq ft", "Support sq ft", "Net sq ft",
		"Required sq ft (gross)", "Existing sq ft", "Added sq ft", "Internal sq ft", "3PL sq ft", "3PL max sq ft", "Available sq ft",
		"Utilization", "One-off cost", "Lease cost", "3PL cost", "Total cost")
	for t, s := range p.Space {
		r := []any{s.Year, unitsF(s.Units), unitsF(s.Pallets), s.Positions, s.Doors, unitsF(s.StorageSqft), unitsF(s.DockSqft),
			unitsF(s.SupportSqft), unitsF(s.NetSqft), unitsF(s.GrossSqft)}
		if e != nil && t < len(e.Years) {
			y := e.Years[t]
			r = append(r, unitsF(y.ExistingSqft), unitsF(y.AddedSqft), unitsF(y.InternalSqft), unitsF(y.ThirdPartySqft),
				unitsF(y.ThirdPartyMaxSqft), unitsF(y.AvailableSqft), pctN(y.Utilization), money(y.OneOffCost), money(y.LeaseCost),
				money(y.ThirdPartyCost), money(y.TotalCost))
		}
		cs.row(r...)
	}
	if e != nil && len(e.Years) > 0 {
		cs.row()
		cs.row("Cost part", "Amount")
		cs.row("One-off (investment)", money(e.Costs.OneOff))
		cs.row("Lease within the horizon", money(e.Costs.Lease))
		cs.row("Lease committed beyond the horizon", money(e.Costs.LeaseBeyondHorizon))
		cs.row("3PL space", money(e.Costs.ThirdParty))
		cs.row("Total", money(e.Costs.Total))
		cs.row()
		cs.row("Option", "Facility", "Kind", "Tier", "Sq ft", "Taken", "Start year", "End year", "Committed through",
			"One-off cost", "Cost per sq ft per year", "Lease cost in horizon", "Committed beyond horizon")
		for _, o := range e.Options {
			taken := "no"
			var start, end, through any
			if o.Taken {
				taken, start, end, through = "yes", o.StartYear, o.EndYear, o.CommittedThrough
			}
			tier := any(nil)
			if o.Facility != "" {
				tier = max(o.Tier, 1)
			}
			cs.row(o.Name, o.Facility, o.Kind, tier, unitsF(o.Sqft), taken, start, end, through, money(o.OneOffCost),
				money(o.CostPerSqftYear), money(o.LeaseCost), money(o.CommitmentBeyondHorizon))
		}
		cs.row()
		cs.row("Investment schedule: year", "Option", "Facility", "Kind", "Sq ft", "One-off cost", "Annual lease", "Committed years")
		for _, iv := range e.Investment {
			cs.row(iv.Year, iv.Option, iv.Facility, iv.Kind, unitsF(iv.Sqft), money(iv.OneOffCost), money(iv.AnnualCost), iv.CommittedYears)
		}
	}
	if len(p.FacilitySpace) > 0 {
		cs.row()
		cs.row("Per facility: year", "Facility", "Units", "Pallets", "Rack positions", "Doors", "Net sq ft", "Required sq ft (gross)")
		for _, s := range p.FacilitySpace {
			cs.row(s.Year, s.Facility, unitsF(s.Units), unitsF(s.Pallets), s.Positions, s.Doors, unitsF(s.NetSqft), unitsF(s.GrossSqft))
		}
	}
	pm := p.Parameters
	cs.row()
	cs.row("Parameter", "Value")
	for _, kv := range []struct {
		k string
		v any
	}{{"operating_days", pm.OperatingDays}, {"days_on_hand", pm.DaysOnHand}, {"rack levels", pm.RackLevels},
		{"pallet_footprint_sqft", pm.PalletFootprintSqft}, {"aisle_factor", pm.AisleFactor}, {"pallets_per_door_per_day", pm.PalletsPerDoorPerDay},
		{"door_area_sqft", pm.DoorAreaSqft}, {"support_sqft (per facility)", pm.SupportSqft}, {"max_utilization", pct(pm.MaxUtilization)},
		{"third_party_cost_per_sqft_year", money(pm.ThirdPartyCost)}, {"third_party_max_share", pct(pm.ThirdPartyMaxShare)}} {
		cs.row(kv.k, kv.v)
	}

	inv := p.Inventory
	is.row("Inventory by year (network, pooled over the stocking facilities by the square-root law)")
	is.row("Year", "Units", "Facilities", "Pooling factor", "Safety stock (one facility)", "Safety stock", "Cycle stock",
		"Average inventory", "Inventory value", "Turns", "Holding cost")
	for _, y := range inv.Years {
		is.row(y.Year, unitsF(y.Units), y.Facilities, y.Pooling, unitsF(y.SafetyStockCentral), unitsF(y.SafetyStock), unitsF(y.CycleStock),
			unitsF(y.AverageInventory), money(y.InventoryValue), y.Turns, money(y.HoldingCost))
	}
	is.row()
	is.row("Parameter", "Value")
	is.row("lead_time_days", pm.LeadTimeDays)
	is.row("review_period_days", pm.ReviewPeriodDays)
	is.row("demand_cv", pm.DemandCV)
	is.row("carrying_rate", pct(pm.CarryingRate))
	is.row("service levels A / B / C", pct(pm.ServiceLevels[0]), pct(pm.ServiceLevels[1]), pct(pm.ServiceLevels[2]))
	is.row("ABC cuts (cumulative value share)", pct(pm.ClassCuts[0]), pct(pm.ClassCuts[1]))
	is.row()
	first := 0
	if len(inv.Years) > 0 {
		first = inv.Years[0].Year
	}
	is.row("Per SKU, first year", first)
	is.row("SKU", "Class", "Units", "Annual value", "Service level", "z", "Daily mean", "Daily SD", "Safety stock", "Cycle stock",
		"Reorder point", "Average inventory", "Average pallets", "Turns", "Holding cost")
	for _, s := range inv.SKUs {
		is.row(s.SKU, s.Class, unitsF(s.Units), money(s.AnnualValue), pct(s.ServiceLevel), s.Z, s.DailyMean, s.DailySD, unitsF(s.SafetyStock),
			unitsF(s.CycleStock), unitsF(s.ReorderPoint), unitsF(s.AverageInventory), s.Pallets, s.Turns, money(s.HoldingCost))
	}
}

// WriteCapacityFile writes the workbook of a capacity job: sheets Capacity, Inventory and
// Inputs and settings.
func WriteCapacityFile(path string, p *capacity.Result, in *canon.Input) error {
	f := xlsx.NewFile()
	var sheets []sheet
	for _, name := range []string{"Capacity", "Inventory", "Inputs and settings"} {
		sh, err := f.AddSheet(name)
		if err != nil {
			return fmt.Errorf("capacity workbook sheet %s: %w", name, err)
		}
		sheets = append(sheets, sheet{sh})
	}
	capacitySheets(sheets[0], sheets[1], p)
	is := sheets[2]
	is.row("Item", "Value")
	if in != nil {
		is.row("Input", in.Path)
		is.row("SKUs", len(in.SKUs))
		is.row("Forecast years", len(in.Network.Forecast))
		is.row("Space options", len(in.SpaceOptions))
		keys := make([]string, 0, len(in.Settings))
		for k := range in.Settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			is.row(k, in.Settings[k].Value)
		}
	}
	if err := f.Save(path); err != nil {
		return fmt.Errorf("write capacity workbook %s: %w", path, err)
	}
	return nil
}
