package solver

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// multiFL describes a random multi-period facility location model in the layout of the
// network model of roles/optimization: one y_i for all periods, x_ijt the share of customer
// j's period-t demand served by i (cost c_ij q_jt), a customer row per (j, t), a capacity row
// per (i, t), optionally x_ijt <= y_i rows, a cardinality row and side rows.
type multiFL struct {
	m, n, periods  int
	strong         bool
	cardLo, cardHi int     // both 0: no cardinality row
	service        float64 // share of each period's demand within the radius (0: no side row)
	ranged         bool    // the service rows also cap the share at 0.97
	farCap         bool    // a <= row per period on the share beyond the radius instead
	twoSides       bool    // both a service row and a far-share row per period
	span           bool    // one service row over all periods
	fixOpen        bool    // facility 0 is fixed open
}

// build returns the model; y_i is column i.
func (o multiFL) build(rng *rand.Rand) *Model {
	md := &Model{}
	m, n, T := o.m, o.n, o.periods
	q := make([][]float64, n)
	tot := make([]float64, T)
	px, py := make([]float64, n), make([]float64, n)
	for j := range q {
		px[j], py[j] = rng.Float64(), rng.Float64()
		q[j] = make([]float64, T)
		for t := range q[j] {
			q[j][t] = float64(1 + rng.Intn(20))
			tot[t] += q[j][t]
		}
	}
	maxTot := 0.0
	for _, v := range tot {
		maxTot = math.Max(maxTot, v)
	}
	fx, fy := make([]float64, m), make([]float64, m)
	for i := 0; i < m; i++ {
		fx[i], fy[i] = rng.Float64(), rng.Float64()
		md.AddBinary(fmt.Sprintf("y%d", i), float64(T*(50+rng.Intn(100))))
	}
	if o.fixOpen {
		md.Cols[0].Lo = 1
	}
	dist := func(i, j int) float64 { return math.Hypot(fx[i]-px[j], fy[i]-py[j]) }
	col := func(i, j, t int) int { return m + (i*n+j)*T + t }
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for t := 0; t < T; t++ {
				c := math.Round(100*dist(i, j)) / 10
				md.AddCol(fmt.Sprintf("x%d_%d_%d", i, j, t), c*q[j][t], 0, 1, false)
			}
		}
	}
	for t := 0; t < T; t++ {
		for j := 0; j < n; j++ {
			ind, val := make([]int, m), make([]float64, m)
			for i := range ind {
				ind[i], val[i] = col(i, j, t), 1
			}
			md.AddRow(fmt.Sprintf("d%d_%d", j, t), 1, 1, ind, val)
		}
	}
	for i := 0; i < m; i++ {
		s := math.Round(maxTot * (0.3 + 0.5*rng.Float64()))
		for t := 0; t < T; t++ {
			ind, val := []int{i}, []float64{-s}
			for j := 0; j < n; j++ {
				ind, val = append(ind, col(i, j, t)), append(val, q[j][t])
			}
			md.AddRow(fmt.Sprintf("c%d_%d", i, t), math.Inf(-1), 0, ind, val)
		}
	}
	if o.strong {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				for t := 0; t < T; t++ {
					md.AddRow("l", math.Inf(-1), 0, []int{col(i, j, t), i}, []float64{1, -1})
				}
			}
		}
	}
	if o.cardHi > 0 {
		ind, val := make([]int, m), make([]float64, m)
		for i := range ind {
			ind[i], val[i] = i, 1
		}
		md.AddRow("card", float64(o.cardLo), float64(o.cardHi), ind, val)
	}
	if o.service > 0 {
		radius := 0.45
		var spanInd []int
		var spanVal []float64
		spanTot := 0.0
		for t := 0; t < T; t++ {
			var near, far []int
			var nearV, farV []float64
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					if dist(i, j) <= radius {
						near, nearV = append(near, col(i, j, t)), append(nearV, q[j][t])
					} else {
						far, farV = append(far, col(i, j, t)), append(farV, q[j][t])
					}
				}
			}
			switch {
			case o.span:
				spanInd, spanVal = append(spanInd, near...), append(spanVal, nearV...)
				spanTot += tot[t]
				continue
			case o.farCap:
				md.AddRow("far", math.Inf(-1), (1-o.service)*tot[t], far, farV)
				continue
			}
			hi := math.Inf(1)
			if o.ranged {
				hi = 0.97 * tot[t]
			}
			md.AddRow("service", o.service*tot[t], hi, near, nearV)
			if o.twoSides {
				md.AddRow("far", math.Inf(-1), (1-o.service/2)*tot[t], far, farV)
			}
		}
		if o.span {
			md.AddRow("service", o.service*spanTot, math.Inf(1), spanInd, spanVal)
		}
	}
	return md
}

func TestFLMultiDetect(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	md := multiFL{m: 4, n: 5, periods: 3, strong: true, cardLo: 1, cardHi: 3, service: 0.6}.build(rng)
	fl := detectFL(md)
	if fl == nil {
		t.Fatal("not detected")
	}
	if fl.m != 4 || fl.n != 15 || fl.nComp != 3 || len(fl.grpFac) != 12 || len(fl.side) != 3 {
		t.Fatalf("%d facilities, %d customers, %d components, %d groups, %d side rows", fl.m, fl.n, fl.nComp, len(fl.grpFac), len(fl.side))
	}
	if !fl.hasCard || fl.cardLo != 1 || fl.cardHi != 3 {
		t.Fatalf("cardinality %v %d..%d", fl.hasCard, fl.cardLo, fl.cardHi)
	}
	for k := 0; k < fl.nComp; k++ {
		if len(fl.compCust[k]) != 5 || len(fl.compGrp[k]) != 4 || len(fl.compSide[k]) != 1 {
			t.Fatalf("component %d: %d customers, %d groups, %d side rows", k, len(fl.compCust[k]), len(fl.compGrp[k]), len(fl.compSide[k]))
		}
	}
	span := multiFL{m: 3, n: 4, periods: 2, service: 0.6, span: true}.build(rng)
	if fl := detectFL(span); fl == nil || fl.nComp != 1 || len(fl.side) != 1 {
		t.Fatalf("a side row over both periods must join them into one component")
	}
}

// flCases are the multi-period shapes the tests cover; every side-row path of the
// assignment (none, one row either way, a ranged row, two rows, a row over all periods)
// appears.
var flCases = []struct {
	name string
	o    multiFL
}{
	{"periods", multiFL{m: 4, n: 4, periods: 3, strong: true}},
	{"periods weak", multiFL{m: 4, n: 5, periods: 2}},
	{"cardinality", multiFL{m: 5, n: 4, periods: 2, strong: true, cardLo: 2, cardHi: 3}},
	{"exact count", multiFL{m: 5, n: 4, periods: 2, cardLo: 3, cardHi: 3}},
	{"service", multiFL{m: 4, n: 5, periods: 2, strong: true, service: 0.7}},
	{"service ranged", multiFL{m: 4, n: 5, periods: 2, service: 0.6, ranged: true, cardHi: 3}},
	{"far share cap", multiFL{m: 4, n: 5, periods: 2, service: 0.7, farCap: true}},
	{"two side rows", multiFL{m: 4, n: 4, periods: 2, service: 0.7, twoSides: true, cardHi: 3}},
	{"service over all periods", multiFL{m: 4, n: 4, periods: 2, strong: true, service: 0.7, span: true}},
	{"fixed open with everything", multiFL{m: 5, n: 4, periods: 2, strong: true, service: 0.6, cardLo: 1, cardHi: 3, fixOpen: true}},
}

// TestFLMultiTransportMatchesLP: the assignment of an open set (transportation problems,
// the one-side-row search, the LP fallback) costs what the general LP finds.
func TestFLMultiTransportMatchesLP(t *testing.T) {
	rng := rand.New(rand.NewSource(23))
	for _, tc := range flCases {
		t.Run(tc.name, func(t *testing.T) {
			for trial := 0; trial < 12; trial++ {
				md := tc.o.build(rng)
				fl := detectFL(md)
				if fl == nil {
					t.Fatalf("trial %d: not detected", trial)
				}
				tr := newFLTransport(fl)
				open := make([]bool, fl.m)
				for i := range open {
					open[i] = rng.Intn(3) > 0 || fl.yFixed[i] > 0
				}
				got, lb := tr.solve(context.Background(), open)
				res, err := Solve(context.Background(), fixedY(md, open), Settings{NoStructure: true, RelGap: 1e-12})
				if err != nil && res.Status != StatusInfeasible {
					t.Fatalf("trial %d: %v", trial, err)
				}
				if res.Status == StatusInfeasible {
					if !math.IsInf(got, 1) {
						t.Fatalf("trial %d: assignment %v, LP infeasible", trial, got)
					}
					continue
				}
				tol := 1e-7 * (1 + math.Abs(res.Objective))
				if math.Abs(got-res.Objective) > tol || lb > res.Objective+tol {
					t.Fatalf("trial %d: assignment %.9g (bound %.9g), LP %.9g", trial, got, lb, res.Objective)
				}
				x := make([]float64, len(md.Cols))
				for i, c := range fl.yCol {
					if open[i] {
						x[c] = 1
					}
				}
				for a, c := range fl.arcCol {
					x[c] = tr.x[a] * fl.arcScale[a]
				}
				if !feasibleInModel(md, x) {
					t.Fatalf("trial %d: the assignment breaks a row of the model", trial)
				}
			}
		})
	}
}

// TestFLMultiBruteForce: the structure path proves the optimum that enumerating the open
// sets finds (each assignment by the general LP), the general branch and bound agrees, and
// the Lagrangian bound at random multipliers and fixings never exceeds the restricted
// optimum.
func TestFLMultiBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(29))
	for _, tc := range flCases {
		t.Run(tc.name, func(t *testing.T) {
			for trial := 0; trial < 6; trial++ {
				md := tc.o.build(rng)
				opt := bruteForceFL(t, md, tc.o.m)
				res, err := Solve(context.Background(), md, Settings{ForceStructure: true, RelGap: 1e-9})
				gen, gerr := Solve(context.Background(), md, Settings{NoStructure: true, RelGap: 1e-9})
				if math.IsInf(opt, 1) {
					if res.Status != StatusInfeasible || gen.Status != StatusInfeasible {
						t.Fatalf("trial %d: %s and general %s, brute force infeasible", trial, res.Status, gen.Status)
					}
					continue
				}
				if err != nil || gerr != nil {
					t.Fatalf("trial %d: %v / general %v", trial, err, gerr)
				}
				if res.Stats.Method != "lagrangian-fl" {
					t.Fatalf("trial %d: method %q", trial, res.Stats.Method)
				}
				tol := 1e-7 * (1 + math.Abs(opt))
				if res.Status != StatusOptimal || math.Abs(res.Objective-opt) > tol || res.Bound > opt+tol {
					t.Fatalf("trial %d: %s obj %.9g bound %.9g, brute force %.9g", trial, res.Status, res.Objective, res.Bound, opt)
				}
				if math.Abs(gen.Objective-opt) > tol {
					t.Fatalf("trial %d: general path %.9g, brute force %.9g", trial, gen.Objective, opt)
				}
				fl := detectFL(md)
				lg := newFLLagr(fl, 1)
				u := make([]float64, fl.n+len(fl.side))
				fix := make([]int8, fl.m)
				for k := 0; k < 15; k++ {
					for j := range u {
						u[j] = 200*rng.Float64() - 20
					}
					for r := range fl.side {
						u[fl.n+r] = 400 * (rng.Float64() - 0.5)
					}
					fl.project(u)
					for i := range fix {
						fix[i] = int8(rng.Intn(3) - 1)
						if fl.yFixed[i] != 0 {
							fix[i] = fl.yFixed[i]
						}
					}
					L := lg.eval(u, fix, nil)
					want := bruteForceFL(t, fixedSubset(md, fix), fl.m)
					if L > want+1e-7*(1+math.Abs(want)) {
						t.Fatalf("trial %d: L(u) = %.9g above the restricted optimum %.9g (fix %v)", trial, L, want, fix)
					}
				}
			}
		})
	}
}

// rollingFL describes a random rolling-lease model in the layout of roles/optimization: a
// facility y_it per site and period, for candidate sites a continuous opening indicator
// u_it >= y_it - y_i,t-1 with the commitment y_i,tau >= u_it for the lease-1 periods after
// t, for existing sites y_i,t-1 >= y_it and a closing indicator w_it >= y_i,t-1 - y_it
// (y_i,-1 = 1) with its cost; customer, capacity and optional link rows per period, an
// open-count row per period and optional service rows.
type rollingFL struct {
	sites, n, periods, lease int
	existing                 int // the first sites are existing
	maxOpen                  int
	service                  float64
	strong                   bool
}

// build returns the model and the y columns by site and period.
func (o rollingFL) build(rng *rand.Rand) (*Model, [][]int) {
	md := &Model{}
	m, n, T := o.sites, o.n, o.periods
	q := make([][]float64, n)
	tot := make([]float64, T)
	px, py := make([]float64, n), make([]float64, n)
	for j := range q {
		px[j], py[j] = rng.Float64(), rng.Float64()
		q[j] = make([]float64, T)
		for t := range q[j] {
			q[j][t] = float64(1 + rng.Intn(20))
			if rng.Intn(4) == 0 {
				q[j][t] *= 4 // demand that moves between periods makes openings and closings pay
			}
			tot[t] += q[j][t]
		}
	}
	fx, fy := make([]float64, m), make([]float64, m)
	y := make([][]int, m)
	capa := make([]float64, m)
	maxTot := 0.0
	for _, v := range tot {
		maxTot = math.Max(maxTot, v)
	}
	for i := 0; i < m; i++ {
		fx[i], fy[i] = rng.Float64(), rng.Float64()
		capa[i] = math.Round(maxTot * (0.4 + 0.5*rng.Float64()))
		f := float64(40 + rng.Intn(80))
		y[i] = make([]int, T)
		for t := range y[i] {
			y[i][t] = md.AddBinary(fmt.Sprintf("y%d_%d", i, t), f)
		}
		if i < o.existing {
			closing := float64(rng.Intn(150))
			for t := 0; t < T; t++ {
				if t > 0 {
					md.AddRow("stayclosed", 0, Inf, []int{y[i][t-1], y[i][t]}, []float64{1, -1})
				}
				w := md.AddCol("w", closing, 0, 1, false)
				if t == 0 {
					md.AddRow("closing", 1, Inf, []int{w, y[i][t]}, []float64{1, 1})
				} else {
					md.AddRow("closing", 0, Inf, []int{w, y[i][t], y[i][t-1]}, []float64{1, 1, -1})
				}
			}
			continue
		}
		opening := float64(rng.Intn(150))
		for t := 0; t < T; t++ {
			u := md.AddCol("u", opening, 0, 1, false)
			ind, val := []int{u, y[i][t]}, []float64{1, -1}
			if t > 0 {
				ind, val = append(ind, y[i][t-1]), append(val, 1)
			}
			md.AddRow("opening", 0, Inf, ind, val)
			for tau := t + 1; tau < T && tau <= t+o.lease-1; tau++ {
				md.AddRow("commit", 0, Inf, []int{y[i][tau], u}, []float64{1, -1})
			}
		}
	}
	dist := func(i, j int) float64 { return math.Hypot(fx[i]-px[j], fy[i]-py[j]) }
	x := make([][][]int, m)
	for i := range x {
		x[i] = make([][]int, n)
		for j := range x[i] {
			x[i][j] = make([]int, T)
			for t := range x[i][j] {
				x[i][j][t] = md.AddCol("x", math.Round(100*dist(i, j))/10*q[j][t], 0, 1, false)
			}
		}
	}
	for t := 0; t < T; t++ {
		for j := 0; j < n; j++ {
			ind, val := make([]int, m), make([]float64, m)
			for i := range ind {
				ind[i], val[i] = x[i][j][t], 1
			}
			md.AddRow("d", 1, 1, ind, val)
		}
		for i := 0; i < m; i++ {
			ind, val := []int{y[i][t]}, []float64{-capa[i]}
			for j := 0; j < n; j++ {
				ind, val = append(ind, x[i][j][t]), append(val, q[j][t])
			}
			md.AddRow("c", math.Inf(-1), 0, ind, val)
			if o.strong {
				for j := 0; j < n; j++ {
					md.AddRow("l", math.Inf(-1), 0, []int{x[i][j][t], y[i][t]}, []float64{1, -1})
				}
			}
		}
		if o.maxOpen > 0 {
			ind, val := make([]int, m), make([]float64, m)
			for i := range ind {
				ind[i], val[i] = y[i][t], 1
			}
			md.AddRow("open_count", 0, float64(o.maxOpen), ind, val)
		}
		if o.service > 0 {
			var ind []int
			var val []float64
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					if dist(i, j) <= 0.45 {
						ind, val = append(ind, x[i][j][t]), append(val, q[j][t])
					}
				}
			}
			md.AddRow("service", o.service*tot[t], Inf, ind, val)
		}
	}
	return md, y
}

// bruteForceRolling enumerates every open pattern of the y columns (fixings kept) and
// solves each with the general path (u, w and x free); the optimum.
func bruteForceRolling(t *testing.T, md *Model, y [][]int) float64 {
	var ys []int
	for _, r := range y {
		ys = append(ys, r...)
	}
	return bruteForceY(t, md, ys)
}

// TestFLRollingBruteForce: clustered models (a site's periods joined by its lease rows,
// open-count rows per period) are recognised and solved to the optimum that enumeration
// finds; the Lagrangian bound at random multipliers and fixings stays below the restricted
// optimum.
func TestFLRollingBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(31))
	cases := []struct {
		name string
		o    rollingFL
	}{
		{"candidates two-period leases", rollingFL{sites: 3, n: 4, periods: 3, lease: 2}},
		{"existing and candidates", rollingFL{sites: 3, n: 4, periods: 3, lease: 2, existing: 1, strong: true}},
		{"max open", rollingFL{sites: 4, n: 4, periods: 3, lease: 2, existing: 1, maxOpen: 2}},
		{"service and max open", rollingFL{sites: 3, n: 5, periods: 3, lease: 3, existing: 1, maxOpen: 2, service: 0.6}},
		{"one-period leases", rollingFL{sites: 3, n: 4, periods: 4, lease: 1, existing: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for trial := 0; trial < 4; trial++ {
				md, y := tc.o.build(rng)
				fl := detectFL(md)
				if fl == nil || !fl.clustered || len(fl.clusters) != tc.o.sites {
					t.Fatalf("trial %d: not recognised as clustered facility location", trial)
				}
				opt := bruteForceRolling(t, md, y)
				if !structureMatches(t, fmt.Sprintf("trial %d", trial), md, opt) {
					continue
				}
				lg := newFLLagr(fl, 1)
				u := make([]float64, fl.nMult())
				fix := make([]int8, fl.m)
				for k := 0; k < 8; k++ {
					for j := range u {
						u[j] = 300*rng.Float64() - 30
					}
					for r := fl.n; r < len(u); r++ {
						u[r] = 400 * (rng.Float64() - 0.5)
					}
					fl.project(u)
					for i := range fix {
						fix[i] = 0
						if rng.Intn(4) == 0 {
							fix[i] = int8(2*rng.Intn(2) - 1)
						}
					}
					L := lg.eval(u, fix, nil)
					sub := *md
					sub.Cols = append([]Column(nil), md.Cols...)
					for i, f := range fix {
						switch f {
						case 1:
							sub.Cols[fl.yCol[i]].Lo = 1
						case -1:
							sub.Cols[fl.yCol[i]].Hi = 0
						}
					}
					want := bruteForceRolling(t, &sub, y)
					if L > want+1e-7*(1+math.Abs(want)) {
						t.Fatalf("trial %d: L(u) = %.9g above the restricted optimum %.9g (fix %v)", trial, L, want, fix)
					}
				}
			}
		})
	}
}

// TestFLStart: the open set of Hooks.Start is evaluated before the search, so a one-node
// search started from the optimum reports it.
func TestFLStart(t *testing.T) {
	rng := rand.New(rand.NewSource(37))
	md := multiFL{m: 6, n: 8, periods: 2, strong: true, service: 0.6, cardHi: 4}.build(rng)
	want, err := Solve(context.Background(), md, Settings{NoStructure: true, RelGap: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Solve(context.Background(), md, Settings{ForceStructure: true, NodeLimit: 1, Hooks: Hooks{Start: want.X}})
	if err != nil && res.X == nil {
		t.Fatal(err)
	}
	if res.Stats.Method != "lagrangian-fl" || math.Abs(res.Objective-want.Objective) > 1e-7*math.Abs(want.Objective) {
		t.Fatalf("method %s objective %.9g, start %.9g", res.Stats.Method, res.Objective, want.Objective)
	}
}
