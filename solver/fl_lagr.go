package solver

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// Lagrangian relaxation of the customer rows and the side rows of facility location. With
// multipliers u_j on sum_a x'_a = 1 and w_r on the side rows lo_r <= sum_a a'_ra x'_a <= hi_r
// (w_r >= 0 prices the lower limit, w_r <= 0 the upper one), arc a has the reduced cost
// r_a = c'_a - u_j - sum_r w_r a'_ra, and facility i contributes v_i(u, w) = f_i + the sum
// over its capacity groups g of min { sum_a r_a x'_a : sum_a d_j x'_a <= s_g,
// 0 <= x'_a <= u'_a } when open (continuous knapsacks: greedy by r_a/d_j), and 0 when
// closed. The facilities are chosen subject to the node's fixings, the cardinality bounds
// m <= sum_i y_i <= M, and the aggregate capacity sum_i s_i y_i >= D of one component
// (valid for every feasible solution): without cardinality rows all with v_i < 0, then the
// cheapest cover of the missing capacity, exactly when the remaining candidates have equal
// capacities (then it is "the k smallest v_i"), else by its LP relaxation (greedy by v_i/s_i
// with a fractional last one); with cardinality rows the k smallest v_i within the bounds,
// and when that misses the capacity the LP relaxation of the cover and the cardinality
// bounds together (its Lagrangian dual in the cover's multiplier, maximised by bisection;
// every multiplier gives a valid bound). L(u, w) = sum_j u_j + sum_r w_r b_r(w_r) +
// sum_i v_i y_i + constant, with b_r the limit that w_r prices, is a lower bound on the
// node's optimum for every u and every w of the right signs; it is computed exactly for the
// u and w used.

const (
	// flCapTol is the relative tolerance of capacity comparisons (sum of capacities
	// against the total demand).
	flCapTol = 1e-9
	// flCoverBisect is the number of bisection steps on the cover multiplier of the
	// cardinality-constrained choice; the bracket then shrinks by 2^-60, below the
	// resolution of a float64.
	flCoverBisect = 60
)

type flItem struct {
	key float64 // r_a / d_j; -Inf for weight-0 items
	w   float64 // d_j * u'_a, the item's full weight
	r   float64 // reduced cost r_a
	a   int32
}

type flLagr struct {
	fl        *flModel
	equalCapa bool // all facilities have the same (finite) capacity

	v     []float64 // v_i of the last evaluation
	theta []float64 // y_i of the last evaluation (fractional for an LP cover)
	xsel  []float64 // x'_a of the knapsacks of the last evaluation (only sel arcs are set)
	selOf [][]int32 // arcs with x'_a > 0 of each facility
	order []int     // free facilities with v_i >= 0 by v_i/s_i (scratch of choose)
	byV   []int     // free facilities by v_i (scratch of choose with cardinality rows)
	sumU  float64   // sum_j u_j + sum_r w_r b_r
	act   []float64 // side-row activities of the last evaluation (scratch)

	// items of the arcs with a negative reduced cost, by capacity group (collected in
	// customer order, so independent of the split below)
	bucket [][]flItem
	// the knapsacks run on len(chunk)-1 goroutines plus the caller: facilities
	// chunk[t]..chunk[t+1]-1 go to worker t. Every knapsack's result is independent of the
	// split, so the results are deterministic.
	chunk []int

	// scratch of the cardinality-constrained cover
	cand                 []int
	ycost                []float64
	pickLo, pickHi, pick []bool

	// clustered models: the facility values with the relaxed facility rows priced in, the
	// best pattern of each cluster at the current fixings and its value, their sum (+Inf
	// when clInf clusters have no feasible pattern)
	vt         []float64
	clPat      []int
	clBest     []float64
	clTotal    float64
	clInf      int
	patScratch []float64
	yact       []float64
}

// flParArcs is the number of arcs per worker from which the knapsacks of one Lagrangian
// evaluation are spread over goroutines (below it the synchronisation costs more than
// it saves).
const flParArcs = 20000

func newFLLagr(fl *flModel, threads int) *flLagr {
	lg := &flLagr{fl: fl, v: make([]float64, fl.m), theta: make([]float64, fl.m),
		xsel: make([]float64, len(fl.arcCust)), selOf: make([][]int32, fl.m),
		bucket: make([][]flItem, len(fl.grpFac)), act: make([]float64, len(fl.side)),
		pickLo: make([]bool, fl.m), pickHi: make([]bool, fl.m), pick: make([]bool, fl.m),
		ycost: make([]float64, fl.m)}
	if fl.clustered {
		lg.vt = make([]float64, fl.m)
		lg.clPat = make([]int, len(fl.clusters))
		lg.clBest = make([]float64, len(fl.clusters))
		lg.patScratch = make([]float64, fl.maxPatterns())
		lg.yact = make([]float64, len(fl.yrows))
	}
	lg.split(max(1, min(threads, fl.m, len(fl.arcCust)/flParArcs)))
	lg.equalCapa = true
	for i := 1; i < fl.m; i++ {
		if fl.capa[i] != fl.capa[0] {
			lg.equalCapa = false
		}
	}
	if fl.m > 0 && (math.IsInf(fl.capa[0], 1) || fl.capa[0] <= 0) {
		lg.equalCapa = false
	}
	return lg
}

// split divides the facilities among nw workers, in contiguous chunks of about equal arc
// counts.
func (lg *flLagr) split(nw int) {
	fl := lg.fl
	lg.chunk = append(lg.chunk[:0], 0)
	for t := 1; t < nw; t++ {
		target := len(fl.arcCust) * t / nw
		i := lg.chunk[len(lg.chunk)-1]
		for i < fl.m && fl.arcBeg[i] < target {
			i++
		}
		lg.chunk = append(lg.chunk, i)
	}
	lg.chunk = append(lg.chunk, fl.m)
}

// limitConst returns w b(w): the limit a row's multiplier w prices (lo for w > 0, hi for
// w < 0) times w.
func limitConst(w, lo, hi float64) float64 {
	switch {
	case w > 0:
		return w * lo
	case w < 0:
		return w * hi
	}
	return 0
}

// limitSubgradient returns the subgradient of w b(w) - w act in w.
func limitSubgradient(w, lo, hi, act float64) float64 {
	switch {
	case w > 0:
		return lo - act
	case w < 0:
		return hi - act
	case act < lo:
		return lo - act
	case act > hi:
		return hi - act
	}
	return 0
}

// nMult is the number of multipliers: customers, side rows, relaxed facility rows.
func (fl *flModel) nMult() int { return fl.n + len(fl.side) + len(fl.yrows) }

// yOff is the index of the first relaxed facility row's multiplier.
func (fl *flModel) yOff() int { return fl.n + len(fl.side) }

// multConst returns the constant part sum_r w_r b_r(w_r) of the side rows' and the relaxed
// facility rows' multipliers.
func (fl *flModel) multConst(u []float64) float64 {
	s := 0.0
	for r, sd := range fl.side {
		s += limitConst(u[fl.n+r], sd.lo, sd.hi)
	}
	for r, yr := range fl.yrows {
		s += limitConst(u[fl.yOff()+r], yr.lo, yr.hi)
	}
	return s
}

// project moves the multipliers of the side rows and the relaxed facility rows to their
// allowed signs: w >= 0 needs a lower limit, w <= 0 an upper one.
func (fl *flModel) project(u []float64) {
	proj := func(w *float64, lo, hi float64) {
		if *w > 0 && math.IsInf(lo, -1) || *w < 0 && math.IsInf(hi, 1) {
			*w = 0
		}
	}
	for r, sd := range fl.side {
		proj(&u[fl.n+r], sd.lo, sd.hi)
	}
	for r, yr := range fl.yrows {
		proj(&u[fl.yOff()+r], yr.lo, yr.hi)
	}
}

// reducedCost returns r_a at the multipliers u (customers, then side rows).
func (fl *flModel) reducedCost(a int32, u []float64) float64 {
	r := fl.arcCost[a] - u[fl.arcCust[a]]
	for k := fl.arcSideBeg[a]; k < fl.arcSideBeg[a+1]; k++ {
		r -= u[fl.n+int(fl.arcSideRow[k])] * fl.arcSideVal[k]
	}
	return r
}

// collect fills the buckets with the arcs of negative reduced cost of the facilities that
// are not closed. Each customer's arcs are scanned by increasing cost until no further arc
// can have a negative reduced cost.
func (lg *flLagr) collect(u []float64, fix []int8) {
	fl := lg.fl
	for g := range lg.bucket {
		lg.bucket[g] = lg.bucket[g][:0]
	}
	w := u[fl.n : fl.n+len(fl.side)]
	for j := 0; j < fl.n; j++ {
		lim := u[j]
		for k := fl.custSideBeg[j]; k < fl.custSideBeg[j+1]; k++ {
			lim += math.Abs(w[fl.custSideRow[k]]) * fl.custSideMax[k]
		}
		d := fl.demand[j]
		for _, a := range fl.custArcs[fl.custArcBeg[j]:fl.custArcBeg[j+1]] {
			if fl.arcCost[a] >= lim {
				break // r_a >= c'_a - lim >= 0 for this arc and the costlier ones
			}
			if fix[fl.arcFacil[a]] < 0 {
				continue
			}
			r := fl.reducedCost(a, u)
			if r >= 0 {
				continue
			}
			key := math.Inf(-1)
			if d > 0 {
				key = r / d
			}
			g := fl.arcGrp[a]
			lg.bucket[g] = append(lg.bucket[g], flItem{key: key, w: d * fl.arcUB[a], r: r, a: a})
		}
	}
}

// eval computes L(u) for the fixings fix (1 open, -1 closed, 0 free); +Inf when the fixings
// leave too little capacity or break the cardinality bounds. u holds the customer
// multipliers, then the side-row multipliers. It leaves v, theta and the knapsack
// solutions in lg, and when g is not nil the subgradient (customers, then side rows).
func (lg *flLagr) eval(u []float64, fix []int8, g []float64) float64 {
	fl := lg.fl
	lg.collect(u, fix)
	run := func(t int) {
		for i := lg.chunk[t]; i < lg.chunk[t+1]; i++ {
			lg.selOf[i] = lg.selOf[i][:0]
			if fix[i] < 0 {
				lg.v[i] = 0
				continue
			}
			v := fl.fixCost[i]
			for gr := fl.facGrp[i]; gr < fl.facGrp[i+1]; gr++ {
				v += lg.knapsack(i, gr)
			}
			lg.v[i] = v
		}
	}
	if nw := len(lg.chunk) - 1; nw > 1 {
		var wg sync.WaitGroup
		for t := 1; t < nw; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(t)
			}()
		}
		run(0)
		wg.Wait()
	} else {
		run(0)
	}
	lg.sumU = 0
	for _, uj := range u[:fl.n] {
		lg.sumU += uj
	}
	lg.sumU += fl.multConst(u)
	if fl.clustered {
		copy(lg.vt, lg.v)
		for r, yr := range fl.yrows {
			w := u[fl.yOff()+r]
			for k, f := range yr.fac {
				lg.vt[f] -= w * yr.val[k]
			}
		}
	}
	lg.sortFree(fix)
	val := lg.choose(fix, -1, 0, true)
	if math.IsInf(val, 1) {
		return val
	}
	if g != nil {
		gc := g[:fl.n]
		for j := range gc {
			gc[j] = 1
		}
		clear(lg.act)
		for i := 0; i < fl.m; i++ {
			if th := lg.theta[i]; th > 0 {
				for _, a := range lg.selOf[i] {
					x := th * lg.xsel[a]
					gc[fl.arcCust[a]] -= x
					for k := fl.arcSideBeg[a]; k < fl.arcSideBeg[a+1]; k++ {
						lg.act[fl.arcSideRow[k]] += x * fl.arcSideVal[k]
					}
				}
			}
		}
		for r, sd := range fl.side {
			g[fl.n+r] = limitSubgradient(u[fl.n+r], sd.lo, sd.hi, lg.act[r])
		}
		for r, yr := range fl.yrows {
			act := 0.0
			for k, f := range yr.fac {
				act += yr.val[k] * lg.theta[f]
			}
			g[fl.yOff()+r] = limitSubgradient(u[fl.yOff()+r], yr.lo, yr.hi, act)
		}
	}
	return lg.sumU + val + fl.constant
}

// knapsack solves the continuous knapsack of capacity group gr (of facility i) over its
// bucket and returns its value. When the items do not all fit, the cheapest ones by key
// r_a/d_j fill the capacity, the last one fractionally. The boundary is found by a weighted
// quickselect (linear time on average) instead of a sort: the knapsacks are most of the
// facility-location path's work.
func (lg *flLagr) knapsack(i, gr int) float64 {
	fl := lg.fl
	items := lg.bucket[gr]
	wsum := 0.0
	for _, it := range items {
		wsum += it.w
	}
	val := 0.0
	take := func(it flItem, x float64) {
		lg.xsel[it.a] = x
		lg.selOf[i] = append(lg.selOf[i], it.a)
		val += it.r * x
	}
	capa := fl.grpCapa[gr]
	if wsum <= capa {
		for _, it := range items {
			take(it, fl.arcUB[it.a])
		}
		return val
	}
	rest := capa
	lo, hi := 0, len(items)
	for lo < hi && rest > 0 {
		lt, gt := partition3(items[lo:hi])
		lt, gt = lo+lt, lo+gt
		wLess := 0.0
		for _, it := range items[lo:lt] {
			wLess += it.w
		}
		if wLess > rest {
			hi = lt // the boundary is among the smaller keys
			continue
		}
		for _, it := range items[lo:lt] {
			take(it, fl.arcUB[it.a])
		}
		rest -= wLess
		// equal keys: fill in arc order (any order gives the same value)
		eq := items[lt:gt]
		slices.SortFunc(eq, func(p, q flItem) int { return cmp.Compare(p.a, q.a) })
		for _, it := range eq {
			if rest <= 0 {
				break
			}
			x := fl.arcUB[it.a]
			if d := fl.demand[fl.arcCust[it.a]]; d > 0 {
				x = math.Min(x, rest/d)
				rest -= x * d
			}
			take(it, x)
		}
		lo = gt
	}
	return val
}

// partition3 partitions items around the median of three keys (first, middle, last) into
// keys below, equal to and above the pivot; it returns the bounds lt, gt of the equal part.
func partition3(items []flItem) (lt, gt int) {
	n := len(items)
	a, b, c := items[0].key, items[n/2].key, items[n-1].key
	pivot := max(min(a, b), min(max(a, b), c))
	lt, k, gt := 0, 0, n
	for k < gt {
		switch key := items[k].key; {
		case key < pivot:
			items[lt], items[k] = items[k], items[lt]
			lt++
			k++
		case key > pivot:
			gt--
			items[k], items[gt] = items[gt], items[k]
		default:
			k++
		}
	}
	return lt, gt
}

// sortFree orders the free facilities with v_i >= 0 and some capacity in the cover by
// v_i/s_i (the cover candidates) and, with cardinality rows, all free facilities by v_i.
func (lg *flLagr) sortFree(fix []int8) {
	fl := lg.fl
	if fl.clustered {
		lg.bestPatterns(fix)
		return
	}
	lg.order = lg.order[:0]
	lg.byV = lg.byV[:0]
	for i := 0; i < fl.m; i++ {
		if fix[i] != 0 {
			continue
		}
		if lg.v[i] >= 0 && fl.capa[i] > 0 {
			lg.order = append(lg.order, i)
		}
		if fl.hasCard {
			lg.byV = append(lg.byV, i)
		}
	}
	slices.SortFunc(lg.order, func(p, q int) int {
		if c := cmp.Compare(lg.v[p]/fl.capa[p], lg.v[q]/fl.capa[q]); c != 0 {
			return c
		}
		return cmp.Compare(p, q)
	})
	slices.SortFunc(lg.byV, func(p, q int) int {
		if c := cmp.Compare(lg.v[p], lg.v[q]); c != 0 {
			return c
		}
		return cmp.Compare(p, q)
	})
}

// choose selects the facilities for the current v (lg.order and lg.byV must be current)
// with facility force (if >= 0) fixed to forceVal, and returns sum_i v_i y_i (+Inf when
// the capacity cannot be covered or the cardinality bounds cannot be met). With setTheta it
// records the y values in lg.theta.
func (lg *flLagr) choose(fix []int8, force int, forceVal int8, setTheta bool) float64 {
	if lg.fl.clustered {
		return lg.chooseClusters(fix, force, forceVal, setTheta)
	}
	if lg.fl.hasCard {
		return lg.chooseCard(fix, force, forceVal, setTheta)
	}
	fl := lg.fl
	state := func(i int) int8 {
		if i == force {
			return forceVal
		}
		return fix[i]
	}
	val, capOpen := 0.0, 0.0
	for i := 0; i < fl.m; i++ {
		st := state(i)
		open := st > 0 || (st == 0 && lg.v[i] < 0)
		if setTheta {
			lg.theta[i] = 0
		}
		if open {
			val += lg.v[i]
			capOpen += fl.capa[i]
			if setTheta {
				lg.theta[i] = 1
			}
		}
	}
	need := fl.coverDemand - capOpen
	if need <= flCapTol*fl.coverDemand {
		return val
	}
	if lg.equalCapa {
		s := fl.capa[0]
		k := int(math.Ceil(need/s - flCapTol))
		for _, i := range lg.order {
			if k == 0 {
				break
			}
			if i == force {
				continue
			}
			val += lg.v[i]
			k--
			if setTheta {
				lg.theta[i] = 1
			}
		}
		if k > 0 {
			return math.Inf(1)
		}
		return val
	}
	for _, i := range lg.order {
		if need <= flCapTol*fl.coverDemand {
			break
		}
		if i == force {
			continue
		}
		if math.IsInf(fl.capa[i], 1) {
			need = 0 // an uncapacitated facility covers everything at y_i -> 0
			break
		}
		th := math.Min(1, need/fl.capa[i])
		val += th * lg.v[i]
		need -= th * fl.capa[i]
		if setTheta {
			lg.theta[i] = th
		}
	}
	if need > flCapTol*fl.coverDemand {
		return math.Inf(1)
	}
	return val
}

// chooseCard is choose under the cardinality bounds: min sum v_i y_i subject to the
// fixings, cardLo <= sum_i y_i <= cardHi and sum_i capa_i y_i >= coverDemand, the last by
// its LP relaxation.
func (lg *flLagr) chooseCard(fix []int8, force int, forceVal int8, setTheta bool) float64 {
	fl := lg.fl
	state := func(i int) int8 {
		if i == force {
			return forceVal
		}
		return fix[i]
	}
	if setTheta {
		clear(lg.theta)
	}
	val, capOpen, nOpen := 0.0, 0.0, 0
	for i := 0; i < fl.m; i++ {
		if state(i) > 0 {
			val += lg.v[i]
			capOpen += fl.capa[i]
			nOpen++
			if setTheta {
				lg.theta[i] = 1
			}
		}
	}
	cand := lg.cand[:0]
	for _, i := range lg.byV {
		if i != force {
			cand = append(cand, i)
		}
	}
	lg.cand = cand
	kLo, kHi := max(0, fl.cardLo-nOpen), fl.cardHi-nOpen
	if kHi < 0 || kLo > len(cand) {
		return math.Inf(1)
	}
	kHi = min(kHi, len(cand))
	need := fl.coverDemand - capOpen
	// without the cover: the kLo cheapest, then the negative ones up to kHi
	capPick, valPick := 0.0, 0.0
	uncap := false // an uncapacitated candidate covers everything at y_i -> 0 in the LP
	for k, i := range cand {
		if math.IsInf(fl.capa[i], 1) {
			uncap = true
		}
		if k < kLo || (k < kHi && lg.v[i] < 0) {
			valPick += lg.v[i]
			capPick += fl.capa[i]
			lg.pick[k] = true
		} else {
			lg.pick[k] = false
		}
	}
	if capPick >= need-flCapTol*fl.coverDemand || (uncap && kHi > 0) {
		if setTheta {
			for k, i := range cand {
				if lg.pick[k] {
					lg.theta[i] = 1
				}
			}
		}
		return val + valPick
	}
	// the cover binds: maximise phi(lam) = lam*need + min { sum (v_i - lam s_i) y_i :
	// kLo <= sum y_i <= kHi } over lam >= 0; slope(lam) = need - sum s_i y_i(lam)
	inner := func(lam float64, pick []bool) (float64, float64) {
		for k, i := range cand {
			lg.ycost[k] = lg.v[i] - lam*fl.capa[i]
		}
		idx := lg.sortedCand(len(cand))
		v, s := 0.0, 0.0
		for p, k := range idx {
			take := p < kLo || (p < kHi && lg.ycost[k] < 0)
			pick[k] = take
			if take {
				v += lg.ycost[k]
				s += fl.capa[cand[k]]
			}
		}
		return lam*need + v, need - s
	}
	maxV, maxS := 1.0, 0.0
	for _, i := range cand {
		maxV = math.Max(maxV, math.Abs(lg.v[i]))
		maxS = math.Max(maxS, fl.capa[i])
	}
	if maxS <= 0 {
		return math.Inf(1)
	}
	lo, hi := 0.0, 2*maxV/maxS
	phiLo, slopeLo := inner(lo, lg.pickLo)
	phiHi, slopeHi := inner(hi, lg.pickHi)
	for it := 0; slopeHi > 0 && it < 2000; it++ {
		if phiHi > phiLo {
			lo, phiLo, slopeLo = hi, phiHi, slopeHi
			copy(lg.pickLo, lg.pickHi)
		}
		hi *= 2
		phiHi, slopeHi = inner(hi, lg.pickHi)
	}
	if slopeHi > flCapTol*fl.coverDemand {
		return math.Inf(1) // even the kHi largest capacities fall short
	}
	for it := 0; it < flCoverBisect && slopeLo > 0 && slopeHi < 0; it++ {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		phi, slope := inner(mid, lg.pick)
		if slope > 0 {
			lo, phiLo, slopeLo = mid, phi, slope
			copy(lg.pickLo, lg.pick)
		} else {
			hi, phiHi, slopeHi = mid, phi, slope
			copy(lg.pickHi, lg.pick)
		}
	}
	best := math.Max(phiLo, phiHi)
	if setTheta {
		// the LP optimum: the combination of the two bracketing selections that meets the
		// cover exactly
		alpha := 0.0 // weight of the lo selection
		if slopeLo > 0 && slopeHi < 0 {
			alpha = -slopeHi / (slopeLo - slopeHi)
		}
		for k, i := range cand {
			th := 0.0
			if lg.pickLo[k] {
				th += alpha
			}
			if lg.pickHi[k] {
				th += 1 - alpha
			}
			lg.theta[i] = th
		}
	}
	return val + best
}

// sortedCand returns the indices 0..n-1 of lg.cand ordered by lg.ycost (ties by index).
func (lg *flLagr) sortedCand(n int) []int {
	idx := lg.order[len(lg.order):] // scratch beyond the cover order
	idx = idx[:0]
	for k := 0; k < n; k++ {
		idx = append(idx, k)
	}
	slices.SortFunc(idx, func(p, q int) int {
		if c := cmp.Compare(lg.ycost[p], lg.ycost[q]); c != 0 {
			return c
		}
		return cmp.Compare(p, q)
	})
	return idx
}

// bestPatterns computes the cheapest pattern of every cluster at the facility values vt
// under the fixings.
func (lg *flLagr) bestPatterns(fix []int8) {
	fl := lg.fl
	lg.clTotal, lg.clInf = 0, 0
	for c := range fl.clusters {
		p, v := fl.bestPattern(c, lg.vt, fl.fixMasks(c, fix, -1, 0), lg.patScratch)
		lg.clPat[c], lg.clBest[c] = p, v
		if p < 0 {
			lg.clInf++
			continue
		}
		lg.clTotal += v
	}
}

// chooseClusters is choose for a clustered model: every cluster takes its cheapest
// pattern (lg.bestPatterns must be current); with force, the cluster of force takes its
// cheapest pattern with force fixed to forceVal.
func (lg *flLagr) chooseClusters(fix []int8, force int, forceVal int8, setTheta bool) float64 {
	fl := lg.fl
	total, inf := lg.clTotal, lg.clInf
	if force >= 0 {
		c := force - fl.m // a cluster's entry
		if force < fl.m {
			c = int(fl.facCluster[force])
		}
		p, v := fl.bestPattern(c, lg.vt, fl.fixMasks(c, fix, force, forceVal), lg.patScratch)
		if lg.clPat[c] < 0 {
			inf--
		} else {
			total -= lg.clBest[c]
		}
		if p < 0 {
			inf++
		} else {
			total += v
		}
	}
	if inf > 0 {
		return math.Inf(1)
	}
	if setTheta {
		for c, cl := range fl.clusters {
			for k, f := range cl.fac {
				lg.theta[f] = float64(lg.clPat[c] >> k & 1)
			}
		}
	}
	return total
}
