package orlib

import (
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"networx/solver"
)

var benchDir = filepath.Join("..", "..", "bench", "orlib")

var only = flag.String("orlib.only", "", "comma-separated instance names to solve (default: all small)")

func readOptima(t testing.TB) map[string]float64 {
	f, err := os.Open(filepath.Join(benchDir, "capopt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt, err := ReadOptima(f)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

func load(t testing.TB, name string) *Instance {
	f, err := os.Open(filepath.Join(benchDir, name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestReadOptima(t *testing.T) {
	opt := readOptima(t)
	if len(opt) != 37+12 {
		t.Errorf("got %d optima, want 49", len(opt))
	}
	for k, want := range map[string]float64{"cap41": 1040444.375, "capa-8000": 19240822.449, "capc-7250": 11505767.394, "cap134": 928941.750} {
		if opt[k] != want {
			t.Errorf("%s = %v, want %v", k, opt[k], want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "token 1"},
		{"bad m", "x 2", "token 1"},
		{"short", "1 1 10 5 3", "token 6"},
		{"bad number", "1 1 10 5 abc 4", "token 5"},
		{"trailing", "1 1 10 5 3 4 9", "token 7"},
		{"mixed capacity", "2 1 capacity 5 10 5 3 4 4", "token 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
	in, err := Parse(strings.NewReader("2 1 capacity 5 capacity 7 3 4 6"))
	if err != nil || !in.CapacityParam || in.Cost[1][0] != 6 || in.Demand[0] != 3 {
		t.Fatalf("parse capacity param: %+v %v", in, err)
	}
}

func smallNames() []string {
	var names []string
	for _, g := range [][]int{{41, 44}, {51, 51}, {61, 64}, {71, 74}, {81, 84}, {91, 94}, {101, 104}, {111, 114}, {121, 124}, {131, 134}} {
		for k := g[0]; k <= g[1]; k++ {
			names = append(names, "cap"+itoa(k))
		}
	}
	return names
}

func itoa(k int) string {
	s := ""
	for ; k > 0; k /= 10 {
		s = string(rune('0'+k%10)) + s
	}
	return s
}

// TestSmallInstances solves all 37 small OR-Library instances to their published optimum.
func TestSmallInstances(t *testing.T) {
	opt := readOptima(t)
	names := smallNames()
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	total := time.Duration(0)
	for _, name := range names {
		in := load(t, name)
		m := in.Model(0, true)
		start := time.Now()
		res, err := solver.Solve(context.Background(), m, solver.Settings{RelGap: 1e-9})
		el := time.Since(start)
		total += el
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := opt[name]
		rel := math.Abs(res.Objective-want) / want
		t.Logf("%s: %s obj %.3f (opt %.3f, rel err %.1e) bound %.3f nodes %d iters %d lazy %d in %v",
			name, res.Status, res.Objective, want, rel, res.Bound, res.Stats.Nodes, res.Stats.LPIterations, res.Stats.LazyRows, el.Round(time.Millisecond))
		if res.Status != solver.StatusOptimal || rel > 1e-6 {
			t.Errorf("%s: status %s objective %.6f, want optimal %.6f", name, res.Status, res.Objective, want)
		}
	}
	t.Logf("total %v", total.Round(time.Millisecond))
}

var large = flag.String("orlib.large", "", "comma-separated large instances to solve, e.g. capb-5000 (skipped by default)")
var largeLimit = flag.Duration("orlib.limit", 120*time.Second, "time limit for -orlib.large")

// TestLarge runs the 100x1000 instances named by -orlib.large and logs time and gap.
func TestLarge(t *testing.T) {
	if *large == "" {
		t.Skip("set -orlib.large=capb-5000,... to run")
	}
	opt := readOptima(t)
	for _, name := range strings.Split(*large, ",") {
		base, capStr, _ := strings.Cut(name, "-")
		in := load(t, base)
		var c float64
		if capStr != "" {
			c = mustFloat(t, capStr)
		}
		solveLogged(t, name, in.Model(c, true), opt[name])
	}
}

func mustFloat(t testing.TB, s string) float64 {
	var v float64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			t.Fatalf("bad capacity %q", s)
		}
		v = v*10 + float64(ch-'0')
	}
	return v
}
