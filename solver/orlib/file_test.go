package orlib

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"networx/solver"
)

var files = flag.String("orlib.file", "", "comma-separated instance files with numeric capacities (e.g. synthetic synth-30x500.txt) to solve with -orlib.limit (skipped by default)")
var fileLP = flag.Bool("orlib.lp", false, "with -orlib.file or -orlib.large: solve only the LP relaxation")

// TestFile solves the instance files named by -orlib.file (for example the synthetic
// instances of bench/solver/gensynth) and logs time, gap and work.
func TestFile(t *testing.T) {
	if *files == "" {
		t.Skip("set -orlib.file=PATH,... to run")
	}
	for _, path := range strings.Split(*files, ",") {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		solveLogged(t, path, in.Model(0, true), 0)
	}
}

// solveLogged solves m within -orlib.limit, logging progress and the result.
func solveLogged(t *testing.T, name string, m *solver.Model, opt float64) *solver.Result {
	t.Helper()
	if *fileLP {
		for j := range m.Cols {
			m.Cols[j].Integer = false
		}
	}
	start := time.Now()
	res, err := solver.Solve(context.Background(), m, solver.Settings{TimeLimit: *largeLimit,
		Progress: func(p solver.Progress) {
			t.Logf("  %s %6.1fs nodes %d iters %d inc %.3f bound %.3f gap %.2e", name, p.Elapsed.Seconds(), p.Nodes, p.LPIterations, p.Incumbent, p.Bound, p.Gap)
		}})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Logf("%s: %s obj %.3f (published %.3f) bound %.3f gap %.2e root %.3f nodes %d iters %d lazy %d sift %d in %v",
		name, res.Status, res.Objective, opt, res.Bound, res.Gap, res.Stats.RootBound, res.Stats.Nodes,
		res.Stats.LPIterations, res.Stats.LazyRows, res.Stats.SiftColumns, time.Since(start).Round(time.Millisecond))
	return res
}

// TestLargeCancel cancels a solve of capb on the general path (100100 columns, sifting and
// the row pool at work) and checks that it returns within a second of the cancellation.
func TestLargeCancel(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: skipped in -short and -race runs")
	}
	m := load(t, "capb").Model(5000, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const after = 500 * time.Millisecond
	time.AfterFunc(after, cancel)
	start := time.Now()
	res, err := solver.Solve(ctx, m, solver.Settings{NoStructure: true})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != solver.StatusCancelled {
		t.Fatalf("status %s, want cancelled", res.Status)
	}
	if el > after+time.Second {
		t.Fatalf("returned %v after the start, more than 1 s after the cancellation", el)
	}
}
