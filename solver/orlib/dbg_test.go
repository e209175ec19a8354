package orlib

import (
	"context"
	"flag"
	"os"
	"testing"
	"time"

	"networx/solver"
)

var dbgFile = flag.String("dbg.file", "", "")
var dbgCap = flag.Float64("dbg.cap", 0, "")
var dbgLP = flag.Bool("dbg.lp", false, "")

func TestDbg(t *testing.T) {
	if *dbgFile == "" {
		t.Skip()
	}
	f, _ := os.Open(*dbgFile)
	in, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	m := in.Model(*dbgCap, true)
	if *dbgLP {
		for j := range m.Cols {
			m.Cols[j].Integer = false
		}
	}
	solver.DbgF = func(f string, a ...any) { t.Logf(f, a...) }
	start := time.Now()
	res, err := solver.Solve(context.Background(), m, solver.Settings{TimeLimit: *largeLimit, Progress: func(p solver.Progress) {
		t.Logf("  %6.1fs nodes %d iters %d inc %.3f bound %.3f gap %.2e", p.Elapsed.Seconds(), p.Nodes, p.LPIterations, p.Incumbent, p.Bound, p.Gap)
	}})
	t.Logf("%v %s obj %.3f bound %.3f gap %.2e root %.3f nodes %d iters %d lazy %d in %v", err, res.Status, res.Objective, res.Bound, res.Gap, res.Stats.RootBound, res.Stats.Nodes, res.Stats.LPIterations, res.Stats.LazyRows, time.Since(start))
}
