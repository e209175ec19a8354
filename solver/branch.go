package solver

import (
	"container/heap"
	"context"
	"math"
	"time"
)

const (
	// intTol is how far from an integer an integer column's LP value may be and still count
	// as integral.
	intTol = 1e-6
	// rowFeasTol is the row violation, relative to 1 + |row limit| + the magnitude of the
	// row's terms, accepted when a candidate solution is checked against the model.
	rowFeasTol = 1e-6
	// progressInterval is the minimum time between two Progress calls.
	progressInterval = 500 * time.Millisecond
	// pseudocostReliable is the number of observations after which a column's pseudocost
	// is trusted and strong branching is no longer used on it.
	pseudocostReliable = 1
	// strongBranchCands is the most candidates strong branching evaluates at one node.
	strongBranchCands = 8
	// strongBranchIters is the dual simplex iteration limit of one strong-branching child.
	strongBranchIters = 40
)

type boundChange struct {
	j      int
	lo, hi float64 // model units
}

type node struct {
	bound   float64 // lower bound (internal min sense) from the parent LP
	depth   int
	changes []boundChange
	basis   *basisSnap
	seq     int64
	// branching record for the pseudocost update
	bvar   int
	up     bool
	frac   float64
	parent float64
}

type basisSnap struct {
	stat []int8
	w    []float64
}

type nodeHeap []*node

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(a, b int) bool {
	if h[a].bound != h[b].bound {
		return h[a].bound < h[b].bound
	}
	return h[a].seq < h[b].seq
}
func (h nodeHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

type mip struct {
	ctx   context.Context
	s     Settings
	pr    *problem
	p     *lp
	pool  *rowPool
	start time.Time
	res   *Result

	rootLo, rootHi []float64 // model units, global bounds (tightened by reduced-cost fixing)
	dirty          []int     // columns whose LP bounds differ from the root bounds
	isDirty        []bool

	incX   []float64
	incObj float64 // internal (min) objective; +Inf without incumbent

	open   nodeHeap
	seq    int64
	nodes  int64
	pcUp   []float64
	pcDown []float64
	nUp    []int
	nDown  []int

	x        []float64 // scratch: LP solution in model units
	lastProg time.Time
	rootObj  float64
	rootD    []float64 // root reduced costs (model units) for reduced-cost fixing
	rootX    []float64

	zeroObjective bool // this search only looks for a feasible point

	// lostBound is the smallest bound (internal sense) of the nodes whose LP failed
	// numerically (lpNumerical): they are neither pruned nor branched on, so the search
	// cannot prove anything below it; +Inf when none failed.
	lostBound float64
	// curBound is the bound of the node being processed (it is in no heap), for Progress;
	// +Inf between nodes.
	curBound float64

	// rinsNext is the node count from which RINS may run again, rinsGap the current
	// interval (rins.go).
	rinsNext, rinsGap int64
}

func solveMIP(ctx context.Context, pr *problem, s Settings, start time.Time) *Result {
	res := &Result{Objective: math.NaN(), Bound: math.NaN(), Gap: math.Inf(1)}
	if pr.infeasible != "" {
		res.Status = StatusInfeasible
		return res
	}
	b := &mip{ctx: ctx, s: s, pr: pr, start: start, res: res, incObj: math.Inf(1), lostBound: math.Inf(1), curBound: math.Inf(1)}
	b.init()
	if s.Hooks.Start != nil {
		b.tryCandidate(s.Hooks.Start)
	}
	b.run()
	b.finish()
	return res
}

func (b *mip) init() {
	pr := b.pr
	n := pr.n
	b.rootLo = append([]float64(nil), pr.lo...)
	b.rootHi = append([]float64(nil), pr.hi...)
	b.isDirty = make([]bool, n)
	b.pcUp = make([]float64, n)
	b.pcDown = make([]float64, n)
	b.nUp = make([]int, n)
	b.nDown = make([]int, n)
	b.x = make([]float64, n)
	b.p = newLP(n, pr.cost, pr.lo, pr.hi, pr.rows)
	if useSifting(n, len(pr.rows)) {
		b.p.enableSifting(pr.isInt, 0, 0)
	}
	b.pool = newPool(pr)
}

// solveLP solves the current LP with the pool's rows separated in. It returns the status
// and, when optimal, leaves the solution in b.x.
func (b *mip) solveLP(cutoff float64, iterLimit int64) lpStatus {
	for {
		st := b.p.solve(b.ctx, solveOpts{cutoff: cutoff, iterLimit: iterLimit})
		if st == lpUnbounded {
			// the ray keeps the LP's rows (checked by the simplex); it must keep the pooled ones
			if add := b.pool.rayViolations(b.p.primalRay(), maxPoolAddLP); len(add) > 0 {
				b.pool.addTo(b.p, b.pr, add)
				b.res.Stats.LazyRows += len(add)
				continue
			}
		}
		if st != lpOptimal {
			return st
		}
		unscaledX(b.p, b.x)
		add := b.pool.separate(b.x, maxPoolAddLP)
		if len(add) == 0 {
			return st
		}
		b.pool.addTo(b.p, b.pr, add)
		b.res.Stats.LazyRows += len(add)
	}
}

func (b *mip) lpObj() float64 {
	return b.p.objective()
}

// setNodeBounds resets the LP column bounds to the root bounds plus the node's changes.
// It reports false when a change contradicts the root bounds (reduced-cost fixing can
// tighten them after the node was created): the node holds no point and is pruned.
func (b *mip) setNodeBounds(changes []boundChange) bool {
	for _, j := range b.dirty {
		b.isDirty[j] = false
		b.setColBounds(j, b.rootLo[j], b.rootHi[j])
	}
	b.dirty = b.dirty[:0]
	ok := true
	for _, c := range changes {
		lo := math.Max(c.lo, b.rootLo[c.j])
		hi := math.Min(c.hi, b.rootHi[c.j])
		if lo > hi {
			ok = false
			hi = lo // keep the LP's boxes consistent; the node is not solved
		}
		b.setColBounds(c.j, lo, hi)
		if !b.isDirty[c.j] {
			b.isDirty[c.j] = true
			b.dirty = append(b.dirty, c.j)
		}
	}
	return ok
}

func (b *mip) setColBounds(j int, lo, hi float64) {
	c := b.p.colScale[j]
	b.p.setBounds(j, lo/c, hi/c)
}

func (b *mip) snapshot() *basisSnap {
	return &basisSnap{stat: append([]int8(nil), b.p.stat...), w: append([]float64(nil), b.p.w...)}
}

// loadBasis installs a saved basis; rows added since have their slacks basic.
func (b *mip) loadBasis(s *basisSnap) {
	p := b.p
	nt := len(p.stat)
	copy(p.stat, s.stat)
	copy(p.w, s.w)
	for j := len(s.stat); j < nt; j++ {
		p.stat[j] = stBasic
	}
	for q := len(s.w); q < p.m; q++ {
		p.w[q] = 1
	}
	p.head = p.head[:0]
	for j := 0; j < nt; j++ {
		if p.stat[j] == stBasic {
			p.pos[j] = len(p.head)
			p.head = append(p.head, j)
			continue
		}
		p.pos[j] = -1
		l, h := p.lo[j], p.hi[j]
		switch p.stat[j] {
		case stUpper:
			p.x[j] = h
			if math.IsInf(h, 1) {
				p.x[j] = l
			}
		case stLower, stFixed:
			p.x[j] = l
			if math.IsInf(l, -1) {
				p.x[j] = h
			}
		default:
			p.x[j] = math.Min(math.Max(0, l), h)
		}
		if math.IsInf(p.x[j], 0) {
			p.x[j] = 0
		}
		p.setNonbasicStat(j)
	}
	if len(p.head) != p.m {
		// should not happen; fall back to the slack basis
		p.head = p.head[:0]
		for j := 0; j < nt; j++ {
			if j >= p.n {
				p.stat[j] = stBasic
				p.pos[j] = len(p.head)
				p.head = append(p.head, j)
			} else if p.stat[j] == stBasic {
				p.pos[j] = -1
				p.x[j] = p.initialValue(j)
				p.setNonbasicStat(j)
			}
		}
		for q := range p.w {
			p.w[q] = 1
		}
	}
	p.needFactor = true
}

// fractional returns the integer columns with fractional LP values.
func (b *mip) fractional(x []float64, out []int) []int {
	out = out[:0]
	for j, isInt := range b.pr.isInt {
		if isInt {
			if f := x[j] - math.Floor(x[j]); f > intTol && f < 1-intTol {
				out = append(out, j)
			}
		}
	}
	return out
}

func (b *mip) cutoff() float64 {
	if math.IsInf(b.incObj, 1) {
		return math.Inf(1)
	}
	return b.incObj - b.gapTol(b.incObj)
}

// gapTol is the improvement below which a node cannot matter given the gap tolerances.
func (b *mip) gapTol(inc float64) float64 {
	return math.Max(b.s.absGap(), b.s.relGap()*math.Max(1e-10, math.Abs(b.pr.toModel(inc))))
}

func (b *mip) stopped() (Status, bool) {
	if b.ctx.Err() != nil {
		if b.ctx.Err() == context.DeadlineExceeded {
			return StatusLimit, true
		}
		return StatusCancelled, true
	}
	if b.s.NodeLimit > 0 && b.nodes >= b.s.NodeLimit {
		return StatusLimit, true
	}
	return 0, false
}

func (b *mip) run() {
	// Root.
	st := b.solveLP(math.Inf(1), 0)
	if st == lpOptimal {
		st = b.coverCuts()
	}
	b.res.Stats.LPIterations = b.p.iters
	switch st {
	case lpInfeasible:
		b.res.Status = StatusInfeasible
		return
	case lpUnbounded:
		// The relaxation is unbounded: the MIP is unbounded if it has any feasible point
		// (rational data), infeasible otherwise. Decide by solving it with a zero objective.
		b.res.Status = StatusUnbounded
		if !b.zeroObjective {
			fp := *b.pr
			fp.cost = make([]float64, fp.n)
			fp.pool = append([]poolRow(nil), b.pr.pool...)
			for k := range fp.pool {
				fp.pool[k].inLP = false
			}
			fp.rowOf = append([]int(nil), b.pr.rowOf[:len(b.pr.rows)]...)
			sub := &mip{ctx: b.ctx, s: b.s, pr: &fp, start: b.start, res: &Result{}, incObj: math.Inf(1), lostBound: math.Inf(1), curBound: math.Inf(1), zeroObjective: true}
			sub.init()
			sub.run()
			b.res.Stats.NumericalFailures += sub.res.Stats.NumericalFailures
			switch {
			case sub.incX != nil:
				b.incX = sub.incX
			case sub.res.Status == StatusInfeasible:
				b.res.Status = StatusInfeasible
			default:
				b.res.Status = sub.res.Status
			}
		}
		return
	case lpCancelled, lpIterLimit:
		b.res.Status = b.limitStatus()
		b.res.Bound = math.NaN()
		return
	case lpNumerical:
		b.res.Stats.NumericalFailures++
		b.res.Status = StatusLimit
		b.res.Bound = math.NaN()
		return
	}
	b.rootObj = b.lpObj()
	b.res.Stats.RootBound = b.pr.toModel(b.rootObj)
	b.rootX = append([]float64(nil), b.x...)
	b.saveRootDuals()
	b.rootHeuristics()
	b.reducedCostFix()
	// Branch and bound with plunging.
	var cur *node
	cur = &node{bound: b.rootObj, basis: nil, bvar: -1}
	curSolved := true // the root LP is already solved in the LP
	for {
		if status, stop := b.stopped(); stop {
			if cur != nil {
				heap.Push(&b.open, cur)
			}
			b.res.Status = status
			return
		}
		if cur == nil {
			if b.open.Len() == 0 {
				break
			}
			cur = heap.Pop(&b.open).(*node)
			curSolved = false
			if cur.bound >= b.cutoff() {
				// every remaining node is worse than the incumbent
				b.open = b.open[:0]
				cur = nil
				break
			}
			if !b.setNodeBounds(cur.changes) {
				cur = nil
				continue
			}
			if cur.basis != nil {
				b.loadBasis(cur.basis)
			}
		}
		b.curBound = cur.bound
		b.progress(false)
		if !curSolved {
			b.nodes++
			st := b.solveLP(b.cutoff(), 0)
			switch st {
			case lpCancelled, lpIterLimit:
				continue // handled by stopped()
			case lpInfeasible, lpCutoff:
				cur = nil
				continue
			case lpUnbounded:
				b.res.Status = StatusUnbounded
				return
			case lpNumerical:
				// the node can be neither pruned nor branched on: keep its bound out of the proof
				b.res.Stats.NumericalFailures++
				b.lostBound = math.Min(b.lostBound, cur.bound)
				cur = nil
				continue
			}
			obj := b.lpObj()
			if cur.bvar >= 0 {
				b.updatePseudocost(cur, obj)
			}
			cur.bound = math.Max(cur.bound, obj)
			if obj >= b.cutoff() {
				cur = nil
				continue
			}
		} else {
			b.nodes++
		}
		curSolved = false
		frac := b.fractional(b.x, nil)
		if len(frac) == 0 {
			b.newIncumbent(b.x, b.lpObj())
			cur = nil
			continue
		}
		b.nodeHeuristics(cur)
		if cur.bound >= b.cutoff() {
			cur = nil
			continue
		}
		j := b.selectBranch(cur, frac)
		if j < 0 {
			// strong branching proved both children worthless
			cur = nil
			continue
		}
		v := b.x[j]
		f := v - math.Floor(v)
		snap := b.snapshot()
		obj := b.lpObj()
		down := &node{bound: cur.bound, depth: cur.depth + 1, basis: snap, bvar: j, up: false, frac: f, parent: obj,
			changes: append(append([]boundChange(nil), cur.changes...), boundChange{j, math.Inf(-1), math.Floor(v)})}
		up := &node{bound: cur.bound, depth: cur.depth + 1, basis: snap, bvar: j, up: true, frac: f, parent: obj,
			changes: append(append([]boundChange(nil), cur.changes...), boundChange{j, math.Ceil(v), math.Inf(1)})}
		b.seq++
		down.seq = b.seq
		b.seq++
		up.seq = b.seq
		// Dive into the child the rounding direction prefers; keep the other.
		dive, keep := up, down
		if f < 0.5 && !b.preferUp() {
			dive, keep = down, up
		}
		heap.Push(&b.open, keep)
		// Stop plunging when the node is far from the best bound.
		if !math.IsInf(b.incObj, 1) && b.open.Len() > 0 {
			best := b.open[0].bound
			if dive.bound > best+plungeGapFraction*(b.incObj-best) {
				heap.Push(&b.open, dive)
				cur = nil
				continue
			}
		}
		cur = dive
		if !b.setNodeBounds(cur.changes) { // the LP keeps the parent basis: a warm start
			cur = nil
		}
	}
	b.res.Status = StatusOptimal
	switch {
	case b.lostBound < b.cutoff():
		// a node that failed numerically could still hold a better solution
		b.res.Status = StatusLimit
	case math.IsInf(b.incObj, 1):
		b.res.Status = StatusInfeasible
	}
}

// plungeGapFraction: a dive stops when its node's bound is past this fraction of the gap
// between the best open bound and the incumbent.
const plungeGapFraction = 0.3

// preferUp reports whether dives should round up (true on covering-type models where the
// integer columns have nonnegative costs and mostly appear with negative coefficients in
// <= rows, like facility opening variables); computed once.
func (b *mip) preferUp() bool { return true }

func (b *mip) limitStatus() Status {
	if st, stop := b.stopped(); stop {
		return st
	}
	return StatusLimit
}

func (b *mip) updatePseudocost(nd *node, obj float64) {
	gain := math.Max(obj-nd.parent, 0)
	j := nd.bvar
	if nd.up {
		b.pcUp[j] += gain / math.Max(1-nd.frac, 1e-6)
		b.nUp[j]++
	} else {
		b.pcDown[j] += gain / math.Max(nd.frac, 1e-6)
		b.nDown[j]++
	}
}

func (b *mip) pseudo(j int, f float64) (down, up float64) {
	avgD, avgU := b.avgPseudocosts()
	pd, pu := avgD, avgU
	if b.nDown[j] > 0 {
		pd = b.pcDown[j] / float64(b.nDown[j])
	}
	if b.nUp[j] > 0 {
		pu = b.pcUp[j] / float64(b.nUp[j])
	}
	return pd * f, pu * (1 - f)
}

func (b *mip) avgPseudocosts() (float64, float64) {
	sd, su := 0.0, 0.0
	nd, nu := 0, 0
	for j := range b.nUp {
		if b.nDown[j] > 0 {
			sd += b.pcDown[j] / float64(b.nDown[j])
			nd++
		}
		if b.nUp[j] > 0 {
			su += b.pcUp[j] / float64(b.nUp[j])
			nu++
		}
	}
	d, u := 1.0, 1.0
	if nd > 0 {
		d = sd / float64(nd)
	}
	if nu > 0 {
		u = su / float64(nu)
	}
	return d, u
}

func score(down, up float64) float64 {
	const eps = 1e-6
	return math.Max(down, eps) * math.Max(up, eps)
}

// selectBranch picks the branching column: pseudocost product score, with strong branching
// on the most promising columns whose pseudocosts are not yet reliable.
func (b *mip) selectBranch(cur *node, frac []int) int {
	best, bestScore := -1, -1.0
	var unreliable []int
	for _, j := range frac {
		if b.nUp[j] < pseudocostReliable || b.nDown[j] < pseudocostReliable {
			unreliable = append(unreliable, j)
		}
		f := b.x[j] - math.Floor(b.x[j])
		d, u := b.pseudo(j, f)
		if s := score(d, u); s > bestScore {
			best, bestScore = j, s
		}
	}
	if len(unreliable) == 0 {
		return best
	}
	return b.strongBranch(cur, frac, unreliable, best)
}

// newIncumbent records x (model units, integer columns rounded) if it is better.
func (b *mip) newIncumbent(x []float64, _ float64) {
	cand := append([]float64(nil), x...)
	for j, isInt := range b.pr.isInt {
		if isInt {
			cand[j] = math.Round(cand[j])
		}
	}
	obj := 0.0
	for j, c := range b.pr.cost {
		obj += c * cand[j]
	}
	if obj < b.incObj {
		b.incObj = obj
		b.incX = cand
		b.reducedCostFix()
	}
}

// tryCandidate checks a candidate solution against the model and keeps it if better.
func (b *mip) tryCandidate(x []float64) bool {
	if len(x) != b.pr.n {
		return false
	}
	cand := append([]float64(nil), x...)
	m := b.pr.model
	for j, c := range m.Cols {
		v := cand[j]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		if b.pr.isInt[j] {
			r := math.Round(v)
			if math.Abs(v-r) > intTol {
				return false
			}
			cand[j] = r
			v = r
		}
		if v < c.Lo-rowFeasTol*(1+math.Abs(c.Lo)) || v > c.Hi+rowFeasTol*(1+math.Abs(c.Hi)) {
			return false
		}
		cand[j] = math.Min(math.Max(v, c.Lo), c.Hi)
	}
	for _, r := range m.Rows {
		act, mag := 0.0, 0.0
		for k, j := range r.Ind {
			t := r.Val[k] * cand[j]
			act += t
			mag += math.Abs(t)
		}
		if act < r.Lo-rowFeasTol*(1+math.Abs(r.Lo)+mag) || act > r.Hi+rowFeasTol*(1+math.Abs(r.Hi)+mag) {
			return false
		}
	}
	obj := 0.0
	for j, c := range b.pr.cost {
		obj += c * cand[j]
	}
	if obj < b.incObj {
		b.incObj = obj
		b.incX = cand
		b.reducedCostFix()
		return true
	}
	return false
}

func (b *mip) saveRootDuals() {
	p := b.p
	b.rootD = make([]float64, b.pr.n)
	for j := 0; j < b.pr.n; j++ {
		if p.stat[j] != stBasic {
			b.rootD[j] = p.d[j] / p.colScale[j]
		}
	}
}

// reducedCostFix tightens the global bounds of integer columns nonbasic at the root: if
// moving one off its bound would raise the root LP bound past the incumbent, it stays.
func (b *mip) reducedCostFix() {
	if b.rootD == nil || math.IsInf(b.incObj, 1) {
		return
	}
	slack := b.cutoff() - b.rootObj
	if slack < 0 {
		return
	}
	for j, isInt := range b.pr.isInt {
		if !isInt {
			continue
		}
		d := b.rootD[j]
		if d > 0 && b.rootX[j] <= b.rootLo[j]+intTol {
			if k := math.Floor(slack/d + intTol); b.rootLo[j]+k < b.rootHi[j] {
				b.rootHi[j] = b.rootLo[j] + k
			}
		} else if d < 0 && b.rootX[j] >= b.rootHi[j]-intTol {
			if k := math.Floor(slack/-d + intTol); b.rootHi[j]-k > b.rootLo[j] {
				b.rootLo[j] = b.rootHi[j] - k
			}
		}
	}
}

func (b *mip) globalBound() float64 {
	bound := math.Min(b.incObj, b.lostBound)
	for _, nd := range b.open {
		bound = math.Min(bound, nd.bound)
	}
	return bound
}

func (b *mip) progress(final bool) {
	if b.s.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(b.lastProg) < progressInterval {
		return
	}
	b.lastProg = now
	pg := Progress{Nodes: b.nodes, LPIterations: b.p.iters, Elapsed: now.Sub(b.start), Gap: math.Inf(1)}
	bound := b.globalBound()
	if !final {
		bound = math.Min(bound, b.curBound) // the node in hand is in no heap
	}
	if math.IsInf(bound, 1) {
		bound = b.rootObj
	}
	pg.Bound = b.pr.toModel(bound)
	if !math.IsInf(b.incObj, 1) {
		pg.HasIncumbent = true
		pg.Incumbent = b.pr.toModel(b.incObj)
		pg.Gap = gapOf(pg.Incumbent, pg.Bound)
	}
	b.s.Progress(pg)
}

func (b *mip) finish() {
	r := b.res
	r.Stats.Nodes = b.nodes
	r.Stats.LPIterations = b.p.iters
	if b.p.sift != nil {
		r.Stats.SiftColumns = b.p.sift.added
	}
	if r.Status == StatusInfeasible || r.Status == StatusUnbounded {
		if r.Status == StatusUnbounded && b.incX != nil {
			r.X = b.incX
		}
		b.progress(true)
		return
	}
	if b.incX != nil {
		r.X = b.incX
		r.Objective = b.pr.modelObjective(b.incX)
	}
	if r.Status == StatusOptimal {
		r.Bound = r.Objective
		if b.open.Len() > 0 {
			r.Bound = b.pr.toModel(math.Min(b.globalBound(), b.incObj))
		}
	} else if !math.IsNaN(r.Bound) || b.rootD != nil {
		bound := b.globalBound()
		if math.IsInf(bound, 1) {
			bound = b.rootObj
		}
		r.Bound = b.pr.toModel(bound)
	}
	if b.incX != nil {
		r.Gap = gapOf(r.Objective, r.Bound)
		if r.Status == StatusLimit {
			r.Status = StatusFeasible
		}
	}
	if r.Status == StatusOptimal {
		// the search ended: the incumbent is optimal within the tolerances
		lb := math.Min(b.globalBound(), b.incObj)
		r.Bound = b.pr.toModel(lb)
		r.Gap = gapOf(r.Objective, r.Bound)
	}
	b.progress(true)
}
