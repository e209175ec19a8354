package capacity

import (
	"context"
	"slices"

	"networx/solver"
)

// ResultVersion is the schema version of the capacity result JSON.
const ResultVersion = "networx.capacity/v1"

// Result is the outcome of Plan.
type Result struct {
	Version string `json:"version"`
	// Status, Objective, Bound and Gap are the expansion MIP's certificate.
	Status    string   `json:"status"`
	Reasons   []string `json:"reasons,omitempty"`
	Objective Num      `json:"objective"`
	Bound     Num      `json:"bound"`
	Gap       Num      `json:"gap"`
	Years     []int    `json:"years"`
	// Scope is "network" (one pool) or "per_facility" (loads from a network result).
	Scope string `json:"scope"`
	// Space is the network requirement per year; FacilitySpace the per-facility ones it
	// sums (per_facility scope only).
	Space         []Space    `json:"space"`
	FacilitySpace []Space    `json:"facility_space,omitempty"`
	Expansion     *Expansion `json:"expansion"`
	Inventory     Inventory  `json:"inventory"`
	// Parameters are the values used, defaults filled in.
	Parameters Parameters `json:"parameters"`
}

// Parameters are the effective planning parameters.
type Parameters struct {
	OperatingDays        float64    `json:"operating_days"`
	DaysOnHand           float64    `json:"days_on_hand"`
	RackLevels           int        `json:"rack_levels"`
	PalletFootprintSqft  float64    `json:"pallet_footprint_sqft"`
	AisleFactor          float64    `json:"aisle_factor"`
	PalletsPerDoorPerDay float64    `json:"pallets_per_door_per_day"`
	DoorAreaSqft         float64    `json:"door_area_sqft"`
	SupportSqft          float64    `json:"support_sqft"`
	MaxUtilization       float64    `json:"max_utilization"`
	LeadTimeDays         float64    `json:"lead_time_days"`
	ReviewPeriodDays     float64    `json:"review_period_days"`
	DemandCV             float64    `json:"demand_cv"`
	CarryingRate         float64    `json:"carrying_rate"`
	ServiceLevels        [3]float64 `json:"service_levels_abc"`
	ClassCuts            [2]float64 `json:"abc_cuts"`
	ThirdPartyCost       float64    `json:"third_party_cost_per_sqft_year"`
	ThirdPartyMaxShare   float64    `json:"third_party_max_share"`
}

func (s Settings) parameters() Parameters {
	a, b := s.classCuts()
	return Parameters{OperatingDays: s.operatingDays(), DaysOnHand: s.daysOnHand(), RackLevels: int(s.rackLevels()),
		PalletFootprintSqft: s.footprint(), AisleFactor: s.aisle(), PalletsPerDoorPerDay: s.doorRate(), DoorAreaSqft: s.doorArea(),
		SupportSqft: s.SupportSqft, MaxUtilization: s.maxUtil(), LeadTimeDays: s.LeadTimeDays, ReviewPeriodDays: s.ReviewPeriodDays,
		DemandCV: s.DemandCV, CarryingRate: s.CarryingRate, ServiceLevels: s.serviceLevels(), ClassCuts: [2]float64{a, b},
		ThirdPartyCost: s.ThirdPartyCostPerSqftYear, ThirdPartyMaxShare: s.ThirdPartyMaxShare}
}

// Requirement validates the input and returns the network space requirement per year and,
// with loads, the per-facility requirements.
func Requirement(in *Input) (network, facilities []Space, err error) {
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	n, f := in.requirement()
	return n, f, nil
}

// InventoryPlan validates the input and returns the inventory model.
func InventoryPlan(in *Input) (Inventory, error) {
	if err := in.Validate(); err != nil {
		return Inventory{}, err
	}
	return in.inventory(), nil
}

// ExpansionInputOf returns the expansion MIP data of a validated input and its requirement.
func (in *Input) expansionInput(space []Space) *ExpansionInput {
	e := &ExpansionInput{Options: in.Options, ThirdPartyCost: in.Settings.ThirdPartyCostPerSqftYear,
		ThirdPartyMaxShare: in.Settings.ThirdPartyMaxShare}
	open := func(f Facility, y int) bool { return f.OpenYears == nil || slices.Contains(f.OpenYears, y) }
	for t, v := range in.Volumes {
		e.Years = append(e.Years, v.Year)
		e.Required = append(e.Required, space[t].GrossSqft)
		e.Net = append(e.Net, space[t].NetSqft)
		ex := 0.0
		for _, f := range in.Existing {
			if open(f, v.Year) {
				ex += f.Sqft
			}
		}
		e.Existing = append(e.Existing, ex)
	}
	fac := map[string]Facility{}
	for _, f := range in.Existing {
		fac[f.Name] = f
	}
	restricted := false
	usable := make([][]bool, len(in.Options))
	for o, op := range in.Options {
		usable[o] = make([]bool, len(e.Years))
		for t, y := range e.Years {
			usable[o][t] = op.Facility == "" || open(fac[op.Facility], y)
			restricted = restricted || !usable[o][t]
		}
	}
	if restricted {
		e.Usable = usable
	}
	return e
}

// ExpansionModel validates the input and returns its expansion MIP, for audit export.
func ExpansionModel(in *Input) (*solver.Model, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	space, _ := in.requirement()
	return BuildExpansionModel(in.expansionInput(space)), nil
}

// Plan validates the input, computes the space requirement and the inventory model, and
// solves the expansion MIP. A cancelled or limited solve returns its best plan; an
// infeasible one returns the Result with Reasons and an error wrapping ErrInfeasible.
func Plan(ctx context.Context, in *Input, set solver.Settings) (*Result, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out := &Result{Version: ResultVersion, Scope: "network", Parameters: in.Settings.parameters()}
	for _, v := range in.Volumes {
		out.Years = append(out.Years, v.Year)
	}
	out.Space, out.FacilitySpace = in.requirement()
	if len(out.FacilitySpace) > 0 {
		out.Scope = "per_facility"
	}
	out.Inventory = in.inventory()
	exp, err := Expand(ctx, in.expansionInput(out.Space), set)
	if exp == nil {
		return nil, err
	}
	out.Expansion = exp
	out.Status, out.Reasons, out.Objective, out.Bound, out.Gap = exp.Status, exp.Reasons, exp.Objective, exp.Bound, exp.Gap
	return out, err
}
