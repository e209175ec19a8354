package solver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// bruteForce enumerates every assignment of the integer columns of md (they must be
// bounded) and solves the LP over the continuous columns for each; it returns the best
// objective and whether any assignment was feasible. Unbounded sub-LPs give unbounded=true.
func bruteForce(t *testing.T, md *Model) (best float64, feasible, unbounded bool) {
	t.Helper()
	var ints []int
	for j, c := range md.Cols {
		if c.Integer {
			ints = append(ints, j)
		}
	}
	sign := 1.0
	if md.Sense == Maximize {
		sign = -1
	}
	best = math.Inf(1)
	assign := make([]float64, len(ints))
	var rec func(k int)
	rec = func(k int) {
		if k == len(ints) {
			sub := &Model{Sense: md.Sense, Rows: md.Rows, ObjOffset: md.ObjOffset}
			sub.Cols = append([]Column(nil), md.Cols...)
			for t, j := range ints {
				sub.Cols[j].Lo, sub.Cols[j].Hi, sub.Cols[j].Integer = assign[t], assign[t], false
			}
			res, _ := Solve(context.Background(), sub, Settings{})
			switch res.Status {
			case StatusOptimal:
				feasible = true
				best = math.Min(best, sign*res.Objective)
			case StatusUnbounded:
				unbounded = true
			}
			return
		}
		c := md.Cols[ints[k]]
		for v := math.Ceil(c.Lo); v <= math.Floor(c.Hi); v++ {
			assign[k] = v
			rec(k + 1)
		}
	}
	rec(0)
	return sign * best, feasible, unbounded
}

var mipRegressions = []struct {
	seed uint64
	n, m int
}{{159, 6, 4}}

func TestRandomMIP(t *testing.T) {
	type tc struct {
		seed uint64
		n, m int
	}
	var cases []tc
	for _, r := range mipRegressions {
		cases = append(cases, tc(r))
	}
	for s := uint64(1); s <= 250; s++ {
		cases = append(cases, tc{s, 2 + int(s%5), 1 + int(s%4)})
	}
	for _, c := range cases {
		md := randomLP(c.seed+1000, c.n, c.m, true)
		name := fmt.Sprintf("seed%d_n%d_m%d", c.seed, c.n, c.m)
		if !md.IsMIP() {
			continue
		}
		want, feasible, unbounded := bruteForce(t, md)
		// every bound Progress reports must be valid: never past the optimum
		var badBound []float64
		progress := func(p Progress) {
			if !feasible || unbounded || math.IsNaN(p.Bound) {
				return
			}
			past := p.Bound - want
			if md.Sense == Maximize {
				past = -past
			}
			if past > 1e-6*(1+math.Abs(want)) {
				badBound = append(badBound, p.Bound)
			}
		}
		res, err := Solve(context.Background(), md, Settings{RelGap: 1e-9, Progress: progress})
		if len(badBound) > 0 {
			t.Errorf("%s: progress bounds %v past the optimum %v", name, badBound, want)
		}
		if err != nil && !errors.Is(err, ErrInfeasible) && !errors.Is(err, ErrUnbounded) {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case unbounded:
			if res.Status != StatusUnbounded {
				t.Errorf("%s: status %s, brute force unbounded", name, res.Status)
			}
		case !feasible:
			if res.Status != StatusInfeasible {
				t.Errorf("%s: status %s obj %v, brute force infeasible", name, res.Status, res.Objective)
			}
		default:
			if res.Status != StatusOptimal || math.Abs(res.Objective-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("%s: status %s obj %v, brute force %v", name, res.Status, res.Objective, want)
			}
		}
	}
}

// knapsackModel is a 0/1 knapsack, a small pure-integer model with a known optimum.
func knapsackModel() (*Model, float64) {
	w := []float64{12, 2, 1, 1, 4}
	v := []float64{4, 2, 1, 2, 10}
	m := &Model{Sense: Maximize}
	var ind []int
	for j := range w {
		ind = append(ind, m.AddBinary(fmt.Sprint("x", j), v[j]))
	}
	m.AddRow("cap", math.Inf(-1), 15, ind, w)
	return m, 15 // items 1,2,3,4: weight 8, value 15
}

func TestKnapsack(t *testing.T) {
	m, want := knapsackModel()
	res, err := Solve(context.Background(), m, Settings{})
	if err != nil || res.Status != StatusOptimal || math.Abs(res.Objective-want) > 1e-9 {
		t.Fatalf("got %v %v %v, want %v", res.Status, res.Objective, err, want)
	}
	if res.Bound < res.Objective-1e-9 || res.Gap > DefaultRelGap {
		t.Fatalf("bound %v gap %v for a maximization with objective %v", res.Bound, res.Gap, res.Objective)
	}
}

func TestInfeasibleAndUnbounded(t *testing.T) {
	tests := []struct {
		name  string
		build func() *Model
		want  Status
		err   error
	}{
		{"infeasible LP", func() *Model {
			m := &Model{}
			x := m.AddCol("x", 1, 0, Inf, false)
			y := m.AddCol("y", 1, 0, Inf, false)
			m.AddRow("a", 3, Inf, []int{x, y}, []float64{1, 1})
			m.AddRow("b", math.Inf(-1), 2, []int{x, y}, []float64{1, 1})
			return m
		}, StatusInfeasible, ErrInfeasible},
		{"unbounded LP", func() *Model {
			m := &Model{Sense: Maximize}
			x := m.AddCol("x", 1, 0, Inf, false)
			y := m.AddCol("y", 0, math.Inf(-1), Inf, false)
			m.AddRow("a", math.Inf(-1), 4, []int{x, y}, []float64{1, -1})
			return m
		}, StatusUnbounded, ErrUnbounded},
		{"infeasible MIP (LP feasible)", func() *Model {
			m := &Model{}
			x := m.AddCol("x", 1, 0, 10, true)
			y := m.AddCol("y", 1, 0, 10, true)
			m.AddRow("odd", 1, 1, []int{x, y}, []float64{2, 2})
			return m
		}, StatusInfeasible, ErrInfeasible},
		{"unbounded MIP", func() *Model {
			m := &Model{}
			x := m.AddCol("x", -1, 0, Inf, true)
			y := m.AddCol("y", 0, 0, Inf, false)
			m.AddRow("a", 0, Inf, []int{y, x}, []float64{1, -1})
			return m
		}, StatusUnbounded, ErrUnbounded},
		{"empty row infeasible", func() *Model {
			m := &Model{}
			m.AddCol("x", 1, 0, 1, false)
			m.AddRow("e", 1, 2, nil, nil)
			return m
		}, StatusInfeasible, ErrInfeasible},
		{"lazy row makes infeasible", func() *Model {
			m := &Model{}
			x := m.AddCol("x", -1, 0, 3, true)
			m.AddRow("a", 2, Inf, []int{x}, []float64{1})
			m.AddLazyRow("l", math.Inf(-1), 1, []int{x}, []float64{1})
			return m
		}, StatusInfeasible, ErrInfeasible},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := Solve(context.Background(), tc.build(), Settings{})
			if !errors.Is(err, tc.err) || res.Status != tc.want {
				t.Fatalf("status %s err %v, want %s %v", res.Status, err, tc.want, tc.err)
			}
		})
	}
}

func TestLazyRows(t *testing.T) {
	// max x + y, x,y in {0..5}, lazy x + y <= 3, lazy x - y <= 1 -> optimum 3.
	m := &Model{Sense: Maximize}
	x := m.AddCol("x", 1, 0, 5, true)
	y := m.AddCol("y", 1.01, 0, 5, true)
	m.AddLazyRow("a", math.Inf(-1), 3, []int{x, y}, []float64{1, 1})
	m.AddLazyRow("b", math.Inf(-1), 1, []int{x, y}, []float64{1, -1})
	res, err := Solve(context.Background(), m, Settings{})
	if err != nil || res.Status != StatusOptimal || math.Abs(res.Objective-3.03) > 1e-9 {
		t.Fatalf("got %s %v %v, want optimal 3.03", res.Status, res.Objective, err)
	}
	if res.Stats.LazyRows == 0 {
		t.Fatalf("no lazy row entered the LP")
	}
}

func TestInvalidModel(t *testing.T) {
	m := &Model{}
	m.AddCol("x", math.NaN(), 0, 1, false)
	if _, err := Solve(context.Background(), m, Settings{}); !errors.Is(err, ErrInvalidModel) {
		t.Fatalf("err = %v, want ErrInvalidModel", err)
	}
}

func TestStatusString(t *testing.T) {
	for st, want := range map[Status]string{StatusOptimal: "optimal", StatusFeasible: "feasible",
		StatusInfeasible: "infeasible", StatusUnbounded: "unbounded", StatusCancelled: "cancelled", StatusLimit: "limit"} {
		if st.String() != want {
			t.Errorf("%d: %q, want %q", st, st.String(), want)
		}
	}
}

// hardModel is a random multi-knapsack big enough to need many nodes.
func hardModel(n int) *Model {
	m := &Model{Sense: Maximize}
	var ind []int
	for j := 0; j < n; j++ {
		ind = append(ind, m.AddBinary(fmt.Sprint("x", j), float64(37+(j*7919)%61)))
	}
	for i := 0; i < 5; i++ {
		w := make([]float64, n)
		s := 0.0
		for j := range w {
			w[j] = float64(13 + (j*104729+i*7727)%97)
			s += w[j]
		}
		m.AddRow(fmt.Sprint("k", i), math.Inf(-1), math.Floor(s/2)+0.5, ind, w)
	}
	return m
}

func TestNodeLimitAndDeterminism(t *testing.T) {
	m := hardModel(60)
	s := Settings{NodeLimit: 300, Seed: 3, Threads: 1}
	r1, err := Solve(context.Background(), m, s)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := Solve(context.Background(), m, s)
	if r1.Stats.Nodes != r2.Stats.Nodes || r1.Objective != r2.Objective || r1.Bound != r2.Bound || r1.Stats.LPIterations != r2.Stats.LPIterations {
		t.Fatalf("runs differ: %+v vs %+v", r1.Stats, r2.Stats)
	}
	if r1.Status != StatusFeasible && r1.Status != StatusOptimal {
		t.Fatalf("status %s", r1.Status)
	}
	if r1.Status == StatusFeasible && (r1.Bound < r1.Objective || r1.Gap <= 0) {
		t.Fatalf("bound %v objective %v gap %v", r1.Bound, r1.Objective, r1.Gap)
	}
}

func TestCancel(t *testing.T) {
	m := hardModel(200)
	ctx, cancel := context.WithCancel(context.Background())
	var calls int
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	res, err := Solve(ctx, m, Settings{Progress: func(Progress) { calls++ }})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status == StatusOptimal {
		// hardModel(200) runs for well over 20 s uncancelled; an optimum here means the
		// cancellation was never exercised, which must not pass silently.
		t.Fatalf("solved to optimality in %v, before the cancellation: make the model harder", el)
	}
	if res.Status != StatusCancelled {
		t.Fatalf("status %s, want cancelled", res.Status)
	}
	if el > 300*time.Millisecond+time.Second {
		t.Fatalf("returned %v after start, more than 1 s after the cancellation", el)
	}
	if calls == 0 {
		t.Fatalf("progress never called")
	}
}
