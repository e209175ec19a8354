package solver

import (
	"errors"
	"math"
)

// LU factorization of the simplex basis.
//
// The basis B has m columns (one per basis position). The factorization eliminates B by
// Markowitz pivoting with threshold partial pivoting into L^{-1} B = U', where L^{-1} is a
// product of column etas and U' is upper triangular after permuting rows and columns by
// the pivot sequence (pivRow[k], pivCol[k]). Singleton columns and rows (slack columns,
// triangular parts) are taken first without any search, which is most of a typical basis.
// Basis changes are absorbed in a product-form eta file (PFI) until the next refactorization.

const (
	// luThreshold is the threshold of partial pivoting: a pivot must be at least this
	// fraction of the largest magnitude in its column of the active submatrix. 0.01 trades a
	// little stability for much less fill, the usual choice in sparse simplex codes.
	luThreshold = 0.01
	// luSingularTol is the smallest pivot magnitude accepted; a column whose active part is
	// all below it is declared singular (its basic variable is replaced by a slack).
	luSingularTol = 1e-11
	// luDropTol drops tiny values created by cancellation in eta vectors and fill-in.
	luDropTol = 1e-14
	// luSearchCols is how many of the sparsest columns the Markowitz search examines.
	luSearchCols = 4
)

var errSingular = errors.New("solver: singular basis")

type luEntry struct {
	idx int
	val float64
}

type luFactor struct {
	m int
	// pivot sequence
	pivRow, pivCol []int
	pivVal         []float64
	// L etas in elimination order: for eta k, x[lRow[k]] is the pivot; x[i] -= v*x[p].
	lPiv   []int
	lStart []int
	lEnt   []luEntry
	// U' off-diagonal entries, by pivot k: row-wise (entries are basis positions of later
	// pivots) and column-wise (entries are rows of earlier pivots), indexed by basis position.
	uRowStart []int
	uRowEnt   []luEntry
	uColStart []int // indexed by basis position q
	uColEnt   []luEntry
	kOfPos    []int // pivot index of basis position q
	// PFI etas: position, pivot value, other entries (position, value).
	etaPos   []int
	etaPiv   []float64
	etaStart []int
	etaEnt   []luEntry

	work []float64
	// ops counts the elementary operations of the last factorization (entries scanned and
	// updated), the estimate of its cost the refactorization rule compares the eta file with.
	ops int64
	// singular holds, after a failed factorization, the basis positions left unpivoted and
	// the rows left unpivoted (same length): the caller puts those rows' slacks in those positions.
	singularPos, singularRow []int

	// factorization scratch
	rows     [][]luEntry
	colRows  [][]int
	colCount []int
	// columns of the active submatrix in buckets by count (doubly linked), so the Markowitz
	// search finds the sparsest columns without scanning all of them
	bHead, bNext, bPrev, bOf []int
	rowDone                  []bool
	colDone                  []bool
	colMark                  []int
}

func (f *luFactor) numEtas() int { return len(f.etaPos) }

// factor computes the factorization of the m x m matrix whose column q has row indices
// colIdx[q] and values colVal[q].
func (f *luFactor) factor(m int, colIdx [][]int, colVal [][]float64) error {
	f.m = m
	f.pivRow, f.pivCol, f.pivVal = f.pivRow[:0], f.pivCol[:0], f.pivVal[:0]
	f.lPiv, f.lStart, f.lEnt = f.lPiv[:0], append(f.lStart[:0], 0), f.lEnt[:0]
	f.etaPos, f.etaPiv, f.etaStart, f.etaEnt = f.etaPos[:0], f.etaPiv[:0], append(f.etaStart[:0], 0), f.etaEnt[:0]
	f.singularPos, f.singularRow = f.singularPos[:0], f.singularRow[:0]
	if cap(f.work) < m {
		f.work = make([]float64, m)
	}
	f.work = f.work[:m]
	if len(f.rows) < m {
		f.rows = make([][]luEntry, m)
		f.colRows = make([][]int, m)
	}
	f.ops = int64(4 * m)
	f.colCount = resizeInts(f.colCount, m)
	f.colMark = resizeInts(f.colMark, m)
	f.rowDone = resizeBools(f.rowDone, m)
	f.colDone = resizeBools(f.colDone, m)
	for i := 0; i < m; i++ {
		f.rows[i] = f.rows[i][:0]
		f.colRows[i] = f.colRows[i][:0]
		f.rowDone[i], f.colDone[i] = false, false
		f.colMark[i] = -1
	}
	for q := 0; q < m; q++ {
		for k, i := range colIdx[q] {
			v := colVal[q][k]
			if v == 0 {
				continue
			}
			f.rows[i] = append(f.rows[i], luEntry{q, v})
			f.colRows[q] = append(f.colRows[q], i)
		}
		f.colCount[q] = len(f.colRows[q])
	}
	// U rows are collected per pivot in elimination order.
	uRows := make([][]luEntry, 0, m)
	colQ := make([]int, 0, m)
	rowQ := make([]int, 0, m)
	f.bHead = resizeInts(f.bHead, m+1)
	f.bNext = resizeInts(f.bNext, m)
	f.bPrev = resizeInts(f.bPrev, m)
	f.bOf = resizeInts(f.bOf, m)
	for c := range f.bHead {
		f.bHead[c] = -1
	}
	for q := m - 1; q >= 0; q-- {
		f.link(q)
	}
	for q := 0; q < m; q++ {
		if f.colCount[q] == 1 {
			colQ = append(colQ, q)
		}
	}
	for i := 0; i < m; i++ {
		if len(f.rows[i]) == 1 {
			rowQ = append(rowQ, i)
		}
	}
	for k := 0; k < m; k++ {
		p, q := -1, -1
		// column singletons
		for len(colQ) > 0 && p < 0 {
			c := colQ[len(colQ)-1]
			colQ = colQ[:len(colQ)-1]
			if f.colDone[c] || f.colCount[c] != 1 {
				continue
			}
			for _, i := range f.colRows[c] {
				if !f.rowDone[i] {
					if math.Abs(rowValue(f.rows[i], c)) > luSingularTol {
						p, q = i, c
					}
					break
				}
			}
		}
		// row singletons
		for p < 0 && len(rowQ) > 0 {
			r := rowQ[len(rowQ)-1]
			rowQ = rowQ[:len(rowQ)-1]
			if f.rowDone[r] || len(f.rows[r]) != 1 {
				continue
			}
			if math.Abs(f.rows[r][0].val) > luSingularTol {
				p, q = r, f.rows[r][0].idx
			}
		}
		if p < 0 {
			// Markowitz search among the sparsest active columns (count buckets from 1).
			var cand [luSearchCols]int
			nc := 0
			for cnt := 1; cnt <= m && nc < luSearchCols; cnt++ {
				for c := f.bHead[cnt]; c >= 0 && nc < luSearchCols; c = f.bNext[c] {
					cand[nc] = c
					nc++
				}
				f.ops++
			}
			best := math.MaxInt
			bestAbs := 0.0
			for t := 0; t < nc; t++ {
				c := cand[t]
				maxAbs := 0.0
				for _, i := range f.colRows[c] {
					f.ops += int64(len(f.rows[i]))
					if !f.rowDone[i] {
						if a := math.Abs(rowValue(f.rows[i], c)); a > maxAbs {
							maxAbs = a
						}
					}
				}
				if maxAbs <= luSingularTol {
					continue
				}
				for _, i := range f.colRows[c] {
					if f.rowDone[i] {
						continue
					}
					a := math.Abs(rowValue(f.rows[i], c))
					if a < luThreshold*maxAbs || a <= luSingularTol {
						continue
					}
					cost := (len(f.rows[i]) - 1) * (f.colCount[c] - 1)
					if cost < best || (cost == best && a > bestAbs) {
						best, bestAbs, p, q = cost, a, i, c
					}
				}
			}
			if p < 0 {
				// Try every remaining column before declaring singularity.
				for c := 0; c < m; c++ {
					if f.colDone[c] {
						continue
					}
					for _, i := range f.colRows[c] {
						if f.rowDone[i] {
							continue
						}
						if a := math.Abs(rowValue(f.rows[i], c)); a > luSingularTol && a > bestAbs {
							bestAbs, p, q = a, i, c
						}
					}
				}
			}
			if p < 0 {
				break // singular
			}
		}
		// Eliminate with pivot (p, q).
		piv := rowValue(f.rows[p], q)
		f.pivRow = append(f.pivRow, p)
		f.pivCol = append(f.pivCol, q)
		f.pivVal = append(f.pivVal, piv)
		f.rowDone[p], f.colDone[q] = true, true
		prow := f.rows[p]
		// Column q leaves the active matrix: remove it from the other rows, forming the L eta.
		lStart := len(f.lEnt)
		for _, i := range f.colRows[q] {
			if f.rowDone[i] {
				continue
			}
			ri := f.rows[i]
			f.ops += int64(len(ri))
			for t := range ri {
				if ri[t].idx == q {
					l := ri[t].val / piv
					ri[t] = ri[len(ri)-1]
					ri = ri[:len(ri)-1]
					f.rows[i] = ri
					if math.Abs(l) > luDropTol {
						f.lEnt = append(f.lEnt, luEntry{i, l})
					}
					break
				}
			}
		}
		// Row p leaves: its other entries form U row k; update column counts.
		urow := make([]luEntry, 0, len(prow)-1)
		for _, e := range prow {
			if e.idx == q {
				continue
			}
			urow = append(urow, e)
			f.unlink(e.idx)
			f.colCount[e.idx]--
			f.link(e.idx)
		}
		uRows = append(uRows, urow)
		f.unlink(q)
		f.colCount[q] = 0
		if len(f.lEnt) > lStart {
			f.lPiv = append(f.lPiv, p)
			f.lStart = append(f.lStart, len(f.lEnt))
			// rank-one update of the rows in L: row i -= l_i * row p
			for t := lStart; t < len(f.lEnt); t++ {
				i, l := f.lEnt[t].idx, f.lEnt[t].val
				ri := f.rows[i]
				f.ops += int64(2*len(ri) + len(urow))
				for s, e := range ri {
					f.colMark[e.idx] = s
				}
				for _, e := range urow {
					if s := f.colMark[e.idx]; s >= 0 {
						ri[s].val -= l * e.val
					} else {
						ri = append(ri, luEntry{e.idx, -l * e.val})
						f.colRows[e.idx] = append(f.colRows[e.idx], i)
						f.unlink(e.idx)
						f.colCount[e.idx]++
						f.link(e.idx)
					}
				}
				for _, e := range ri {
					f.colMark[e.idx] = -1
				}
				f.rows[i] = ri
				if len(ri) == 1 {
					rowQ = append(rowQ, i)
				}
			}
		}
		for _, e := range urow {
			if f.colCount[e.idx] == 1 {
				colQ = append(colQ, e.idx)
			}
		}
	}
	if len(f.pivRow) < m {
		for q := 0; q < m; q++ {
			if !f.colDone[q] {
				f.singularPos = append(f.singularPos, q)
			}
		}
		for i := 0; i < m; i++ {
			if !f.rowDone[i] {
				f.singularRow = append(f.singularRow, i)
			}
		}
		return errSingular
	}
	// Store U' row-wise by pivot order and column-wise by basis position.
	f.kOfPos = resizeInts(f.kOfPos, m)
	for k, q := range f.pivCol {
		f.kOfPos[q] = k
	}
	f.uRowStart = append(f.uRowStart[:0], 0)
	f.uRowEnt = f.uRowEnt[:0]
	cnt := resizeInts(f.uColStart, m+1)
	clear(cnt)
	for _, ur := range uRows {
		for _, e := range ur {
			if math.Abs(e.val) > luDropTol {
				f.uRowEnt = append(f.uRowEnt, e)
				cnt[e.idx+1]++
			}
		}
		f.uRowStart = append(f.uRowStart, len(f.uRowEnt))
	}
	for q := 0; q < m; q++ {
		cnt[q+1] += cnt[q]
	}
	f.uColStart = cnt
	if cap(f.uColEnt) < len(f.uRowEnt) {
		f.uColEnt = make([]luEntry, len(f.uRowEnt))
	}
	f.uColEnt = f.uColEnt[:len(f.uRowEnt)]
	fill := resizeInts(nil, m)
	for k := range uRows {
		p := f.pivRow[k]
		for t := f.uRowStart[k]; t < f.uRowStart[k+1]; t++ {
			e := f.uRowEnt[t]
			f.uColEnt[f.uColStart[e.idx]+fill[e.idx]] = luEntry{p, e.val}
			fill[e.idx]++
		}
	}
	return nil
}

// link puts active column c in the bucket of its count; unlink takes it out.
func (f *luFactor) link(c int) {
	b := min(f.colCount[c], f.m)
	f.bOf[c] = b
	f.bPrev[c] = -1
	f.bNext[c] = f.bHead[b]
	if h := f.bHead[b]; h >= 0 {
		f.bPrev[h] = c
	}
	f.bHead[b] = c
}

func (f *luFactor) unlink(c int) {
	b := f.bOf[c]
	if b < 0 {
		return
	}
	if p := f.bPrev[c]; p >= 0 {
		f.bNext[p] = f.bNext[c]
	} else {
		f.bHead[b] = f.bNext[c]
	}
	if n := f.bNext[c]; n >= 0 {
		f.bPrev[n] = f.bPrev[c]
	}
	f.bOf[c] = -1
}

func rowValue(r []luEntry, c int) float64 {
	for _, e := range r {
		if e.idx == c {
			return e.val
		}
	}
	return 0
}

func resizeInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func resizeBools(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

// ftran solves B x = a. a is indexed by row and is overwritten (used as work space); the
// result x is indexed by basis position.
func (f *luFactor) ftran(a, x []float64) {
	for k, p := range f.lPiv {
		v := a[p]
		if v == 0 {
			continue
		}
		for _, e := range f.lEnt[f.lStart[k]:f.lStart[k+1]] {
			a[e.idx] -= e.val * v
		}
	}
	for k := f.m - 1; k >= 0; k-- {
		p, q := f.pivRow[k], f.pivCol[k]
		v := a[p]
		if v == 0 {
			x[q] = 0
			continue
		}
		v /= f.pivVal[k]
		x[q] = v
		for _, e := range f.uColEnt[f.uColStart[q]:f.uColStart[q+1]] {
			a[e.idx] -= e.val * v
		}
	}
	for t, r := range f.etaPos {
		v := x[r]
		if v == 0 {
			continue
		}
		v /= f.etaPiv[t]
		x[r] = v
		for _, e := range f.etaEnt[f.etaStart[t]:f.etaStart[t+1]] {
			x[e.idx] -= e.val * v
		}
	}
}

// btran solves B^T y = c. c is indexed by basis position and is overwritten; y is indexed by row.
func (f *luFactor) btran(c, y []float64) {
	for t := len(f.etaPos) - 1; t >= 0; t-- {
		r := f.etaPos[t]
		v := c[r]
		for _, e := range f.etaEnt[f.etaStart[t]:f.etaStart[t+1]] {
			v -= e.val * c[e.idx]
		}
		c[r] = v / f.etaPiv[t]
	}
	for k := 0; k < f.m; k++ {
		p, q := f.pivRow[k], f.pivCol[k]
		v := c[q]
		if v == 0 {
			y[p] = 0
			continue
		}
		v /= f.pivVal[k]
		y[p] = v
		for _, e := range f.uRowEnt[f.uRowStart[k]:f.uRowStart[k+1]] {
			c[e.idx] -= e.val * v
		}
	}
	for k := len(f.lPiv) - 1; k >= 0; k-- {
		p := f.lPiv[k]
		v := y[p]
		for _, e := range f.lEnt[f.lStart[k]:f.lStart[k+1]] {
			v -= e.val * y[e.idx]
		}
		y[p] = v
	}
}

// update records the replacement of the column at basis position r by a column whose FTRAN
// (with the current factorization) is alpha (indexed by basis position).
func (f *luFactor) update(r int, alpha []float64) {
	f.etaPos = append(f.etaPos, r)
	f.etaPiv = append(f.etaPiv, alpha[r])
	for i, v := range alpha {
		if i != r && math.Abs(v) > luDropTol {
			f.etaEnt = append(f.etaEnt, luEntry{i, v})
		}
	}
	f.etaStart = append(f.etaStart, len(f.etaEnt))
}

// truncateEtas drops the etas recorded after the first n (undoing basis changes).
func (f *luFactor) truncateEtas(n int) {
	f.etaPos = f.etaPos[:n]
	f.etaPiv = f.etaPiv[:n]
	f.etaStart = f.etaStart[:n+1]
	f.etaEnt = f.etaEnt[:f.etaStart[n]]
}
