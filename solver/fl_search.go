package solver

import (
	"container/heap"
	"context"
	"math"
	"time"
)

// The facility-location path: branch and bound on the y_i with the Lagrangian bound of
// fl_lagr.go at every node, the transportation problem of fl_transport.go for primal
// solutions, and local search (drop, add, swap) on the open set. Models are recognised by
// detectFL (fl_detect.go); the result is mapped back to every model column and checked
// against every model row before it is returned.

const (
	// flRootIters and flNodeIters bound the subgradient iterations at the root and at the
	// other nodes; flRootPatience and flNodePatience are the iterations without improvement
	// after which the step factor is halved; flRootLambda and flNodeLambda are the initial
	// step factors; the subgradient stops when the step factor falls below flMinLambda.
	flRootIters    = 3000
	flNodeIters    = 400
	flRootPatience = 30
	flNodePatience = 8
	flRootLambda   = 2.0
	flNodeLambda   = 0.25
	flMinLambda    = 1e-4
	// flImproveTol is the relative improvement of the Lagrangian bound that counts as
	// progress for the step-halving rule.
	flImproveTol = 1e-7
	// flResetGap: when the step factor is halved at the root while the bound is more than
	// this relative amount below the best one, the multipliers return to the best point.
	// Large first steps (many facilities open at the start multipliers of a clustered
	// model) can throw them so far that the halved steps never come back. (Below the root
	// the steps start small; resetting there costs nodes on the OR-Library-like models.)
	flResetGap = 0.01
	// flHeurEvery: at the root the Lagrangian heuristic runs every so many iterations.
	flHeurEvery = 50
	// flSwapCands is the number of closed facilities (cheapest Lagrangian v_i) tried in swap
	// and add moves of the local search.
	flSwapCands = 12
	// flMinSize is the number of arcs from which the facility-location path is used by
	// default: on the 50x50 OR-Library instances (2500 arcs) the LP-based branch and bound is
	// as fast (about 1.4 s for all 37 at RelGap 1e-9, against 3.4 s here); from 30x500 on
	// this path is faster (0.4 s against about 2 s).
	flMinSize = 10000
)

type flNode struct {
	fix   []int8
	u     []float32 // warm start multipliers
	bound float64
	depth int
	seq   int64
}

type flHeap []*flNode

func (h flHeap) Len() int { return len(h) }
func (h flHeap) Less(a, b int) bool {
	if h[a].bound != h[b].bound {
		return h[a].bound < h[b].bound
	}
	return h[a].seq < h[b].seq
}
func (h flHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *flHeap) Push(x any)   { *h = append(*h, x.(*flNode)) }
func (h *flHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

type flSearch struct {
	ctx   context.Context
	s     Settings
	m     *Model
	fl    *flModel
	lg    *flLagr
	tr    *flTransport
	start time.Time

	incObj  float64 // +Inf without incumbent
	incOpen []bool
	incX    []float64 // x'_a of the incumbent

	open     flHeap
	seq      int64
	nodes    int64
	iters    int64
	rootLB   float64
	prunedLB float64 // least bound of the subtrees discarded by the cutoff
	curBound float64 // bound of the node being processed (+Inf between nodes)
	cache    map[string]flEval
	lastProg time.Time
	stopped  bool

	// scratch
	u, bestU, g, bestV []float64
	openBuf            []bool
}

// solveFL runs the facility-location path; nil means "use the general path" (the result
// could not be verified against the model, or the search found no solution).
func solveFL(ctx context.Context, m *Model, fl *flModel, s Settings, start time.Time) *Result {
	fs := &flSearch{ctx: ctx, s: s, m: m, fl: fl, lg: newFLLagr(fl, s.threads()), tr: newFLTransport(fl), start: start,
		incObj: math.Inf(1), cache: make(map[string]flEval), rootLB: math.Inf(-1), prunedLB: math.Inf(1),
		curBound: math.Inf(-1)}
	n := fl.nMult() // customer multipliers, then side rows', then relaxed facility rows'
	fs.u, fs.bestU, fs.g = make([]float64, n), make([]float64, n), make([]float64, n)
	fs.bestV = make([]float64, fl.m)
	fs.openBuf = make([]bool, fl.m)
	status := fs.run()
	return fs.result(status)
}

func (fs *flSearch) stop() bool {
	if fs.ctx.Err() != nil {
		fs.stopped = true
		return true
	}
	return false
}

// cutoff: nodes whose bound reaches it cannot improve the incumbent by more than the gap
// tolerances.
func (fs *flSearch) cutoff() float64 {
	if math.IsInf(fs.incObj, 1) {
		return math.Inf(1)
	}
	return fs.incObj - math.Max(fs.s.absGap(), fs.s.relGap()*math.Max(1e-10, math.Abs(fs.incObj)))
}

// prune records the bound of a subtree discarded because it reached the cutoff.
func (fs *flSearch) prune(b float64) {
	fs.prunedLB = math.Min(fs.prunedLB, b)
}

// initialU: u_j = the cheapest cost of serving j including a share of the fixed cost of
// the facility's capacity (over all its groups); the side-row multipliers start at 0.
func (fs *flSearch) initialU(u []float64) {
	fl := fs.fl
	clear(u)
	cu := u[:fl.n]
	for j := range cu {
		cu[j] = math.Inf(1)
	}
	for i := 0; i < fl.m; i++ {
		s := 0.0
		for g := fl.facGrp[i]; g < fl.facGrp[i+1]; g++ {
			s += math.Min(fl.grpCapa[g], fl.compDemand[fl.grpComp[g]])
		}
		share := 0.0
		if s > 0 && fl.fixCost[i] > 0 {
			share = fl.fixCost[i] / s
		}
		for a := fl.arcBeg[i]; a < fl.arcBeg[i+1]; a++ {
			j := fl.arcCust[a]
			c := fl.arcCost[a] + share*fl.demand[j]
			if c < cu[j] {
				cu[j] = c
			}
		}
	}
	for j := range cu {
		if math.IsInf(cu[j], 1) {
			cu[j] = 0
		}
	}
}

// subgradient maximises L(u) over u from fs.u for the fixings fix; it returns the best
// bound (+Inf: the node is infeasible) and leaves the best u in fs.bestU and its v_i in
// fs.bestV. It stops early when the bound reaches the cutoff.
func (fs *flSearch) subgradient(fix []int8, maxIter, patience int, lambda float64, root bool) float64 {
	best := math.Inf(-1)
	noImp := 0
	u, g := fs.u, fs.g
	for it := 0; it < maxIter; it++ {
		if fs.stop() {
			break
		}
		fs.iters++
		L := fs.lg.eval(u, fix, g)
		if math.IsInf(L, 1) {
			return L
		}
		if L > fs.curBound {
			fs.curBound = L
		}
		if L > best+flImproveTol*math.Max(1, math.Abs(best)) || math.IsInf(best, -1) {
			if L > best {
				best = L
				copy(fs.bestU, u)
				copy(fs.bestV, fs.lg.v)
			}
			noImp = 0
		} else {
			if L > best {
				best = L
				copy(fs.bestU, u)
				copy(fs.bestV, fs.lg.v)
			}
			noImp++
			if noImp >= patience {
				lambda /= 2
				noImp = 0
				if root && L < best-flResetGap*math.Abs(best) {
					// the steps took u far from the best point: go back to it (the next
					// evaluation recomputes the subgradient there)
					copy(u, fs.bestU)
					continue
				}
			}
		}
		if best >= fs.cutoff() || lambda < flMinLambda {
			break
		}
		if root && it%flHeurEvery == flHeurEvery-1 {
			fs.lagrHeuristic(fix)
		}
		norm := 0.0
		for _, gj := range g {
			norm += gj * gj
		}
		if norm == 0 {
			break // u is optimal
		}
		target := fs.incObj
		if math.IsInf(target, 1) || target <= L {
			target = L + 0.05*math.Abs(L) + 1
		}
		step := lambda * (target - L) / norm
		for j := range u {
			u[j] += step * g[j]
		}
		fs.fl.project(u)
		fs.progress(false)
	}
	return best
}

// evaluateStart evaluates the open set of Settings.Hooks.Start (its facility columns
// above one half), whose best assignment is at least as good as the start itself.
func (fs *flSearch) evaluateStart() {
	start := fs.s.Hooks.Start
	if len(start) != len(fs.m.Cols) {
		return
	}
	open := fs.openBuf
	for i, c := range fs.fl.yCol {
		open[i] = start[c] > 0.5
	}
	fs.evaluate(open)
}

// lagrHeuristic opens the facilities of the last Lagrangian solution (theta > 0) plus the
// node's fixed-open ones and evaluates the open set. Beyond the cardinality bound (a
// fractional cover opens one more), the free ones of largest v_i are dropped.
func (fs *flSearch) lagrHeuristic(fix []int8) {
	fl, lg := fs.fl, fs.lg
	open := fs.openBuf
	cnt := 0
	for i := range open {
		open[i] = fix[i] > 0 || (fix[i] == 0 && lg.theta[i] > 0)
		if open[i] {
			cnt++
		}
	}
	if fl.clustered {
		if fs.repairClusters(open, fix) {
			fs.evaluate(open)
		}
		return
	}
	for cnt > fl.cardHi {
		worst := -1
		for i, o := range open {
			if o && fix[i] == 0 && (worst < 0 || lg.v[i] > lg.v[worst]) {
				worst = i
			}
		}
		if worst < 0 {
			return
		}
		open[worst] = false
		cnt--
	}
	// side rows out of reach: open the facilities that bring them closest
	for k := 0; k < fl.m; k++ {
		r, _ := fl.sideShort(open)
		if r < 0 || !fs.repairSide(open, fix, r) {
			break
		}
	}
	fs.evaluate(open)
}

func openKey(open []bool) string {
	b := make([]byte, (len(open)+7)/8)
	for i, o := range open {
		if o {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return string(b)
}

// flEval is the evaluation of an open set: the cost of its assignment and a lower bound on
// its optimal assignment's cost (equal but when a one-side-row search stopped early).
type flEval struct{ cost, lb float64 }

// evaluate solves the assignment problem of an open set (cached) and updates the
// incumbent; it returns the cost (+Inf infeasible) and the lower bound.
func (fs *flSearch) evaluate(open []bool) (float64, float64) {
	key := openKey(open)
	if e, ok := fs.cache[key]; ok {
		return e.cost, e.lb
	}
	v, lb := fs.tr.solve(fs.ctx, open)
	if fs.stop() {
		return math.Inf(1), math.Inf(1) // interrupted: not a result
	}
	fs.cache[key] = flEval{v, lb}
	if v < fs.incObj {
		fs.incObj = v
		fs.incOpen = append(fs.incOpen[:0], open...)
		fs.incX = append(fs.incX[:0], fs.tr.x...)
	}
	return v, lb
}

// localSearch improves the incumbent by drop, add and swap moves until none improves; the
// add and swap candidates are the closed facilities of smallest v (Lagrangian values at
// the root multipliers).
func (fs *flSearch) localSearch(fix []int8, v []float64) {
	fl := fs.fl
	if fs.incOpen == nil {
		return
	}
	if fl.clustered {
		fs.localSearchClusters(fix)
		return
	}
	cur := append([]bool(nil), fs.incOpen...)
	curObj := fs.incObj
	try := make([]bool, fl.m)
	for !fs.stop() {
		bestObj, bestMove := curObj, [2]int{-1, -1}
		nOpen := 0
		for _, o := range cur {
			if o {
				nOpen++
			}
		}
		consider := func(drop, add int) {
			n := nOpen
			if drop >= 0 {
				n--
			}
			if add >= 0 {
				n++
			}
			if n < fl.cardLo || n > fl.cardHi {
				return
			}
			copy(try, cur)
			if drop >= 0 {
				try[drop] = false
			}
			if add >= 0 {
				try[add] = true
			}
			if obj, _ := fs.evaluate(try); obj < bestObj-1e-9*math.Abs(bestObj) {
				bestObj, bestMove = obj, [2]int{drop, add}
			}
		}
		var cands []int
		for i := 0; i < fl.m; i++ {
			if !cur[i] && fix[i] == 0 {
				cands = append(cands, i)
			}
		}
		sortIntsBy(cands, func(i int) float64 { return v[i] })
		if len(cands) > flSwapCands {
			cands = cands[:flSwapCands]
		}
		for i := 0; i < fl.m && !fs.stopped; i++ {
			if cur[i] && fix[i] == 0 {
				consider(i, -1)
			}
		}
		for _, k := range cands {
			if fs.stopped {
				break
			}
			consider(-1, k)
		}
		if bestMove[0] < 0 && bestMove[1] < 0 {
			for i := 0; i < fl.m && !fs.stopped; i++ {
				if !cur[i] || fix[i] != 0 {
					continue
				}
				for _, k := range cands {
					consider(i, k)
				}
			}
		}
		if bestMove[0] < 0 && bestMove[1] < 0 {
			return
		}
		if bestMove[0] >= 0 {
			cur[bestMove[0]] = false
		}
		if bestMove[1] >= 0 {
			cur[bestMove[1]] = true
		}
		curObj = bestObj
	}
}

func (fs *flSearch) run() Status {
	fl := fs.fl
	// the node fixings: the facilities', then in a clustered model the clusters' (branching
	// on "the site opens in no year" against "in some year" first)
	root := &flNode{fix: append([]int8(nil), fl.yFixed...), bound: math.Inf(-1)}
	if fl.clustered {
		root.fix = append(root.fix, make([]int8, len(fl.clusters))...)
	}
	fs.evaluateStart()
	fs.initialU(fs.u)
	lb := fs.subgradient(root.fix, flRootIters, flRootPatience, flRootLambda, true)
	if math.IsInf(lb, 1) {
		return StatusInfeasible
	}
	fs.rootLB = lb
	fs.curBound = lb
	if fs.stopped {
		return fs.limitStatus()
	}
	copy(fs.u, fs.bestU)
	fs.lg.eval(fs.u, root.fix, nil)
	fs.lagrHeuristic(root.fix)
	fs.localSearch(root.fix, fs.bestV)
	root.bound = lb
	root.u = toF32(fs.bestU)
	heap.Push(&fs.open, root)
	first := true
	for fs.open.Len() > 0 {
		if fs.stop() {
			return fs.limitStatus()
		}
		if fs.s.NodeLimit > 0 && fs.nodes >= fs.s.NodeLimit {
			return StatusLimit
		}
		nd := heap.Pop(&fs.open).(*flNode)
		if nd.bound >= fs.cutoff() {
			fs.prune(nd.bound) // the least open bound: the others are not smaller
			fs.open = fs.open[:0]
			break
		}
		fs.nodes++
		fs.curBound = nd.bound
		fs.progress(false)
		var bound float64
		if first {
			bound = lb // the root's subgradient already ran
			first = false
		} else {
			for j, x := range nd.u {
				fs.u[j] = float64(x)
			}
			bound = fs.subgradient(nd.fix, flNodeIters, flNodePatience, flNodeLambda, false)
			if fs.stopped {
				heap.Push(&fs.open, nd)
				fs.curBound = math.Inf(1)
				return fs.limitStatus()
			}
		}
		if math.IsInf(bound, 1) {
			continue
		}
		nd.bound = math.Max(nd.bound, bound)
		if nd.bound >= fs.cutoff() {
			fs.prune(nd.bound)
			fs.curBound = math.Inf(1)
			continue
		}
		fs.branch(nd)
		fs.curBound = math.Inf(1)
	}
	if fs.incOpen == nil {
		return StatusInfeasible
	}
	return StatusOptimal
}

func toF32(u []float64) []float32 {
	out := make([]float32, len(u))
	for j, x := range u {
		out[j] = float32(x)
	}
	return out
}

// branch fixes facilities by the Lagrangian penalties at the node's best multipliers,
// runs the Lagrangian heuristic, and creates the two children of the facility whose worse
// penalty is largest.
func (fs *flSearch) branch(nd *flNode) {
	fl, lg := fs.fl, fs.lg
	fix := nd.fix
	// re-evaluate at the best u (the subgradient's last point may differ)
	L := lg.eval(fs.bestU, fix, nil)
	if math.IsInf(L, 1) {
		return
	}
	if L >= fs.cutoff() {
		fs.prune(L)
		return
	}
	fs.lagrHeuristic(fix)
	base := lg.sumU + fl.constant
	for changed := true; changed; {
		changed = false
		for i := range fix {
			if fix[i] != 0 {
				continue
			}
			l1 := base + lg.choose(fix, i, 1, false)
			l0 := base + lg.choose(fix, i, -1, false)
			co := fs.cutoff()
			switch {
			case l1 >= co && l0 >= co:
				fs.prune(math.Min(l0, l1))
				return
			case l1 >= co:
				fs.prune(l1)
				fix[i], changed = -1, true
			case l0 >= co:
				fs.prune(l0)
				fix[i], changed = 1, true
			}
		}
		if changed {
			lg.sortFree(fix)
		}
	}
	nodeLB := base + lg.choose(fix, -1, 0, true)
	if nodeLB >= fs.cutoff() {
		fs.prune(nodeLB)
		return
	}
	bestI, bestScore := -1, math.Inf(-1)
	var b0, b1 float64
	consider := func(i int) {
		l1 := base + lg.choose(fix, i, 1, false)
		l0 := base + lg.choose(fix, i, -1, false)
		sc := math.Min(l0, l1)
		if sc > bestScore {
			bestI, bestScore, b0, b1 = i, sc, l0, l1
		}
	}
	for c := range fl.clusters {
		// clusters whose fixings do not decide yet whether they open at all
		if mk := fl.fixMasks(c, fix, -1, 0); fix[fl.m+c] == 0 && mk.on == 0 && mk.off != 1<<len(fl.clusters[c].fac)-1 {
			consider(fl.m + c)
		}
	}
	if bestI < 0 {
		for i := 0; i < fl.m; i++ {
			if fix[i] == 0 {
				consider(i)
			}
		}
	}
	if bestI < 0 {
		// every facility fixed: the transportation problem is the node's exact optimum
		open := fs.openBuf
		for i := range open {
			open[i] = fix[i] > 0
		}
		// the open set's optimum is at least lb: that is the bound of this leaf
		_, lb := fs.evaluate(open)
		switch {
		case fs.stopped || math.IsInf(lb, -1):
			fs.prune(nd.bound) // not evaluated: the leaf keeps its node bound
		case !math.IsInf(lb, 1):
			fs.prune(lb)
		}
		return
	}
	u := toF32(fs.bestU)
	for _, c := range []struct {
		val int8
		lb  float64
	}{{-1, b0}, {1, b1}} {
		ch := &flNode{fix: append([]int8(nil), fix...), u: u, bound: math.Max(nodeLB, c.lb), depth: nd.depth + 1}
		ch.fix[bestI] = c.val
		fs.seq++
		ch.seq = fs.seq
		if ch.bound < fs.cutoff() {
			heap.Push(&fs.open, ch)
		} else {
			fs.prune(ch.bound)
		}
	}
}

func (fs *flSearch) limitStatus() Status {
	if fs.ctx.Err() == context.Canceled {
		return StatusCancelled
	}
	return StatusLimit
}

// globalBound is the least bound of the open nodes and of the subtrees discarded by the
// cutoff (the incumbent when it is smaller).
func (fs *flSearch) globalBound() float64 {
	b := math.Min(math.Min(fs.incObj, fs.prunedLB), fs.curBound)
	for _, nd := range fs.open {
		b = math.Min(b, nd.bound)
	}
	return b
}

func (fs *flSearch) progress(final bool) {
	if fs.s.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(fs.lastProg) < progressInterval {
		return
	}
	fs.lastProg = now
	bound := fs.globalBound()
	pg := Progress{Nodes: fs.nodes, LPIterations: fs.iters, Bound: bound, Elapsed: now.Sub(fs.start), Gap: math.Inf(1)}
	if !math.IsInf(fs.incObj, 1) {
		pg.HasIncumbent, pg.Incumbent = true, fs.incObj
		pg.Gap = gapOf(pg.Incumbent, bound)
	}
	fs.s.Progress(pg)
}

// result maps the incumbent to the model and checks it; nil when the general path must run.
func (fs *flSearch) result(status Status) *Result {
	if status == StatusInfeasible || fs.incOpen == nil {
		return nil // let the general path decide (and prove) infeasibility or find a solution
	}
	fl, m := fs.fl, fs.m
	x := make([]float64, len(m.Cols))
	for i, c := range fl.yCol {
		if fs.incOpen[i] {
			x[c] = 1
		}
	}
	for a, c := range fl.arcCol {
		x[c] = fs.incX[a] * fl.arcScale[a]
	}
	for k, c := range fl.otherCol {
		x[c] = fl.otherVal[k]
	}
	for c, cl := range fl.clusters {
		if vals := cl.auxVal[fl.patternOf(c, fs.incOpen)]; vals != nil {
			for k, col := range cl.aux {
				x[col] = vals[k]
			}
		}
	}
	if !feasibleInModel(m, x) {
		return nil
	}
	obj := m.ObjOffset
	for j, c := range m.Cols {
		obj += c.Obj * x[j]
	}
	res := &Result{Status: status, Objective: obj, X: x}
	bound := fs.globalBound()
	// the bound is in the search's arithmetic; never report it above the objective
	res.Bound = math.Min(bound, obj)
	res.Gap = gapOf(res.Objective, res.Bound)
	if status == StatusLimit {
		res.Status = StatusFeasible
	}
	res.Stats.Nodes = fs.nodes
	res.Stats.RootBound = fs.rootLB
	res.Stats.Method = "lagrangian-fl"
	res.Stats.SubgradientIterations = fs.iters
	fs.progress(true)
	return res
}

// feasibleInModel checks x against the column bounds, integrality and every row (lazy rows
// included) with the tolerances of the general path.
func feasibleInModel(m *Model, x []float64) bool {
	for j, c := range m.Cols {
		v := x[j]
		if math.IsNaN(v) || v < c.Lo-rowFeasTol*(1+math.Abs(c.Lo)) || v > c.Hi+rowFeasTol*(1+math.Abs(c.Hi)) {
			return false
		}
		if c.Integer && math.Abs(v-math.Round(v)) > intTol {
			return false
		}
	}
	for _, r := range m.Rows {
		act, mag := 0.0, 0.0
		for k, j := range r.Ind {
			t := r.Val[k] * x[j]
			act += t
			mag += math.Abs(t)
		}
		if act < r.Lo-rowFeasTol*(1+math.Abs(r.Lo)+mag) || act > r.Hi+rowFeasTol*(1+math.Abs(r.Hi)+mag) {
			return false
		}
	}
	return true
}
