package solver

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// Lagrangian relaxation of the customer rows of facility location. With multipliers u_j
// on sum_a x'_a = 1, facility i contributes v_i(u) = f_i + min { sum_a (c'_a - u_j) x'_a :
// sum_a d_j x'_a <= s_i, 0 <= x'_a <= u'_a } when open (a continuous knapsack: greedy by
// (c'_a - u_j)/d_j), and 0 when closed. The facilities are chosen subject to the node's
// fixings and to the aggregate capacity sum_i s_i y_i >= sum_j d_j (valid for every
// feasible solution): all with v_i < 0, then the cheapest cover of the missing capacity:
// exactly when the remaining candidates have equal capacities (then it is "the k smallest
// v_i"), else by its LP relaxation (greedy by v_i/s_i with a fractional last one), which is
// still a valid lower bound. L(u) = sum_j u_j + sum_i v_i y_i + constant is a lower bound
// on the node's optimum for every u; it is computed exactly for the u used.

const (
	// flCapTol is the relative tolerance of capacity comparisons (sum of capacities
	// against the total demand).
	flCapTol = 1e-9
)

type flItem struct {
	key float64 // (c'_a - u_j) / d_j; -Inf for weight-0 items
	w   float64 // d_j * u'_a, the item's full weight
	a   int32
}

type flLagr struct {
	fl        *flModel
	equalCapa bool // all facilities have the same (finite) capacity

	v     []float64 // v_i of the last evaluation
	theta []float64 // y_i of the last evaluation (fractional for an LP cover)
	xsel  []float64 // x'_a of the knapsacks of the last evaluation (only sel arcs are set)
	selOf [][]int32 // arcs with x'_a > 0 of each facility
	order []int     // free facilities by v_i/s_i (scratch of choose)
	sumU  float64

	// the knapsacks run on len(chunk)-1 goroutines plus the caller: facilities
	// chunk[t]..chunk[t+1]-1 go to worker t, each with its own item scratch. Every
	// knapsack's result is independent of the split, so the results are deterministic.
	chunk []int
	items [][]flItem
}

// flParArcs is the number of arcs per worker from which the knapsacks of one Lagrangian
// evaluation are spread over goroutines (below it the synchronisation costs more than
// it saves).
const flParArcs = 20000

func newFLLagr(fl *flModel, threads int) *flLagr {
	lg := &flLagr{fl: fl, v: make([]float64, fl.m), theta: make([]float64, fl.m),
		xsel: make([]float64, len(fl.arcCust)), selOf: make([][]int32, fl.m)}
	lg.split(max(1, min(threads, fl.m, len(fl.arcCust)/flParArcs)))
	lg.equalCapa = true
	for i := 1; i < fl.m; i++ {
		if fl.capa[i] != fl.capa[0] {
			lg.equalCapa = false
		}
	}
	if fl.m > 0 && math.IsInf(fl.capa[0], 1) {
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
	lg.items = make([][]flItem, nw)
}

// eval computes L(u) for the fixings fix (1 open, -1 closed, 0 free); +Inf when the fixings
// leave too little capacity. It leaves v, theta and the knapsack solutions in lg, and when
// g is not nil the subgradient g_j = 1 - sum_i theta_i x'_ij.
func (lg *flLagr) eval(u []float64, fix []int8, g []float64) float64 {
	fl := lg.fl
	run := func(t int) {
		for i := lg.chunk[t]; i < lg.chunk[t+1]; i++ {
			lg.selOf[i] = lg.selOf[i][:0]
			if fix[i] < 0 {
				lg.v[i] = 0
				continue
			}
			lg.v[i] = fl.fixCost[i] + lg.knapsack(i, u, &lg.items[t])
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
	for _, uj := range u {
		lg.sumU += uj
	}
	lg.sortFree(fix)
	val := lg.choose(fix, -1, 0, true)
	if math.IsInf(val, 1) {
		return val
	}
	if g != nil {
		for j := range g {
			g[j] = 1
		}
		for i := 0; i < fl.m; i++ {
			if th := lg.theta[i]; th > 0 {
				for _, a := range lg.selOf[i] {
					g[fl.arcCust[a]] -= th * lg.xsel[a]
				}
			}
		}
	}
	return lg.sumU + val + fl.constant
}

// knapsack solves facility i's continuous knapsack at u and returns its value (without f_i).
// The items are the arcs with a negative reduced cost; when they do not all fit, the
// cheapest ones by key (c'_a - u_j)/d_j fill the capacity, the last one fractionally. The
// boundary is found by a weighted quickselect (linear time on average) instead of a sort:
// the knapsack is most of the facility-location path's work.
func (lg *flLagr) knapsack(i int, u []float64, scratch *[]flItem) float64 {
	fl := lg.fl
	items := (*scratch)[:0]
	wsum := 0.0
	for a := fl.arcBeg[i]; a < fl.arcBeg[i+1]; a++ {
		j := fl.arcCust[a]
		r := fl.arcCost[a] - u[j]
		if r >= 0 || fl.arcUB[a] <= 0 {
			continue
		}
		d := fl.demand[j]
		key := math.Inf(-1)
		if d > 0 {
			key = r / d
		}
		w := d * fl.arcUB[a]
		items = append(items, flItem{key: key, w: w, a: int32(a)})
		wsum += w
	}
	*scratch = items
	val := 0.0
	take := func(it flItem, x float64) {
		lg.xsel[it.a] = x
		lg.selOf[i] = append(lg.selOf[i], it.a)
		val += (fl.arcCost[it.a] - u[fl.arcCust[it.a]]) * x
	}
	if wsum <= fl.capa[i] {
		for _, it := range items {
			take(it, fl.arcUB[it.a])
		}
		return val
	}
	rest := fl.capa[i]
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

// sortFree orders the free facilities with v_i >= 0 by v_i/s_i (the cover candidates).
func (lg *flLagr) sortFree(fix []int8) {
	fl := lg.fl
	lg.order = lg.order[:0]
	for i := 0; i < fl.m; i++ {
		if fix[i] == 0 && lg.v[i] >= 0 {
			lg.order = append(lg.order, i)
		}
	}
	slices.SortFunc(lg.order, func(p, q int) int {
		if c := cmp.Compare(lg.v[p]/fl.capa[p], lg.v[q]/fl.capa[q]); c != 0 {
			return c
		}
		return cmp.Compare(p, q)
	})
}

// choose selects the facilities for the current v (lg.order must be current) with facility
// force (if >= 0) fixed to forceVal, and returns sum_i v_i y_i (+Inf when the capacity cannot
// be covered). With setTheta it records the y values in lg.theta.
func (lg *flLagr) choose(fix []int8, force int, forceVal int8, setTheta bool) float64 {
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
	need := fl.totalDemand - capOpen
	if need <= flCapTol*fl.totalDemand {
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
		if need <= flCapTol*fl.totalDemand {
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
	if need > flCapTol*fl.totalDemand {
		return math.Inf(1)
	}
	return val
}
