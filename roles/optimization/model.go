package optimization

import (
	"fmt"
	"math"

	"networx/solver"
)

// Mode is the lease mode of a model.
type Mode string

// The model variants of docs/models.md.
const (
	// ModeSingle is one period.
	ModeSingle Mode = "single_period"
	// ModeFixedLease is one facility set for every year, assignments re-optimized yearly.
	ModeFixedLease Mode = "fixed_lease"
	// ModeRollingLease lets facilities open and close over time with lease commitments.
	ModeRollingLease Mode = "rolling_lease"
)

// upfrontLinkLimit is the largest number of x_ijt <= y_it rows put in the LP up front;
// beyond it they are lazy rows that enter the LP when violated, which keeps the root LP
// of large models small (most links are never binding at the optimum).
const upfrontLinkLimit = 20000

// relax switches constraint groups off; the diagnosis of an infeasible model uses it to
// find which group of inputs cannot be met.
type relax struct {
	capacity, service, openBounds, mandatory, commitments bool
}

// instance is a network with everything resolved: indices, years, demand by year, costs.
type instance struct {
	net    *Network
	years  []int
	q      [][]float64 // [j][t]
	cost   *costs
	mode   Mode
	minO   int
	maxO   int
	lease  int
	facIdx map[string]int
}

func newInstance(n *Network) (*instance, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	dj := make(map[string]int, len(n.Destinations))
	for j, d := range n.Destinations {
		dj[d.Name] = j
	}
	years, q, err := n.years(dj)
	if err != nil {
		return nil, err
	}
	c, err := resolveCosts(n)
	if err != nil {
		return nil, err
	}
	in := &instance{net: n, years: years, q: q, cost: c, minO: n.Settings.MinOpen, maxO: n.Settings.MaxOpen,
		lease: n.Settings.leaseYears(), facIdx: make(map[string]int, len(n.Facilities))}
	for i, f := range n.Facilities {
		in.facIdx[f.Name] = i
	}
	switch {
	case len(years) == 1:
		in.mode = ModeSingle
	case in.lease >= len(years):
		in.mode = ModeFixedLease
	default:
		in.mode = ModeRollingLease
	}
	return in, nil
}

// layout records the model columns of every variable.
type layout struct {
	y [][]int   // [i][t]; fixed lease: the same column for every t
	x [][][]int // [i][j][t]; -1 when the variable does not exist
	u [][]int   // [i][t] opening indicator (rolling lease, candidates); -1 none
	w [][]int   // [i][t] closing indicator (rolling lease, existing); -1 none
	// closeFixed is the fixed-lease closing indicator: column of y_i, with cost counted as
	// k_i (1 - y_i) when the closing falls inside the lease.
	model *solver.Model
}

func (in *instance) shared() bool { return in.mode != ModeRollingLease }

// closingPays reports whether closing existing facility f with year as its first closed
// year pays the closing cost: the lease is still running (or has no end year).
func closingPays(f Facility, year int) bool {
	return f.LeaseEndYear == 0 || year <= f.LeaseEndYear
}

// build makes the MIP. nOpen >= 0 fixes the number of open facilities per year (sweep).
func (in *instance) build(nOpen int, rx relax) *layout {
	n := in.net
	I, J, T := len(n.Facilities), len(n.Destinations), len(in.years)
	m := &solver.Model{Name: "networx_facility_location"}
	lay := &layout{model: m, y: make([][]int, I), x: make([][][]int, I), u: make([][]int, I), w: make([][]int, I)}
	minO, maxO := in.minO, in.maxO
	if nOpen >= 0 {
		minO, maxO = nOpen, nOpen
	}
	// Facility columns.
	for i, f := range n.Facilities {
		lay.y[i] = make([]int, T)
		lay.u[i] = make([]int, T)
		lay.w[i] = make([]int, T)
		for t := range lay.u[i] {
			lay.u[i][t], lay.w[i][t] = -1, -1
		}
		if in.shared() {
			obj := f.FixedCost * float64(T)
			if f.Kind == Candidate {
				obj += f.OpeningCost
			} else if closingPays(f, in.years[0]) && f.ClosingCost > 0 {
				obj -= f.ClosingCost
				m.ObjOffset += f.ClosingCost
			}
			col := m.AddBinary(fmt.Sprintf("y[%d]", i), obj)
			if f.Mandatory && !rx.mandatory {
				m.Cols[col].Lo = 1
			}
			for t := range lay.y[i] {
				lay.y[i][t] = col
			}
			continue
		}
		for t := 0; t < T; t++ {
			col := m.AddBinary(fmt.Sprintf("y[%d,%d]", i, t), f.FixedCost)
			if f.Mandatory && !rx.mandatory {
				m.Cols[col].Lo = 1
			}
			lay.y[i][t] = col
		}
		for t := 0; t < T; t++ {
			if f.Kind == Candidate {
				// u_it >= y_it - y_i,t-1 (u continuous: integral at any vertex where it binds).
				lay.u[i][t] = m.AddCol(fmt.Sprintf("open[%d,%d]", i, t), f.OpeningCost, 0, 1, false)
				ind := []int{lay.u[i][t], lay.y[i][t]}
				val := []float64{1, -1}
				if t > 0 {
					ind, val = append(ind, lay.y[i][t-1]), append(val, 1)
				}
				m.AddRow(fmt.Sprintf("opening[%d,%d]", i, t), 0, solver.Inf, ind, val)
				if !rx.commitments {
					// Opened in year t: open through year_t + L - 1.
					for tau := t + 1; tau < T && in.years[tau] <= in.years[t]+in.lease-1; tau++ {
						m.AddRow(fmt.Sprintf("commit[%d,%d,%d]", i, t, tau), 0, solver.Inf,
							[]int{lay.y[i][tau], lay.u[i][t]}, []float64{1, -1})
					}
				}
				continue
			}
			// Existing: once closed, closed (y_i,t+1 <= y_it); closing while the lease runs
			// pays the closing cost: w_it >= y_i,t-1 - y_it with y_i,-1 = 1.
			if t > 0 {
				m.AddRow(fmt.Sprintf("stayclosed[%d,%d]", i, t), 0, solver.Inf,
					[]int{lay.y[i][t-1], lay.y[i][t]}, []float64{1, -1})
			}
			if f.ClosingCost > 0 && closingPays(f, in.years[t]) {
				lay.w[i][t] = m.AddCol(fmt.Sprintf("close[%d,%d]", i, t), f.ClosingCost, 0, 1, false)
				if t == 0 {
					m.AddRow(fmt.Sprintf("closing[%d,%d]", i, t), 1, solver.Inf,
						[]int{lay.w[i][t], lay.y[i][t]}, []float64{1, 1})
				} else {
					m.AddRow(fmt.Sprintf("closing[%d,%d]", i, t), 0, solver.Inf,
						[]int{lay.w[i][t], lay.y[i][t], lay.y[i][t-1]}, []float64{1, 1, -1})
				}
			}
		}
	}
	// Assignment columns.
	for i := 0; i < I; i++ {
		lay.x[i] = make([][]int, J)
		for j := 0; j < J; j++ {
			lay.x[i][j] = make([]int, T)
			c := in.cost.c[i][j]
			for t := 0; t < T; t++ {
				lay.x[i][j][t] = -1
				if math.IsNaN(c) || in.q[j][t] <= 0 {
					continue
				}
				lay.x[i][j][t] = m.AddCol(fmt.Sprintf("x[%d,%d,%d]", i, j, t), c*in.q[j][t], 0, 1, n.Settings.SingleSource)
			}
		}
	}
	// Demand rows.
	var ind []int
	var val []float64
	for t := 0; t < T; t++ {
		for j := 0; j < J; j++ {
			if in.q[j][t] <= 0 {
				continue
			}
			ind, val = ind[:0], val[:0]
			for i := 0; i < I; i++ {
				if c := lay.x[i][j][t]; c >= 0 {
					ind, val = append(ind, c), append(val, 1)
				}
			}
			m.AddRow(fmt.Sprintf("demand[%d,%d]", j, t), 1, 1, ind, val)
		}
	}
	// Capacity rows.
	if !rx.capacity {
		for t := 0; t < T; t++ {
			for i, f := range n.Facilities {
				if f.Capacity <= 0 {
					continue
				}
				ind, val = ind[:0], val[:0]
				for j := 0; j < J; j++ {
					if c := lay.x[i][j][t]; c >= 0 {
						ind, val = append(ind, c), append(val, in.q[j][t])
					}
				}
				ind, val = append(ind, lay.y[i][t]), append(val, -f.Capacity)
				m.AddRow(fmt.Sprintf("capacity[%d,%d]", i, t), math.Inf(-1), 0, ind, val)
			}
		}
	}
	// Strong linking x_ijt <= y_it.
	links := 0
	for i := 0; i < I; i++ {
		for j := 0; j < J; j++ {
			for t := 0; t < T; t++ {
				if lay.x[i][j][t] >= 0 {
					links++
				}
			}
		}
	}
	add := m.AddRow
	if links > upfrontLinkLimit {
		add = m.AddLazyRow
	}
	for i := 0; i < I; i++ {
		for j := 0; j < J; j++ {
			for t := 0; t < T; t++ {
				if c := lay.x[i][j][t]; c >= 0 {
					add(fmt.Sprintf("link[%d,%d,%d]", i, j, t), math.Inf(-1), 0,
						[]int{c, lay.y[i][t]}, []float64{1, -1})
				}
			}
		}
	}
	// Open-count bounds.
	if !rx.openBounds && (minO > 0 || maxO > 0) {
		tMax := T
		if in.shared() {
			tMax = 1
		}
		for t := 0; t < tMax; t++ {
			ind, val = ind[:0], val[:0]
			for i := 0; i < I; i++ {
				ind, val = append(ind, lay.y[i][t]), append(val, 1)
			}
			hi := solver.Inf
			if maxO > 0 {
				hi = float64(maxO)
			}
			m.AddRow(fmt.Sprintf("open_count[%d]", t), float64(minO), hi, ind, val)
		}
	}
	// Service: demand within R of its facility >= s * total demand, every year.
	if s := n.Settings; !rx.service && s.ServiceRadius > 0 {
		for t := 0; t < T; t++ {
			total := 0.0
			ind, val = ind[:0], val[:0]
			for j := 0; j < J; j++ {
				total += in.q[j][t]
				for i := 0; i < I; i++ {
					if c := lay.x[i][j][t]; c >= 0 && in.cost.d[i][j] <= s.ServiceRadius {
						ind, val = append(ind, c), append(val, in.q[j][t])
					}
				}
			}
			m.AddRow(fmt.Sprintf("service[%d]", t), s.ServiceShare*total, solver.Inf, ind, val)
		}
	}
	return lay
}
