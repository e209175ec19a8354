package solver

import (
	"cmp"
	"math"
	"slices"
)

// The transportation problem of facility location: with the open facilities fixed, the best
// assignment is a min-cost flow from the open facilities (supplies s_i) to the customers
// (demands d_j) over the arcs (unit cost c'_a/d_j, capacity u'_a d_j), plus a dummy sink
// that takes the unused capacity at cost 0. It is solved exactly by a primal network
// simplex (strongly feasible spanning trees, big-M artificial start, block search pricing;
// the tree is kept as parent pointers plus a preorder thread, as in LEMON and NetworkX).
// Customers of weight 0 do not interact with the capacities and are served greedily.

const (
	// nsCostTol is the reduced cost, relative to 1 + the largest unit cost, below which an
	// arc enters the basis.
	nsCostTol = 1e-11
	// nsFeasTol is the flow on artificial arcs, relative to 1 + the total demand, tolerated
	// in an optimal solution (more means the open facilities cannot serve the customers).
	nsFeasTol = 1e-9
	// nsMaxPivotsPerNode bounds the pivots (times the number of nodes plus arcs) before the
	// solve gives up; a safety net against float-induced cycling, never reached in practice.
	nsMaxPivotsPerNode = 50
)

// netSimplex is a min-cost flow solver; its slices are reused across solves.
type netSimplex struct {
	n                int // nodes, the root included (it is the last node)
	src, dst         []int32
	cost, capa, flow []float64
	state            []int8 // 1 at the lower bound, -1 at the upper bound, 0 in the tree
	supply           []float64
	parent, pred     []int32
	next, prev, last []int32 // preorder thread (circular), last node of each subtree
	size             []int32
	pi               []float64
	pivots           int64
	path             []int32 // scratch of makeRoot
	artBeg           int     // first artificial arc
	nextArc          int     // where the block search resumes
	// scratch of warmTree
	tree, adjBeg, adj, order []int32
}

// reset starts a new problem with n nodes (the root is added by solve) and no arcs.
func (ns *netSimplex) reset(n int) {
	ns.n = n
	ns.src, ns.dst = ns.src[:0], ns.dst[:0]
	ns.cost, ns.capa, ns.flow, ns.state = ns.cost[:0], ns.capa[:0], ns.flow[:0], ns.state[:0]
	ns.supply = growF(ns.supply, n+1)
	clear(ns.supply)
}

func (ns *netSimplex) addArc(u, v int, cost, capa float64) {
	ns.src = append(ns.src, int32(u))
	ns.dst = append(ns.dst, int32(v))
	ns.cost = append(ns.cost, cost)
	ns.capa = append(ns.capa, capa)
	ns.flow = append(ns.flow, 0)
	ns.state = append(ns.state, 1)
}

func growF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// start adds the artificial arcs (one per node, cost bigM, which must exceed any path
// cost) and builds the start basis: from the flows already on the real arcs when warm (they
// must meet the supplies), else the artificial basis. Arcs may be added after start (they
// enter at their lower bound 0); run then continues from the current basis.
func (ns *netSimplex) start(bigM float64, warm bool) {
	nReal := len(ns.src)
	n := ns.n + 1
	root := int32(ns.n)
	ns.parent = growI32(ns.parent, n)
	ns.pred = growI32(ns.pred, n)
	ns.next = growI32(ns.next, n)
	ns.prev = growI32(ns.prev, n)
	ns.last = growI32(ns.last, n)
	ns.size = growI32(ns.size, n)
	ns.pi = growF(ns.pi, n)
	ns.artBeg = nReal
	for v := int32(0); v < root; v++ {
		if ns.supply[v] >= 0 {
			ns.addArc(int(v), int(root), bigM, math.Inf(1))
		} else {
			ns.addArc(int(root), int(v), bigM, math.Inf(1))
		}
	}
	if !warm || !ns.warmTree(nReal) {
		for a := 0; a < nReal; a++ {
			ns.flow[a], ns.state[a] = 0, 1
		}
		ns.artificialTree(nReal)
	}
	ns.nextArc = 0
}

// run pivots until no arc prices out (costs within tol). It returns false when stop said
// so or the pivot safety limit was hit.
func (ns *netSimplex) run(tol float64, stop func() bool) bool {
	nArc := len(ns.src)
	block := int(math.Sqrt(float64(nArc)))
	if block < 10 {
		block = 10
	}
	nextArc := ns.nextArc
	if nextArc >= nArc {
		nextArc = 0
	}
	limit := int64(nsMaxPivotsPerNode) * int64(ns.n+1+nArc)
	for it := int64(0); ; it++ {
		if it&255 == 255 && stop != nil && stop() {
			return false
		}
		if it > limit {
			return false
		}
		// block search for the entering arc
		in, best := -1, -tol
		cnt := 0
		for k := 0; k < nArc; k++ {
			a := nextArc
			nextArc++
			if nextArc == nArc {
				nextArc = 0
			}
			if ns.state[a] != 0 {
				c := float64(ns.state[a]) * (ns.cost[a] - ns.pi[ns.src[a]] + ns.pi[ns.dst[a]])
				if c < best {
					best, in = c, a
				}
			}
			cnt++
			if cnt == block {
				if in >= 0 {
					break
				}
				cnt = 0
			}
		}
		if in < 0 {
			break
		}
		ns.pivots++
		if !ns.pivot(int32(in)) {
			return false
		}
	}
	ns.nextArc = nextArc
	return true
}

// feasible reports whether the artificial arcs carry (almost) no flow.
func (ns *netSimplex) feasible() bool {
	tot := 0.0
	for v := 0; v < ns.n; v++ {
		tot += math.Abs(ns.supply[v])
	}
	for a := ns.artBeg; a < ns.artBeg+ns.n; a++ {
		if ns.flow[a] > nsFeasTol*(1+tot) {
			return false
		}
	}
	return true
}

// artificialTree makes the start basis of the artificial arcs (one per node, after the
// nReal real arcs), which carry the supplies; the real arcs are at their lower bound 0.
func (ns *netSimplex) artificialTree(nReal int) {
	n := ns.n + 1
	root := int32(ns.n)
	for v := int32(0); v < root; v++ {
		a := int32(nReal) + v
		b := ns.supply[v]
		ns.flow[a] = math.Abs(b)
		if ns.src[a] == v {
			ns.pi[v] = ns.cost[a]
		} else {
			ns.pi[v] = -ns.cost[a]
		}
		ns.state[a] = 0
		ns.parent[v] = root
		ns.pred[v] = a
		ns.size[v] = 1
		ns.last[v] = v
		ns.next[v] = v + 1
		ns.prev[v] = v - 1
	}
	ns.parent[root], ns.pred[root], ns.size[root], ns.pi[root] = -1, -1, int32(n), 0
	ns.next[root], ns.prev[root] = 0, root-1
	ns.last[root] = root - 1
	if root == 0 {
		ns.next[root], ns.prev[root], ns.last[root] = root, root, root
	} else {
		ns.prev[0] = root
		ns.next[root-1] = root
	}
}

// warmTree makes a start basis from the flows already on the real arcs (which must meet
// the supplies): arcs strictly between their bounds form the tree, completed by artificial
// arcs with zero flow. It returns false (and changes nothing that artificialTree does not
// reset) when those arcs contain a cycle.
func (ns *netSimplex) warmTree(nReal int) bool {
	n := ns.n + 1
	root := int32(ns.n)
	uf := growI32(ns.size, n) // union-find parents, reused as scratch
	for v := range uf {
		uf[v] = int32(v)
	}
	find := func(v int32) int32 {
		for uf[v] != v {
			uf[v] = uf[uf[v]]
			v = uf[v]
		}
		return v
	}
	ns.adjBeg = growI32(ns.adjBeg, n+1)
	clear(ns.adjBeg)
	ns.tree = ns.tree[:0]
	for a := 0; a < nReal; a++ {
		f := ns.flow[a]
		switch {
		case f <= 0:
			ns.flow[a], ns.state[a] = 0, 1
			continue
		case f >= ns.capa[a]:
			ns.flow[a], ns.state[a] = ns.capa[a], -1
			continue
		}
		ru, rv := find(ns.src[a]), find(ns.dst[a])
		if ru == rv {
			return false
		}
		uf[ru] = rv
		ns.state[a] = 0
		ns.tree = append(ns.tree, int32(a))
	}
	for v := int32(0); v < root; v++ {
		a := int32(nReal) + v
		ns.flow[a], ns.state[a] = 0, 1
		if r := find(v); r != find(root) {
			uf[r] = find(root)
			ns.state[a] = 0
			ns.tree = append(ns.tree, a)
		}
	}
	// adjacency of the tree (CSR), then a DFS from the root
	for _, a := range ns.tree {
		ns.adjBeg[ns.src[a]+1]++
		ns.adjBeg[ns.dst[a]+1]++
	}
	for v := 0; v < n; v++ {
		ns.adjBeg[v+1] += ns.adjBeg[v]
	}
	ns.adj = growI32(ns.adj, 2*len(ns.tree))
	fill := append(ns.path[:0], ns.adjBeg[:n]...)
	for _, a := range ns.tree {
		u, v := ns.src[a], ns.dst[a]
		ns.adj[fill[u]] = a
		fill[u]++
		ns.adj[fill[v]] = a
		fill[v]++
	}
	ns.path = fill
	ns.parent[root], ns.pred[root], ns.pi[root] = -1, -1, 0
	stack := []int32{root}
	order := ns.order[:0]
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		order = append(order, v)
		for k := ns.adjBeg[v]; k < ns.adjBeg[v+1]; k++ {
			a := ns.adj[k]
			w := ns.src[a]
			if w == v {
				w = ns.dst[a]
			}
			if w == ns.parent[v] && a == ns.pred[v] {
				continue
			}
			ns.parent[w], ns.pred[w] = v, a
			if ns.dst[a] == w {
				ns.pi[w] = ns.pi[v] - ns.cost[a]
			} else {
				ns.pi[w] = ns.pi[v] + ns.cost[a]
			}
			stack = append(stack, w)
		}
	}
	ns.order = order
	if len(order) != n {
		panic("solver: network simplex warm tree is not spanning")
	}
	for k, v := range order {
		ns.next[v] = order[(k+1)%n]
		ns.prev[v] = order[(k+n-1)%n]
		ns.size[v] = 1
		ns.last[v] = v
	}
	for k := n - 1; k > 0; k-- {
		v := order[k]
		p := ns.parent[v]
		ns.size[p] += ns.size[v]
	}
	// last[v]: the node at preorder position pos(v) + size(v) - 1
	for k, v := range order {
		ns.last[v] = order[k+int(ns.size[v])-1]
	}
	return true
}

// up reports whether the tree arc of u points from u to its parent.
func (ns *netSimplex) up(u int32) bool { return ns.src[ns.pred[u]] == u }

func (ns *netSimplex) pivot(in int32) bool {
	first, second := ns.src[in], ns.dst[in]
	if ns.state[in] == -1 {
		first, second = second, first
	}
	// join: the common ancestor
	u, v := first, second
	for u != v {
		if ns.size[u] < ns.size[v] {
			u = ns.parent[u]
		} else {
			v = ns.parent[v]
		}
	}
	join := u
	// leaving arc (strongly feasible tie-breaking: last blocking arc from the join)
	delta := ns.capa[in]
	result := 0
	var uOut int32 = -1
	for u := first; u != join; u = ns.parent[u] {
		e := ns.pred[u]
		d := ns.flow[e]
		if !ns.up(u) {
			d = ns.capa[e] - d
		}
		if d < delta {
			delta, uOut, result = d, u, 1
		}
	}
	for u := second; u != join; u = ns.parent[u] {
		e := ns.pred[u]
		d := ns.flow[e]
		if ns.up(u) {
			d = ns.capa[e] - d
		}
		if d <= delta {
			delta, uOut, result = d, u, 2
		}
	}
	if math.IsInf(delta, 1) {
		return false // unbounded: cannot happen with the artificial start
	}
	if delta < 0 {
		delta = 0
	}
	if delta > 0 {
		ns.flow[in] += float64(ns.state[in]) * delta
		for u := first; u != join; u = ns.parent[u] {
			if ns.up(u) {
				ns.flow[ns.pred[u]] -= delta
			} else {
				ns.flow[ns.pred[u]] += delta
			}
		}
		for u := second; u != join; u = ns.parent[u] {
			if ns.up(u) {
				ns.flow[ns.pred[u]] += delta
			} else {
				ns.flow[ns.pred[u]] -= delta
			}
		}
	}
	if result == 0 {
		// the entering arc goes from one bound to the other
		if ns.state[in] == 1 {
			ns.flow[in] = ns.capa[in]
		} else {
			ns.flow[in] = 0
		}
		ns.state[in] = -ns.state[in]
		return true
	}
	e := ns.pred[uOut]
	toZero := ns.up(uOut) == (result == 1)
	if toZero {
		ns.flow[e], ns.state[e] = 0, 1
	} else {
		ns.flow[e], ns.state[e] = ns.capa[e], -1
	}
	ns.state[in] = 0
	newRoot, attach := first, second
	if result == 2 {
		newRoot, attach = second, first
	}
	ns.removeEdge(ns.parent[uOut], uOut)
	ns.makeRoot(newRoot)
	ns.addEdge(in, attach, newRoot)
	// potentials of the moved subtree
	var want float64
	if ns.dst[in] == newRoot {
		want = ns.pi[attach] - ns.cost[in]
	} else {
		want = ns.pi[attach] + ns.cost[in]
	}
	sh := want - ns.pi[newRoot]
	w := newRoot
	for k := int32(0); k < ns.size[newRoot]; k++ {
		ns.pi[w] += sh
		w = ns.next[w]
	}
	return true
}

// removeEdge detaches the subtree of t (a child of s); it becomes its own circular thread.
func (ns *netSimplex) removeEdge(s, t int32) {
	sizeT, prevT, lastT := ns.size[t], ns.prev[t], ns.last[t]
	nextLastT := ns.next[lastT]
	ns.parent[t], ns.pred[t] = -1, -1
	ns.next[prevT], ns.prev[nextLastT] = nextLastT, prevT
	ns.next[lastT], ns.prev[t] = t, lastT
	for s >= 0 {
		ns.size[s] -= sizeT
		if ns.last[s] == lastT {
			ns.last[s] = prevT
		}
		s = ns.parent[s]
	}
}

// makeRoot re-roots the detached tree containing q at q.
func (ns *netSimplex) makeRoot(q int32) {
	path := ns.path[:0]
	for v := q; v >= 0; v = ns.parent[v] {
		path = append(path, v)
	}
	ns.path = path
	for k := len(path) - 1; k > 0; k-- {
		p, q := path[k], path[k-1]
		sizeP, lastP := ns.size[p], ns.last[p]
		prevQ, lastQ := ns.prev[q], ns.last[q]
		nextLastQ := ns.next[lastQ]
		ns.parent[p], ns.parent[q] = q, -1
		ns.pred[p], ns.pred[q] = ns.pred[q], -1
		ns.size[p] = sizeP - ns.size[q]
		ns.size[q] = sizeP
		ns.next[prevQ], ns.prev[nextLastQ] = nextLastQ, prevQ
		ns.next[lastQ], ns.prev[q] = q, lastQ
		if lastP == lastQ {
			ns.last[p] = prevQ
			lastP = prevQ
		}
		ns.prev[p], ns.next[lastQ] = lastQ, p
		ns.next[lastP], ns.prev[q] = q, lastP
		ns.last[q] = lastP
	}
}

// addEdge hangs the tree rooted at q below p through arc a.
func (ns *netSimplex) addEdge(a, p, q int32) {
	lastP := ns.last[p]
	nextLastP := ns.next[lastP]
	sizeQ, lastQ := ns.size[q], ns.last[q]
	ns.parent[q], ns.pred[q] = p, a
	ns.next[lastP], ns.prev[q] = q, lastP
	ns.prev[nextLastP], ns.next[lastQ] = lastQ, nextLastP
	for p >= 0 {
		ns.size[p] += sizeQ
		if ns.last[p] == lastP {
			ns.last[p] = lastQ
		}
		p = ns.parent[p]
	}
}

// flTransport evaluates open sets of an flModel.
type flTransport struct {
	fl *flModel
	ns netSimplex
	// customers of positive weight, their arcs by increasing cost (CSR over customers)
	custBeg []int32
	custArc []int32
	bigM    float64 // exceeds any path cost of the network
	tol     float64 // reduced-cost tolerance
	node    []int32 // customer -> node (or -1 for weight-0 customers)
	posOf   []int32 // facility -> node (or -1 when closed)
	arcOf   []int32 // network arc -> model arc (-1 for sink and artificial arcs)
	inNet   []int32 // model arc -> network arc + 1 of the current solve (0: not in the network)
	// x'_a of the last feasible solve
	x []float64
	// scratch of greedy
	gflow  []float64
	used   []int32
	custs  []int32
	regret []float64
	rem    []float64
	// solves and pivots, for statistics
	solves int64
}

// flCandArcs is the number of cheapest open arcs per customer that start in the network;
// the others enter when they price out at the optimum of the smaller network.
const flCandArcs = 5

func newFLTransport(fl *flModel) *flTransport {
	t := &flTransport{fl: fl, node: make([]int32, fl.n), posOf: make([]int32, fl.m),
		x: make([]float64, len(fl.arcCust)), inNet: make([]int32, len(fl.arcCust))}
	t.custBeg = make([]int32, fl.n+1)
	maxUnit := 0.0
	for a, j := range fl.arcCust {
		if fl.demand[j] > 0 && fl.arcUB[a] > 0 {
			t.custBeg[j+1]++
			maxUnit = math.Max(maxUnit, math.Abs(fl.arcCost[a]/fl.demand[j]))
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
	nodes := fl.m + fl.n + 2
	t.bigM = 1 + 2*float64(nodes)*maxUnit
	t.tol = nsCostTol * (1 + maxUnit)
	return t
}

// solve computes the cheapest assignment for the open facilities (open[i]); it returns the
// cost (fixed costs and the constant included) and leaves x'_a in t.x, or +Inf when the open
// facilities cannot serve every customer (or stop said so).
func (t *flTransport) solve(open []bool, stop func() bool) float64 {
	fl := t.fl
	t.solves++
	supply := 0.0
	cost := fl.constant
	k := 0
	for i := 0; i < fl.m; i++ {
		t.posOf[i] = -1
		if open[i] {
			t.posOf[i] = int32(k)
			k++
			cost += fl.fixCost[i]
			supply += math.Min(fl.capa[i], fl.totalDemand)
		}
	}
	if supply < fl.totalDemand*(1-1e-12) {
		return math.Inf(1)
	}
	nn := k
	for j := 0; j < fl.n; j++ {
		if fl.demand[j] > 0 {
			t.node[j] = int32(nn)
			nn++
		} else {
			t.node[j] = -1
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
	for i := 0; i < fl.m; i++ {
		if p := t.posOf[i]; p >= 0 {
			ns.supply[p] = math.Min(fl.capa[i], fl.totalDemand)
		}
	}
	warm := t.greedy(k)
	// candidate arcs: the cheapest open arcs of each customer and those the greedy start uses
	for j := 0; j < fl.n; j++ {
		if t.node[j] < 0 {
			continue
		}
		cnt, ub := 0, 0.0
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if t.posOf[fl.arcFac(a)] < 0 {
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
	for p := 0; p < k; p++ {
		ns.addArc(p, sink, 0, math.Inf(1))
		ns.flow[len(ns.flow)-1] = t.rem[p]
		t.arcOf = append(t.arcOf, -1)
	}
	ns.supply[sink] = -math.Max(0, supply-fl.totalDemand)
	ns.start(t.bigM, warm)
	for len(t.arcOf) < len(ns.src) {
		t.arcOf = append(t.arcOf, -1) // artificial arcs
	}
	for {
		if !ns.run(t.tol, stop) {
			return math.Inf(1)
		}
		// price the open arcs outside the network
		added := 0
		for j := 0; j < fl.n; j++ {
			v := t.node[j]
			if v < 0 {
				continue
			}
			for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
				p := t.posOf[fl.arcFac(a)]
				if p < 0 || t.inNet[a] > 0 {
					continue
				}
				if fl.arcCost[a]/fl.demand[j]-ns.pi[p]+ns.pi[v] < -t.tol {
					t.addArc(a)
					added++
				}
			}
		}
		if added == 0 {
			break
		}
	}
	if !ns.feasible() {
		return math.Inf(1)
	}
	clear(t.x)
	for na, a := range t.arcOf {
		if a < 0 {
			continue
		}
		j := fl.arcCust[a]
		v := ns.flow[na] / fl.demand[j]
		v = math.Min(math.Max(v, 0), fl.arcUB[a])
		t.x[a] = v
		cost += fl.arcCost[a] * v
	}
	// weight-0 customers: cheapest open arcs first
	if cost2, ok := t.serveFree(open); ok {
		cost += cost2
	} else {
		return math.Inf(1)
	}
	return cost
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
	t.ns.addArc(int(t.posOf[fl.arcFac(a)]), int(t.node[j]), fl.arcCost[a]/d, c)
	t.arcOf = append(t.arcOf, a)
	t.inNet[a] = int32(len(t.arcOf))
}

// greedy computes a start flow (in t.gflow, per model arc, and t.rem, the leftover of each
// open facility): customers in order of decreasing regret (second-cheapest minus cheapest
// open arc cost, per unit) take their cheapest open arcs with capacity left. It returns
// false (and leaves t.gflow zero) when some customer cannot be served that way; the
// network simplex then starts from its artificial basis.
func (t *flTransport) greedy(k int) bool {
	fl := t.fl
	if len(t.gflow) < len(fl.arcCust) {
		t.gflow = make([]float64, len(fl.arcCust))
	}
	t.custs = t.custs[:0]
	t.regret = growF(t.regret, fl.n)
	for j := 0; j < fl.n; j++ {
		if t.node[j] < 0 {
			continue
		}
		first, second := math.Inf(1), math.Inf(1)
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if t.posOf[fl.arcFac(a)] < 0 {
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
		t.custs = append(t.custs, int32(j))
	}
	slices.SortStableFunc(t.custs, func(a, b int32) int {
		return cmp.Compare(t.regret[b], t.regret[a])
	})
	t.rem = growF(t.rem, k)
	for i := 0; i < fl.m; i++ {
		if p := t.posOf[i]; p >= 0 {
			t.rem[p] = math.Min(fl.capa[i], fl.totalDemand)
		}
	}
	t.used = t.used[:0]
	for _, j := range t.custs {
		need := fl.demand[j]
		for _, a := range t.custArc[t.custBeg[j]:t.custBeg[j+1]] {
			if need <= 0 {
				break
			}
			p := t.posOf[fl.arcFac(a)]
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
			for i := 0; i < fl.m; i++ {
				if p := t.posOf[i]; p >= 0 {
					t.rem[p] = 0
				}
			}
			return false
		}
	}
	return true
}

// serveFree assigns the customers of weight 0 to their cheapest open arcs.
func (t *flTransport) serveFree(open []bool) (float64, bool) {
	fl := t.fl
	var byCust [][]int
	cost := 0.0
	for i := 0; i < fl.m; i++ {
		if !open[i] {
			continue
		}
		for a := fl.arcBeg[i]; a < fl.arcBeg[i+1]; a++ {
			j := fl.arcCust[a]
			if fl.demand[j] > 0 {
				continue
			}
			if byCust == nil {
				byCust = make([][]int, fl.n)
			}
			byCust[j] = append(byCust[j], a)
		}
	}
	for j := 0; j < fl.n; j++ {
		if fl.demand[j] > 0 {
			continue
		}
		var arcs []int
		if byCust != nil {
			arcs = byCust[j]
		}
		sortIntsBy(arcs, func(a int) float64 { return fl.arcCost[a] })
		rest := 1.0
		for _, a := range arcs {
			if rest <= 0 {
				break
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
