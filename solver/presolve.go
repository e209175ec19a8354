package solver

import (
	"math"
)

// Presolve: a few cheap reductions applied before the search, each undone by postsolve.
//
//   - empty rows are checked and dropped;
//   - on MIPs, singleton rows (one column, not lazy) become bounds on their column;
//   - fixed columns (lo == hi) are substituted out into the row limits and the objective offset;
//   - on MIPs, bounds of integer columns are tightened from the rows' activity ranges;
//   - duplicate rows (parallel live coefficients) are merged into one (presolve_dup.go).
//
// Singleton columns are not substituted out (free column singletons in equality rows would
// need a postsolve stack for their values and the row duals).
//
// Postsolve restores the removed columns' values, and for LPs the duals: a singleton row's
// dual is the reduced cost of its column when the row supplies the active bound, and the
// removed columns' reduced costs are recomputed from the duals.

const (
	// presolvePasses bounds the rounds of reductions (each may enable more).
	presolvePasses = 8
	// presolveBoundTol is the margin below which a tightened bound is not worth recording.
	presolveBoundTol = 1e-9
	// presolveMaxCoefRatio: activity-based tightening is skipped on rows whose coefficients
	// span more than this ratio, where it would produce numerically weak bounds.
	presolveMaxCoefRatio = 1e8
)

type presolved struct {
	orig    *Model
	red     *Model
	colMap  []int     // original column -> reduced column, -1 when removed
	fixed   []float64 // value of removed columns
	rowMap  []int     // original row -> reduced row, -1 when removed
	loRow   []int     // original column -> singleton row that set its lower bound (-1: none)
	hiRow   []int
	removed [2]int // rows, columns
	dup     *dupState
}

// presolve reduces m. infeasible is non-empty when a reduction proves infeasibility.
func presolve(m *Model) (ps *presolved, infeasible string) {
	n, nr := len(m.Cols), len(m.Rows)
	lo := make([]float64, n)
	hi := make([]float64, n)
	isInt := make([]bool, n)
	for j, c := range m.Cols {
		lo[j], hi[j], isInt[j] = c.Lo, c.Hi, c.Integer
		if c.Integer {
			lo[j] = math.Ceil(c.Lo - intTol)
			hi[j] = math.Floor(c.Hi + intTol)
		}
	}
	mip := m.IsMIP()
	rowLo := make([]float64, nr)
	rowHi := make([]float64, nr)
	rowAlive := make([]bool, nr)
	colAlive := make([]bool, n)
	for j := range colAlive {
		colAlive[j] = true
	}
	loRow := make([]int, n)
	hiRow := make([]int, n)
	for j := range loRow {
		loRow[j], hiRow[j] = -1, -1
	}
	// column -> rows index, for substitution
	colRows := make([][]int, n)
	for i, r := range m.Rows {
		rowLo[i], rowHi[i] = r.Lo, r.Hi
		rowAlive[i] = true
		for _, j := range r.Ind {
			colRows[j] = append(colRows[j], i)
		}
	}
	live := func(i int) (cnt, last int) {
		last = -1
		for k, j := range m.Rows[i].Ind {
			if colAlive[j] && m.Rows[i].Val[k] != 0 {
				cnt++
				last = k
			}
		}
		return
	}
	ps = &presolved{orig: m, loRow: loRow, hiRow: hiRow, dup: newDupState(nr)}
	for pass := 0; pass < presolvePasses; pass++ {
		changed := false
		// fixed columns
		for j := 0; j < n; j++ {
			if colAlive[j] && lo[j] == hi[j] {
				colAlive[j] = false
				changed = true
				for _, i := range colRows[j] {
					if !rowAlive[i] {
						continue
					}
					for k, jj := range m.Rows[i].Ind {
						if jj == j {
							a := m.Rows[i].Val[k] * lo[j]
							rowLo[i] -= a
							rowHi[i] -= a
						}
					}
				}
			}
		}
		// empty and singleton rows
		for i := range m.Rows {
			if !rowAlive[i] {
				continue
			}
			cnt, k := live(i)
			switch {
			case cnt == 0:
				if rowLo[i] > rowFeasTol*(1+math.Abs(m.Rows[i].Lo)) || rowHi[i] < -rowFeasTol*(1+math.Abs(m.Rows[i].Hi)) {
					return nil, "row " + m.Rows[i].Name + " cannot be satisfied"
				}
				rowAlive[i] = false
				changed = true
			case cnt == 1 && !m.Rows[i].Lazy && mip:
				// (on LPs singleton rows stay: their duals would need a postsolve stack)
				j := m.Rows[i].Ind[k]
				a := m.Rows[i].Val[k]
				l, h := rowLo[i]/a, rowHi[i]/a
				if a < 0 {
					l, h = h, l
				}
				if isInt[j] {
					l = math.Ceil(l - intTol)
					h = math.Floor(h + intTol)
				}
				if !math.IsInf(l, -1) && (math.IsInf(lo[j], -1) || l > lo[j]+presolveBoundTol*(1+math.Abs(lo[j]))) {
					lo[j], loRow[j] = l, i
				}
				if !math.IsInf(h, 1) && (math.IsInf(hi[j], 1) || h < hi[j]-presolveBoundTol*(1+math.Abs(hi[j]))) {
					hi[j], hiRow[j] = h, i
				}
				if lo[j] > hi[j] {
					if lo[j]-hi[j] > rowFeasTol*(1+math.Abs(lo[j])) {
						return nil, "column " + m.Cols[j].Name + " has no feasible value"
					}
					hi[j] = lo[j]
				}
				rowAlive[i] = false
				changed = true
			}
		}
		// duplicate rows
		if ch, why := ps.dup.removeDuplicates(m, rowLo, rowHi, rowAlive, colAlive); why != "" {
			return nil, why
		} else if ch {
			changed = true
		}
		// activity-based bound tightening of integer columns (MIPs only: on LPs it would
		// move duals onto bounds that are not in the model)
		if mip {
			for i, r := range m.Rows {
				if !rowAlive[i] || r.Lazy {
					continue
				}
				if tightenRow(r, rowLo[i], rowHi[i], lo, hi, isInt, colAlive) {
					changed = true
				}
			}
			for j := 0; j < n; j++ {
				if lo[j] > hi[j] {
					return nil, "column " + m.Cols[j].Name + " has no feasible value"
				}
			}
		}
		if !changed {
			break
		}
	}
	// Build the reduced model.
	red := &Model{Name: m.Name, Sense: m.Sense, ObjName: m.ObjName, ObjOffset: m.ObjOffset}
	ps.colMap = make([]int, n)
	ps.fixed = make([]float64, n)
	for j, c := range m.Cols {
		if !colAlive[j] {
			ps.colMap[j] = -1
			ps.fixed[j] = lo[j]
			red.ObjOffset += c.Obj * lo[j]
			ps.removed[1]++
			continue
		}
		ps.colMap[j] = len(red.Cols)
		red.Cols = append(red.Cols, Column{Name: c.Name, Obj: c.Obj, Lo: lo[j], Hi: hi[j], Integer: c.Integer})
	}
	ps.rowMap = make([]int, nr)
	for i, r := range m.Rows {
		if !rowAlive[i] {
			ps.rowMap[i] = -1
			ps.removed[0]++
			continue
		}
		var ind []int
		var val []float64
		for k, j := range r.Ind {
			if colAlive[j] && r.Val[k] != 0 {
				ind = append(ind, ps.colMap[j])
				val = append(val, r.Val[k])
			}
		}
		ps.rowMap[i] = len(red.Rows)
		red.Rows = append(red.Rows, Row{Name: r.Name, Lo: rowLo[i], Hi: rowHi[i], Ind: ind, Val: val, Lazy: r.Lazy})
	}
	ps.red = red
	return ps, ""
}

// tightenRow tightens the bounds of the integer columns of one row from its activity range.
func tightenRow(r Row, rlo, rhi float64, lo, hi []float64, isInt, alive []bool) bool {
	minAct, maxAct := 0.0, 0.0
	minInf, maxInf := 0, 0
	amin, amax := math.Inf(1), 0.0
	for k, j := range r.Ind {
		if !alive[j] {
			continue
		}
		a := r.Val[k]
		if a == 0 {
			continue
		}
		amin = math.Min(amin, math.Abs(a))
		amax = math.Max(amax, math.Abs(a))
		if a > 0 {
			if math.IsInf(lo[j], -1) {
				minInf++
			} else {
				minAct += a * lo[j]
			}
			if math.IsInf(hi[j], 1) {
				maxInf++
			} else {
				maxAct += a * hi[j]
			}
		} else {
			if math.IsInf(hi[j], 1) {
				minInf++
			} else {
				minAct += a * hi[j]
			}
			if math.IsInf(lo[j], -1) {
				maxInf++
			} else {
				maxAct += a * lo[j]
			}
		}
	}
	if amax > presolveMaxCoefRatio*amin {
		return false
	}
	changed := false
	for k, j := range r.Ind {
		if !alive[j] || !isInt[j] || r.Val[k] == 0 {
			continue
		}
		a := r.Val[k]
		// upper limit of the row: a*x_j <= rhi - (minAct without j)
		if !math.IsInf(rhi, 1) {
			rest, ok := actWithout(minAct, minInf, a, lo[j], hi[j], true)
			if ok {
				if a > 0 {
					if b := math.Floor((rhi-rest)/a + 1e-6); b < hi[j] {
						hi[j], changed = b, true
					}
				} else if b := math.Ceil((rhi-rest)/a - 1e-6); b > lo[j] {
					lo[j], changed = b, true
				}
			}
		}
		if !math.IsInf(rlo, -1) {
			rest, ok := actWithout(maxAct, maxInf, a, lo[j], hi[j], false)
			if ok {
				if a > 0 {
					if b := math.Ceil((rlo-rest)/a - 1e-6); b > lo[j] {
						lo[j], changed = b, true
					}
				} else if b := math.Floor((rlo-rest)/a + 1e-6); b < hi[j] {
					hi[j], changed = b, true
				}
			}
		}
	}
	return changed
}

// actWithout removes column j's contribution from a min (or max) activity; ok is false when
// the rest is unbounded.
func actWithout(act float64, inf int, a, lo, hi float64, isMin bool) (float64, bool) {
	var b float64
	if (a > 0) == isMin {
		b = lo
	} else {
		b = hi
	}
	if math.IsInf(b, 0) {
		inf--
		if inf > 0 {
			return 0, false
		}
		return act, true
	}
	if inf > 0 {
		return 0, false
	}
	return act - a*b, true
}

// expandX maps a reduced solution back to the original columns.
func (ps *presolved) expandX(xr []float64) []float64 {
	if xr == nil {
		return nil
	}
	x := make([]float64, len(ps.orig.Cols))
	for j, k := range ps.colMap {
		if k < 0 {
			x[j] = ps.fixed[j]
		} else {
			x[j] = xr[k]
		}
	}
	return x
}

// reduceX maps an original solution to the reduced columns (nil if it disagrees with a
// removed column's value).
func (ps *presolved) reduceX(x []float64) []float64 {
	if len(x) != len(ps.orig.Cols) {
		return nil
	}
	xr := make([]float64, len(ps.red.Cols))
	for j, k := range ps.colMap {
		if k < 0 {
			if math.Abs(x[j]-ps.fixed[j]) > intTol*(1+math.Abs(ps.fixed[j])) {
				return nil
			}
			continue
		}
		xr[k] = x[j]
	}
	return xr
}

// postsolve maps a reduced result back to the original model in place.
func (ps *presolved) postsolve(res *Result) {
	res.X = ps.expandX(res.X)
	res.Stats.PresolveRemovedRows = ps.removed[0]
	res.Stats.PresolveRemovedCols = ps.removed[1]
	res.Stats.PresolveDuplicateRows = ps.dup.removed
	if res.Duals == nil {
		return
	}
	m := ps.orig
	y := make([]float64, len(m.Rows))
	for i, k := range ps.rowMap {
		if k >= 0 {
			y[i] = res.Duals[k]
		}
	}
	d := make([]float64, len(m.Cols))
	sign := 1.0
	if m.Sense == Maximize {
		sign = -1
	}
	ps.dup.splitDuals(y, sign)
	for j, k := range ps.colMap {
		if k < 0 {
			continue
		}
		dj := res.ReducedCosts[k]
		// a singleton row that supplies the active bound takes the reduced cost as its dual
		x := res.X[j]
		c := m.Cols[j]
		if md := sign * dj; md > 0 && loRowActive(ps.loRow[j], x, c.Lo) {
			i := ps.loRow[j]
			y[i] = dj / rowCoef(m.Rows[i], j)
			dj = 0
		} else if md < 0 && loRowActive(ps.hiRow[j], x, c.Hi) {
			i := ps.hiRow[j]
			y[i] = dj / rowCoef(m.Rows[i], j)
			dj = 0
		}
		d[j] = dj
	}
	// removed columns: d_j = c_j - sum_i y_i a_ij; a column fixed by its singleton rows
	// passes its reduced cost to the row that holds it (twice, as such a row may contain
	// columns removed earlier).
	for pass := 0; pass < 2; pass++ {
		for j, k := range ps.colMap {
			if k < 0 {
				d[j] = m.Cols[j].Obj
			}
		}
		for i, r := range m.Rows {
			if y[i] == 0 {
				continue
			}
			for t, j := range r.Ind {
				if ps.colMap[j] < 0 {
					d[j] -= y[i] * r.Val[t]
				}
			}
		}
		if pass == 1 {
			break
		}
		for j, k := range ps.colMap {
			if k >= 0 || d[j] == 0 {
				continue
			}
			c := m.Cols[j]
			md := sign * d[j]
			if i := ps.loRow[j]; md > dualFeasTol && loRowActive(i, ps.fixed[j], c.Lo) {
				y[i] += d[j] / rowCoef(m.Rows[i], j)
			} else if i := ps.hiRow[j]; md < -dualFeasTol && loRowActive(i, ps.fixed[j], c.Hi) {
				y[i] += d[j] / rowCoef(m.Rows[i], j)
			}
		}
	}
	res.Duals, res.ReducedCosts = y, d
}

// loRowActive reports whether a singleton row exists and the column is not at its own
// (original) bound, so the row's bound is the binding one.
func loRowActive(row int, x, ownBound float64) bool {
	return row >= 0 && (math.IsInf(ownBound, 0) || math.Abs(x-ownBound) > presolveBoundTol*(1+math.Abs(ownBound)))
}

func rowCoef(r Row, j int) float64 {
	for k, jj := range r.Ind {
		if jj == j {
			return r.Val[k]
		}
	}
	return 1
}

// wrapHooks translates the hooks between the original and the reduced columns.
func (ps *presolved) wrapHooks(h Hooks) Hooks {
	out := Hooks{}
	if h.Start != nil {
		out.Start = ps.reduceX(h.Start)
	}
	if f := h.Heuristic; f != nil {
		out.Heuristic = func(xr []float64) []float64 {
			return ps.reduceX(f(ps.expandX(xr)))
		}
	}
	return out
}
