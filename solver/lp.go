package solver

import (
	"math"
)

// The working LP of the simplex engine. It is the model's LP in computational form:
//
//	min c^T x  s.t.  A x - r = 0,  lo <= (x, r) <= hi
//
// with one "row activity" variable r_i (a slack with column -e_i) per row, so ranged rows,
// equalities and free rows need no special cases. Variables 0..n-1 are structural,
// n..n+m-1 are the row activities. Everything here is scaled (see scaling.go): the scaled
// matrix is R A C, structural x' = x / C, r' = R r, c' = C c.

// Variable status in the basis.
const (
	stBasic int8 = iota
	stLower      // nonbasic at its lower bound
	stUpper      // nonbasic at its upper bound
	stFixed      // nonbasic with lo == hi
	stFree       // nonbasic strictly between its bounds (free variables sit at 0)
)

// lpRow is a row in the unscaled column space of the working LP.
type lpRow struct {
	ind    []int
	val    []float64
	lo, hi float64
}

type lp struct {
	m, n int
	// scaled structural matrix, column-wise and row-wise
	cStart, cIdx []int
	cVal         []float64
	rStart, rIdx []int
	rVal         []float64
	rows         []lpRow // unscaled rows, kept to rebuild the matrices when rows are added

	colScale, rowScale []float64
	cost               []float64 // n+m, scaled, possibly shifted by the dual ratio test
	origCost           []float64 // n+m, unshifted
	lo, hi             []float64 // n+m, scaled working bounds

	head []int     // basis position -> variable
	pos  []int     // variable -> basis position, -1 when nonbasic
	stat []int8    // variable status
	x    []float64 // n+m values
	d    []float64 // n+m reduced costs
	w    []float64 // dual steepest-edge weights by basis position

	lu         luFactor
	needFactor bool
	etaWork    int64 // eta-file work since the last factorization (see needRefresh)
	gen        int   // factorization count, tells whether an eta file can be truncated
	dseOK      bool  // w holds steepest-edge weights (not a reference framework reset)
	shifted    bool

	iters int64

	// sifting (sifting.go): nil when every column is in the working set
	sift *siftState
	// the dual ray of the last infeasible dual simplex (row-indexed), for sifting
	ray      []float64
	rayUp    bool
	rayValid bool
	rayLeave int // the leaving variable of the ray's row
	// the primal ray of the last unbounded primal simplex: the entering variable, its
	// direction and the FTRAN of its column (see setPrimalRay)
	pRayQ     int
	pRayDir   float64
	pRayAlpha []float64
	// structural columns of the row-wise matrix (the working set) and their nonzero count,
	// for the column-wise pivot row
	activeCols []int
	activeNNZ  int

	// work space
	colIdxs [][]int
	colVals [][]float64
	iota    []int
	negOne  []float64
	wRow    []float64 // m, indexed by row
	wPos    []float64 // m, indexed by position
	alphaQ  []float64 // m, FTRAN of the entering column, by position
	rho     []float64 // m, BTRAN of e_r, by row
	tau     []float64 // m
	acc     []float64 // n+m, pivot row accumulator
	inList  []bool    // n+m
	list    []int
	cands   []ratioCand
	flips   []int
}

// newLP builds the working LP. cost, lo, hi are per structural column, unscaled, minimize.
func newLP(n int, cost, lo, hi []float64, rows []lpRow) *lp {
	p := &lp{n: n}
	p.rows = rows
	p.m = len(rows)
	cStart, cIdx, cVal := columnwise(n, rows, nil)
	p.rowScale, p.colScale = computeScaling(p.m, n, cStart, cIdx, cVal)
	nt := n + p.m
	p.cost = make([]float64, nt)
	p.origCost = make([]float64, nt)
	p.lo = make([]float64, nt)
	p.hi = make([]float64, nt)
	for j := 0; j < n; j++ {
		c := p.colScale[j]
		p.origCost[j] = cost[j] * c
		p.lo[j] = lo[j] / c
		p.hi[j] = hi[j] / c
	}
	for i, r := range rows {
		p.lo[n+i] = r.lo * p.rowScale[i]
		p.hi[n+i] = r.hi * p.rowScale[i]
	}
	copy(p.cost, p.origCost)
	p.rebuild()
	p.head = make([]int, p.m)
	p.pos = make([]int, nt)
	p.stat = make([]int8, nt)
	p.x = make([]float64, nt)
	p.d = make([]float64, nt)
	p.w = make([]float64, p.m)
	for j := 0; j < n; j++ {
		p.pos[j] = -1
		p.x[j] = p.initialValue(j)
		p.setNonbasicStat(j)
	}
	for i := 0; i < p.m; i++ {
		p.head[i] = n + i
		p.pos[n+i] = i
		p.stat[n+i] = stBasic
		p.w[i] = 1
	}
	p.dseOK = true
	p.needFactor = true
	return p
}

// initialValue puts a nonbasic structural at the bound its cost prefers (dual feasible
// when that bound is finite).
func (p *lp) initialValue(j int) float64 {
	l, h := p.lo[j], p.hi[j]
	switch {
	case p.cost[j] >= 0 && !math.IsInf(l, -1):
		return l
	case p.cost[j] < 0 && !math.IsInf(h, 1):
		return h
	case !math.IsInf(l, -1):
		return l
	case !math.IsInf(h, 1):
		return h
	}
	return 0
}

// columnwise converts rows to compressed columns (unscaled when scale is nil).
func columnwise(n int, rows []lpRow, scale func(i, j int) float64) (start, idx []int, val []float64) {
	start = make([]int, n+1)
	for _, r := range rows {
		for _, j := range r.ind {
			start[j+1]++
		}
	}
	for j := 0; j < n; j++ {
		start[j+1] += start[j]
	}
	idx = make([]int, start[n])
	val = make([]float64, start[n])
	fill := make([]int, n)
	copy(fill, start[:n])
	for i, r := range rows {
		for k, j := range r.ind {
			v := r.val[k]
			if scale != nil {
				v *= scale(i, j)
			}
			idx[fill[j]] = i
			val[fill[j]] = v
			fill[j]++
		}
	}
	return start, idx, val
}

// rebuild recomputes the scaled matrices and work space after rows were added.
func (p *lp) rebuild() {
	p.cStart, p.cIdx, p.cVal = columnwise(p.n, p.rows, func(i, j int) float64 { return p.rowScale[i] * p.colScale[j] })
	p.buildRowwise()
	m, nt := p.m, p.n+p.m
	p.iota = make([]int, m)
	for i := range p.iota {
		p.iota[i] = i
	}
	p.negOne = []float64{-1}
	p.colIdxs = make([][]int, m)
	p.colVals = make([][]float64, m)
	p.wRow = make([]float64, m)
	p.wPos = make([]float64, m)
	p.alphaQ = make([]float64, m)
	p.rho = make([]float64, m)
	p.tau = make([]float64, m)
	p.acc = make([]float64, nt)
	p.inList = make([]bool, nt)
}

// buildRowwise builds the row-wise scaled matrix over the columns of the working set
// (all columns without sifting) from the column-wise one.
func (p *lp) buildRowwise() {
	m := p.m
	p.rStart = resizeInts(p.rStart, m+1)
	clear(p.rStart)
	p.activeCols = p.activeCols[:0]
	for j := 0; j < p.n; j++ {
		if p.isInactive(j) {
			continue
		}
		p.activeCols = append(p.activeCols, j)
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			p.rStart[p.cIdx[k]+1]++
		}
	}
	for i := 0; i < m; i++ {
		p.rStart[i+1] += p.rStart[i]
	}
	nnz := p.rStart[m]
	p.activeNNZ = nnz
	if cap(p.rIdx) < nnz {
		p.rIdx = make([]int, nnz)
		p.rVal = make([]float64, nnz)
	}
	p.rIdx, p.rVal = p.rIdx[:nnz], p.rVal[:nnz]
	fill := make([]int, m)
	copy(fill, p.rStart[:m])
	for _, j := range p.activeCols {
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			i := p.cIdx[k]
			p.rIdx[fill[i]] = j
			p.rVal[fill[i]] = p.cVal[k]
			fill[i]++
		}
	}
}

// addRows appends rows (unscaled) with their row activities basic. The factorization is
// invalidated; the basis stays dual feasible.
func (p *lp) addRows(rows []lpRow) {
	if len(rows) == 0 {
		return
	}
	n, m0 := p.n, p.m
	for _, r := range rows {
		s := rowScaleFor(r.ind, r.val, p.colScale)
		p.rowScale = append(p.rowScale, s)
		p.rows = append(p.rows, r)
		act := 0.0
		for k, j := range r.ind {
			act += r.val[k] * p.colScale[j] * p.x[j]
		}
		p.cost = append(p.cost, 0)
		p.origCost = append(p.origCost, 0)
		p.lo = append(p.lo, r.lo*s)
		p.hi = append(p.hi, r.hi*s)
		p.x = append(p.x, act*s)
		p.d = append(p.d, 0)
		p.stat = append(p.stat, stBasic)
		p.pos = append(p.pos, len(p.head))
		p.head = append(p.head, n+p.m)
		p.w = append(p.w, 1)
		p.m++
	}
	_ = m0
	p.rebuild()
	p.needFactor = true
}

// setNonbasicStat sets the status of nonbasic j from its value and bounds.
func (p *lp) setNonbasicStat(j int) {
	l, h, v := p.lo[j], p.hi[j], p.x[j]
	switch {
	case l == h:
		p.stat[j] = stFixed
	case v == l:
		p.stat[j] = stLower
	case v == h:
		p.stat[j] = stUpper
	default:
		p.stat[j] = stFree
	}
}

// setBounds changes the working bounds of variable j (scaled units). A nonbasic variable
// moves to the bound on its side; the caller then recomputes the basic values.
func (p *lp) setBounds(j int, l, h float64) {
	p.lo[j], p.hi[j] = l, h
	if p.stat[j] == stBasic {
		return
	}
	switch p.stat[j] {
	case stUpper:
		if !math.IsInf(h, 1) {
			p.x[j] = h
		} else if !math.IsInf(l, -1) {
			p.x[j] = l
		}
	case stLower, stFixed:
		if !math.IsInf(l, -1) {
			p.x[j] = l
		} else if !math.IsInf(h, 1) {
			p.x[j] = h
		}
	default:
		if p.x[j] < l {
			p.x[j] = l
		} else if p.x[j] > h {
			p.x[j] = h
		}
	}
	p.setNonbasicStat(j)
}

// column scatters the scaled column of variable j into dense v (indexed by row).
func (p *lp) column(j int, v []float64) {
	if j < p.n {
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			v[p.cIdx[k]] = p.cVal[k]
		}
	} else {
		v[j-p.n] = -1
	}
}

// factorize factors the basis, replacing the basic variables of a singular basis by slacks.
func (p *lp) factorize() {
	for attempt := 0; ; attempt++ {
		for q, j := range p.head {
			if j < p.n {
				p.colIdxs[q] = p.cIdx[p.cStart[j]:p.cStart[j+1]]
				p.colVals[q] = p.cVal[p.cStart[j]:p.cStart[j+1]]
			} else {
				p.colIdxs[q] = p.iota[j-p.n : j-p.n+1]
				p.colVals[q] = p.negOne
			}
		}
		err := p.lu.factor(p.m, p.colIdxs, p.colVals)
		if err == nil {
			break
		}
		for k, q := range p.lu.singularPos {
			j := p.head[q]
			i := p.lu.singularRow[k]
			s := p.n + i
			p.pos[j] = -1
			// put the leaving variable on its nearest finite bound
			l, h := p.lo[j], p.hi[j]
			switch {
			case !math.IsInf(l, -1) && (math.IsInf(h, 1) || math.Abs(p.x[j]-l) <= math.Abs(p.x[j]-h)):
				p.x[j] = l
			case !math.IsInf(h, 1):
				p.x[j] = h
			default:
				p.x[j] = 0
			}
			p.setNonbasicStat(j)
			p.head[q] = s
			p.pos[s] = q
			p.stat[s] = stBasic
			p.w[q] = 1
		}
		p.dseOK = false
	}
	p.needFactor = false
	p.etaWork = 0
	p.gen++
}

// computePrimal recomputes the basic values from the nonbasic ones: x_B = -B^{-1} N x_N.
func (p *lp) computePrimal() {
	rhs := p.wRow
	clear(rhs)
	for j := 0; j < p.n; j++ {
		if p.stat[j] == stBasic || p.x[j] == 0 {
			continue
		}
		v := p.x[j]
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			rhs[p.cIdx[k]] -= p.cVal[k] * v
		}
	}
	for i := 0; i < p.m; i++ {
		if s := p.n + i; p.stat[s] != stBasic {
			rhs[i] += p.x[s]
		}
	}
	p.lu.ftran(rhs, p.wPos)
	for q, j := range p.head {
		p.x[j] = p.wPos[q]
	}
}

// computeDual recomputes the duals y = B^{-T} c_B (left in p.rho) and the reduced costs.
func (p *lp) computeDual() {
	cb := p.wPos
	for q, j := range p.head {
		cb[q] = p.cost[j]
	}
	y := p.rho
	p.lu.btran(cb, y)
	for j := 0; j < p.n; j++ {
		if p.stat[j] == stBasic {
			p.d[j] = 0
			continue
		}
		if p.isInactive(j) {
			continue // priced by sifting
		}
		v := p.cost[j]
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			v -= y[p.cIdx[k]] * p.cVal[k]
		}
		p.d[j] = v
	}
	for i := 0; i < p.m; i++ {
		s := p.n + i
		if p.stat[s] == stBasic {
			p.d[s] = 0
		} else {
			p.d[s] = p.cost[s] + y[i]
		}
	}
}

// objective returns c^T x with the unshifted costs (scaled space equals unscaled value).
func (p *lp) objective() float64 {
	v := 0.0
	for j := 0; j < p.n; j++ {
		if x := p.x[j]; x != 0 {
			v += p.origCost[j] * x
		}
	}
	return v
}

// pivotRowDensity: the pivot row is computed column-wise (a dot product per nonbasic
// column of the working set) when the row-wise work (the lengths of the rows where rho is
// nonzero) exceeds this fraction of the working set's nonzeros; row-wise otherwise. HiGHS
// switches at a rho density of about 10 %.
const pivotRowDensity = 0.4

// pivotRow computes alpha_j = rho^T a_j for the nonbasic variables of the working set,
// leaving the nonzeros' indices in p.list and values in p.acc (rho is indexed by row).
func (p *lp) pivotRow(rho []float64) {
	for _, j := range p.list {
		p.acc[j] = 0
		p.inList[j] = false
	}
	p.list = p.list[:0]
	work := 0
	for i := 0; i < p.m; i++ {
		if ri := rho[i]; ri != 0 && math.Abs(ri) >= zeroTol {
			work += p.rStart[i+1] - p.rStart[i] + 1
		}
	}
	if float64(work) > pivotRowDensity*float64(p.activeNNZ+p.m) {
		p.pivotRowCols(rho)
		return
	}
	for i := 0; i < p.m; i++ {
		ri := rho[i]
		if ri == 0 || math.Abs(ri) < zeroTol {
			continue
		}
		for k := p.rStart[i]; k < p.rStart[i+1]; k++ {
			j := p.rIdx[k]
			if p.stat[j] == stBasic {
				continue
			}
			if !p.inList[j] {
				p.inList[j] = true
				p.list = append(p.list, j)
			}
			p.acc[j] += ri * p.rVal[k]
		}
		if s := p.n + i; p.stat[s] != stBasic {
			if !p.inList[s] {
				p.inList[s] = true
				p.list = append(p.list, s)
			}
			p.acc[s] -= ri
		}
	}
}

// pivotRowCols is pivotRow by columns, for a dense rho.
func (p *lp) pivotRowCols(rho []float64) {
	for _, j := range p.activeCols {
		if p.stat[j] == stBasic {
			continue
		}
		v := 0.0
		for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
			v += rho[p.cIdx[k]] * p.cVal[k]
		}
		if v != 0 {
			p.inList[j] = true
			p.list = append(p.list, j)
			p.acc[j] = v
		}
	}
	for i := 0; i < p.m; i++ {
		if s := p.n + i; p.stat[s] != stBasic && rho[i] != 0 {
			p.inList[s] = true
			p.list = append(p.list, s)
			p.acc[s] = -rho[i]
		}
	}
}

// maxPrimalInfeas returns the largest bound violation of any variable.
func (p *lp) maxPrimalInfeas() float64 {
	mx := 0.0
	for j := range p.x {
		if v := p.lo[j] - p.x[j]; v > mx {
			mx = v
		}
		if v := p.x[j] - p.hi[j]; v > mx {
			mx = v
		}
	}
	return mx
}
