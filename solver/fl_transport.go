package solver

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// The assignment problem of facility location with the open facilities fixed. It splits
// into one problem per component (fl_detect.go). A component without side rows is a
// transportation problem: a min-cost flow from the open capacity groups (supplies s_g) to
// the customers (demands d_j) over the arcs (unit cost c'_a/d_j, capacity u'_a d_j), plus a
// dummy sink that takes the unused capacity at cost 0, solved exactly by the network
// simplex of netsimplex.go. Customers of weight 0 do not interact with the capacities and
// are served greedily.
//
// A component with one side row lo <= a'x' <= hi is the transportation problem with one
// more constraint. Its optimum is the maximum over w of the Lagrangian function
// T(w) + w b, T(w) the transportation optimum at the costs c' - w a' and b the limit w
// prices (LP duality); T is concave and piecewise linear in w. When the transportation
// optimum at w = 0 violates the row, the search keeps two flows, x_lo violating it and x_hi
// meeting it (the first x_hi maximises a'x'), and jumps to the w where their Lagrangian
// costs are equal; the flow there replaces one of them, until it costs no less than they
// do (w is then the maximiser, both flows are optimal at w). The convex combination of x_lo
// and x_hi that meets the row with equality is feasible and, at the maximiser, optimal; its
// cost is the assignment's cost and T(w) + w b is a lower bound on it at every step.
//
// Any other component (several side rows, or a side row and customers of weight 0) is
// solved as an LP by the general simplex over the open facilities' arcs only.

const (
	// flSideTol is the violation of a normalised side row (limits of magnitude 1) that
	// the assignment tolerates: a tenth of the general path's row feasibility tolerance.
	flSideTol = rowFeasTol / 10
	// flParamIters bounds the steps of the one-side-row search; each solves one
	// transportation problem warm. It converges in a handful on the benchmark models.
	flParamIters = 60
	// flParamTol is the relative difference between the Lagrangian value of a new flow
	// and that of the bracketing flows below which w counts as the maximiser.
	flParamTol = 1e-10
)

// flTransport evaluates open sets of an flModel.
type flTransport struct {
	fl *flModel
	ns netSimplex
	// customers of positive weight, their arcs by increasing cost (CSR over customers)
	custBeg []int32
	custArc []int32
	maxUnit float64 // largest |c'_a/d_j|
	node    []int32 // customer -> node of the current network (or -1)
	posOf   []int32 // group -> node of the current network (or -1 when closed)
	arcOf   []int32 // network arc -> model arc (-1 for sink and artificial arcs)
	inNet   []int32 // model arc -> network arc + 1 of the current solve (0: not in the network)
	// x'_a of the last feasible solve
	x []float64
	// the current costs of the network: unit cost (alpha c'_a - beta sideA_a) / d_j
	alpha, beta float64
	tol         float64   // reduced-cost tolerance at the current costs
	sideA       []float64 // side coefficient of each model arc in the current component (sign applied)
	// the flows of the one-side-row search, sparse over model arcs
	flowLo, flowHi, flowCur []flArcVal
	// scratch of greedy
	gflow  []float64
	used   []int32
	custs  []int32
	regret []float64
	rem    []float64
	// failed is set when a subproblem of the last solve could not be solved
	failed bool
	// solves and pivots, for statistics
	solves, lpSolves int64
	// component solutions of clustered models by open facilities (solveCompCached)
	compCache map[string]*flCompEval
}

type flArcVal struct {
	a int32
	x float64
}

// flCandArcs is the number of cheapest open arcs per customer that start in the network;
// the others enter when they price out at the optimum of the smaller network.
const flCandArcs = 5

func newFLTransport(fl *flModel) *flTransport {
	t := &flTransport{fl: fl, node: make([]int32, fl.n), posOf: make([]int32, len(fl.grpFac)),
		x: make([]float64, len(fl.arcCust)), inNet: make([]int32, len(fl.arcCust)),
		sideA: make([]float64, len(fl.arcCust))}
	t.custBeg = make([]int32, fl.n+1)
	for a, j := range fl.arcCust {
		if fl.demand[j] > 0 && fl.arcUB[a] > 0 {
			t.custBeg[j+1]++
			t.maxUnit = math.Max(t.maxUnit, math.Abs(fl.arcCost[a]/fl.demand[j]))
		}
	}
	for j := 0; j < fl.n; j++ {
		t.custBeg[j+1] += t.custBeg[j]
	}
	t.custArc = make([]int32, t.custBeg[fl.n])
	fill := append([]int32(nil), t.custBeg[:fl.n]...)
	for a, j := range fl.arcCust {
		if fl.demand[j] > 0 && fl.arcUB[a] > 0 {
			t.custArc[fill[j]] = int32(a)
			fill[j]++
		}
	}
	for j := 0; j < fl.n; j++ {
		arcs := t.custArc[t.custBeg[j]:t.custBeg[j+1]]
		slices.SortStableFunc(arcs, func(a, b int32) int { return cmp.Compare(fl.arcCost[a], fl.arcCost[b]) })
	}
	for j := range t.node {
		t.node[j] = -1
	}
	return t
}

// solve computes the cheapest assignment for the open facilities (open[i]); it returns the
// cost (fixed costs and the constant included) and a lower bound on the optimal cost of
// this open set (equal to the cost but for the one-side-row search stopped early; -Inf
// when unknown), and leaves x'_a in t.x. The cost is +Inf when the open facilities cannot
// serve every customer or break the cardinality or facility rows (the bound is then +Inf
// too), and when a subproblem could not be solved (a pivot limit, ctx ended; the bound is
// then -Inf).
func (t *flTransport) solve(ctx context.Context, open []bool) (cost, lb float64) {
	fl := t.fl
	t.solves++
	cost = fl.constant
	nOpen := 0
	for i := 0; i < fl.m; i++ {
		if open[i] {
			cost += fl.fixCost[i]
			nOpen++
		}
	}
	if nOpen < fl.cardLo || nOpen > fl.cardHi {
		return math.Inf(1), math.Inf(1)
	}
	if fl.clustered {
		fc := fl.facilityCost(open)
		if math.IsInf(fc, 1) {
			return math.Inf(1), math.Inf(1)
		}
		cost += fc
	}
	clear(t.x)
	t.failed = false
	lb = cost
	for k := 0; k < fl.nComp; k++ {
		c, l := t.solveCompCached(ctx, k, open)
		if math.IsInf(c, 1) {
			if t.failed {
				return math.Inf(1), math.Inf(-1) // not solved: nothing is known of the set
			}
			return math.Inf(1), math.Inf(1)
		}
		cost += c
		lb += l
	}
	return cost, math.Min(lb, cost)
}

// flCompCacheMax bounds the cached component solutions of a clustered model; the cache
// starts over when it is full.
const flCompCacheMax = 20000

type flCompEval struct {
	cost, lb float64
	x        []flArcVal
}

// solveCompCached is solveComp with a cache keyed by the component's open facilities, for
// clustered models: their open sets differ from year to year, and a move of the local
// search changes a few years only.
func (t *flTransport) solveCompCached(ctx context.Context, k int, open []bool) (float64, float64) {
	fl := t.fl
	if !fl.clustered {
		return t.solveComp(ctx, k, open)
	}
	key := make([]byte, 4, 4+(len(fl.compFac[k])+7)/8)
	key[0], key[1], key[2], key[3] = byte(k), byte(k>>8), byte(k>>16), byte(k>>24)
	var b byte
	for n, f := range fl.compFac[k] {
		if open[f] {
			b |= 1 << (n % 8)
		}
		if n%8 == 7 || n == len(fl.compFac[k])-1 {
			key = append(key, b)
			b = 0
		}
	}
	if e, ok := t.compCache[string(key)]; ok {
		for _, v := range e.x {
			t.x[v.a] = v.x
		}
		return e.cost, e.lb
	}
	cost, lb := t.solveComp(ctx, k, open)
	if ctx.Err() != nil || t.failed {
		return cost, lb // interrupted or failed: not cached
	}
	e := &flCompEval{cost: cost, lb: lb}
	if !math.IsInf(cost, 1) {
		for _, g := range fl.compGrp[k] {
			if !open[fl.grpFac[g]] {
				continue
			}
			for a := fl.grpBeg[g]; a < fl.grpBeg[g+1]; a++ {
				if t.x[a] != 0 {
					e.x = append(e.x, flArcVal{int32(a), t.x[a]})
				}
			}
		}
	}
	if t.compCache == nil || len(t.compCache) >= flCompCacheMax {
		t.compCache = make(map[string]*flCompEval)
	}
	t.compCache[string(key)] = e
	return cost, lb
}

// solveComp solves component k; it returns the cost of its assignment (in t.x) and a
// lower bound.
func (t *flTransport) solveComp(ctx context.Context, k int, open []bool) (cost, lb float64) {
	fl := t.fl
	inf := math.Inf(1)
	supply := 0.0
	for _, g := range fl.compGrp[k] {
		if open[fl.grpFac[g]] {
			supply += math.Min(fl.grpCapa[g], fl.compDemand[k])
		}
	}
	if supply < fl.compDemand[k]*(1-1e-12) {
		return inf, inf
	}
	hasFree := false
	for _, j := range fl.compCust[k] {
		if fl.demand[j] <= 0 {
			hasFree = true
		}
	}
	sides := fl.compSide[k]
	switch {
	case len(sides) == 0:
	case len(sides) == 1 && !hasFree:
		return t.solveSide(ctx, k, open, int(sides[0]))
	default:
		return t.solveLP(ctx, k, open)
	}
	t.alpha, t.beta = 1, 0
	if !t.build(k, open, supply) || !t.run(ctx, k) {
		return inf, inf
	}
	cost = t.extract()
	c2, ok := t.serveFree(k, open)
	if !ok {
		return inf, inf
	}
	cost += c2
	return cost, cost
}

// unitCost is the unit cost of model arc a in the network's current costs.
func (t *flTransport) unitCost(a int32) float64 {
	fl := t.fl
	c := t.alpha * fl.arcCost[a]
	if t.beta != 0 {
		c -= t.beta * t.sideA[a]
	}
	return c / fl.demand[fl.arcCust[a]]
}

// curMaxUnit returns the largest |unit cost| of component k's arcs at the current costs.
func (t *flTransport) curMaxUnit(k int) float64 {
	fl := t.fl
	maxUnit := t.maxUnit * math.Abs(t.alpha)
	if t.beta != 0 {
		for _, j := range fl.compCust[k] {
			for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
				maxUnit = math.Max(maxUnit, math.Abs(t.unitCost(a)))
			}
		}
	}
	return maxUnit
}

// bigM returns a cost for the artificial arcs that exceeds any path cost of a network of
// the model at the given largest unit cost.
func (t *flTransport) bigM(maxUnit float64) float64 {
	nodes := len(t.fl.grpFac) + t.fl.n + 2
	return 1 + 2*float64(nodes)*maxUnit
}

// build makes the network of component k for the open facilities at the current costs:
// the cheapest open arcs of each customer and those a greedy start flow uses. It returns
// false when the component has no customer of positive weight to route (nothing to do is
// not a failure: it returns true with an empty network).
func (t *flTransport) build(k int, open []bool, supply float64) bool {
	fl := t.fl
	for _, g := range fl.compGrp[k] {
		t.posOf[g] = -1
	}
	nGrp := 0
	for _, g := range fl.compGrp[k] {
		if open[fl.grpFac[g]] {
			t.posOf[g] = int32(nGrp)
			nGrp++
		}
	}
	nn := nGrp
	for _, j := range fl.compCust[k] {
		t.node[j] = -1
		if fl.demand[j] > 0 {
			t.node[j] = int32(nn)
			nn++
		}
	}
	sink := nn
	nn++
	ns := &t.ns
	ns.reset(nn)
	for _, a := range t.arcOf {
		if a >= 0 {
			t.inNet[a] = 0
		}
	}
	t.arcOf = t.arcOf[:0]
	for _, g := range fl.compGrp[k] {
		if p := t.posOf[g]; p >= 0 {
			ns.supply[p] = math.Min(fl.grpCapa[g], fl.compDemand[k])
		}
	}
	warm := t.greedy(k, nGrp)
	for _, j := range fl.compCust[k] {
		if t.node[j] < 0 {
			continue
		}
		cnt, ub := 0, 0.0
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if t.posOf[fl.arcGrp[a]] < 0 {
				continue
			}
			if cnt >= flCandArcs && ub >= 1 && t.gflow[a] == 0 {
				continue
			}
			t.addArc(a)
			ns.flow[len(ns.flow)-1] = t.gflow[a]
			t.gflow[a] = 0
			cnt++
			ub += fl.arcUB[a]
		}
		ns.supply[t.node[j]] = -fl.demand[j]
	}
	for p := 0; p < nGrp; p++ {
		ns.addArc(p, sink, 0, math.Inf(1))
		ns.flow[len(ns.flow)-1] = t.rem[p]
		t.arcOf = append(t.arcOf, -1)
	}
	ns.supply[sink] = -math.Max(0, supply-fl.compDemand[k])
	mu := t.curMaxUnit(k)
	t.tol = nsCostTol * (1 + mu)
	ns.start(t.bigM(mu), warm)
	for len(t.arcOf) < len(ns.src) {
		t.arcOf = append(t.arcOf, -1) // artificial arcs
	}
	return true
}

// run pivots the network of component k to optimality, pricing in the open arcs outside
// it; false when ctx ended, the pivot limit was hit or the flow is infeasible.
func (t *flTransport) run(ctx context.Context, k int) bool {
	fl := t.fl
	ns := &t.ns
	tol := t.tol
	stop := func() bool { return ctx.Err() != nil }
	for {
		if !ns.run(tol, stop) {
			if ctx.Err() == nil {
				t.failed = true // the pivot limit: not a verdict on the open set
			}
			return false
		}
		added := 0
		for _, j := range fl.compCust[k] {
			v := t.node[j]
			if v < 0 {
				continue
			}
			for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
				p := t.posOf[fl.arcGrp[a]]
				if p < 0 || t.inNet[a] > 0 {
					continue
				}
				if t.unitCost(a)-ns.pi[p]+ns.pi[v] < -tol {
					t.addArc(a)
					added++
				}
			}
		}
		if added == 0 {
			break
		}
	}
	return ns.feasible()
}

// extract writes x'_a of the network's flow into t.x and returns its cost c'x'.
func (t *flTransport) extract() float64 {
	fl := t.fl
	cost := 0.0
	for na, a := range t.arcOf {
		if a < 0 {
			continue
		}
		j := fl.arcCust[a]
		v := t.ns.flow[na] / fl.demand[j]
		v = math.Min(math.Max(v, 0), fl.arcUB[a])
		t.x[a] = v
		cost += fl.arcCost[a] * v
	}
	return cost
}

// flows returns the network's flow as x'_a values, appended to buf.
func (t *flTransport) flows(buf []flArcVal) []flArcVal {
	fl := t.fl
	buf = buf[:0]
	for na, a := range t.arcOf {
		if a < 0 || t.ns.flow[na] <= 0 {
			continue
		}
		v := t.ns.flow[na] / fl.demand[fl.arcCust[a]]
		buf = append(buf, flArcVal{a, math.Min(v, fl.arcUB[a])})
	}
	return buf
}

// addArc puts model arc a (of an open facility, positive-weight customer) in the network.
func (t *flTransport) addArc(a int32) {
	fl := t.fl
	j := fl.arcCust[a]
	d := fl.demand[j]
	c := math.Inf(1)
	if fl.arcUB[a] < 1 {
		c = fl.arcUB[a] * d
	}
	t.ns.addArc(int(t.posOf[fl.arcGrp[a]]), int(t.node[j]), t.unitCost(a), c)
	t.arcOf = append(t.arcOf, a)
	t.inNet[a] = int32(len(t.arcOf))
}

// reprice sets the network's costs to alpha c' - beta sideA (and the artificial arcs' to a
// matching big M) and reoptimises from the current basis.
func (t *flTransport) reprice(ctx context.Context, k int, alpha, beta float64) bool {
	t.alpha, t.beta = alpha, beta
	mu := t.curMaxUnit(k)
	t.tol = nsCostTol * (1 + mu)
	t.ns.setCosts(func(na int) float64 {
		if a := t.arcOf[na]; a >= 0 {
			return t.unitCost(a)
		}
		return 0 // sink arcs (artificial arcs get big M)
	}, t.bigM(mu))
	return t.run(ctx, k)
}

// solveSide solves component k with its one side row r by the Lagrangian search described
// at the top of the file.
func (t *flTransport) solveSide(ctx context.Context, k int, open []bool, r int) (cost, lb float64) {
	fl := t.fl
	inf := math.Inf(1)
	sd := fl.side[r]
	sideOf := func(xs []flArcVal) float64 {
		s := 0.0
		for _, e := range xs {
			s += fl.arcSideCoef(e.a, r) * e.x
		}
		return s
	}
	costOf := func(xs []flArcVal) float64 {
		c := 0.0
		for _, e := range xs {
			c += fl.arcCost[e.a] * e.x
		}
		return c
	}
	supply := 0.0
	for _, g := range fl.compGrp[k] {
		if open[fl.grpFac[g]] {
			supply += math.Min(fl.grpCapa[g], fl.compDemand[k])
		}
	}
	t.alpha, t.beta = 1, 0
	if !t.build(k, open, supply) || !t.run(ctx, k) {
		return inf, inf
	}
	t.flowLo = t.flows(t.flowLo)
	s0 := sideOf(t.flowLo)
	if s0 >= sd.lo-flSideTol && s0 <= sd.hi+flSideTol {
		cost = t.extract()
		return cost, cost
	}
	// sg a'x' >= b: the violated limit as a lower limit
	sg, b := 1.0, sd.lo
	if s0 > sd.hi {
		sg, b = -1, -sd.hi
	}
	for _, j := range fl.compCust[k] {
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			t.sideA[a] = sg * fl.arcSideCoef(a, r)
		}
	}
	sLo, cLo := sg*s0, costOf(t.flowLo)
	// x_hi: the flow of largest sg a'x'
	if !t.reprice(ctx, k, 0, 1) {
		return inf, inf
	}
	t.flowHi = t.flows(t.flowHi)
	sHi, cHi := sg*sideOf(t.flowHi), costOf(t.flowHi)
	if sHi < b-flSideTol {
		return inf, inf // no flow meets the row
	}
	lb = inf
	for it := 0; it < flParamIters; it++ {
		w := (cHi - cLo) / (sHi - sLo)
		if !(w >= 0) || math.IsInf(w, 0) {
			break
		}
		if !t.reprice(ctx, k, 1, w) {
			return inf, inf
		}
		t.flowCur = t.flows(t.flowCur)
		sCur, cCur := sg*sideOf(t.flowCur), costOf(t.flowCur)
		val := cCur - w*sCur
		ref := cLo - w*sLo
		l := val + w*b
		if math.IsInf(lb, 1) || l > lb {
			lb = l
		}
		if val >= ref-flParamTol*(1+math.Abs(ref)) {
			break // w maximises the Lagrangian function
		}
		if sCur >= b {
			t.flowHi, t.flowCur = t.flowCur, t.flowHi
			sHi, cHi = sCur, cCur
		} else {
			t.flowLo, t.flowCur = t.flowCur, t.flowLo
			sLo, cLo = sCur, cCur
		}
	}
	// the combination of x_lo and x_hi that meets the row
	alpha := 0.0 // weight of x_lo
	if sHi > b && sHi > sLo {
		alpha = (sHi - b) / (sHi - sLo)
	}
	for _, e := range t.flowHi {
		t.x[e.a] += (1 - alpha) * e.x
	}
	if alpha > 0 {
		for _, e := range t.flowLo {
			t.x[e.a] += alpha * e.x
		}
	}
	cost = alpha*cLo + (1-alpha)*cHi
	if math.IsInf(lb, 1) {
		lb = math.Inf(-1) // no Lagrangian step was taken: no bound for this open set
	}
	return cost, math.Min(lb, cost)
}

// arcSideCoef returns the coefficient of arc a in side row r (normalised, fraction units).
func (fl *flModel) arcSideCoef(a int32, r int) float64 {
	for k := fl.arcSideBeg[a]; k < fl.arcSideBeg[a+1]; k++ {
		if int(fl.arcSideRow[k]) == r {
			return fl.arcSideVal[k]
		}
	}
	return 0
}

// solveLP solves component k over the open facilities' arcs with the general simplex.
func (t *flTransport) solveLP(ctx context.Context, k int, open []bool) (cost, lb float64) {
	fl := t.fl
	inf := math.Inf(1)
	t.lpSolves++
	md := &Model{}
	var arcs []int32
	colOf := make(map[int32]int)
	for _, j := range fl.compCust[k] {
		for p := fl.custArcBeg[j]; p < fl.custArcBeg[j+1]; p++ {
			a := fl.custArcs[p]
			if !open[fl.arcFacil[a]] {
				continue
			}
			colOf[a] = md.AddCol("", fl.arcCost[a], 0, fl.arcUB[a], false)
			arcs = append(arcs, a)
		}
	}
	var ind []int
	var val []float64
	for _, j := range fl.compCust[k] {
		ind, val = ind[:0], val[:0]
		for p := fl.custArcBeg[j]; p < fl.custArcBeg[j+1]; p++ {
			if c, ok := colOf[fl.custArcs[p]]; ok {
				ind, val = append(ind, c), append(val, 1)
			}
		}
		if len(ind) == 0 {
			return inf, inf
		}
		md.AddRow("", 1, 1, ind, val)
	}
	for _, g := range fl.compGrp[k] {
		if !open[fl.grpFac[g]] || math.IsInf(fl.grpCapa[g], 1) {
			continue
		}
		ind, val = ind[:0], val[:0]
		for a := fl.grpBeg[g]; a < fl.grpBeg[g+1]; a++ {
			if c, ok := colOf[int32(a)]; ok && fl.demand[fl.arcCust[a]] > 0 {
				ind, val = append(ind, c), append(val, fl.demand[fl.arcCust[a]])
			}
		}
		if len(ind) > 0 {
			md.AddRow("", math.Inf(-1), fl.grpCapa[g], ind, val)
		}
	}
	rowOfSide := make(map[int32]int)
	for _, r := range fl.compSide[k] {
		rowOfSide[r] = md.AddRow("", fl.side[r].lo, fl.side[r].hi, nil, nil)
	}
	for _, a := range arcs {
		for p := fl.arcSideBeg[a]; p < fl.arcSideBeg[a+1]; p++ {
			row := &md.Rows[rowOfSide[fl.arcSideRow[p]]]
			row.Ind = append(row.Ind, colOf[a])
			row.Val = append(row.Val, fl.arcSideVal[p])
		}
	}
	res, err := Solve(ctx, md, Settings{NoStructure: true, Threads: 1})
	if res != nil && res.Status == StatusInfeasible {
		return inf, inf
	}
	if err != nil || res.Status != StatusOptimal {
		t.failed = ctx.Err() == nil
		return inf, inf
	}
	for c, a := range arcs {
		t.x[a] = math.Min(math.Max(res.X[c], 0), fl.arcUB[a])
		cost += fl.arcCost[a] * t.x[a]
	}
	return cost, math.Min(res.Objective, cost)
}

// greedy computes a start flow for component k (in t.gflow, per model arc, and t.rem, the
// leftover of each open group): customers in order of decreasing regret (second-cheapest
// minus cheapest open arc cost, per unit) take their cheapest open arcs with capacity
// left. It returns false (and leaves t.gflow zero) when some customer cannot be served
// that way; the network simplex then starts from its artificial basis.
func (t *flTransport) greedy(k, nGrp int) bool {
	fl := t.fl
	if len(t.gflow) < len(fl.arcCust) {
		t.gflow = make([]float64, len(fl.arcCust))
	}
	t.custs = t.custs[:0]
	t.regret = growF(t.regret, fl.n)
	for _, j := range fl.compCust[k] {
		if t.node[j] < 0 {
			continue
		}
		first, second := math.Inf(1), math.Inf(1)
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if t.posOf[fl.arcGrp[a]] < 0 {
				continue
			}
			if math.IsInf(first, 1) {
				first = fl.arcCost[a]
				continue
			}
			second = fl.arcCost[a]
			break
		}
		t.regret[j] = (second - first) / fl.demand[j]
		t.custs = append(t.custs, j)
	}
	slices.SortStableFunc(t.custs, func(a, b int32) int {
		return cmp.Compare(t.regret[b], t.regret[a])
	})
	t.rem = growF(t.rem, nGrp)
	for _, g := range fl.compGrp[k] {
		if p := t.posOf[g]; p >= 0 {
			t.rem[p] = math.Min(fl.grpCapa[g], fl.compDemand[k])
		}
	}
	t.used = t.used[:0]
	for _, j := range t.custs {
		need := fl.demand[j]
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if need <= 0 {
				break
			}
			p := t.posOf[fl.arcGrp[a]]
			if p < 0 {
				continue
			}
			q := math.Min(math.Min(need, t.rem[p]), fl.arcUB[a]*fl.demand[j])
			if q <= 0 {
				continue
			}
			t.gflow[a] = q
			t.used = append(t.used, a)
			t.rem[p] -= q
			need -= q
		}
		if need > 0 {
			for _, a := range t.used {
				t.gflow[a] = 0
			}
			for p := 0; p < nGrp; p++ {
				t.rem[p] = 0
			}
			return false
		}
	}
	return true
}

// serveFree assigns the customers of weight 0 of component k to their cheapest open arcs.
func (t *flTransport) serveFree(k int, open []bool) (float64, bool) {
	fl := t.fl
	cost := 0.0
	for _, j := range fl.compCust[k] {
		if fl.demand[j] > 0 {
			continue
		}
		rest := 1.0
		for p := fl.custArcBeg[j]; p < fl.custArcBeg[j+1] && rest > 0; p++ {
			a := fl.custArcs[p]
			if !open[fl.arcFacil[a]] {
				continue
			}
			v := math.Min(rest, fl.arcUB[a])
			t.x[a] = v
			cost += fl.arcCost[a] * v
			rest -= v
		}
		if rest > nsFeasTol {
			return 0, false
		}
	}
	return cost, true
}
