package solver

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// randFL builds a random capacitated facility location model in the OR-Library layout
// (y_0..y_{m-1}, then x_ij at m + i*n + j; rows: customers, capacities, then x_ij <= y_i
// when strong). Capacities are drawn so that several facilities must open.
func randFL(rng *rand.Rand, m, n int, strong bool) *Model {
	md := &Model{}
	d := make([]float64, n)
	tot := 0.0
	for j := range d {
		d[j] = float64(1 + rng.Intn(20))
		tot += d[j]
	}
	px, py := make([]float64, n), make([]float64, n)
	for j := range px {
		px[j], py[j] = rng.Float64(), rng.Float64()
	}
	for i := 0; i < m; i++ {
		md.AddBinary(fmt.Sprintf("y%d", i), float64(50+rng.Intn(100)))
	}
	fx, fy := make([]float64, m), make([]float64, m)
	for i := range fx {
		fx[i], fy[i] = rng.Float64(), rng.Float64()
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c := math.Round(100*d[j]*math.Hypot(fx[i]-px[j], fy[i]-py[j])) / 10
			md.AddCol(fmt.Sprintf("x%d_%d", i, j), c, 0, 1, false)
		}
	}
	col := func(i, j int) int { return m + i*n + j }
	for j := 0; j < n; j++ {
		ind, val := make([]int, m), make([]float64, m)
		for i := range ind {
			ind[i], val[i] = col(i, j), 1
		}
		md.AddRow(fmt.Sprintf("d%d", j), 1, 1, ind, val)
	}
	for i := 0; i < m; i++ {
		s := math.Round(tot * (0.3 + 0.5*rng.Float64()))
		ind, val := []int{i}, []float64{-s}
		for j := 0; j < n; j++ {
			ind, val = append(ind, col(i, j)), append(val, d[j])
		}
		md.AddRow(fmt.Sprintf("c%d", i), math.Inf(-1), 0, ind, val)
	}
	if strong {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				md.AddRow(fmt.Sprintf("l%d_%d", i, j), math.Inf(-1), 0, []int{col(i, j), i}, []float64{1, -1})
			}
		}
	}
	return md
}

// fixedY returns a copy of md with the y columns (0..m-1) fixed to open.
func fixedY(md *Model, open []bool) *Model {
	c := *md
	c.Cols = append([]Column(nil), md.Cols...)
	for i, o := range open {
		v := 0.0
		if o {
			v = 1
		}
		c.Cols[i].Lo, c.Cols[i].Hi = v, v
	}
	return &c
}

func TestFLTransportMatchesLP(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 40; trial++ {
		m, n := 2+rng.Intn(5), 3+rng.Intn(12)
		md := randFL(rng, m, n, trial%2 == 0)
		fl := detectFL(md)
		if fl == nil {
			t.Fatalf("trial %d: not detected", trial)
		}
		tr := newFLTransport(fl)
		open := make([]bool, m)
		for i := range open {
			open[i] = rng.Intn(2) == 0
		}
		got, _ := tr.solve(context.Background(), open)
		res, err := Solve(context.Background(), fixedY(md, open), Settings{NoStructure: true, RelGap: 1e-9})
		if err != nil && res.Status != StatusInfeasible {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if res.Status == StatusInfeasible {
			if !math.IsInf(got, 1) {
				t.Fatalf("trial %d: transport %v, LP infeasible", trial, got)
			}
			continue
		}
		if math.Abs(got-res.Objective) > 1e-7*(1+math.Abs(got)) {
			t.Fatalf("trial %d (%dx%d): transport %.9g, LP %.9g", trial, m, n, got, res.Objective)
		}
	}
}

func TestDetectFL(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	strong := randFL(rng, 4, 7, true)
	weak := randFL(rng, 3, 5, false)
	roundTrip := func(md *Model) *Model {
		var buf bytes.Buffer
		if err := WriteMPS(&buf, md); err != nil {
			t.Fatal(err)
		}
		out, err := ReadMPS(&buf)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// flow form: x_ij is the quantity, rows sum_i x_ij = d_j, sum_j x_ij <= s_i y_i,
	// x_ij <= d_j y_i, written as >= rows with the signs flipped.
	flow := func() *Model {
		md := &Model{}
		d := []float64{3, 5, 2}
		for i := 0; i < 2; i++ {
			md.AddBinary("y", 10)
		}
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				md.AddCol("x", float64(1+i+j), 0, Inf, false)
			}
		}
		for j := 0; j < 3; j++ {
			md.AddRow("d", d[j], d[j], []int{2 + j, 5 + j}, []float64{1, 1})
		}
		for i := 0; i < 2; i++ {
			md.AddRow("c", 0, Inf, []int{i, 2 + 3*i, 3 + 3*i, 4 + 3*i}, []float64{8, -1, -1, -1})
			for j := 0; j < 3; j++ {
				md.AddLazyRow("l", math.Inf(-1), 0, []int{2 + 3*i + j, i}, []float64{1, -d[j]})
			}
		}
		return md
	}
	mutate := func(base *Model, f func(md *Model)) *Model {
		c := *base
		c.Cols = append([]Column(nil), base.Cols...)
		c.Rows = make([]Row, len(base.Rows))
		for k, r := range base.Rows {
			r.Ind = append([]int(nil), r.Ind...)
			r.Val = append([]float64(nil), r.Val...)
			c.Rows[k] = r
		}
		f(&c)
		return &c
	}
	for _, tc := range []struct {
		name   string
		md     *Model
		want   bool
		m, n   int
		demand float64 // total demand when detected
	}{
		{"strong", strong, true, 4, 7, -1},
		{"weak", weak, true, 3, 5, -1},
		{"strong mps round trip", roundTrip(strong), true, 4, 7, -1},
		{"weak mps round trip", roundTrip(weak), true, 3, 5, -1},
		{"flow form with lazy rows", flow(), true, 2, 3, 10},
		{"flow form round trip", roundTrip(flow()), true, 2, 3, 10},
		{"maximize", mutate(strong, func(md *Model) { md.Sense = Maximize }), false, 0, 0, 0},
		{"cardinality row", mutate(strong, func(md *Model) {
			md.AddRow("card", 1, 2, []int{0, 1, 2, 3}, []float64{1, 1, 1, 1})
		}), true, 4, 7, -1},
		{"cardinality row over some facilities", mutate(strong, func(md *Model) {
			md.AddRow("card", 1, 2, []int{0, 1, 2}, []float64{1, 1, 1})
		}), true, 4, 7, -1},
		{"knapsack row over the facilities", mutate(strong, func(md *Model) {
			md.AddRow("card", 1, 2, []int{0, 1, 2, 3}, []float64{1, 2, 1, 1})
		}), true, 4, 7, -1},
		{"facility row with an integer column", mutate(strong, func(md *Model) {
			c := md.AddCol("z", 1, 0, 5, true)
			md.AddRow("f", 0, Inf, []int{0, c}, []float64{1, -1})
		}), false, 0, 0, 0},
		{"auxiliary column in a side row", mutate(strong, func(md *Model) {
			c := md.AddCol("z", 1, 0, 5, false)
			md.AddRow("f", 0, Inf, []int{0, c}, []float64{1, -1})
			md.AddRow("s", 0, Inf, []int{4, c}, []float64{1, -1})
		}), false, 0, 0, 0},
		{"integer x", mutate(strong, func(md *Model) { md.Cols[5].Integer = true }), false, 0, 0, 0},
		{"capacity rhs", mutate(strong, func(md *Model) { md.Rows[7].Hi = 3 }), false, 0, 0, 0},
		{"assignment inequality", mutate(strong, func(md *Model) { md.Rows[0].Hi = Inf }), false, 0, 0, 0},
		{"inconsistent weights", mutate(weak, func(md *Model) { md.Rows[5].Val[1] *= 2 }), false, 0, 0, 0},
		{"x linked to two facilities", mutate(strong, func(md *Model) {
			md.AddRow("l", math.Inf(-1), 0, []int{4, 1}, []float64{1, -1})
		}), false, 0, 0, 0},
		{"side row over assignments", mutate(strong, func(md *Model) {
			md.AddRow("side", math.Inf(-1), 0.5, []int{4, 11}, []float64{1, 1})
		}), true, 4, 7, -1},
		{"side row with a facility", mutate(strong, func(md *Model) {
			md.AddRow("side", math.Inf(-1), 0.5, []int{4, 11, 0}, []float64{1, 1, 1})
		}), false, 0, 0, 0},
		{"assignment in two capacity rows", mutate(strong, func(md *Model) {
			md.AddRow("c2", math.Inf(-1), 0, []int{0, 4, 5}, []float64{-9, 1, 1})
		}), false, 0, 0, 0},
		{"unlinked customer (weak, zero demand)", mutate(weak, func(md *Model) {
			// drop x_{0,0} from facility 0's capacity row: it is linked to nothing
			r := &md.Rows[5]
			r.Ind, r.Val = append([]int{r.Ind[0]}, r.Ind[2:]...), append([]float64{r.Val[0]}, r.Val[2:]...)
		}), false, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fl := detectFL(tc.md)
			if (fl != nil) != tc.want {
				t.Fatalf("detected %v, want %v", fl != nil, tc.want)
			}
			if fl == nil {
				return
			}
			if fl.m != tc.m || fl.n != tc.n {
				t.Fatalf("got %dx%d, want %dx%d", fl.m, fl.n, tc.m, tc.n)
			}
			if tc.demand >= 0 && math.Abs(fl.totalDemand-tc.demand) > 1e-12 {
				t.Fatalf("total demand %v, want %v", fl.totalDemand, tc.demand)
			}
			if len(fl.arcCust) != fl.m*fl.n {
				t.Fatalf("%d arcs, want %d", len(fl.arcCust), fl.m*fl.n)
			}
		})
	}
}

// bruteForceFL enumerates the open sets of a small model in randFL's layout (y columns
// 0..m-1) and returns the optimum, each transport problem solved by the general LP path.
func bruteForceFL(t *testing.T, md *Model, m int) float64 {
	ys := make([]int, m)
	for i := range ys {
		ys[i] = i
	}
	return bruteForceY(t, md, ys)
}

// bruteForceY enumerates every 0/1 pattern of the binary columns ys that their bounds
// allow, solves each with the general path (the other columns free) and returns the
// optimum, +Inf when no pattern is feasible.
func bruteForceY(t *testing.T, md *Model, ys []int) float64 {
	t.Helper()
	best := math.Inf(1)
	for mask := 0; mask < 1<<len(ys); mask++ {
		c := *md
		c.Cols = append([]Column(nil), md.Cols...)
		skip := false
		for k, col := range ys {
			v := float64(mask >> k & 1)
			if v < c.Cols[col].Lo || v > c.Cols[col].Hi {
				skip = true
				break
			}
			c.Cols[col].Lo, c.Cols[col].Hi = v, v
		}
		if skip {
			continue
		}
		res, err := Solve(context.Background(), &c, Settings{NoStructure: true, RelGap: 1e-12})
		if res.Status == StatusInfeasible {
			continue
		}
		if err != nil || res.Status != StatusOptimal {
			t.Fatalf("mask %b: %v %v", mask, res.Status, err)
		}
		best = math.Min(best, res.Objective)
	}
	return best
}

func TestFLBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for trial := 0; trial < 25; trial++ {
		m, n := 2+rng.Intn(4), 2+rng.Intn(7)
		md := randFL(rng, m, n, trial%3 != 0)
		opt := bruteForceFL(t, md, m)
		if !structureMatches(t, fmt.Sprintf("trial %d (%dx%d)", trial, m, n), md, opt) {
			continue
		}
		// Lagrangian bounds at random multipliers and random fixings are valid.
		fl := detectFL(md)
		lg := newFLLagr(fl, 1)
		u := make([]float64, fl.n)
		fix := make([]int8, fl.m)
		for k := 0; k < 20; k++ {
			for j := range u {
				u[j] = 200 * rng.Float64()
			}
			for i := range fix {
				fix[i] = int8(rng.Intn(3) - 1)
			}
			L := lg.eval(u, fix, nil)
			sub := fixedSubset(md, fix)
			want := bruteForceFL(t, sub, m)
			if L > want+1e-7*(1+math.Abs(want)) {
				t.Fatalf("trial %d: L(u) = %.9g above the restricted optimum %.9g (fix %v)", trial, L, want, fix)
			}
		}
	}
}

// fixedSubset fixes the y columns of md by fix (1 open, -1 closed, 0 free).
func fixedSubset(md *Model, fix []int8) *Model {
	c := *md
	c.Cols = append([]Column(nil), md.Cols...)
	for i, f := range fix {
		switch f {
		case 1:
			c.Cols[i].Lo = 1
		case -1:
			c.Cols[i].Hi = 0
		}
	}
	return &c
}

func TestFLCancel(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	md := randFL(rng, 40, 400, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Solve(ctx, md, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusCancelled || res.Stats.Method != "lagrangian-fl" && res.X != nil {
		t.Fatalf("status %s method %s", res.Status, res.Stats.Method)
	}
}

// sortedKnapsack is the reference continuous knapsack of facility i: items sorted by
// (key, arc), filled in order, the last one fractionally.
func sortedKnapsack(fl *flModel, i int, u []float64) float64 {
	type it struct {
		key float64
		a   int
	}
	var items []it
	wsum := 0.0
	for a := fl.arcBeg[i]; a < fl.arcBeg[i+1]; a++ {
		j := fl.arcCust[a]
		if r := fl.arcCost[a] - u[j]; r < 0 && fl.arcUB[a] > 0 {
			key := math.Inf(-1)
			if fl.demand[j] > 0 {
				key = r / fl.demand[j]
			}
			items = append(items, it{key, a})
			wsum += fl.demand[j] * fl.arcUB[a]
		}
	}
	for p := 1; p < len(items); p++ {
		for q := p; q > 0 && (items[q].key < items[q-1].key || (items[q].key == items[q-1].key && items[q].a < items[q-1].a)); q-- {
			items[q], items[q-1] = items[q-1], items[q]
		}
	}
	val, rest := 0.0, fl.capa[i]
	for _, x := range items {
		j := fl.arcCust[x.a]
		amt := fl.arcUB[x.a]
		if wsum > fl.capa[i] && fl.demand[j] > 0 {
			if rest <= 0 {
				break
			}
			amt = math.Min(amt, rest/fl.demand[j])
			rest -= amt * fl.demand[j]
		}
		val += (fl.arcCost[x.a] - u[j]) * amt
	}
	return val
}

// TestFLEvalParallel: the knapsacks (weighted quickselect) agree with a sorted reference,
// and an evaluation split over several workers gives bit-identical values, multipliers'
// subgradients and selections to the sequential one (so Threads keeps runs deterministic).
func TestFLEvalParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for trial, c := range []struct{ m, n, workers int }{{3, 10, 2}, {7, 40, 3}, {12, 60, 4}, {5, 200, 5}, {9, 30, 9}} {
		md := randFL(rng, c.m, c.n, trial%2 == 0)
		fl := detectFL(md)
		if fl == nil {
			t.Fatalf("trial %d: not detected", trial)
		}
		seq, par := newFLLagr(fl, 1), newFLLagr(fl, 1)
		par.split(c.workers)
		if len(par.chunk) != c.workers+1 {
			t.Fatalf("trial %d: %d chunks", trial, len(par.chunk)-1)
		}
		u := make([]float64, fl.n)
		g1, g2 := make([]float64, fl.n), make([]float64, fl.n)
		fix := make([]int8, fl.m)
		for k := 0; k < 30; k++ {
			for j := range u {
				u[j] = 300 * rng.Float64()
				if k%5 == 0 {
					u[j] = math.Round(u[j]/50) * 50 // ties between keys
				}
			}
			for i := range fix {
				fix[i] = int8(rng.Intn(3) - 1)
			}
			l1, l2 := seq.eval(u, fix, g1), par.eval(u, fix, g2)
			if l1 != l2 && !(math.IsInf(l1, 1) && math.IsInf(l2, 1)) {
				t.Fatalf("trial %d/%d: sequential L %v, parallel %v", trial, k, l1, l2)
			}
			for i := 0; i < fl.m; i++ {
				if seq.v[i] != par.v[i] {
					t.Fatalf("trial %d/%d: v[%d] %v vs %v", trial, k, i, seq.v[i], par.v[i])
				}
				if fix[i] >= 0 {
					want := sortedKnapsack(fl, i, u) + fl.fixCost[i]
					if math.Abs(seq.v[i]-want) > 1e-9*(1+math.Abs(want)) {
						t.Fatalf("trial %d/%d: knapsack %d = %v, sorted reference %v", trial, k, i, seq.v[i], want)
					}
				}
			}
			if !math.IsInf(l1, 1) {
				for j := range g1 {
					if g1[j] != g2[j] {
						t.Fatalf("trial %d/%d: g[%d] %v vs %v", trial, k, j, g1[j], g2[j])
					}
				}
			}
		}
	}
}

// structureMatches solves md on the facility-location path and fails the test unless it
// proves the brute-force optimum opt (infeasible when opt is +Inf) with a bound no higher.
// It reports whether md was feasible.
func structureMatches(t *testing.T, label string, md *Model, opt float64) bool {
	t.Helper()
	res, err := Solve(context.Background(), md, Settings{ForceStructure: true, RelGap: 1e-9})
	if math.IsInf(opt, 1) {
		if res.Status != StatusInfeasible {
			t.Fatalf("%s: %s, brute force infeasible", label, res.Status)
		}
		return false
	}
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if res.Stats.Method != "lagrangian-fl" {
		t.Fatalf("%s: method %q", label, res.Stats.Method)
	}
	tol := 1e-7 * (1 + math.Abs(opt))
	if res.Status != StatusOptimal || math.Abs(res.Objective-opt) > tol || res.Bound > opt+tol {
		t.Fatalf("%s: %s obj %.9g bound %.9g, brute force %.9g", label, res.Status, res.Objective, res.Bound, opt)
	}
	return true
}
