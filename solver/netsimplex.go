package solver

import "math"

// A primal network simplex for min-cost flow (strongly feasible spanning trees, big-M
// artificial start, block search pricing; the tree is kept as parent pointers plus a
// preorder thread, as in LEMON and NetworkX). The transportation problems of facility
// location (fl_transport.go) are solved with it.

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

// setCosts replaces the arc costs (cost[a] for the real arcs, bigM for the artificial ones)
// and recomputes the potentials of the current tree: the basis stays primal feasible, so
// run continues from it.
func (ns *netSimplex) setCosts(cost func(a int) float64, bigM float64) {
	for a := 0; a < ns.artBeg; a++ {
		ns.cost[a] = cost(a)
	}
	for a := ns.artBeg; a < ns.artBeg+ns.n; a++ {
		ns.cost[a] = bigM
	}
	for a := ns.artBeg + ns.n; a < len(ns.cost); a++ {
		ns.cost[a] = cost(a) // real arcs added after start
	}
	root := int32(ns.n)
	ns.pi[root] = 0
	for v := ns.next[root]; v != root; v = ns.next[v] {
		a, p := ns.pred[v], ns.parent[v]
		if ns.dst[a] == v {
			ns.pi[v] = ns.pi[p] - ns.cost[a]
		} else {
			ns.pi[v] = ns.pi[p] + ns.cost[a]
		}
	}
}
