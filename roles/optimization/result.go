package optimization

import (
	"encoding/json"
	"math"
)

// ResultVersion is the schema version of the JSON result; it changes when a field changes
// meaning or disappears.
const ResultVersion = "networx.optimization/v1"

// Num is a float64 that is written as null in JSON when it is NaN or infinite.
type Num float64

// MarshalJSON writes the number, or null when it has no finite value.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a number or null (NaN).
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Result is the outcome of Optimize, written as versioned JSON.
type Result struct {
	Version string `json:"version"`
	// Status is optimal, feasible (a limit stopped the search; see Gap), infeasible (see
	// Reasons), cancelled or limit (stopped before any solution).
	Status    string   `json:"status"`
	Reasons   []string `json:"reasons,omitempty"`
	Objective Num      `json:"objective"`
	Bound     Num      `json:"bound"`
	Gap       Num      `json:"gap"`
	Mode      Mode     `json:"mode"`
	Years     []int    `json:"years"`
	// OpenCount is the fixed number of open facilities of a sweep point; -1 otherwise.
	OpenCount int         `json:"open_count"`
	Solver    SolverInfo  `json:"solver"`
	InputHash string      `json:"input_hash"`
	Rates     RateSummary `json:"rates"`
	KPIs      KPIs        `json:"kpis"`
	// OpenFacilities are the facilities open in at least one year, in input order.
	OpenFacilities  []string          `json:"open_facilities"`
	OpenByYear      []YearFacilities  `json:"open_by_year"`
	Assignments     []Assignment      `json:"assignments"`
	Facilities      []FacilityMetrics `json:"facilities"`
	YearlyCosts     []YearCost        `json:"yearly_costs"`
	Baseline        Baselines         `json:"baseline"`
	Savings         Savings           `json:"savings"`
	CentreOfGravity *Point            `json:"centre_of_gravity"`
}

// SolverInfo is what reproduces the solve: the solver build and its settings, and what
// the solve did.
type SolverInfo struct {
	Version      string  `json:"version"`
	TimeLimitSec float64 `json:"time_limit_seconds"`
	RelGap       float64 `json:"rel_gap"`
	AbsGap       float64 `json:"abs_gap"`
	NodeLimit    int64   `json:"node_limit"`
	Threads      int     `json:"threads"`
	Seed         int64   `json:"seed"`
	Rows         int     `json:"rows"`
	Columns      int     `json:"columns"`
	Integers     int     `json:"integers"`
	LazyRows     int     `json:"lazy_rows"`
	Nodes        int64   `json:"nodes"`
	LPIterations int64   `json:"lp_iterations"`
	Seconds      float64 `json:"seconds"`
	RootBound    Num     `json:"root_bound"`
	// Method is the solver's algorithm: "lagrangian-fl" (the facility-location path) or
	// "lp-bb" (LP-based branch and bound).
	Method string `json:"method"`
	// SubgradientIterations counts the Lagrangian iterations of the facility-location path.
	SubgradientIterations int64 `json:"subgradient_iterations"`
}

// RateSummary counts the lanes by rate source and carries the fitted rate model.
type RateSummary struct {
	Lanes   int      `json:"lanes"`
	Fitted  int      `json:"fitted"`
	PerMile int      `json:"per_unit_mile"`
	Fit     *RateFit `json:"fit,omitempty"`
}

// KPIs are the network totals over the horizon.
type KPIs struct {
	TotalCost     float64 `json:"total_cost"`
	FixedCost     float64 `json:"fixed_cost"`
	TransportCost float64 `json:"transport_cost"`
	OpeningCost   float64 `json:"opening_cost"`
	ClosingCost   float64 `json:"closing_cost"`
	Units         float64 `json:"units"`
	CostPerUnit   Num     `json:"cost_per_unit"`
	// AvgDistance is the demand-weighted average distance in miles (null without locations).
	AvgDistance Num `json:"avg_distance_miles"`
	// ServiceShare is the share of units within the service radius (null without one).
	ServiceShare Num `json:"service_share"`
	MaxOpen      int `json:"max_open"`
}

// YearFacilities lists the facilities open in a year.
type YearFacilities struct {
	Year       int      `json:"year"`
	Facilities []string `json:"facilities"`
}

// Assignment is the flow from a facility to a destination in a year.
type Assignment struct {
	Year        int        `json:"year"`
	Destination string     `json:"destination"`
	Facility    string     `json:"facility"`
	Share       float64    `json:"share"`
	Units       float64    `json:"units"`
	Distance    Num        `json:"distance_miles"`
	CostPerUnit float64    `json:"cost_per_unit"`
	Cost        float64    `json:"cost"`
	RateSource  RateSource `json:"rate_source"`
}

// FacilityMetrics are one facility's totals over the horizon.
type FacilityMetrics struct {
	Name               string  `json:"name"`
	Kind               Kind    `json:"kind"`
	OpenYears          []int   `json:"open_years"`
	DestinationsServed int     `json:"destinations_served"`
	Units              float64 `json:"units"`
	// Utilization is units / (capacity x years open); null when uncapacitated or closed.
	Utilization   Num     `json:"utilization"`
	AvgDistance   Num     `json:"avg_distance_miles"`
	FixedCost     float64 `json:"fixed_cost"`
	TransportCost float64 `json:"transport_cost"`
	OpeningCost   float64 `json:"opening_cost"`
	ClosingCost   float64 `json:"closing_cost"`
	TotalCost     float64 `json:"total_cost"`
}

// YearCost is the cost of one year.
type YearCost struct {
	Year          int     `json:"year"`
	Open          int     `json:"open"`
	Units         float64 `json:"units"`
	FixedCost     float64 `json:"fixed_cost"`
	TransportCost float64 `json:"transport_cost"`
	OpeningCost   float64 `json:"opening_cost"`
	ClosingCost   float64 `json:"closing_cost"`
	TotalCost     float64 `json:"total_cost"`
	CostPerUnit   Num     `json:"cost_per_unit"`
	AvgDistance   Num     `json:"avg_distance_miles"`
	ServiceShare  Num     `json:"service_share"`
}

// Baselines are today's network evaluated with the model's costs, and the invoiced spend.
type Baselines struct {
	// Modeled is nil when it cannot be evaluated; ModeledNote says why.
	Modeled     *ModeledBaseline `json:"modeled"`
	ModeledNote string           `json:"modeled_note,omitempty"`
	// Invoiced is the freight spend in the shipment history (nil without one).
	Invoiced *InvoicedBaseline `json:"invoiced"`
}

// ModeledBaseline is today's facilities and assignment costed like the optimized network.
type ModeledBaseline struct {
	Facilities    []string   `json:"facilities"`
	TotalCost     float64    `json:"total_cost"`
	FixedCost     float64    `json:"fixed_cost"`
	TransportCost float64    `json:"transport_cost"`
	YearlyCosts   []YearCost `json:"yearly_costs"`
	// FromHistory counts destinations assigned to the facility that shipped most to them;
	// Nearest those without history, assigned to their cheapest existing facility.
	FromHistory int `json:"from_history"`
	Cheapest    int `json:"cheapest"`
	// OverCapacity names facilities whose baseline load exceeds their capacity.
	OverCapacity []string `json:"over_capacity,omitempty"`
	// Unmet lists the model's requirements today's network does not meet (service share by
	// year, min_open/max_open, mandatory sites, capacities): the optimized network must
	// meet them, so it can cost more than this baseline.
	Unmet []string `json:"unmet_requirements,omitempty"`
}

// InvoicedBaseline is the shipment history's spend.
type InvoicedBaseline struct {
	TotalCost float64            `json:"total_cost"`
	Shipments int                `json:"shipments"`
	ByMode    map[string]float64 `json:"by_mode"`
}

// Savings compare the optimized network with both baselines.
type Savings struct {
	// VsModeled is modeled baseline total minus optimized total over the horizon.
	VsModeled    Num `json:"vs_modeled"`
	VsModeledPct Num `json:"vs_modeled_pct"`
	// VsInvoiced is invoiced freight minus the optimized first-year transport cost.
	VsInvoiced    Num `json:"vs_invoiced"`
	VsInvoicedPct Num `json:"vs_invoiced_pct"`
}

// Point is a latitude/longitude.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}
