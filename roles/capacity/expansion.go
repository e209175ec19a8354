package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"networx/solver"
)

// ExpansionInput is the expansion MIP's data: the gross requirement G_t and today's
// internal space per year, the options, and the 3PL terms.
type ExpansionInput struct {
	Years []int
	// Required is G_t (gross sq ft) and Net the net requirement (for utilization).
	Required []float64
	Net      []float64
	// Existing is the internal space of today's facilities open in each year.
	Existing []float64
	Options  []Option
	// Usable[o][t] is false when option o cannot be active in year t (its facility is
	// closed then); nil means always usable.
	Usable [][]bool
	// ThirdPartyCost is $ per sq ft and year; ThirdPartyMaxShare caps 3PL space at a share
	// of G_t.
	ThirdPartyCost     float64
	ThirdPartyMaxShare float64
}

// YearCapacity is one year of the expansion plan.
type YearCapacity struct {
	Year         int     `json:"year"`
	RequiredSqft float64 `json:"required_sqft"`
	NetSqft      float64 `json:"net_sqft"`
	ExistingSqft float64 `json:"existing_sqft"`
	// AddedSqft is the space of the options active in the year.
	AddedSqft         float64 `json:"added_sqft"`
	InternalSqft      float64 `json:"internal_sqft"`
	ThirdPartySqft    float64 `json:"third_party_sqft"`
	ThirdPartyMaxSqft float64 `json:"third_party_max_sqft"`
	AvailableSqft     float64 `json:"available_sqft"`
	// Utilization is net requirement / available space.
	Utilization    Num     `json:"utilization"`
	OneOffCost     float64 `json:"one_off_cost"`
	LeaseCost      float64 `json:"lease_cost"`
	ThirdPartyCost float64 `json:"third_party_cost"`
	TotalCost      float64 `json:"total_cost"`
}

// OptionPlan is what the plan does with one option.
type OptionPlan struct {
	Option
	Kind  string `json:"kind"`
	Taken bool   `json:"taken"`
	// StartYear..EndYear are the years the option is active (0 when not taken).
	StartYear int `json:"start_year,omitempty"`
	EndYear   int `json:"end_year,omitempty"`
	// CommittedThrough is the last year of the lease commitment, possibly beyond the
	// horizon; CommitmentBeyondHorizon is the lease cost of the committed years after it.
	CommittedThrough        int     `json:"committed_through,omitempty"`
	LeaseCost               float64 `json:"lease_cost"`
	CommitmentBeyondHorizon float64 `json:"commitment_beyond_horizon"`
}

// Investment is one entry of the investment schedule: an option started in a year.
type Investment struct {
	Year       int     `json:"year"`
	Option     string  `json:"option"`
	Facility   string  `json:"facility,omitempty"`
	Kind       string  `json:"kind"`
	Sqft       float64 `json:"sqft"`
	OneOffCost float64 `json:"one_off_cost"`
	// AnnualCost is the yearly lease cost; CommittedYears the commitment.
	AnnualCost     float64 `json:"annual_cost"`
	CommittedYears int     `json:"committed_years"`
}

// CostParts are the expansion plan's costs over the horizon, in real dollars.
type CostParts struct {
	OneOff     float64 `json:"one_off"`
	Lease      float64 `json:"lease"`
	ThirdParty float64 `json:"third_party"`
	// LeaseBeyondHorizon is the committed lease cost of options whose commitment runs past
	// the last year: part of the objective, so a late lease is not free.
	LeaseBeyondHorizon float64 `json:"lease_beyond_horizon"`
	Total              float64 `json:"total"`
}

// Expansion is the expansion plan with its optimality certificate.
type Expansion struct {
	Status     string         `json:"status"`
	Reasons    []string       `json:"reasons,omitempty"`
	Objective  Num            `json:"objective"`
	Bound      Num            `json:"bound"`
	Gap        Num            `json:"gap"`
	Years      []YearCapacity `json:"years"`
	Options    []OptionPlan   `json:"options"`
	Investment []Investment   `json:"investment"`
	Costs      CostParts      `json:"costs"`
	Solver     SolverStats    `json:"solver"`
}

// SolverStats describe the solve.
type SolverStats struct {
	Rows     int     `json:"rows"`
	Columns  int     `json:"columns"`
	Integers int     `json:"integers"`
	Nodes    int64   `json:"nodes"`
	Seconds  float64 `json:"seconds"`
	RelGap   float64 `json:"rel_gap"`
	TimeSec  float64 `json:"time_limit_seconds"`
}

// ErrInfeasible is wrapped when no choice of options and 3PL space covers the requirement.
var ErrInfeasible = errors.New("no expansion plan covers the space requirement")

// expLayout records the columns of the expansion MIP.
type expLayout struct {
	model *solver.Model
	start [][]int // [o][t], -1 none
	act   [][]int // [o][t], -1 none (inactive)
	tpl   []int   // [t]
}

// first returns the first year index an option may start.
func (e *ExpansionInput) first(o Option) int {
	for t, y := range e.Years {
		if o.EarliestYear == 0 || y >= o.EarliestYear {
			return t
		}
	}
	return len(e.Years)
}

func (e *ExpansionInput) usable(o, t int) bool { return e.Usable == nil || e.Usable[o][t] }

// commitEnd is the last year covered by the commitment of an option started in year t.
func (e *ExpansionInput) commitEnd(o Option, t int) int { return e.Years[t] + o.LeaseYears - 1 }

// beyond is the number of committed years after the horizon for a start in year t.
func (e *ExpansionInput) beyond(o Option, t int) int {
	return max(0, e.commitEnd(o, t)-e.Years[len(e.Years)-1])
}

// prevTier returns, per option, the index of the option one tier below it (-1 none).
func prevTier(opts []Option) []int {
	idx := map[[2]any]int{}
	for o, op := range opts {
		if op.Facility != "" {
			idx[[2]any{op.Facility, op.tier()}] = o
		}
	}
	prev := make([]int, len(opts))
	for o, op := range opts {
		prev[o] = -1
		if op.Facility != "" && op.tier() > 1 {
			if p, ok := idx[[2]any{op.Facility, op.tier() - 1}]; ok {
				prev[o] = p
			}
		}
	}
	return prev
}

func (e *ExpansionInput) build() *expLayout {
	T := len(e.Years)
	m := &solver.Model{Name: "networx_capacity_expansion"}
	lay := &expLayout{model: m, start: make([][]int, len(e.Options)), act: make([][]int, len(e.Options)), tpl: make([]int, T)}
	prev := prevTier(e.Options)
	for o, op := range e.Options {
		lay.start[o], lay.act[o] = make([]int, T), make([]int, T)
		f := e.first(op)
		annual := op.Sqft * op.CostPerSqftYear
		for t := 0; t < T; t++ {
			lay.start[o][t], lay.act[o][t] = -1, -1
			if t < f {
				continue
			}
			if e.usable(o, t) {
				lay.act[o][t] = m.AddBinary(fmt.Sprintf("active[%d,%d]", o, t), annual)
			}
			// A start must be usable in every committed year of the horizon.
			ok := e.usable(o, t)
			for tau := t + 1; tau < T && e.Years[tau] <= e.commitEnd(op, t); tau++ {
				ok = ok && e.usable(o, tau)
			}
			if ok {
				lay.start[o][t] = m.AddBinary(fmt.Sprintf("start[%d,%d]", o, t), op.OneOffCost+annual*float64(e.beyond(op, t)))
			}
		}
	}
	for o, op := range e.Options {
		var ind []int
		var val []float64
		for t := 0; t < T; t++ {
			if c := lay.start[o][t]; c >= 0 {
				ind, val = append(ind, c), append(val, 1)
			}
		}
		if len(ind) > 1 {
			m.AddRow(fmt.Sprintf("once[%d]", o), math.Inf(-1), 1, ind, val)
		}
		for t := 0; t < T; t++ {
			a := lay.act[o][t]
			if a < 0 {
				continue
			}
			// Active only when started now or active last year: contiguous, after the start.
			ind, val = []int{a}, []float64{1}
			if t > 0 && lay.act[o][t-1] >= 0 {
				ind, val = append(ind, lay.act[o][t-1]), append(val, -1)
			}
			if s := lay.start[o][t]; s >= 0 {
				ind, val = append(ind, s), append(val, -1)
			}
			m.AddRow(fmt.Sprintf("contiguous[%d,%d]", o, t), math.Inf(-1), 0, ind, val)
			// Committed: active in t when started in a year whose commitment covers t.
			ind, val = []int{a}, []float64{1}
			for tau := 0; tau <= t; tau++ {
				if s := lay.start[o][tau]; s >= 0 && e.commitEnd(op, tau) >= e.Years[t] {
					ind, val = append(ind, s), append(val, -1)
				}
			}
			if len(ind) > 1 {
				m.AddRow(fmt.Sprintf("commit[%d,%d]", o, t), 0, math.Inf(1), ind, val)
			}
			// Tier k is active only while tier k-1 is.
			if p := prev[o]; p >= 0 {
				if pa := lay.act[p][t]; pa >= 0 {
					m.AddRow(fmt.Sprintf("tier[%d,%d]", o, t), math.Inf(-1), 0, []int{a, pa}, []float64{1, -1})
				} else {
					m.Cols[a].Hi = 0
				}
			}
		}
	}
	for t := 0; t < T; t++ {
		hi := e.ThirdPartyMaxShare * e.Required[t]
		lay.tpl[t] = m.AddCol(fmt.Sprintf("third_party[%d]", t), e.ThirdPartyCost, 0, hi, false)
		ind, val := []int{lay.tpl[t]}, []float64{1}
		for o, op := range e.Options {
			if a := lay.act[o][t]; a >= 0 {
				ind, val = append(ind, a), append(val, op.Sqft)
			}
		}
		m.AddRow(fmt.Sprintf("cover[%d]", t), e.Required[t]-e.Existing[t], math.Inf(1), ind, val)
	}
	return lay
}

// BuildExpansionModel returns the expansion MIP for audit export.
func BuildExpansionModel(e *ExpansionInput) *solver.Model { return e.build().model }

// activeTol is the value above which a binary counts as 1.
const activeTol = 0.5

// Expand solves the expansion MIP. A cancelled or limited solve returns its best plan with
// status cancelled or feasible; an infeasible one a plan with Reasons and an error
// wrapping ErrInfeasible.
func Expand(ctx context.Context, e *ExpansionInput, set solver.Settings) (*Expansion, error) {
	T := len(e.Years)
	if len(e.Required) != T || len(e.Existing) != T || len(e.Net) != T || (e.Usable != nil && len(e.Usable) != len(e.Options)) {
		return nil, fmt.Errorf("%w: expansion input has %d years but %d requirements, %d net, %d existing", ErrInput, T, len(e.Required), len(e.Net), len(e.Existing))
	}
	lay := e.build()
	res, err := solver.Solve(ctx, lay.model, set)
	if res == nil {
		if err == nil {
			err = errors.New("solver returned no result")
		}
		return nil, fmt.Errorf("solve expansion: %w", err)
	}
	relGap := set.RelGap
	if relGap == 0 {
		relGap = solver.DefaultRelGap
	}
	out := &Expansion{Status: res.Status.String(), Objective: Num(res.Objective), Bound: Num(res.Bound), Gap: Num(res.Gap),
		Years: []YearCapacity{}, Options: []OptionPlan{}, Investment: []Investment{},
		Solver: SolverStats{Rows: lay.model.NumRows(), Columns: lay.model.NumCols(), Nodes: res.Stats.Nodes,
			Seconds: res.Stats.Elapsed.Seconds(), RelGap: relGap, TimeSec: set.TimeLimit.Seconds()}}
	for _, c := range lay.model.Cols {
		if c.Integer {
			out.Solver.Integers++
		}
	}
	if res.Status == solver.StatusInfeasible {
		out.Reasons = e.explain()
		return out, fmt.Errorf("%w: %s", ErrInfeasible, strings.Join(out.Reasons, "; "))
	}
	if res.Status == solver.StatusUnbounded || errors.Is(err, solver.ErrUnbounded) {
		return out, fmt.Errorf("solve expansion: the solver reported the model unbounded, which a model with non-negative costs and bounded columns cannot be: %w", solver.ErrUnbounded)
	}
	if err != nil {
		return out, fmt.Errorf("solve expansion: %w", err)
	}
	if res.X != nil {
		e.extract(lay, res.X, out)
	}
	return out, nil
}

func (e *ExpansionInput) extract(lay *expLayout, x []float64, out *Expansion) {
	T := len(e.Years)
	yc := make([]YearCapacity, T)
	for t := range yc {
		yc[t] = YearCapacity{Year: e.Years[t], RequiredSqft: e.Required[t], NetSqft: e.Net[t], ExistingSqft: e.Existing[t],
			ThirdPartyMaxSqft: e.ThirdPartyMaxShare * e.Required[t]}
	}
	for o, op := range e.Options {
		p := OptionPlan{Option: op, Kind: op.Kind()}
		annual := op.Sqft * op.CostPerSqftYear
		for t := 0; t < T; t++ {
			if s := lay.start[o][t]; s >= 0 && x[s] > activeTol {
				p.Taken, p.StartYear = true, e.Years[t]
				p.CommittedThrough = e.commitEnd(op, t)
				p.CommitmentBeyondHorizon = annual * float64(e.beyond(op, t))
				yc[t].OneOffCost += op.OneOffCost
				out.Investment = append(out.Investment, Investment{Year: e.Years[t], Option: op.Name, Facility: op.Facility,
					Kind: op.Kind(), Sqft: op.Sqft, OneOffCost: op.OneOffCost, AnnualCost: annual, CommittedYears: op.LeaseYears})
			}
			if a := lay.act[o][t]; a >= 0 && x[a] > activeTol {
				p.EndYear = e.Years[t]
				p.LeaseCost += annual
				yc[t].AddedSqft += op.Sqft
				yc[t].LeaseCost += annual
			}
		}
		out.Costs.LeaseBeyondHorizon += p.CommitmentBeyondHorizon
		out.Options = append(out.Options, p)
	}
	for t := range yc {
		y := &yc[t]
		y.InternalSqft = y.ExistingSqft + y.AddedSqft
		// 3PL space is what the internal space leaves uncovered: the solver's value can
		// exceed it only by its tolerances, and never usefully (it costs money).
		y.ThirdPartySqft = math.Min(y.ThirdPartyMaxSqft, math.Max(0, y.RequiredSqft-y.InternalSqft))
		y.AvailableSqft = y.InternalSqft + y.ThirdPartySqft
		y.Utilization = ratio(y.NetSqft, y.AvailableSqft)
		y.ThirdPartyCost = y.ThirdPartySqft * e.ThirdPartyCost
		y.TotalCost = y.OneOffCost + y.LeaseCost + y.ThirdPartyCost
		out.Costs.OneOff += y.OneOffCost
		out.Costs.Lease += y.LeaseCost
		out.Costs.ThirdParty += y.ThirdPartyCost
	}
	out.Costs.Total = out.Costs.OneOff + out.Costs.Lease + out.Costs.ThirdParty + out.Costs.LeaseBeyondHorizon
	sort.SliceStable(out.Investment, func(a, b int) bool { return out.Investment[a].Year < out.Investment[b].Year })
	out.Years = yc
}

// explain says, in input terms, which years cannot be covered even with every option
// that can be active then and the most 3PL space allowed.
func (e *ExpansionInput) explain() []string {
	var out []string
	for t, y := range e.Years {
		most := e.Existing[t]
		for o, op := range e.Options {
			if e.first(op) <= t && e.usable(o, t) {
				most += op.Sqft
			}
		}
		tpl := e.ThirdPartyMaxShare * e.Required[t]
		if most+tpl < e.Required[t]*(1-coverTol) {
			out = append(out, fmt.Sprintf("year %d needs %.0f sq ft (gross) but existing space %.0f, every space option available by then (%.0f sq ft) and 3PL space up to third_party_max_share %.3g of the requirement (%.0f sq ft) give at most %.0f: add space options or raise third_party_max_share",
				y, e.Required[t], e.Existing[t], most-e.Existing[t], e.ThirdPartyMaxShare, tpl, most+tpl))
		}
	}
	if len(out) == 0 {
		out = append(out, "the options cannot be combined to cover every year: check the tiers (a tier needs the tier below it active) and the years the expanded facilities are open")
	}
	return out
}

// coverTol is the relative slack of the coverage check in explanations, above the
// solver's feasibility tolerance on rows of millions of sq ft.
const coverTol = 1e-9
