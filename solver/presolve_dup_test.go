package solver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withDuplicates returns a copy of md with scaled copies (positive and negative scales,
// permuted coefficient order, perturbed limits) of some of its rows appended, and the number
// of copies whose source row has at least minLive columns that are not fixed.
func withDuplicates(md *Model, seed uint64, minLive int) (*Model, int) {
	r := rand.New(rand.NewPCG(seed, 99))
	out := *md
	out.Rows = append([]Row(nil), md.Rows...)
	scales := []float64{2, -1, -3, 0.5, -0.25, 1}
	injected := 0
	for i, row := range md.Rows {
		if len(row.Ind) == 0 || r.IntN(2) == 0 {
			continue
		}
		s := scales[r.IntN(len(scales))]
		lo, hi := row.Lo, row.Hi
		switch r.IntN(4) {
		case 0: // tighter lower limit
			if !math.IsInf(lo, -1) {
				lo++
			} else {
				lo = -5
			}
		case 1: // tighter upper limit
			if !math.IsInf(hi, 1) {
				hi--
			} else {
				hi = 5
			}
		case 2: // looser
			lo, hi = lo-1, hi+1
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		nl, nh := s*lo, s*hi
		if s < 0 {
			nl, nh = nh, nl
		}
		perm := r.Perm(len(row.Ind))
		ind := make([]int, len(perm))
		val := make([]float64, len(perm))
		for k, q := range perm {
			ind[k], val[k] = row.Ind[q], s*row.Val[q]
		}
		out.Rows = append(out.Rows, Row{Name: fmt.Sprintf("dup%d", i), Lo: nl, Hi: nh, Ind: ind, Val: val})
		live := 0
		for _, j := range row.Ind {
			if md.Cols[j].Lo != md.Cols[j].Hi {
				live++
			}
		}
		if live >= minLive {
			injected++
		}
	}
	return &out, injected
}

// TestDuplicateRowsLP: random LPs with injected duplicate rows give the same status and
// optimum with and without presolve, and the postsolved duals prove optimality for the
// model with the duplicates (checkLPOptimality: complementary slackness, strong duality).
func TestDuplicateRowsLP(t *testing.T) {
	totalDup := 0
	for s := uint64(1); s <= 300; s++ {
		base := randomLP(s+5000, 2+int(s%7), 1+int(s%5), false)
		md, injected := withDuplicates(base, s, 1)
		t.Run(fmt.Sprintf("seed%d", s), func(t *testing.T) {
			ref, errRef := Solve(context.Background(), md, Settings{NoPresolve: true})
			res, err := Solve(context.Background(), md, Settings{})
			if (errRef == nil) != (err == nil) && !errors.Is(err, ErrInfeasible) {
				t.Fatalf("errors differ: %v vs %v", err, errRef)
			}
			if res.Status != ref.Status {
				t.Fatalf("status %s, without presolve %s", res.Status, ref.Status)
			}
			if res.Status != StatusOptimal {
				return
			}
			if math.Abs(res.Objective-ref.Objective) > 1e-6*(1+math.Abs(ref.Objective)) {
				t.Fatalf("objective %v, without presolve %v", res.Objective, ref.Objective)
			}
			checkLPOptimality(t, md, res)
			if res.Stats.PresolveDuplicateRows < injected {
				t.Fatalf("%d duplicate rows removed, %d injected", res.Stats.PresolveDuplicateRows, injected)
			}
			if res.Stats.PresolveRemovedRows < res.Stats.PresolveDuplicateRows {
				t.Fatalf("removed rows %d < duplicates %d", res.Stats.PresolveRemovedRows, res.Stats.PresolveDuplicateRows)
			}
			totalDup += res.Stats.PresolveDuplicateRows
		})
	}
	if totalDup == 0 {
		t.Fatal("no duplicate row was ever removed")
	}
}

// TestDuplicateRowsMIP: the same with random MIPs (singleton rows are removed as bounds
// before duplicates are looked for, so only copies of rows with two live columns count).
func TestDuplicateRowsMIP(t *testing.T) {
	totalDup := 0
	for s := uint64(1); s <= 200; s++ {
		base := randomLP(s+7000, 2+int(s%6), 1+int(s%4), true)
		md, injected := withDuplicates(base, s, 2)
		t.Run(fmt.Sprintf("seed%d", s), func(t *testing.T) {
			ref, _ := Solve(context.Background(), md, Settings{NoPresolve: true, RelGap: 1e-9})
			res, err := Solve(context.Background(), md, Settings{RelGap: 1e-9})
			if res.Status != ref.Status {
				t.Fatalf("status %s (%v), without presolve %s", res.Status, err, ref.Status)
			}
			if res.Status != StatusOptimal {
				return
			}
			if math.Abs(res.Objective-ref.Objective) > 1e-6*(1+math.Abs(ref.Objective)) {
				t.Fatalf("objective %v, without presolve %v", res.Objective, ref.Objective)
			}
			if res.Stats.PresolveDuplicateRows < injected {
				t.Fatalf("%d duplicate rows removed, %d injected", res.Stats.PresolveDuplicateRows, injected)
			}
			totalDup += res.Stats.PresolveDuplicateRows
		})
	}
	if totalDup == 0 {
		t.Fatal("no duplicate row was ever removed")
	}
}

// TestDuplicateRowDual: the duplicate with a negative scale supplies the binding limit,
// so it takes the whole dual and the kept row gets 0.
func TestDuplicateRowDual(t *testing.T) {
	// min x + y  s.t.  x + y >= 1 (r0),  -2x - 2y <= -4 (r1: x + y >= 2), x, y >= 0
	md := &Model{}
	x := md.AddCol("x", 1, 0, Inf, false)
	y := md.AddCol("y", 1, 0, Inf, false)
	md.AddRow("r0", 1, Inf, []int{x, y}, []float64{1, 1})
	md.AddRow("r1", math.Inf(-1), -4, []int{y, x}, []float64{-2, -2})
	res, err := Solve(context.Background(), md, Settings{})
	if err != nil || res.Status != StatusOptimal || math.Abs(res.Objective-2) > 1e-9 {
		t.Fatalf("got %v %v %v, want optimal 2", res.Status, res.Objective, err)
	}
	if res.Stats.PresolveDuplicateRows != 1 {
		t.Fatalf("duplicates removed %d, want 1", res.Stats.PresolveDuplicateRows)
	}
	if math.Abs(res.Duals[0]) > 1e-9 || math.Abs(res.Duals[1]+0.5) > 1e-9 {
		t.Fatalf("duals %v, want [0 -0.5]", res.Duals)
	}
	checkLPOptimality(t, md, res)
}
