package solver

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// siftPair builds the working LP of md twice: plain, and with sifting from a tiny working
// set (one column per row, one column added per pricing pass) so that many rounds run.
func siftPair(md *Model) (full, sift *lp) {
	pr := newProblem(md, Settings{})
	full = newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
	sift = newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
	sift.enableSifting(nil, 1, 1)
	return full, sift
}

// TestSiftingMatchesFullLP solves random LPs with many more columns than rows by the plain
// dual simplex and by sifting: same status, same optimum; with a cutoff, sifting must not
// claim a cutoff the full LP's optimum does not justify.
func TestSiftingMatchesFullLP(t *testing.T) {
	ctx := context.Background()
	sifted, rounds, infeasible := 0, 0, 0
	for seed := uint64(1); seed <= 300; seed++ {
		n, m := 12+int(seed%29), 1+int(seed%5)
		md := randomWideLP(seed, n, m)
		name := fmt.Sprintf("seed%d_n%d_m%d", seed, n, m)
		full, sift := siftPair(md)
		if sift.sift != nil {
			sifted++
		}
		st1 := full.solve(ctx, solveOpts{})
		st2 := sift.solve(ctx, solveOpts{})
		if st1 != st2 {
			t.Fatalf("%s: full LP %v, sifting %v", name, st1, st2)
		}
		if sift.sift != nil {
			rounds += sift.sift.rounds
			if st2 == lpInfeasible {
				infeasible++
			}
		}
		if st1 != lpOptimal {
			continue
		}
		o1, o2 := full.objective(), sift.objective()
		if math.Abs(o1-o2) > 1e-7*(1+math.Abs(o1)) {
			t.Fatalf("%s: full LP optimum %v, sifting %v", name, o1, o2)
		}
		if sift.maxPrimalInfeas() > 1e-6 {
			t.Fatalf("%s: sifting solution infeasible by %v", name, sift.maxPrimalInfeas())
		}
		// cutoffs below and above the optimum
		for _, delta := range []float64{-1 - 0.1*math.Abs(o1), 1 + 0.1*math.Abs(o1)} {
			_, s3 := siftPair(md)
			st := s3.solve(ctx, solveOpts{cutoff: o1 + delta})
			switch {
			case delta < 0 && st != lpCutoff && !(st == lpOptimal && s3.objective() > o1+delta):
				t.Fatalf("%s: cutoff %v below the optimum %v gave %v", name, o1+delta, o1, st)
			case delta > 0 && st != lpOptimal:
				t.Fatalf("%s: cutoff %v above the optimum %v gave %v", name, o1+delta, o1, st)
			}
		}
	}
	if sifted < 200 || rounds < 150 || infeasible < 10 {
		t.Fatalf("sifting enabled on %d of 300 LPs, %d pricing rounds, %d infeasible: the test does not exercise it", sifted, rounds, infeasible)
	}
	t.Logf("sifting on %d LPs, %d pricing rounds, %d infeasible", sifted, rounds, infeasible)
}

// randomWideLP is a random LP shaped for sifting: most columns nonnegative with a
// nonnegative cost (they start inactive), some with negative costs or other bounds, sparse
// rows of every kind.
func randomWideLP(seed uint64, n, m int) *Model {
	r := rand.New(rand.NewPCG(seed, 13))
	md := &Model{}
	if r.IntN(4) == 0 {
		md.Sense = Maximize
	}
	for j := 0; j < n; j++ {
		lo, hi := 0.0, math.Inf(1)
		c := float64(r.IntN(11))
		switch k := r.IntN(10); {
		case k < 4:
			hi = float64(1 + r.IntN(4))
		case k == 4:
			c = -c
		case k == 5:
			lo = float64(r.IntN(3) - 1)
			hi = lo + float64(r.IntN(3))
		case k == 6 && r.IntN(3) == 0:
			lo = math.Inf(-1)
		}
		if md.Sense == Maximize {
			c = -c
		}
		md.AddCol(fmt.Sprintf("x%d", j), c, lo, hi, false)
	}
	for i := 0; i < m; i++ {
		var ind []int
		var val []float64
		for j := 0; j < n; j++ {
			if r.IntN(3) == 0 {
				if v := float64(r.IntN(9) - 3); v != 0 {
					ind = append(ind, j)
					val = append(val, v)
				}
			}
		}
		b := float64(r.IntN(13) - 2)
		lo, hi := math.Inf(-1), math.Inf(1)
		switch r.IntN(4) {
		case 0:
			hi = b
		case 1:
			lo = b
		case 2:
			lo, hi = b, b
		default:
			lo, hi = b-float64(r.IntN(4)), b
		}
		md.AddRow(fmt.Sprintf("r%d", i), lo, hi, ind, val)
	}
	return md
}

// wideLP is a transportation-like LP: m supply rows sum_j x_ij <= s_i... folded into one
// demand row per customer (sum_i x_ij = 1) and a capacity row per source, with many more
// columns than rows, so Solve uses sifting on it.
func wideLP(seed uint64, src, cust int) *Model {
	r := rand.New(rand.NewPCG(seed, 11))
	md := &Model{}
	for i := 0; i < src; i++ {
		for j := 0; j < cust; j++ {
			md.AddCol(fmt.Sprintf("x%d_%d", i, j), float64(10*i+1+r.IntN(1000)), 0, Inf, false)
		}
	}
	for j := 0; j < cust; j++ {
		ind := make([]int, src)
		val := make([]float64, src)
		for i := range ind {
			ind[i], val[i] = i*cust+j, 1
		}
		md.AddRow(fmt.Sprintf("d%d", j), 1, 1, ind, val)
	}
	for i := 0; i < src; i++ {
		var ind []int
		var val []float64
		for j := 0; j < cust; j++ {
			ind = append(ind, i*cust+j)
			val = append(val, float64(1+r.IntN(5)))
		}
		md.AddRow(fmt.Sprintf("c%d", i), math.Inf(-1), 1.5*float64(cust)/float64(src), ind, val)
	}
	return md
}

// TestSiftingSolve checks a wide LP solved through Solve (sifting on) with the optimality
// certificate (duals and reduced costs of every column, inactive ones included) and
// against the plain dual simplex.
func TestSiftingSolve(t *testing.T) {
	md := wideLP(1, 40, 150) // 6000 columns, 190 rows
	pr := newProblem(md, Settings{})
	if !useSifting(pr.n, len(pr.rows)) {
		t.Fatalf("sifting not used on a %dx%d LP", len(pr.rows), pr.n)
	}
	res, err := Solve(context.Background(), md, Settings{})
	if err != nil || res.Status != StatusOptimal {
		t.Fatalf("status %v err %v", res.Status, err)
	}
	checkLPOptimality(t, md, res)
	if res.Stats.SiftColumns == 0 {
		t.Fatalf("no column entered by pricing: sifting not exercised")
	}
	full := newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
	if st := full.solve(context.Background(), solveOpts{}); st != lpOptimal {
		t.Fatalf("full LP: %v", st)
	}
	if o := full.objective(); math.Abs(o-res.Objective) > 1e-7*(1+math.Abs(o)) {
		t.Fatalf("sifting optimum %v, full LP %v", res.Objective, o)
	}
}
