package solver

import (
	"context"
	"math"
	"sort"
)

// Sifting (column generation over the LP's own columns).
//
// When an LP has many more columns than rows, most columns are nonbasic at their lower
// bound at the optimum and never needed. Sifting keeps a working set of "active" columns:
// the simplex (pivot row, ratio tests, pricing) only sees active columns; the others are
// nonbasic at a finite bound and are invisible until a pricing pass finds their reduced
// cost d_j = c_j - y^T a_j of the wrong sign, when they are activated and the LP is solved
// again warm (primal simplex first, the basis stays primal feasible). The optimum of the
// restricted LP is the optimum of the full LP exactly when no inactive column prices out.
//
// Verdicts of the restricted LP are checked before they are reported:
//   - optimal: one pricing pass over all inactive columns (O(nnz) of the matrix);
//   - cutoff (dual objective past the cutoff): the Lagrangian bound
//     objective + sum over inactive wrong-sign columns of d_j*(their bound range) is a valid
//     lower bound of the full LP; if it does not pass the cutoff, the wrong-sign columns
//     are activated and the solve continues;
//   - infeasible (dual ray rho): inactive columns that would be candidates of the ratio
//     test along the ray are activated; if there are none, the ray proves the full LP
//     infeasible as well.
//
// The initial working set: every column that is not at a finite lower bound with a
// nonnegative cost (negative costs, missing lower bounds), the columns the caller marks
// (integer columns), and for every row the siftPerRow columns with the smallest
// cost/|coefficient| ratio. Columns never leave the working set, so a branch-and-bound
// search keeps it across nodes. Nothing here depends on the problem's structure.

const (
	// siftMinCols is the number of structural columns from which sifting is used.
	siftMinCols = 5000
	// siftColRatio: sifting is used when columns exceed this multiple of the rows.
	siftColRatio = 4
	// siftPerRow is how many of each row's cheapest columns (smallest cost/|a_ij|) start in
	// the working set.
	siftPerRow = 6
	// siftMaxAddFactor bounds the columns activated by one pricing pass to this multiple of
	// the number of rows (at least siftMinAdd), most negative reduced costs first: enough to
	// converge in a few rounds, few enough to keep the restricted LP small.
	siftMaxAddFactor = 1
	// siftMinAdd is the least number of columns one pricing pass may activate.
	siftMinAdd = 500
	// siftCheckCols is how many columns a pricing pass handles between context checks.
	siftCheckCols = 1 << 14
)

// siftState is the sifting bookkeeping of an lp.
type siftState struct {
	inactive []bool // by structural column
	count    int    // number of inactive columns
	perRow   int
	maxAdd   int
	rounds   int   // pricing passes that activated columns
	added    int   // columns activated by pricing
	cand     []int // scratch
}

// useSifting reports whether an LP of this shape should be solved by sifting.
func useSifting(n, m int) bool {
	return n >= siftMinCols && n >= siftColRatio*m
}

// enableSifting restricts the LP to its initial working set; keep marks structural
// columns that must always be active (may be nil). perRow and maxAdd of 0 take the defaults.
// Must be called before the first solve.
func (p *lp) enableSifting(keep []bool, perRow, maxAdd int) {
	if perRow <= 0 {
		perRow = siftPerRow
	}
	if maxAdd <= 0 {
		maxAdd = max(siftMaxAddFactor*p.m, siftMinAdd)
	}
	s := &siftState{inactive: make([]bool, p.n), perRow: perRow, maxAdd: maxAdd}
	active := make([]bool, p.n)
	for j := 0; j < p.n; j++ {
		if (keep != nil && keep[j]) || p.stat[j] != stLower || p.cost[j] < 0 || p.cStart[j+1] == p.cStart[j] {
			active[j] = true
		}
	}
	// the perRow cheapest columns of each row, by cost / |a_ij| (scaled)
	type cc struct {
		j int
		r float64
	}
	var buf []cc
	for i := 0; i < p.m; i++ {
		buf = buf[:0]
		for k := p.rStart[i]; k < p.rStart[i+1]; k++ {
			j := p.rIdx[k]
			if a := math.Abs(p.rVal[k]); a > zeroTol {
				buf = append(buf, cc{j, p.cost[j] / a})
			}
		}
		if len(buf) > perRow {
			sort.Slice(buf, func(a, b int) bool {
				if buf[a].r != buf[b].r {
					return buf[a].r < buf[b].r
				}
				return buf[a].j < buf[b].j
			})
			buf = buf[:perRow]
		}
		for _, c := range buf {
			active[c.j] = true
		}
	}
	for j := 0; j < p.n; j++ {
		if !active[j] {
			s.inactive[j] = true
			s.count++
		}
	}
	if s.count == 0 {
		return
	}
	p.sift = s
	p.buildRowwise()
}

// isInactive reports whether structural or slack variable j is outside the working set.
func (p *lp) isInactive(j int) bool {
	return p.sift != nil && j < p.n && p.sift.inactive[j]
}

// activate moves the given inactive columns into the working set.
func (p *lp) activate(cols []int) {
	if len(cols) == 0 {
		return
	}
	for _, j := range cols {
		if p.sift.inactive[j] {
			p.sift.inactive[j] = false
			p.sift.count--
		}
	}
	p.sift.added += len(cols)
	p.buildRowwise()
}

// priceInactive computes the reduced costs of the inactive columns from the duals y
// (indexed by row), stores them in p.d and returns the wrong-sign ones (most violated
// first, at most limit of them; all when limit <= 0) together with the Lagrangian
// correction sum d_j*(range) over all wrong-sign columns (-Inf when a range is infinite).
// ok is false when the context was cancelled.
func (p *lp) priceInactive(ctx context.Context, y []float64, limit int) (cols []int, corr float64, ok bool) {
	s := p.sift
	cand := s.cand[:0]
	for j := 0; j < p.n; j++ {
		if j%siftCheckCols == siftCheckCols-1 && ctxDone(ctx) {
			return nil, 0, false
		}
		if !s.inactive[j] {
			continue
		}
		v := p.cost[j]
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			v -= y[p.cIdx[k]] * p.cVal[k]
		}
		p.d[j] = v
		switch p.stat[j] {
		case stLower:
			if v < -dualFeasTol {
				cand = append(cand, j)
				corr += v * (p.hi[j] - p.lo[j])
			}
		case stUpper:
			if v > dualFeasTol {
				cand = append(cand, j)
				corr -= v * (p.hi[j] - p.lo[j])
			}
		case stFree:
			if math.Abs(v) > dualFeasTol {
				cand = append(cand, j)
				corr = math.Inf(-1)
			}
		}
	}
	s.cand = cand
	if math.IsNaN(corr) {
		corr = math.Inf(-1)
	}
	if limit > 0 && len(cand) > limit {
		sort.Slice(cand, func(a, b int) bool {
			va, vb := math.Abs(p.d[cand[a]]), math.Abs(p.d[cand[b]])
			if va != vb {
				return va > vb
			}
			return cand[a] < cand[b]
		})
		cand = cand[:limit]
		sort.Ints(cand)
	}
	return cand, corr, true
}

// rayCandidates returns the inactive columns that would be candidates of the dual ratio
// test along the ray rho (indexed by row; toUpper as in the dual simplex).
func (p *lp) rayCandidates(ctx context.Context, rho []float64, toUpper bool) ([]int, bool) {
	s := p.sift
	sgn := -1.0
	if toUpper {
		sgn = 1
	}
	cand := s.cand[:0]
	for j := 0; j < p.n; j++ {
		if j%siftCheckCols == siftCheckCols-1 && ctxDone(ctx) {
			return nil, false
		}
		if !s.inactive[j] {
			continue
		}
		a := 0.0
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			a += rho[p.cIdx[k]] * p.cVal[k]
		}
		a *= sgn
		switch p.stat[j] {
		case stLower:
			if a > pivotTol {
				cand = append(cand, j)
			}
		case stUpper:
			if a < -pivotTol {
				cand = append(cand, j)
			}
		case stFree:
			if math.Abs(a) > pivotTol {
				cand = append(cand, j)
			}
		}
	}
	s.cand = cand
	return cand, true
}

// solve solves the LP; with sifting enabled it alternates restricted solves and pricing
// passes until the restricted verdict holds for the full LP (see the comment at the top).
func (p *lp) solve(ctx context.Context, o solveOpts) lpStatus {
	if p.sift == nil || p.sift.count == 0 {
		return p.solveCore(ctx, o)
	}
	start := p.iters
	left := func() int64 {
		if o.iterLimit <= 0 {
			return 0
		}
		l := o.iterLimit - (p.iters - start)
		if l <= 0 {
			return -1
		}
		return l
	}
	for {
		if p.sift.count == 0 {
			return p.solveCore(ctx, solveOpts{cutoff: o.cutoff, iterLimit: max(left(), 0)})
		}
		if left() < 0 {
			return lpIterLimit
		}
		st := p.solveCore(ctx, solveOpts{cutoff: o.cutoff, iterLimit: max(left(), 0)})
		switch st {
		case lpOptimal, lpCutoff:
			if p.needFactor {
				p.factorize()
				p.computePrimal()
			}
			p.computeDual()
			cols, corr, ok := p.priceInactive(ctx, p.rho, p.sift.maxAdd)
			if !ok {
				return lpCancelled
			}
			if len(cols) == 0 {
				return st
			}
			if st == lpCutoff && p.objective()+corr > o.cutoff {
				return lpCutoff // the Lagrangian bound of the full LP passes the cutoff
			}
			p.sift.rounds++
			p.activate(cols)
			if st == lpOptimal && p.maxPrimalInfeas() <= primalFeasTol {
				// warm primal simplex on the enlarged LP; solveCore then confirms
				l := left()
				if l == 0 {
					l = math.MaxInt64
				}
				switch pst := p.primal(ctx, l); pst {
				case lpCancelled, lpIterLimit:
					return pst
				case lpUnbounded:
					if p.verifyPrimalRay() != nil {
						return pst // inactive columns sit at bounds: a ray of the full LP
					}
					// not a ray: solveCore starts over from a fresh factorization
					p.needFactor = true
				case lpNumerical:
					p.needFactor = true
				}
			}
		case lpInfeasible:
			if !p.rayValid {
				return st
			}
			cols, ok := p.rayCandidates(ctx, p.ray, p.rayUp)
			if !ok {
				return lpCancelled
			}
			if len(cols) == 0 {
				return lpInfeasible
			}
			p.sift.rounds++
			p.activate(cols)
			p.resetNonbasic()
		default:
			return st
		}
	}
}

// resetNonbasic puts nonbasic variables left strictly inside their bounds (by artificial
// boxes that were removed after an infeasible solve) back on their initial bound, and
// recomputes the basic values.
func (p *lp) resetNonbasic() {
	for j, s := range p.stat {
		if s != stFree {
			continue
		}
		if !math.IsInf(p.lo[j], -1) || !math.IsInf(p.hi[j], 1) || p.x[j] != 0 {
			p.x[j] = p.initialValue(j)
			p.setNonbasicStat(j)
		}
	}
	p.needFactor = true
}
