package solver

import (
	"cmp"
	"math"
	"slices"
)

// Recognition of capacitated facility location (CFL) in a Model, for the structure-exploiting
// path of fl_search.go. Nothing depends on names: the shape of the rows alone decides.
//
// Recognised, after normalising every x to the fraction x' = a*x/b of its customer's demand
// row a*x... = b that it serves:
//
//	min  sum_i f_i y_i + sum_a c'_a x'_a (+ constant)
//	s.t. sum_{a of j} x'_a = 1                       (customer rows: equalities, all a > 0, b > 0)
//	     sum_{a of g} d_j x'_a <= s_g y_i            (capacity rows; several per facility over
//	                                                  disjoint arcs, e.g. one per period)
//	     x'_a <= u'_a y_i                            (variable-bound rows, optional)
//	     m <= sum_i y_i <= M                         (cardinality rows over all facilities, optional)
//	     lo_r <= sum_a a'_ra x'_a <= hi_r            (side rows over x only, optional, e.g. a
//	                                                  service share)
//	     0 <= x'_a <= 1, y_i binary (or fixed at 0 or 1)
//
// The per-unit weight d_j of customer j must be the same in the capacity rows of every
// facility that can serve j (it is then j's demand in the transportation problem). Each x
// must lie in exactly one customer row, in at most one capacity row, and be linked to exactly
// one y (by a capacity row, by variable-bound rows, or both). Columns that appear in no row
// are allowed (set to their best bound). Any other row, a maximisation, or a column that
// fits none of these roles means the model is not recognised and the general branch and
// bound runs.
//
// The arcs of a facility fall into capacity groups: one per capacity row and, for the arcs in
// no capacity row, one uncapacitated group per component. Components are the classes of
// customers joined by sharing a capacity row or a side row (the years of a multi-year model):
// with the facilities fixed, the assignment splits into one independent problem per
// component.

const (
	// flWeightTol is the relative difference tolerated between the capacity-row weights
	// d_j of one customer in different facilities' rows.
	flWeightTol = 1e-9
	// flBinTol is how far an integer column's bounds may be from 0/1 and still be binary.
	flBinTol = 1e-9
)

// flSide is a side row over assignment columns, normalised (divided by scale) so that its
// limits, or its largest coefficient when both limits are 0, have magnitude 1: the
// subgradient of its multiplier is then comparable to a customer row's.
type flSide struct {
	lo, hi float64 // normalised limits (-Inf/+Inf for a missing side)
	scale  float64 // model row = scale * normalised row
	comp   int32   // the component of its customers
}

// flModel is a recognised facility location problem. Arcs are grouped by facility and
// within a facility by capacity group: the arcs of group g are grpBeg[g] .. grpBeg[g+1]-1,
// the groups of facility i are facGrp[i] .. facGrp[i+1]-1, and the arcs of facility i are
// arcBeg[i] .. arcBeg[i+1]-1.
type flModel struct {
	m, n int // facilities, customers

	fixCost []float64 // f_i
	yCol    []int     // model column of y_i
	yFixed  []int8    // 0 free, 1 fixed open, -1 fixed closed (by the column bounds)

	// capacity groups
	grpFac  []int32
	grpCapa []float64 // s_g; +Inf for the arcs in no capacity row
	grpComp []int32
	grpBeg  []int
	facGrp  []int

	demand      []float64 // d_j, the weight of customer j in the capacity rows (0 if none)
	totalDemand float64   // sum_j d_j

	// components: customers joined by capacity rows and side rows
	nComp      int
	custComp   []int32
	compDemand []float64 // sum of d_j over the component
	compCust   [][]int32
	compGrp    [][]int32
	compFac    [][]int32 // facilities with groups in the component, increasing
	compSide   [][]int32

	// The aggregate capacity constraint sum_i capa_i y_i >= coverDemand that the
	// Lagrangian choice of facilities keeps: the component whose demand is hardest to
	// cover, capa_i the capacity of facility i's groups in it (+Inf when uncapacitated).
	capa        []float64
	coverDemand float64

	// cardLo <= sum_i y_i <= cardHi (0 and m when the model has no cardinality row), when
	// every cardinality row covers all facilities and there are no facility rows
	cardLo, cardHi int
	hasCard        bool
	// cards are the cardinality rows, in counts
	cards []flCard

	// A clustered model has facility rows (rows over facilities and auxiliary columns that
	// no assignment enters, such as the lease rules of a multi-year model) or cardinality
	// rows over some facilities only. Its facilities fall into clusters (facilities joined
	// by facility rows), whose open patterns are enumerated; the Lagrangian choice then
	// relaxes the cardinality rows and the capacity covers of every component (yrows).
	clustered  bool
	clusters   []flCluster
	facCluster []int32 // cluster of each facility
	facBit     []int32 // bit of each facility in its cluster's patterns
	yrows      []flYRow

	side []flSide
	// side coefficients of each arc (normalised, fraction units): arcSideBeg[a] ..
	// arcSideBeg[a+1]-1 index arcSideRow and arcSideVal
	arcSideBeg []int32
	arcSideRow []int32
	arcSideVal []float64
	// per customer: the side rows of its arcs and the largest |coefficient| among them,
	// custSideBeg[j] .. custSideBeg[j+1]-1 index custSideRow and custSideMax
	custSideBeg []int32
	custSideRow []int32
	custSideMax []float64

	arcBeg   []int
	arcCust  []int32
	arcFacil []int32   // facility of each arc
	arcGrp   []int32   // capacity group of each arc
	arcCost  []float64 // c'_a: cost of serving all of the customer through arc a
	arcUB    []float64 // u'_a <= 1: upper bound of x'_a when the facility is open
	arcCol   []int     // model column
	arcScale []float64 // model value of the column = x'_a * arcScale[a]

	// the arcs of each customer with u'_a > 0 by increasing cost (CSR over customers)
	custArcBeg []int32
	custArcs   []int32

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
		kindCont // continuous with bounds [0, hi > 0]: may be an assignment
		kindAux  // other continuous
	)
	kind := make([]int8, nc)
	for j, c := range m.Cols {
		switch {
		case c.Integer && c.Lo > -1+flBinTol && c.Hi < 2-flBinTol && math.Ceil(c.Lo-flBinTol) <= math.Floor(c.Hi+flBinTol):
			kind[j] = kindBin
		case !c.Integer && c.Lo == 0 && c.Hi > 0:
			kind[j] = kindCont
		case !c.Integer:
			kind[j] = kindAux
		}
	}
	asgRow := make([]int, nc) // customer row of each x column
	asgCoef := make([]float64, nc)
	linkY := make([]int, nc) // the y a column x is linked to (-1 none)
	capRowOf := make([]int, nc)
	capCoef := make([]float64, nc)
	vubBound := make([]float64, nc) // x <= vubBound * y (model units)
	used := make([]bool, nc)
	for j := range asgRow {
		asgRow[j], linkY[j], capRowOf[j], vubBound[j] = -1, -1, -1, math.Inf(1)
	}
	capOf := make(map[int]float64) // capacity row -> s (capacity)
	linked := make(map[int]bool)   // y column -> appears in a linking row
	var customers []int            // customer rows
	var sideRows, cardRows, facRows []int
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
	// pass 1: the customer rows (their columns are the assignments)
	isCustomer := make([]bool, len(m.Rows))
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
		if r.Lo != r.Hi || r.Lo <= 0 {
			continue
		}
		ok := true
		for k, j := range r.Ind {
			if kind[j] != kindCont || r.Val[k] <= 0 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for k, j := range r.Ind {
			if asgRow[j] >= 0 {
				return nil
			}
			asgRow[j], asgCoef[j] = len(customers), r.Val[k]
		}
		customers = append(customers, ri)
		isCustomer[ri] = true
	}
	// pass 2: the other rows, by the kinds of their columns
	for ri, r := range m.Rows {
		if isCustomer[ri] || math.IsInf(r.Lo, -1) && math.IsInf(r.Hi, 1) {
			continue
		}
		nBin, nArc, nAux, yPos := 0, 0, 0, -1
		for k, j := range r.Ind {
			switch {
			case kind[j] == kindBin:
				nBin++
				yPos = k
			case kind[j] == kindOther:
				return nil
			case asgRow[j] >= 0:
				nArc++
			default:
				nAux++
			}
		}
		switch {
		case nArc == len(r.Ind):
			sideRows = append(sideRows, ri)
		case nArc > 0 && nAux == 0 && nBin == 1:
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
			capOf[ri] = s
			for k, x := range r.Ind {
				if k == yPos {
					continue
				}
				e := sgn * r.Val[k]
				if e <= 0 || !link(x, y) || capRowOf[x] >= 0 {
					return nil
				}
				capRowOf[x], capCoef[x] = ri, e
			}
		case nArc == 0 && nAux == 0:
			// over facilities only: a cardinality row when its coefficients are equal and
			// positive, else a facility row
			card := true
			for _, w := range r.Val {
				if w != r.Val[0] || w <= 0 {
					card = false
				}
			}
			if card {
				cardRows = append(cardRows, ri)
			} else {
				facRows = append(facRows, ri)
			}
		case nArc == 0:
			facRows = append(facRows, ri)
		default:
			return nil
		}
	}
	if len(customers) == 0 {
		return nil
	}
	fl := &flModel{n: len(customers), constant: m.ObjOffset}
	facOf := make(map[int]int) // y column -> facility index
	var auxCols []int
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
			lo, hi := math.Ceil(c.Lo-flBinTol), math.Floor(c.Hi+flBinTol)
			var fx int8
			switch {
			case lo >= 1:
				fx = 1
			case hi <= 0:
				fx = -1
			}
			fl.yFixed = append(fl.yFixed, fx)
		case kindCont, kindAux:
			if asgRow[j] < 0 {
				auxCols = append(auxCols, j) // only in facility rows, by the classification
			} else if linkY[j] < 0 {
				return nil
			}
		}
	}
	// cardinality rows
	allCover := true
	cardLo, cardHi := math.Inf(-1), math.Inf(1)
	for _, ri := range cardRows {
		r := m.Rows[ri]
		v := r.Val[0]
		c := flCard{lo: r.Lo / v, hi: r.Hi / v}
		for _, j := range r.Ind {
			c.fac = append(c.fac, int32(facOf[j]))
		}
		fl.cards = append(fl.cards, c)
		if len(r.Ind) != fl.m {
			allCover = false
		}
		cardLo, cardHi = math.Max(cardLo, c.lo), math.Min(cardHi, c.hi)
	}
	fl.cardLo, fl.cardHi = 0, fl.m
	fl.clustered = len(facRows) > 0 || !allCover
	if len(cardRows) > 0 && !fl.clustered {
		fl.hasCard = true
		fl.cardLo = max(0, int(math.Ceil(cardLo-flBinTol)))
		if !math.IsInf(cardHi, 1) {
			fl.cardHi = min(fl.m, int(math.Floor(cardHi+flBinTol)))
		}
	}
	// side rows: over assignment columns only
	for _, ri := range sideRows {
		for _, x := range m.Rows[ri].Ind {
			if asgRow[x] < 0 || linkY[x] < 0 {
				return nil
			}
		}
	}
	// components: customers joined by capacity rows and side rows
	uf := make([]int32, fl.n)
	for j := range uf {
		uf[j] = int32(j)
	}
	find := func(v int32) int32 {
		for uf[v] != v {
			uf[v] = uf[uf[v]]
			v = uf[v]
		}
		return v
	}
	join := func(ind []int) {
		first := int32(-1)
		for _, x := range ind {
			if asgRow[x] < 0 {
				continue // the y of a capacity row
			}
			c := find(int32(asgRow[x]))
			if first < 0 {
				first = c
			} else if c != first {
				uf[c] = first
			}
		}
	}
	for ri := range capOf {
		join(m.Rows[ri].Ind)
	}
	for _, ri := range sideRows {
		join(m.Rows[ri].Ind)
	}
	fl.custComp = make([]int32, fl.n)
	compOf := make(map[int32]int32)
	for j := 0; j < fl.n; j++ {
		r := find(int32(j))
		c, ok := compOf[r]
		if !ok {
			c = int32(fl.nComp)
			compOf[r] = c
			fl.nComp++
		}
		fl.custComp[j] = c
	}
	// arcs, with their capacity group key: the capacity row, or -1 - component
	type arc struct {
		fac, cust int
		col       int
		grpKey    int
	}
	var arcs []arc
	for x := 0; x < nc; x++ {
		if kind[x] != kindCont || !used[x] || asgRow[x] < 0 {
			continue // not an assignment
		}
		cust := asgRow[x]
		key := capRowOf[x]
		if key < 0 {
			key = -1 - int(fl.custComp[cust])
		}
		arcs = append(arcs, arc{facOf[linkY[x]], cust, x, key})
	}
	// customer weights d_j, consistent over the capacity rows
	fl.demand = make([]float64, fl.n)
	hasW := make([]bool, fl.n)
	for _, a := range arcs {
		if a.grpKey < 0 {
			continue
		}
		b := m.Rows[customers[a.cust]].Lo
		w := capCoef[a.col] * b / asgCoef[a.col]
		if !hasW[a.cust] {
			fl.demand[a.cust], hasW[a.cust] = w, true
		} else if math.Abs(w-fl.demand[a.cust]) > flWeightTol*math.Max(w, fl.demand[a.cust]) {
			return nil
		}
	}
	fl.compDemand = make([]float64, fl.nComp)
	fl.compCust = make([][]int32, fl.nComp)
	for j, d := range fl.demand {
		fl.totalDemand += d
		fl.compDemand[fl.custComp[j]] += d
		fl.compCust[fl.custComp[j]] = append(fl.compCust[fl.custComp[j]], int32(j))
	}
	// arcs by facility, then group (capacity rows in row order, then the uncapacitated
	// groups by component), then column
	grpRank := func(key int) int {
		if key >= 0 {
			return key
		}
		return len(m.Rows) + (-1 - key)
	}
	slices.SortStableFunc(arcs, func(p, q arc) int {
		if c := cmp.Compare(p.fac, q.fac); c != 0 {
			return c
		}
		if c := cmp.Compare(grpRank(p.grpKey), grpRank(q.grpKey)); c != 0 {
			return c
		}
		return cmp.Compare(p.col, q.col)
	})
	na := len(arcs)
	fl.arcBeg = make([]int, fl.m+1)
	fl.facGrp = make([]int, fl.m+1)
	fl.arcCust = make([]int32, na)
	fl.arcFacil = make([]int32, na)
	fl.arcGrp = make([]int32, na)
	fl.arcCost = make([]float64, na)
	fl.arcUB = make([]float64, na)
	fl.arcCol = make([]int, na)
	fl.arcScale = make([]float64, na)
	arcOfCol := make(map[int]int32, na)
	for k, a := range arcs {
		if k == 0 || a.fac != arcs[k-1].fac || a.grpKey != arcs[k-1].grpKey {
			fl.grpFac = append(fl.grpFac, int32(a.fac))
			fl.grpBeg = append(fl.grpBeg, k)
			fl.grpComp = append(fl.grpComp, fl.custComp[a.cust])
			s := math.Inf(1)
			if a.grpKey >= 0 {
				s = capOf[a.grpKey]
			}
			fl.grpCapa = append(fl.grpCapa, s)
		}
		g := int32(len(fl.grpBeg) - 1)
		fl.arcBeg[a.fac+1]++
		b := m.Rows[customers[a.cust]].Lo
		sc := b / asgCoef[a.col] // x = x' * sc
		fl.arcCust[k] = int32(a.cust)
		fl.arcFacil[k] = int32(a.fac)
		fl.arcGrp[k] = g
		fl.arcCol[k] = a.col
		fl.arcScale[k] = sc
		fl.arcCost[k] = m.Cols[a.col].Obj * sc
		ub := math.Min(1, m.Cols[a.col].Hi/sc)
		ub = math.Min(ub, vubBound[a.col]/sc)
		fl.arcUB[k] = ub
		arcOfCol[a.col] = int32(k)
	}
	fl.grpBeg = append(fl.grpBeg, na)
	for i := 0; i < fl.m; i++ {
		fl.arcBeg[i+1] += fl.arcBeg[i]
	}
	for g, f := range fl.grpFac {
		fl.facGrp[f+1]++
		// a group's customers lie in one component (capacity rows join theirs)
		for a := fl.grpBeg[g]; a < fl.grpBeg[g+1]; a++ {
			if fl.custComp[fl.arcCust[a]] != fl.grpComp[g] {
				return nil
			}
		}
	}
	for i := 0; i < fl.m; i++ {
		fl.facGrp[i+1] += fl.facGrp[i]
	}
	fl.compGrp = make([][]int32, fl.nComp)
	fl.compFac = make([][]int32, fl.nComp)
	for g := range fl.grpFac {
		k := fl.grpComp[g]
		fl.compGrp[k] = append(fl.compGrp[k], int32(g))
		if f := fl.grpFac[g]; len(fl.compFac[k]) == 0 || fl.compFac[k][len(fl.compFac[k])-1] != f {
			fl.compFac[k] = append(fl.compFac[k], f)
		}
	}
	fl.buildSide(m, sideRows, arcOfCol)
	fl.buildCustArcs()
	fl.chooseCover()
	if fl.clustered && !fl.buildClusters(m, facRows, auxCols, facOf) {
		return nil
	}
	return fl
}

// buildSide normalises the side rows into fraction units and indexes them by arc and by
// customer.
func (fl *flModel) buildSide(m *Model, sideRows []int, arcOfCol map[int]int32) {
	na := len(fl.arcCust)
	fl.compSide = make([][]int32, fl.nComp)
	type entry struct {
		a   int32
		row int32
		val float64
	}
	var ents []entry
	for r, ri := range sideRows {
		row := m.Rows[ri]
		scale := 0.0
		for _, lim := range []float64{row.Lo, row.Hi} {
			if !math.IsInf(lim, 0) {
				scale = math.Max(scale, math.Abs(lim))
			}
		}
		if scale == 0 {
			for k, x := range row.Ind {
				scale = math.Max(scale, math.Abs(row.Val[k]*fl.arcScale[arcOfCol[x]]))
			}
		}
		if scale == 0 {
			scale = 1
		}
		comp := fl.custComp[fl.arcCust[arcOfCol[row.Ind[0]]]]
		fl.side = append(fl.side, flSide{lo: row.Lo / scale, hi: row.Hi / scale, scale: scale, comp: comp})
		fl.compSide[comp] = append(fl.compSide[comp], int32(r))
		for k, x := range row.Ind {
			a := arcOfCol[x]
			if v := row.Val[k] * fl.arcScale[a] / scale; v != 0 {
				ents = append(ents, entry{a, int32(r), v})
			}
		}
	}
	slices.SortStableFunc(ents, func(p, q entry) int { return cmp.Compare(p.a, q.a) })
	fl.arcSideBeg = make([]int32, na+1)
	fl.arcSideRow = make([]int32, len(ents))
	fl.arcSideVal = make([]float64, len(ents))
	for k, e := range ents {
		fl.arcSideBeg[e.a+1]++
		fl.arcSideRow[k], fl.arcSideVal[k] = e.row, e.val
	}
	for a := 0; a < na; a++ {
		fl.arcSideBeg[a+1] += fl.arcSideBeg[a]
	}
	// per customer: side rows and their largest |coefficient|
	fl.custSideBeg = make([]int32, fl.n+1)
	if len(ents) == 0 {
		return
	}
	maxOf := make([]map[int32]float64, fl.n)
	for a := 0; a < na; a++ {
		j := fl.arcCust[a]
		for k := fl.arcSideBeg[a]; k < fl.arcSideBeg[a+1]; k++ {
			if maxOf[j] == nil {
				maxOf[j] = make(map[int32]float64)
			}
			r := fl.arcSideRow[k]
			maxOf[j][r] = math.Max(maxOf[j][r], math.Abs(fl.arcSideVal[k]))
		}
	}
	for j := 0; j < fl.n; j++ {
		rows := make([]int32, 0, len(maxOf[j]))
		for r := range maxOf[j] {
			rows = append(rows, r)
		}
		slices.Sort(rows)
		for _, r := range rows {
			fl.custSideRow = append(fl.custSideRow, r)
			fl.custSideMax = append(fl.custSideMax, maxOf[j][r])
		}
		fl.custSideBeg[j+1] = int32(len(fl.custSideRow))
	}
}

// buildCustArcs lists each customer's usable arcs by increasing cost.
func (fl *flModel) buildCustArcs() {
	fl.custArcBeg = make([]int32, fl.n+1)
	for a, j := range fl.arcCust {
		if fl.arcUB[a] > 0 {
			fl.custArcBeg[j+1]++
		}
	}
	for j := 0; j < fl.n; j++ {
		fl.custArcBeg[j+1] += fl.custArcBeg[j]
	}
	fl.custArcs = make([]int32, fl.custArcBeg[fl.n])
	fill := append([]int32(nil), fl.custArcBeg[:fl.n]...)
	for a, j := range fl.arcCust {
		if fl.arcUB[a] > 0 {
			fl.custArcs[fill[j]] = int32(a)
			fill[j]++
		}
	}
	for j := 0; j < fl.n; j++ {
		arcs := fl.custArcs[fl.custArcBeg[j]:fl.custArcBeg[j+1]]
		slices.SortStableFunc(arcs, func(a, b int32) int { return cmp.Compare(fl.arcCost[a], fl.arcCost[b]) })
	}
}

// chooseCover picks the component whose aggregate capacity constraint the Lagrangian keeps:
// the one with the largest ratio of demand to the capacity of all facilities (the hardest
// to cover; with one component, the only one). Every component's constraint is valid, so
// the choice only affects the bound's strength.
func (fl *flModel) chooseCover() {
	best, bestRatio := 0, -1.0
	caps := make([]float64, fl.m)
	for k := 0; k < fl.nComp; k++ {
		clear(caps)
		for _, g := range fl.compGrp[k] {
			caps[fl.grpFac[g]] += fl.grpCapa[g]
		}
		tot := 0.0
		for _, s := range caps {
			tot += s
		}
		ratio := 0.0
		if tot > 0 && !math.IsInf(tot, 1) {
			ratio = fl.compDemand[k] / tot
		}
		if ratio > bestRatio {
			best, bestRatio = k, ratio
		}
	}
	fl.capa = make([]float64, fl.m)
	fl.coverDemand = 0
	if fl.nComp == 0 {
		return
	}
	for _, g := range fl.compGrp[best] {
		fl.capa[fl.grpFac[g]] += fl.grpCapa[g]
	}
	fl.coverDemand = fl.compDemand[best]
}

// arcFac returns the facility of arc a.
func (fl *flModel) arcFac(a int32) int { return int(fl.arcFacil[a]) }
