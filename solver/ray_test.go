package solver

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tinyDriftLP is min -z s.t. z - x = 0, x in [0,1], z >= 0 (optimum -1), with x basic and
// z nonbasic at 0: z enters, x blocks at its upper bound 1.
func tinyDriftLP() *lp {
	rows := []lpRow{{ind: []int{0, 1}, val: []float64{-1, 1}, lo: 0, hi: 0}}
	p := newLP(2, []float64{0, -1}, []float64{0, 0}, []float64{1, math.Inf(1)}, rows)
	// basis {x}: the row activity leaves, x enters
	p.head[0] = 0
	p.pos[0], p.pos[2] = 0, -1
	p.stat[0] = stBasic
	p.x[2] = 0
	p.setNonbasicStat(2)
	p.factorize()
	p.computePrimal()
	p.computeDual()
	return p
}

// TestPrimalDriftNoFalseRay: the unbounded verdict of the networx multi-year model came
// from the primal simplex running on a basis that drift had left slightly infeasible: the
// Harris bound of an infeasible basic variable was negative, nothing blocked, and the
// entering row activity (infinite range) made a "ray". Here x = 1 + drift sits above its
// upper bound while z (unbounded above) enters and pushes x further up.
func TestPrimalDriftNoFalseRay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		drift float64 // scaled units, added to the basic x
		want  []lpStatus
	}{
		{"feasible", 0, []lpStatus{lpOptimal}},
		{"within-tolerance", 0.5 * primalFeasTol, []lpStatus{lpOptimal}},
		{"past-tolerance", 5 * primalFeasTol, []lpStatus{lpOptimal}},
		{"lost", 100 * primalFeasTol, []lpStatus{lpNumerical}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tinyDriftLP()
			p.x[0] = p.hi[0] + tc.drift // x at its upper bound (plus drift), as after a step
			p.x[1] = p.x[0]
			p.stat[1] = stFree // z moved off its bound by the same step
			p.setNonbasicStat(1)
			if p.d[1] >= 0 {
				t.Fatalf("setup: z's reduced cost %v should be negative", p.d[1])
			}
			st := p.primal(context.Background(), 100)
			ok := false
			for _, w := range tc.want {
				ok = ok || st == w
			}
			if !ok {
				t.Fatalf("primal: %v, want one of %v", st, tc.want)
			}
			// the full solve recovers in every case
			if st := p.solve(context.Background(), solveOpts{}); st != lpOptimal || math.Abs(p.objective()+1) > 1e-9 {
				t.Fatalf("solve: %v objective %v, want optimal -1", st, p.objective())
			}
		})
	}
}

// TestVerifyPrimalRay checks the certificate check on a true ray and on bogus ones.
func TestVerifyPrimalRay(t *testing.T) {
	// min -z s.t. z - x = 0, x in [0, xhi], z >= 0, basis {x}, z entering upwards.
	for _, tc := range []struct {
		name string
		xhi  float64
		cz   float64
		ok   bool
	}{
		{"true-ray", math.Inf(1), -1, true},
		{"bounded-basic", 1, -1, false},
		{"not-improving", math.Inf(1), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := []lpRow{{ind: []int{0, 1}, val: []float64{-1, 1}, lo: 0, hi: 0}}
			p := newLP(2, []float64{0, tc.cz}, []float64{0, 0}, []float64{tc.xhi, math.Inf(1)}, rows)
			p.head[0] = 0
			p.pos[0], p.pos[2] = 0, -1
			p.stat[0] = stBasic
			p.x[2] = 0
			p.setNonbasicStat(2)
			p.factorize()
			clear(p.wRow)
			p.column(1, p.wRow)
			p.lu.ftran(p.wRow, p.alphaQ)
			p.setPrimalRay(1, 1)
			if got := p.verifyPrimalRay() != nil; got != tc.ok {
				t.Fatalf("verifyPrimalRay: %v, want %v", got, tc.ok)
			}
		})
	}
}

// boxedRandomLP is randomLP with every column boxed: it can never be unbounded.
func boxedRandomLP(seed uint64, n, m int) *Model {
	md := randomLP(seed, n, m, false)
	for j := range md.Cols {
		c := &md.Cols[j]
		if math.IsInf(c.Lo, -1) {
			c.Lo = -3
		}
		if math.IsInf(c.Hi, 1) {
			c.Hi = c.Lo + 4
		}
	}
	return md
}

// driftRegressions are (seed, n, m, drift) cases of TestWarmPrimalDrift kept as rows.
var driftRegressions = []struct {
	seed  uint64
	n, m  int
	drift float64
}{}

// TestWarmPrimalDrift is the random-model oracle for the warm primal simplex (sifting and
// solveCore run it after changing costs or activating columns) on a basis whose basic
// values have drifted past the feasibility tolerance: on boxed LPs, which cannot be
// unbounded, it must never claim a ray, and the solve after it must match gonum's optimum
// of the LP with the new costs.
func TestWarmPrimalDrift(t *testing.T) {
	type tc struct {
		seed  uint64
		n, m  int
		drift float64
	}
	var cases []tc
	for _, r := range driftRegressions {
		cases = append(cases, tc(r))
	}
	drifts := []float64{3 * primalFeasTol, 50 * primalFeasTol, 1e-3}
	for s := uint64(1); s <= 300; s++ {
		cases = append(cases, tc{s, 3 + int(s%9), 2 + int(s%6), drifts[s%3]})
	}
	ctx := context.Background()
	for _, c := range cases {
		name := fmt.Sprintf("seed%d_n%d_m%d_drift%g", c.seed, c.n, c.m, c.drift)
		md := boxedRandomLP(c.seed, c.n, c.m)
		pr := newProblem(md, Settings{})
		if pr.infeasible != "" {
			continue
		}
		p := newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
		if st := p.solve(ctx, solveOpts{}); st != lpOptimal {
			continue
		}
		// new costs (as at a node or after pricing) and drifted basic values
		r := rand.New(rand.NewPCG(c.seed, 11))
		for j := range md.Cols {
			md.Cols[j].Obj = float64(r.IntN(11) - 5)
			cj := pr.sign * md.Cols[j].Obj * p.colScale[j]
			p.origCost[j], p.cost[j] = cj, cj
		}
		for _, j := range p.head {
			p.x[j] += c.drift * float64(r.IntN(3)-1)
		}
		p.computeDual()
		st := p.primal(ctx, 10000)
		if st == lpUnbounded {
			t.Fatalf("%s: warm primal claims a ray on a boxed LP (verified: %v)", name, p.verifyPrimalRay() != nil)
		}
		st = p.solve(ctx, solveOpts{})
		if st != lpOptimal {
			t.Fatalf("%s: solve after the warm primal: %v", name, st)
		}
		gObj, gSt, ok := gonumSolve(md)
		if !ok || gSt != StatusOptimal {
			continue
		}
		got := pr.toModel(p.objective())
		if math.Abs(got-gObj) > 1e-6*(1+math.Abs(gObj)) {
			t.Fatalf("%s: objective %v, gonum %v", name, got, gObj)
		}
	}
}

// TestDualRayProves: the infeasibility proof of the dual simplex holds for the bounds it
// was found with and fails once a bound it relies on is relaxed.
func TestDualRayProves(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lo, hi    float64 // row limits of x + 2 z
		relax     float64 // new upper bound of x after the solve
		wantProof bool
	}{
		{"lower-violated", 5, math.Inf(1), 1, true},
		{"lower-violated-relaxed", 5, math.Inf(1), 10, false},
		{"upper-violated", math.Inf(-1), -1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// x in [0,1], z in [0,1]: x + 2z in [0, 3]
			rows := []lpRow{{ind: []int{0, 1}, val: []float64{1, 2}, lo: tc.lo, hi: tc.hi}}
			p := newLP(2, []float64{1, 1}, []float64{0, 0}, []float64{1, 1}, rows)
			if st := p.solve(context.Background(), solveOpts{}); st != lpInfeasible {
				t.Fatalf("solve: %v, want infeasible", st)
			}
			if !p.dualRayProves() {
				t.Fatal("the proof of an infeasible LP does not hold")
			}
			p.hi[0] = tc.relax / p.colScale[0]
			if got := p.dualRayProves(); got != tc.wantProof {
				t.Fatalf("after relaxing x <= %v: proof %v, want %v", tc.relax, got, tc.wantProof)
			}
		})
	}
}
