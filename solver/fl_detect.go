package solver

import "math"

// Recognition of capacitated facility location (CFL) in a Model, for the structure-exploiting
// path of fl_search.go. Nothing depends on names: the shape of the rows alone decides.
//
// Recognised, after normalising every x to the fraction x' = a*x/b of its customer's demand
// row a*x... = b that it serves:
//
//	min  sum_i f_i y_i + sum_a c'_a x'_a (+ constant)
//	s.t. sum_{a of j} x'_a = 1                       (customer rows: equalities, all a > 0, b > 0)
//	     sum_{a of i} d_j x'_a <= s_i y_i            (at most one capacity row per facility)
//	     x'_a <= u'_a y_i                            (variable-bound rows, optional)
//	     0 <= x'_a <= 1, y_i binary (or fixed at 0 or 1)
//
// The per-unit weight d_j of customer j must be the same in the capacity rows of every
// facility that can serve j (it is then j's demand in the transportation problem). Each x
// must lie in exactly one customer row and be linked to exactly one y (by a capacity row, by
// variable-bound rows, or both). Columns that appear in no row are allowed (set to their best
// bound). Any other row, a maximisation, or a column that fits none of these roles means the
// model is not recognised and the general branch and bound runs.

const (
	// flWeightTol is the relative difference tolerated between the capacity-row weights
	// d_j of one customer in different facilities' rows.
	flWeightTol = 1e-9
	// flBinTol is how far an integer column's bounds may be from 0/1 and still be binary.
	flBinTol = 1e-9
)

// flModel is a recognised facility location problem. Arcs are grouped by facility: the
// arcs of facility i are arcBeg[i] .. arcBeg[i+1]-1.
type flModel struct {
	m, n int // facilities, customers

	fixCost []float64 // f_i
	capa    []float64 // s_i; +Inf for a facility without capacity row
	yCol    []int     // model column of y_i
	yFixed  []int8    // 0 free, 1 fixed open, -1 fixed closed (by the column bounds)

	demand      []float64 // d_j, the weight of customer j in the capacity rows (0 if none)
	totalDemand float64   // sum_j d_j

	arcBeg   []int
	arcCust  []int32
	arcFacil []int32   // facility of each arc
	arcCost  []float64 // c'_a: cost of serving all of the customer through arc a
	arcUB    []float64 // u'_a <= 1: upper bound of x'_a when the facility is open
	arcCol   []int     // model column
	arcScale []float64 // model value of the column = x'_a * arcScale[a]

	// other columns (in no row): their value and objective contribution
	otherCol []int
	otherVal []float64
	constant float64 // ObjOffset + objective of the other columns
}

// detectFL recognises capacitated facility location in m; nil when m has another shape.
// It is a pure function of m.
func detectFL(m *Model) *flModel {
	if m.Sense != Minimize || len(m.Cols) == 0 {
		return nil
	}
	nc := len(m.Cols)
	const (
		kindOther = iota
		kindBin
		kindCont
	)
	kind := make([]int8, nc)
	for j, c := range m.Cols {
		switch {
		case c.Integer && c.Lo > -1+flBinTol && c.Hi < 2-flBinTol && math.Ceil(c.Lo-flBinTol) <= math.Floor(c.Hi+flBinTol):
			kind[j] = kindBin
		case !c.Integer && c.Lo == 0 && c.Hi > 0:
			kind[j] = kindCont
		}
	}
	asgRow := make([]int, nc) // customer row of each x column
	asgCoef := make([]float64, nc)
	linkY := make([]int, nc) // the y a column x is linked to (-1 none, -2 conflicting)
	capCoef := make([]float64, nc)
	vubBound := make([]float64, nc) // x <= vubBound * y (model units)
	used := make([]bool, nc)
	for j := range asgRow {
		asgRow[j], linkY[j], vubBound[j] = -1, -1, math.Inf(1)
	}
	capRow := make(map[int]int)    // y column -> its capacity row
	capOf := make(map[int]float64) // y column -> s (capacity)
	linked := make(map[int]bool)   // y column -> appears in a linking row
	var customers []int            // customer rows
	link := func(x, y int) bool {
		switch linkY[x] {
		case -1:
			linkY[x] = y
		case y:
		default:
			return false
		}
		return true
	}
	for ri, r := range m.Rows {
		if len(r.Ind) != len(r.Val) {
			return nil
		}
		for _, j := range r.Ind {
			if j < 0 || j >= nc {
				return nil
			}
			used[j] = true
		}
		if math.IsInf(r.Lo, -1) && math.IsInf(r.Hi, 1) {
			continue // free row
		}
		if len(r.Ind) == 0 {
			return nil
		}
		nBin, yPos := 0, -1
		allCont := true
		for k, j := range r.Ind {
			switch kind[j] {
			case kindBin:
				nBin++
				yPos = k
				allCont = false
			case kindOther:
				return nil
			}
		}
		switch {
		case allCont && r.Lo == r.Hi && r.Lo > 0:
			for k, j := range r.Ind {
				if r.Val[k] <= 0 || asgRow[j] >= 0 {
					return nil
				}
				asgRow[j], asgCoef[j] = len(customers), r.Val[k]
			}
			customers = append(customers, ri)
		case nBin == 1 && len(r.Ind) >= 2:
			// sum e x + g y <= 0 (or >= 0, flipped)
			sgn := 1.0
			switch {
			case math.IsInf(r.Lo, -1) && r.Hi == 0:
			case math.IsInf(r.Hi, 1) && r.Lo == 0:
				sgn = -1
			default:
				return nil
			}
			y := r.Ind[yPos]
			s := -sgn * r.Val[yPos]
			if s <= 0 {
				return nil
			}
			linked[y] = true
			if len(r.Ind) == 2 {
				k := 1 - yPos
				x, e := r.Ind[k], sgn*r.Val[k]
				if e <= 0 || !link(x, y) {
					return nil
				}
				vubBound[x] = math.Min(vubBound[x], s/e)
				continue
			}
			if _, dup := capRow[y]; dup {
				return nil
			}
			capRow[y], capOf[y] = ri, s
			for k, x := range r.Ind {
				if k == yPos {
					continue
				}
				e := sgn * r.Val[k]
				if e <= 0 || !link(x, y) {
					return nil
				}
				capCoef[x] = e
			}
		default:
			return nil
		}
	}
	if len(customers) == 0 {
		return nil
	}
	fl := &flModel{n: len(customers), constant: m.ObjOffset}
	facOf := make(map[int]int) // y column -> facility index
	for j, c := range m.Cols {
		if !used[j] {
			// a column in no row: its best bound
			v := 0.0
			lo, hi := c.Lo, c.Hi
			if c.Integer {
				lo, hi = math.Ceil(lo-flBinTol), math.Floor(hi+flBinTol)
			}
			switch {
			case c.Obj > 0:
				v = lo
			case c.Obj < 0:
				v = hi
			default:
				v = math.Min(math.Max(0, lo), hi)
			}
			if math.IsInf(v, 0) || lo > hi {
				return nil
			}
			fl.otherCol = append(fl.otherCol, j)
			fl.otherVal = append(fl.otherVal, v)
			fl.constant += c.Obj * v
			continue
		}
		switch kind[j] {
		case kindBin:
			if !linked[j] {
				return nil
			}
			facOf[j] = fl.m
			fl.m++
			fl.yCol = append(fl.yCol, j)
			fl.fixCost = append(fl.fixCost, c.Obj)
			s, ok := capOf[j]
			if !ok {
				s = math.Inf(1)
			}
			fl.capa = append(fl.capa, s)
			lo, hi := math.Ceil(c.Lo-flBinTol), math.Floor(c.Hi+flBinTol)
			var fx int8
			switch {
			case lo >= 1:
				fx = 1
			case hi <= 0:
				fx = -1
			}
			fl.yFixed = append(fl.yFixed, fx)
		case kindCont:
			if asgRow[j] < 0 || linkY[j] < 0 {
				return nil
			}
		}
	}
	// customer weights d_j, consistent over the capacitated facilities
	fl.demand = make([]float64, fl.n)
	hasW := make([]bool, fl.n)
	type arc struct {
		fac, cust int
		col       int
	}
	var arcs []arc
	for x := 0; x < nc; x++ {
		if kind[x] != kindCont || !used[x] {
			continue
		}
		cust := asgRow[x]
		i := facOf[linkY[x]]
		arcs = append(arcs, arc{i, cust, x})
		if math.IsInf(fl.capa[i], 1) {
			continue
		}
		b := m.Rows[customers[cust]].Lo
		w := capCoef[x] * b / asgCoef[x] // 0 when x is only in variable-bound rows
		if !hasW[cust] {
			fl.demand[cust], hasW[cust] = w, true
		} else if math.Abs(w-fl.demand[cust]) > flWeightTol*math.Max(w, fl.demand[cust]) {
			return nil
		}
	}
	for _, d := range fl.demand {
		fl.totalDemand += d
	}
	// arcs grouped by facility (stable: by column within a facility)
	fl.arcBeg = make([]int, fl.m+1)
	for _, a := range arcs {
		fl.arcBeg[a.fac+1]++
	}
	for i := 0; i < fl.m; i++ {
		fl.arcBeg[i+1] += fl.arcBeg[i]
	}
	na := len(arcs)
	fl.arcCust = make([]int32, na)
	fl.arcFacil = make([]int32, na)
	fl.arcCost = make([]float64, na)
	fl.arcUB = make([]float64, na)
	fl.arcCol = make([]int, na)
	fl.arcScale = make([]float64, na)
	pos := append([]int(nil), fl.arcBeg[:fl.m]...)
	for _, a := range arcs {
		k := pos[a.fac]
		pos[a.fac]++
		b := m.Rows[customers[a.cust]].Lo
		sc := b / asgCoef[a.col] // x = x' * sc
		fl.arcCust[k] = int32(a.cust)
		fl.arcFacil[k] = int32(a.fac)
		fl.arcCol[k] = a.col
		fl.arcScale[k] = sc
		fl.arcCost[k] = m.Cols[a.col].Obj * sc
		ub := math.Min(1, m.Cols[a.col].Hi/sc)
		ub = math.Min(ub, vubBound[a.col]/sc)
		fl.arcUB[k] = ub
	}
	return fl
}

// arcFac returns the facility of arc a.
func (fl *flModel) arcFac(a int32) int { return int(fl.arcFacil[a]) }
