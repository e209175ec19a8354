package solver

import (
	"math"
	"sort"
)

// Duplicate rows: two rows whose live coefficient vectors are parallel (same support,
// a_k = s*a_i for one scale s != 0) restrict the same linear form, so the later one is
// removed and its limits, divided by s (swapped when s < 0), are intersected into the
// earlier one's. Candidates are found by hashing each row normalized so that its first
// live coefficient (lowest column index) is 1, and confirmed coefficient by coefficient.
//
// Postsolve of LP duals: the kept row records, for each of its two limits, the original
// row that supplies it and that row's scale relative to it (a_src = scale * a_kept on the
// live columns). A kept row's dual y belongs to the limit it is active at (lower for
// sign*y > 0, upper for sign*y < 0), so it moves to that limit's source as y/scale; every
// other row of the group gets 0. Since y_src*a_src = y*a_kept on the live columns, the
// reduced costs are unchanged, and the source row is at its own limit, so complementary
// slackness holds; removed columns' reduced costs are recomputed from the duals anyway.

const (
	// dupRelTol is the relative tolerance within which two normalized coefficients count
	// as equal when confirming a duplicate row (a looser match would change the model).
	dupRelTol = 1e-10
	// dupHashBits: normalized coefficients are rounded to this many significant bits
	// before hashing, so rounding noise below dupRelTol rarely separates duplicates.
	dupHashBits = 30
)

// dupSource is the original row supplying one limit of a kept row, with a_src = scale*a_row.
type dupSource struct {
	row   int
	scale float64
}

// dupState carries the duplicate-row bookkeeping through the presolve passes.
type dupState struct {
	loSrc, hiSrc []dupSource
	removed      int
}

func newDupState(nr int) *dupState {
	d := &dupState{loSrc: make([]dupSource, nr), hiSrc: make([]dupSource, nr)}
	for i := range d.loSrc {
		d.loSrc[i] = dupSource{i, 1}
		d.hiSrc[i] = dupSource{i, 1}
	}
	return d
}

// liveRow is a row's live part sorted by column, normalized by its first coefficient.
type liveRow struct {
	ind  []int
	val  []float64 // normalized: val[0] == 1
	lead float64   // the first live coefficient (the normalizing factor)
}

func makeLiveRow(r Row, colAlive []bool) liveRow {
	var lr liveRow
	for k, j := range r.Ind {
		if colAlive[j] && r.Val[k] != 0 {
			lr.ind = append(lr.ind, j)
			lr.val = append(lr.val, r.Val[k])
		}
	}
	if len(lr.ind) == 0 {
		return lr
	}
	if !sort.IntsAreSorted(lr.ind) {
		p := make([]int, len(lr.ind))
		for k := range p {
			p[k] = k
		}
		sort.Slice(p, func(a, b int) bool { return lr.ind[p[a]] < lr.ind[p[b]] })
		ind := make([]int, len(p))
		val := make([]float64, len(p))
		for k, q := range p {
			ind[k], val[k] = lr.ind[q], lr.val[q]
		}
		lr.ind, lr.val = ind, val
	}
	lr.lead = lr.val[0]
	for k := range lr.val {
		lr.val[k] /= lr.lead
	}
	return lr
}

func (lr *liveRow) hash() uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for k, j := range lr.ind {
		h = (h ^ uint64(j)) * prime
		fr, e := math.Frexp(lr.val[k])
		q := int64(math.Round(fr * (1 << dupHashBits)))
		h = (h ^ uint64(q)) * prime
		h = (h ^ uint64(int64(e))) * prime
	}
	return h
}

func (lr *liveRow) sameAs(o *liveRow) bool {
	if len(lr.ind) != len(o.ind) {
		return false
	}
	for k, j := range lr.ind {
		if o.ind[k] != j {
			return false
		}
		a, b := lr.val[k], o.val[k]
		if math.Abs(a-b) > dupRelTol*math.Max(math.Abs(a), math.Abs(b)) {
			return false
		}
	}
	return true
}

// removeDuplicates merges every alive, non-lazy row that duplicates an earlier one into
// it. It returns whether anything changed and a non-empty reason when a merged range is
// empty.
func (d *dupState) removeDuplicates(m *Model, rowLo, rowHi []float64, rowAlive, colAlive []bool) (bool, string) {
	buckets := make(map[uint64][]int)
	live := make(map[int]*liveRow)
	changed := false
	for i, r := range m.Rows {
		if !rowAlive[i] || r.Lazy {
			continue
		}
		lr := makeLiveRow(r, colAlive)
		if len(lr.ind) == 0 {
			continue
		}
		h := lr.hash()
		kept := -1
		for _, c := range buckets[h] {
			if live[c].sameAs(&lr) {
				kept = c
				break
			}
		}
		if kept < 0 {
			buckets[h] = append(buckets[h], i)
			live[i] = &lr
			continue
		}
		// a_i = s * a_kept on the live columns
		s := lr.lead / live[kept].lead
		candLo, candHi := rowLo[i]/s, rowHi[i]/s
		srcLo, srcHi := d.loSrc[i], d.hiSrc[i]
		if s < 0 {
			candLo, candHi = candHi, candLo
			srcLo, srcHi = srcHi, srcLo
		}
		srcLo.scale *= s
		srcHi.scale *= s
		if candLo > rowLo[kept] {
			rowLo[kept], d.loSrc[kept] = candLo, srcLo
		}
		if candHi < rowHi[kept] {
			rowHi[kept], d.hiSrc[kept] = candHi, srcHi
		}
		if rowLo[kept] > rowHi[kept] {
			if rowLo[kept]-rowHi[kept] > rowFeasTol*(1+math.Abs(rowLo[kept])) {
				return changed, "rows " + m.Rows[kept].Name + " and " + r.Name + " contradict each other"
			}
			rowHi[kept] = rowLo[kept]
		}
		rowAlive[i] = false
		d.removed++
		changed = true
	}
	return changed, ""
}

// splitDuals moves each kept row's dual (model sense, sign = +1 minimize, -1 maximize) to
// the original row that supplies its active limit.
func (d *dupState) splitDuals(y []float64, sign float64) {
	orig := append([]float64(nil), y...) // removed rows have 0 here
	for i, yi := range orig {
		if d.loSrc[i].row == i && d.hiSrc[i].row == i {
			continue
		}
		var src dupSource
		switch {
		case sign*yi > 0:
			src = d.loSrc[i]
		case sign*yi < 0:
			src = d.hiSrc[i]
		default:
			continue
		}
		y[i] -= yi
		y[src.row] += yi / src.scale
	}
}
