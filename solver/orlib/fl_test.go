package orlib

import (
	"context"
	"math"
	"testing"
	"time"

	"networx/solver"
)

// TestFLSmallInstances solves the 37 small instances on the facility-location path (forced:
// by default models this small take the general path) to their published optima, at
// RelGap 1e-9 and at the default gap.
func TestFLSmallInstances(t *testing.T) {
	opt := readOptima(t)
	names := smallNames()
	if raceEnabled {
		names = names[:6] // the race detector slows the search about tenfold
	}
	for _, tc := range []struct {
		name   string
		relGap float64
	}{{"exact", 1e-9}, {"default gap", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			total := time.Duration(0)
			for _, name := range names {
				m := load(t, name).Model(0, true)
				start := time.Now()
				res, err := solver.Solve(context.Background(), m, solver.Settings{ForceStructure: true, RelGap: tc.relGap})
				total += time.Since(start)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := opt[name]
				rel := math.Abs(res.Objective-want) / want
				maxRel := 1e-6
				if tc.relGap == 0 {
					maxRel = solver.DefaultRelGap
				}
				if res.Stats.Method != "lagrangian-fl" || res.Status != solver.StatusOptimal || rel > maxRel ||
					res.Bound > want*(1+1e-9) || res.Gap > math.Max(tc.relGap, solver.DefaultRelGap*float64(btoi(tc.relGap == 0)))+1e-12 {
					t.Errorf("%s: %s %s obj %.6f bound %.6f gap %.2e, want optimal %.6f", name, res.Stats.Method, res.Status,
						res.Objective, res.Bound, res.Gap, want)
				}
			}
			t.Logf("total %v", total.Round(time.Millisecond))
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFLLarge solves three 100x1000 instances that take about a second each on the
// facility-location path (chosen automatically) and checks the published optima.
func TestFLLarge(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a few seconds per instance: skipped in -short and -race runs")
	}
	opt := readOptima(t)
	for _, name := range []string{"capa-14000", "capb-5000", "capc-7250"} {
		base, c := name[:4], mustFloat(t, name[5:])
		m := load(t, base).Model(c, true)
		start := time.Now()
		res, err := solver.Solve(context.Background(), m, solver.Settings{TimeLimit: 60 * time.Second})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := opt[name]
		t.Logf("%s: %s %s obj %.3f (published %.3f) bound %.3f nodes %d in %v", name, res.Stats.Method, res.Status,
			res.Objective, want, res.Bound, res.Stats.Nodes, time.Since(start).Round(time.Millisecond))
		if res.Stats.Method != "lagrangian-fl" || res.Status != solver.StatusOptimal ||
			math.Abs(res.Objective-want) > solver.DefaultRelGap*want || res.Bound > want*(1+1e-9) {
			t.Errorf("%s: %s %s obj %.3f bound %.3f, want optimal %.3f", name, res.Stats.Method, res.Status, res.Objective, res.Bound, want)
		}
	}
}

// TestFLCancelLarge cancels the facility-location path on capc-5750 (about 12 s) and
// checks that it returns within a second of the cancellation, with its incumbent.
func TestFLCancelLarge(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: skipped in -short and -race runs")
	}
	m := load(t, "capc").Model(5750, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const after = 2 * time.Second
	time.AfterFunc(after, cancel)
	start := time.Now()
	res, err := solver.Solve(ctx, m, solver.Settings{})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != solver.StatusCancelled || res.Stats.Method != "lagrangian-fl" || res.X == nil || !(res.Bound <= res.Objective) {
		t.Fatalf("status %s method %s obj %v bound %v", res.Status, res.Stats.Method, res.Objective, res.Bound)
	}
	if el > after+time.Second {
		t.Fatalf("returned %v after the start, more than 1 s after the cancellation", el)
	}
}
