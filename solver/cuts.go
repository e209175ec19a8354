package solver

import (
	"math"
	"sort"
)

// Knapsack cover cuts at the root. A row sum_j a_j x_j <= b over binary columns (either
// side of any LP row of the model; negative coefficients complemented, x_j = 1 - z_j, which
// adds |a_j| to b) is a knapsack. A cover C is a set of items with sum_C a_j > b, so not
// all of them can be 1: sum_C z_j <= |C| - 1, still valid after extending C by every item
// at least as heavy as C's heaviest (extended cover). Separation is the usual greedy: take
// the items by increasing (1 - z*_j)/a_j until they cover, then drop items, most expensive
// first, while the rest still covers (a minimal cover). Violated cuts become ordinary LP
// rows; they are valid for every integer point of the model, so they stay for the whole
// search. A few rounds are run, each re-solving the root LP warm (dual simplex).

const (
	// coverRounds bounds the separation rounds at the root.
	coverRounds = 5
	// coverMaxPerRound bounds the cuts added in one round, most violated first.
	coverMaxPerRound = 200
	// coverViolTol is the violation a cut needs to be added (its coefficients are +-1).
	coverViolTol = 1e-4
	// coverStrictTol: a cover's weight must exceed the capacity by this much (relative to
	// 1 + |capacity|), so rounding can never make a non-cover look like one.
	coverStrictTol = 1e-9
	// coverMinGain: rounds stop when the root bound improves by less than this (relative to
	// 1 + |bound|).
	coverMinGain = 1e-6
)

// knapRow is one knapsack side: sum_k a[k] x[ind[k]] <= cap over binary columns.
type knapRow struct {
	ind []int
	a   []float64
	cap float64
}

// knapsackRows collects the knapsack sides of the model's LP rows (binary columns only).
func (b *mip) knapsackRows() []knapRow {
	pr := b.pr
	var out []knapRow
	for _, r := range pr.rows {
		if len(r.ind) < 2 {
			continue
		}
		ok := true
		for _, j := range r.ind {
			if !pr.isInt[j] || pr.lo[j] != 0 || pr.hi[j] != 1 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if !math.IsInf(r.hi, 1) {
			out = append(out, knapRow{ind: r.ind, a: r.val, cap: r.hi})
		}
		if !math.IsInf(r.lo, -1) {
			neg := make([]float64, len(r.val))
			for k, v := range r.val {
				neg[k] = -v
			}
			out = append(out, knapRow{ind: r.ind, a: neg, cap: -r.lo})
		}
	}
	return out
}

// separateCover returns an extended cover cut of kr violated by x (model units) and its
// violation, or ok = false.
func separateCover(kr knapRow, x []float64) (cut lpRow, viol float64, ok bool) {
	type item struct {
		k    int
		w, z float64
	}
	capC := kr.cap
	items := make([]item, 0, len(kr.ind))
	total := 0.0
	for k, j := range kr.ind {
		a := kr.a[k]
		if a == 0 {
			continue
		}
		z := math.Min(math.Max(x[j], 0), 1)
		if a < 0 {
			capC -= a
			z = 1 - z
		}
		w := math.Abs(a)
		items = append(items, item{k, w, z})
		total += w
	}
	need := capC + coverStrictTol*(1+math.Abs(capC)) // a cover's weight must exceed this
	if total <= need {
		return cut, 0, false
	}
	key := func(it item) float64 { return (1 - it.z) / it.w }
	sort.Slice(items, func(p, q int) bool {
		kp, kq := key(items[p]), key(items[q])
		if kp != kq {
			return kp < kq
		}
		return items[p].k < items[q].k
	})
	inC := make([]bool, len(items))
	sum, nc := 0.0, 0
	for t := range items {
		if sum > need {
			break
		}
		inC[t] = true
		sum += items[t].w
		nc++
	}
	if sum <= need {
		return cut, 0, false
	}
	// minimal cover: drop items, most expensive (largest (1-z)/w) first, while it still covers
	for t := len(items) - 1; t >= 0; t-- {
		if inC[t] && sum-items[t].w > need {
			inC[t] = false
			sum -= items[t].w
			nc--
		}
	}
	maxW := 0.0
	for t, it := range items {
		if inC[t] {
			maxW = math.Max(maxW, it.w)
		}
	}
	rhs := float64(nc - 1)
	lhs := 0.0
	var ind []int
	var val []float64
	for t, it := range items {
		if !inC[t] && it.w < maxW {
			continue
		}
		lhs += it.z
		j := kr.ind[it.k]
		if kr.a[it.k] > 0 {
			ind = append(ind, j)
			val = append(val, 1)
		} else { // z = 1 - x
			ind = append(ind, j)
			val = append(val, -1)
			rhs--
		}
	}
	viol = lhs - float64(nc-1)
	if viol <= coverViolTol {
		return cut, 0, false
	}
	// the cut lists its columns in increasing order
	order := make([]int, len(ind))
	for k := range order {
		order[k] = k
	}
	sort.Slice(order, func(p, q int) bool { return ind[order[p]] < ind[order[q]] })
	cut = lpRow{ind: make([]int, len(ind)), val: make([]float64, len(ind)), lo: math.Inf(-1), hi: rhs}
	for k, o := range order {
		cut.ind[k], cut.val[k] = ind[o], val[o]
	}
	return cut, viol, true
}

// coverCuts runs the separation rounds at the root, with the root LP solved and its
// solution in b.x. It returns the status of the last LP solve.
func (b *mip) coverCuts() lpStatus {
	if b.s.NoCuts || b.zeroObjective {
		return lpOptimal
	}
	rows := b.knapsackRows()
	if len(rows) == 0 {
		return lpOptimal
	}
	type cand struct {
		row  lpRow
		viol float64
	}
	for round := 0; round < coverRounds; round++ {
		if b.ctx.Err() != nil {
			break
		}
		var cs []cand
		for _, kr := range rows {
			if c, v, ok := separateCover(kr, b.x); ok {
				cs = append(cs, cand{c, v})
			}
		}
		if len(cs) == 0 {
			break
		}
		sort.SliceStable(cs, func(p, q int) bool { return cs[p].viol > cs[q].viol })
		if len(cs) > coverMaxPerRound {
			cs = cs[:coverMaxPerRound]
		}
		add := make([]lpRow, len(cs))
		for k, c := range cs {
			add[k] = c.row
			b.pr.rowOf = append(b.pr.rowOf, -1) // a cut is no model row
		}
		b.p.addRows(add)
		b.res.Stats.Cuts += len(add)
		prev := b.lpObj()
		if st := b.solveLP(math.Inf(1), 0); st != lpOptimal {
			return st
		}
		if b.lpObj()-prev < coverMinGain*(1+math.Abs(prev)) {
			break
		}
	}
	return lpOptimal
}
