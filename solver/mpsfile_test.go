package solver

import (
	"context"
	"flag"
	"os"
	"testing"
	"time"
)

var mpsFile = flag.String("solver.mps", "", "an MPS file to solve with -solver.limit, logging progress (skipped by default)")
var mpsLimit = flag.Duration("solver.limit", 120*time.Second, "time limit for -solver.mps")
var mpsLP = flag.Bool("solver.lp", false, "with -solver.mps: solve only the LP relaxation")

// TestMPSFile solves the model of -solver.mps and logs its result; a solve that claims
// unboundedness or infeasibility without a certificate fails the test.
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
	t.Logf("%s: %v err %v obj %.3f bound %.3f gap %.2e root %.3f nodes %d iters %d lazy %d sift %d in %v",
		*mpsFile, res.Status, err, res.Objective, res.Bound, res.Gap, res.Stats.RootBound, res.Stats.Nodes,
		res.Stats.LPIterations, res.Stats.LazyRows, res.Stats.SiftColumns, time.Since(start).Round(time.Millisecond))
}
