package solver

import (
	"context"
	"math"
	"testing"
)

// TestRINS: on random multi-dimensional knapsacks the results with RINS are optimal (checked
// by enumeration) and equal to those without it, runs are deterministic, and RINS improves
// the incumbent on some seeds.
func TestRINS(t *testing.T) {
	calls, improved := 0, 0
	for s := uint64(1); s <= 30; s++ {
		md := randomKnapsacks(s+300, 14+int(s%5), 2+int(s%4), s%3 == 0)
		want := math.Inf(-1)
		enumerateBinary(md, func(x []float64) {
			v := 0.0
			for j, c := range md.Cols {
				v += c.Obj * x[j]
			}
			want = math.Max(want, v)
		})
		with, err1 := Solve(context.Background(), md, Settings{RelGap: 1e-9, Seed: 3})
		again, _ := Solve(context.Background(), md, Settings{RelGap: 1e-9, Seed: 3})
		without, err2 := Solve(context.Background(), md, Settings{RelGap: 1e-9, Seed: 3, NoRINS: true})
		if err1 != nil || err2 != nil {
			t.Fatalf("seed %d: %v %v", s, err1, err2)
		}
		for _, res := range []*Result{with, without} {
			if res.Status != StatusOptimal || math.Abs(res.Objective-want) > 1e-6 {
				t.Fatalf("seed %d: %s %v, enumeration %v", s, res.Status, res.Objective, want)
			}
		}
		if without.Stats.RINSCalls != 0 {
			t.Fatalf("seed %d: NoRINS made %d RINS calls", s, without.Stats.RINSCalls)
		}
		if again.Objective != with.Objective || again.Stats.Nodes != with.Stats.Nodes ||
			again.Stats.RINSCalls != with.Stats.RINSCalls || again.Stats.RINSImprovements != with.Stats.RINSImprovements {
			t.Fatalf("seed %d: not deterministic: %v/%d nodes/%d calls vs %v/%d/%d", s, with.Objective, with.Stats.Nodes,
				with.Stats.RINSCalls, again.Objective, again.Stats.Nodes, again.Stats.RINSCalls)
		}
		if with.Stats.RINSImprovements > with.Stats.RINSCalls {
			t.Fatalf("seed %d: %d improvements from %d calls", s, with.Stats.RINSImprovements, with.Stats.RINSCalls)
		}
		calls += with.Stats.RINSCalls
		improved += with.Stats.RINSImprovements
	}
	t.Logf("RINS: %d calls, %d improvements over 30 seeds", calls, improved)
	if improved == 0 {
		t.Fatal("RINS never improved an incumbent")
	}
}

// TestRINSCancelled: with the context already cancelled RINS does not run.
func TestRINSCancelled(t *testing.T) {
	md := randomKnapsacks(304, 18, 2, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, _ := Solve(ctx, md, Settings{})
	if res.Status != StatusCancelled || res.Stats.RINSCalls != 0 {
		t.Fatalf("status %s, %d RINS calls after cancellation", res.Status, res.Stats.RINSCalls)
	}
}
