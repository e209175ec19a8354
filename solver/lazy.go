package solver

import (
	"math"
	"sort"
)

// The row pool: rows kept out of the LP until an LP solution violates them. It holds the
// rows the model marks Lazy and, on models with many of them, rows of variable-bound shape
// a*x - b*y <= 0 (x continuous, y integer; the x_ij <= y_i linking rows of facility
// location): most of those are slack at the optimum, and leaving them out makes the LP
// several times smaller.

const (
	// vubPoolMinRows is the number of variable-bound rows from which they are pooled.
	vubPoolMinRows = 1000
	// poolViolTol is the violation (in units of the row scaled to a largest coefficient of
	// 1) above which a pooled row enters the LP.
	poolViolTol = 1e-6
	// maxPoolAddLP bounds the rows added in one separation round, most violated first, so
	// that the LP does not fill up with rows a later round would not need.
	maxPoolAddLP = 2000
)

type poolRow struct {
	row   lpRow
	model int
	lazy  bool
	inLP  bool
	norm  float64 // largest |coefficient|
}

type rowPool struct {
	rows []poolRow
	viol []float64
	idx  []int
}

func newPool(pr *problem) *rowPool {
	rp := &rowPool{rows: pr.pool}
	for k := range rp.rows {
		nm := 0.0
		for _, v := range rp.rows[k].row.val {
			nm = math.Max(nm, math.Abs(v))
		}
		rp.rows[k].norm = math.Max(nm, 1e-300)
	}
	return rp
}

// separate returns the indices of at most max pooled rows violated by x, most violated first.
func (rp *rowPool) separate(x []float64, max int) []int {
	rp.idx = rp.idx[:0]
	if len(rp.viol) < len(rp.rows) {
		rp.viol = make([]float64, len(rp.rows))
	}
	for k := range rp.rows {
		r := &rp.rows[k]
		if r.inLP {
			continue
		}
		act := 0.0
		for t, j := range r.row.ind {
			act += r.row.val[t] * x[j]
		}
		v := math.Max(r.row.lo-act, act-r.row.hi) / r.norm
		if v > poolViolTol {
			rp.viol[k] = v
			rp.idx = append(rp.idx, k)
		}
	}
	if len(rp.idx) > max {
		sort.Slice(rp.idx, func(a, b int) bool {
			va, vb := rp.viol[rp.idx[a]], rp.viol[rp.idx[b]]
			if va != vb {
				return va > vb
			}
			return rp.idx[a] < rp.idx[b]
		})
		rp.idx = rp.idx[:max]
		sort.Ints(rp.idx)
	}
	return rp.idx
}

// rayViolations returns the indices of at most max pooled rows (not in the LP) whose
// limits the ray dx (model units, largest component 1) violates: an unbounded ray of the
// LP is a ray of the model only if it keeps the pooled rows too.
func (rp *rowPool) rayViolations(dx []float64, max int) []int {
	rp.idx = rp.idx[:0]
	for k := range rp.rows {
		if r := &rp.rows[k]; !r.inLP && !rayKeepsRow(&r.row, dx) {
			rp.idx = append(rp.idx, k)
			if len(rp.idx) >= max {
				break
			}
		}
	}
	return rp.idx
}

// addTo moves pooled rows into the LP.
func (rp *rowPool) addTo(p *lp, pr *problem, idx []int) {
	rows := make([]lpRow, 0, len(idx))
	for _, k := range idx {
		rp.rows[k].inLP = true
		rows = append(rows, rp.rows[k].row)
		pr.rowOf = append(pr.rowOf, rp.rows[k].model)
	}
	p.addRows(rows)
}

// isVUB reports whether r has the shape a*x - b*y <= 0 with a, b > 0, x continuous and y integer.
func isVUB(r Row, isInt []bool) bool {
	if len(r.Ind) != 2 || !math.IsInf(r.Lo, -1) || r.Hi != 0 {
		return false
	}
	x, y := 0, 1
	if r.Val[0] < 0 {
		x, y = 1, 0
	}
	return r.Val[x] > 0 && r.Val[y] < 0 && !isInt[r.Ind[x]] && isInt[r.Ind[y]]
}

func countVUB(m *Model, isInt []bool) int {
	c := 0
	for _, r := range m.Rows {
		if isVUB(r, isInt) {
			c++
		}
	}
	return c
}
