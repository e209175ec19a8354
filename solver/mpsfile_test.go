package solver

import (
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"testing"
	"time"
)

var (
	mpsFile  = flag.String("solver.mps", "", "an MPS file to solve with -solver.limit, logging progress (skipped by default)")
	mpsLimit = flag.Duration("solver.limit", 120*time.Second, "time limit for -solver.mps")
	mpsLP    = flag.Bool("solver.lp", false, "with -solver.mps: solve only the LP relaxation")
	mpsWant  = flag.Float64("solver.want", math.NaN(), "with -solver.mps: the known optimum; the solve must end optimal at it (within the gap)")
)

// TestMPSFile solves the model of -solver.mps (for example the multi-year facility-location
// model of the models layer that was once reported unbounded: go run ./examples/gen -csv DIR
// -candidates 21 -existing 3 -destinations 240 -years 5, then networx optimize DIR
// --export-mps FILE; its optimum is 42602933.361, in 150 to 300 s of CPU) and logs progress.
// It fails on ErrNumerical, on an error other than infeasible/unbounded, and with
// -solver.want on any result other than that optimum.
func TestMPSFile(t *testing.T) {
	if *mpsFile == "" {
		t.Skip("set -solver.mps=PATH to run")
	}
	f, err := os.Open(*mpsFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMPS(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if *mpsLP {
		for j := range m.Cols {
			m.Cols[j].Integer = false
		}
	}
	start := time.Now()
	res, err := Solve(context.Background(), m, Settings{TimeLimit: *mpsLimit,
		Progress: func(p Progress) {
			t.Logf("  %6.1fs nodes %d iters %d inc %.3f bound %.3f gap %.2e", p.Elapsed.Seconds(), p.Nodes, p.LPIterations, p.Incumbent, p.Bound, p.Gap)
		}})
	if err != nil && !errors.Is(err, ErrInfeasible) && !errors.Is(err, ErrUnbounded) {
		t.Fatalf("%s: %v", *mpsFile, err)
	}
	t.Logf("%s: %v obj %.3f bound %.3f gap %.2e root %.3f nodes %d iters %d lazy %d sift %d numerical %d in %v",
		*mpsFile, res.Status, res.Objective, res.Bound, res.Gap, res.Stats.RootBound, res.Stats.Nodes,
		res.Stats.LPIterations, res.Stats.LazyRows, res.Stats.SiftColumns, res.Stats.NumericalFailures, time.Since(start).Round(time.Millisecond))
	if want := *mpsWant; !math.IsNaN(want) {
		tol := 1e-4*math.Abs(want) + 1e-6
		if res.Status != StatusOptimal || math.Abs(res.Objective-want) > tol {
			t.Fatalf("%s: %v objective %.6f, want optimal %.6f", *mpsFile, res.Status, res.Objective, want)
		}
	}
}
