package solver

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// Clustered facility location: models whose facilities are tied together by facility rows
// (rows over facility columns and auxiliary continuous columns that no assignment enters)
// or limited by cardinality rows over some facilities only. The rolling-lease model of
// roles/optimization is one: a facility per site and year, opening indicators u_it >=
// y_it - y_i,t-1 with commitments y_i,tau >= u_it, existing sites that stay closed once
// closed, and an open-count row per year.
//
// Facilities joined by facility rows form a cluster (a site's years), with at most
// flMaxClusterBits facilities. Its open patterns are enumerated once: for each, the
// cheapest values of the cluster's auxiliary columns come from a small LP over the
// cluster's rows with the facilities fixed (+Inf when the pattern breaks them). With the
// cardinality rows and the capacity cover of every component relaxed into the Lagrangian
// too (their multipliers follow the subgradient with the others), the choice of facilities
// is separable: each cluster takes its cheapest pattern, which is exact for the multipliers
// used, so the Lagrangian bound stays valid for any multipliers.

const (
	// flMaxClusterBits is the largest number of facilities in a cluster: its 2^k open
	// patterns are enumerated, each with a small LP.
	flMaxClusterBits = 10
)

// flCard is a cardinality row lo <= sum_{i in fac} y_i <= hi, in counts.
type flCard struct {
	fac    []int32
	lo, hi float64
}

// flYRow is a row over facilities relaxed into the Lagrangian of a clustered model
// (normalised like the side rows).
type flYRow struct {
	lo, hi float64
	fac    []int32
	val    []float64
}

// flCluster is a set of facilities joined by facility rows.
type flCluster struct {
	fac    []int32     // facilities; bit k of a pattern opens fac[k]
	aux    []int       // auxiliary model columns
	cost   []float64   // objective of the auxiliary columns of each pattern (+Inf: infeasible)
	auxVal [][]float64 // their values for each feasible pattern
}

// buildClusters groups the facilities by the facility rows, enumerates the patterns of
// each cluster and builds the relaxed facility rows; false when the model is beyond this
// path (a cluster too large or without facilities, an unbounded pattern LP).
func (fl *flModel) buildClusters(m *Model, facRows, auxCols []int, facOf map[int]int) bool {
	nodes := fl.m + len(auxCols)
	auxOf := make(map[int]int, len(auxCols))
	for k, c := range auxCols {
		auxOf[c] = fl.m + k
	}
	nodeOf := func(col int) int {
		if f, ok := facOf[col]; ok {
			return f
		}
		return auxOf[col]
	}
	uf := make([]int, nodes)
	for v := range uf {
		uf[v] = v
	}
	find := func(v int) int {
		for uf[v] != v {
			uf[v] = uf[uf[v]]
			v = uf[v]
		}
		return v
	}
	for _, ri := range facRows {
		r := m.Rows[ri]
		first := find(nodeOf(r.Ind[0]))
		for _, c := range r.Ind[1:] {
			if v := find(nodeOf(c)); v != first {
				uf[v] = first
			}
		}
	}
	clOf := make(map[int]int)
	fl.facCluster = make([]int32, fl.m)
	fl.facBit = make([]int32, fl.m)
	for f := 0; f < fl.m; f++ {
		root := find(f)
		c, ok := clOf[root]
		if !ok {
			c = len(fl.clusters)
			clOf[root] = c
			fl.clusters = append(fl.clusters, flCluster{})
		}
		cl := &fl.clusters[c]
		fl.facCluster[f], fl.facBit[f] = int32(c), int32(len(cl.fac))
		cl.fac = append(cl.fac, int32(f))
		if len(cl.fac) > flMaxClusterBits {
			return false
		}
	}
	for k, col := range auxCols {
		c, ok := clOf[find(fl.m+k)]
		if !ok {
			return false // auxiliary columns that no facility touches
		}
		fl.clusters[c].aux = append(fl.clusters[c].aux, col)
	}
	rowsOf := make([][]int, len(fl.clusters))
	for _, ri := range facRows {
		c := clOf[find(nodeOf(m.Rows[ri].Ind[0]))]
		rowsOf[c] = append(rowsOf[c], ri)
	}
	for c := range fl.clusters {
		if !fl.enumerate(m, &fl.clusters[c], rowsOf[c], facOf) {
			return false
		}
	}
	fl.buildYRows()
	return true
}

// enumerate computes the cost and auxiliary values of every open pattern of cl.
func (fl *flModel) enumerate(m *Model, cl *flCluster, rows []int, facOf map[int]int) bool {
	np := 1 << len(cl.fac)
	cl.cost = make([]float64, np)
	cl.auxVal = make([][]float64, np)
	auxIdx := make(map[int]int, len(cl.aux))
	for k, c := range cl.aux {
		auxIdx[c] = k
	}
	var ind []int
	var val []float64
	for p := 0; p < np; p++ {
		sub := &Model{}
		for _, c := range cl.aux {
			col := m.Cols[c]
			sub.AddCol("", col.Obj, col.Lo, col.Hi, false)
		}
		feasible := true
		for _, ri := range rows {
			r := m.Rows[ri]
			shift := 0.0
			ind, val = ind[:0], val[:0]
			for k, c := range r.Ind {
				if f, ok := facOf[c]; ok {
					if p>>fl.facBit[f]&1 == 1 {
						shift += r.Val[k]
					}
					continue
				}
				ind, val = append(ind, auxIdx[c]), append(val, r.Val[k])
			}
			lo, hi := r.Lo-shift, r.Hi-shift
			if len(ind) == 0 {
				if lo > rowFeasTol*(1+math.Abs(r.Lo)) || hi < -rowFeasTol*(1+math.Abs(r.Hi)) {
					feasible = false
					break
				}
				continue
			}
			sub.AddRow("", lo, hi, ind, val)
		}
		switch {
		case !feasible:
			cl.cost[p] = math.Inf(1)
		case len(cl.aux) == 0:
		default:
			res, err := Solve(context.Background(), sub, Settings{NoStructure: true, Threads: 1})
			switch {
			case res != nil && res.Status == StatusOptimal && err == nil:
				cl.cost[p] = res.Objective
				cl.auxVal[p] = res.X
			case res != nil && res.Status == StatusInfeasible:
				cl.cost[p] = math.Inf(1)
			default:
				return false
			}
		}
	}
	return true
}

// buildYRows makes the relaxed rows of a clustered model: the cardinality rows and, for
// every component of positive demand D_k, the cover sum_i min(s_ik, D_k) y_i >= D_k with s_ik
// the capacity of facility i's groups in k (valid for every feasible solution: the open
// facilities must carry the component's demand, none more than all of it).
func (fl *flModel) buildYRows() {
	for _, c := range fl.cards {
		sc := 0.0
		for _, lim := range []float64{c.lo, c.hi} {
			if !math.IsInf(lim, 0) {
				sc = math.Max(sc, math.Abs(lim))
			}
		}
		if sc == 0 {
			sc = 1
		}
		row := flYRow{lo: c.lo / sc, hi: c.hi / sc, fac: c.fac, val: make([]float64, len(c.fac))}
		for k := range row.val {
			row.val[k] = 1 / sc
		}
		fl.yrows = append(fl.yrows, row)
	}
	capIn := make([]float64, fl.m)
	for k := 0; k < fl.nComp; k++ {
		d := fl.compDemand[k]
		if d <= 0 {
			continue
		}
		clear(capIn)
		for _, g := range fl.compGrp[k] {
			capIn[fl.grpFac[g]] += fl.grpCapa[g]
		}
		row := flYRow{lo: 1, hi: math.Inf(1)}
		for i, s := range capIn {
			if s > 0 {
				row.fac = append(row.fac, int32(i))
				row.val = append(row.val, math.Min(s, d)/d)
			}
		}
		fl.yrows = append(fl.yrows, row)
	}
}

// patternOf returns the pattern of cluster c in the open set.
func (fl *flModel) patternOf(c int, open []bool) int {
	p := 0
	for k, f := range fl.clusters[c].fac {
		if open[f] {
			p |= 1 << k
		}
	}
	return p
}

// facilityCost returns the objective of the auxiliary columns of the open set's patterns
// (+Inf when a pattern breaks its facility rows) and whether the cardinality rows hold.
func (fl *flModel) facilityCost(open []bool) float64 {
	for _, c := range fl.cards {
		n := 0.0
		for _, f := range c.fac {
			if open[f] {
				n++
			}
		}
		if n < c.lo-flBinTol || n > c.hi+flBinTol {
			return math.Inf(1)
		}
	}
	cost := 0.0
	for c := range fl.clusters {
		cost += fl.clusters[c].cost[fl.patternOf(c, open)]
	}
	return cost
}

// flMask is what the fixings allow of a cluster's patterns: the bits forced open and
// closed, and whether the pattern must open some facility.
type flMask struct {
	on, off int
	nonzero bool
}

// ok reports whether pattern p keeps the mask.
func (mk flMask) ok(p int) bool {
	return p&mk.on == mk.on && p&mk.off == 0 && (p != 0 || !mk.nonzero)
}

// fixMasks returns what the fixings allow of cluster c's patterns (with entry force of fix
// taken as forceVal). The entries of fix are the facilities' and, in a node of a clustered
// search, after them the clusters': -1 every facility of the cluster closed, 1 some open.
func (fl *flModel) fixMasks(c int, fix []int8, force int, forceVal int8) flMask {
	var mk flMask
	for k, f := range fl.clusters[c].fac {
		st := fix[f]
		if int(f) == force {
			st = forceVal
		}
		switch st {
		case 1:
			mk.on |= 1 << k
		case -1:
			mk.off |= 1 << k
		}
	}
	if k := fl.m + c; k < len(fix) {
		st := fix[k]
		if k == force {
			st = forceVal
		}
		switch st {
		case 1:
			mk.nonzero = true
		case -1:
			mk.off = 1<<len(fl.clusters[c].fac) - 1
		}
	}
	return mk
}

// bestPattern returns the cheapest pattern of cluster c at the facility values vt that
// keeps the masks, and its value (+Inf and -1 when none is feasible). scratch must hold
// 2^k values.
func (fl *flModel) bestPattern(c int, vt []float64, mk flMask, scratch []float64) (int, float64) {
	cl := &fl.clusters[c]
	np := len(cl.cost)
	best, bestV := -1, math.Inf(1)
	scratch[0] = 0
	for p := 0; p < np; p++ {
		if p > 0 {
			low := p & -p
			k := bitIndex(low)
			scratch[p] = scratch[p&^low] + vt[cl.fac[k]]
		}
		if !mk.ok(p) {
			continue
		}
		if v := scratch[p] + cl.cost[p]; v < bestV {
			best, bestV = p, v
		}
	}
	return best, bestV
}

func bitIndex(low int) int {
	k := 0
	for low > 1 {
		low >>= 1
		k++
	}
	return k
}

// maxPatterns returns the largest number of patterns of a cluster.
func (fl *flModel) maxPatterns() int {
	n := 1
	for _, cl := range fl.clusters {
		n = max(n, len(cl.cost))
	}
	return n
}

// flRepairSteps bounds the pattern changes of one repair.
const flRepairSteps = 200

// yrowViolation returns the total violation of the relaxed facility rows by open.
func (fl *flModel) yrowViolation(open []bool) float64 {
	v := 0.0
	for _, yr := range fl.yrows {
		act := 0.0
		for k, f := range yr.fac {
			if open[f] {
				act += yr.val[k]
			}
		}
		v += math.Max(0, math.Max(yr.lo-act, act-yr.hi))
	}
	return v
}

// setPattern opens the facilities of cluster c by pattern p.
func (fl *flModel) setPattern(c, p int, open []bool) {
	for k, f := range fl.clusters[c].fac {
		open[f] = p>>k&1 == 1
	}
}

// patternValue is the Lagrangian value of pattern p of cluster c at the facility values vt.
func (fl *flModel) patternValue(c, p int, vt []float64) float64 {
	cl := &fl.clusters[c]
	v := cl.cost[p]
	for k, f := range cl.fac {
		if p>>k&1 == 1 {
			v += vt[f]
		}
	}
	return v
}

// sideReach returns, for side row r, the largest and the smallest activity the open
// facilities allow when capacities are ignored (each customer on its open arc of largest or
// smallest coefficient); a row whose lower limit exceeds the first or whose upper limit is
// below the second cannot be met. Customers without an open arc count 0 (their component
// is infeasible anyway).
func (fl *flModel) sideReach(r int, open []bool) (hi, lo float64) {
	for _, j := range fl.compCust[fl.side[r].comp] {
		first := true
		var mx, mn float64
		for p := fl.custArcBeg[j]; p < fl.custArcBeg[j+1]; p++ {
			a := fl.custArcs[p]
			if !open[fl.arcFacil[a]] {
				continue
			}
			v := fl.arcSideCoef(a, r)
			if first {
				mx, mn, first = v, v, false
				continue
			}
			mx, mn = math.Max(mx, v), math.Min(mn, v)
		}
		hi += mx
		lo += mn
	}
	return hi, lo
}

// sideShort returns the side row that open misses most by sideReach and by how much
// (normalised units; -1 and 0 when none is missed).
func (fl *flModel) sideShort(open []bool) (int, float64) {
	worst, short := -1, 0.0
	for r, sd := range fl.side {
		hi, lo := fl.sideReach(r, open)
		if v := math.Max(sd.lo-hi, lo-sd.hi); v > flSideTol && v > short {
			worst, short = r, v
		}
	}
	return worst, short
}

// repairSide opens, for side row r that open cannot meet, the facility of its component
// whose arcs raise (or, for an upper limit, lower) its reach most: in a clustered model
// through the cheapest pattern of the facility's cluster that keeps the cluster's open
// facilities and the fixings and does not add to the violation of the relaxed facility
// rows, else when the cardinality bound allows one more. It returns false when no facility
// helps.
func (fs *flSearch) repairSide(open []bool, fix []int8, r int) bool {
	fl, lg := fs.fl, fs.lg
	sd := fl.side[r]
	up := true // the lower limit is missed: raise the reach
	if hi, _ := fl.sideReach(r, open); hi >= sd.lo-flSideTol {
		up = false
	}
	// each customer's current best coefficient among its open arcs
	best := make(map[int32]float64)
	for _, j := range fl.compCust[sd.comp] {
		first := true
		for p := fl.custArcBeg[j]; p < fl.custArcBeg[j+1]; p++ {
			a := fl.custArcs[p]
			if !open[fl.arcFacil[a]] {
				continue
			}
			v := fl.arcSideCoef(a, r)
			if !up {
				v = -v
			}
			if first || v > best[j] {
				best[j], first = v, false
			}
		}
		if first {
			best[j] = math.Inf(-1)
		}
	}
	type cand struct {
		f    int32
		gain float64
	}
	var cands []cand
	for _, f := range fl.compFac[sd.comp] {
		if open[f] || fix[f] < 0 {
			continue
		}
		gain := 0.0
		for a := fl.arcBeg[f]; a < fl.arcBeg[f+1]; a++ {
			v := fl.arcSideCoef(int32(a), r)
			if !up {
				v = -v
			}
			if b := best[fl.arcCust[a]]; v > b {
				if math.IsInf(b, -1) {
					gain += 1 // a customer without an open arc
				} else {
					gain += v - b
				}
			}
		}
		if gain > 0 {
			cands = append(cands, cand{f, gain})
		}
	}
	slices.SortFunc(cands, func(p, q cand) int {
		if c := cmp.Compare(q.gain, p.gain); c != 0 {
			return c
		}
		return cmp.Compare(p.f, q.f)
	})
	if !fl.clustered {
		nOpen := 0
		for _, o := range open {
			if o {
				nOpen++
			}
		}
		if len(cands) == 0 || nOpen >= fl.cardHi {
			return false
		}
		open[cands[0].f] = true
		return true
	}
	yv := fl.yrowViolation(open)
	for _, cd := range cands {
		c := int(fl.facCluster[cd.f])
		cl := &fl.clusters[c]
		mk := fl.fixMasks(c, fix, -1, 0)
		cp := fl.patternOf(c, open)
		need := cp | 1<<fl.facBit[cd.f]
		bestP, bestV := -1, math.Inf(1)
		for p := range cl.cost {
			if p&need != need || !mk.ok(p) || math.IsInf(cl.cost[p], 1) {
				continue
			}
			fl.setPattern(c, p, open)
			if fl.yrowViolation(open) <= yv+flCapTol {
				if v := fl.patternValue(c, p, lg.vt); v < bestV {
					bestP, bestV = p, v
				}
			}
			fl.setPattern(c, cp, open)
		}
		if bestP >= 0 {
			fl.setPattern(c, bestP, open)
			return true
		}
	}
	return false
}

// repairClusters changes the patterns of open (which keeps the fixings) until the
// cardinality rows and the capacity covers hold (each step takes the pattern change that
// reduces their violation most, the Lagrangian value breaking ties) and the side rows are
// within reach (repairSide). It returns false when no change helps.
func (fs *flSearch) repairClusters(open []bool, fix []int8) bool {
	fl, lg := fs.fl, fs.lg
	for step := 0; step < flRepairSteps; step++ {
		cur := fl.yrowViolation(open)
		if cur <= flCapTol {
			r, _ := fl.sideShort(open)
			if r < 0 {
				return true
			}
			if !fs.repairSide(open, fix, r) {
				return false
			}
			continue
		}
		bestC, bestP, bestViol, bestCost := -1, -1, cur, math.Inf(1)
		for c, cl := range fl.clusters {
			mk := fl.fixMasks(c, fix, -1, 0)
			cp := fl.patternOf(c, open)
			base := fl.patternValue(c, cp, lg.vt)
			for p := range cl.cost {
				if p == cp || !mk.ok(p) || math.IsInf(cl.cost[p], 1) {
					continue
				}
				fl.setPattern(c, p, open)
				v := fl.yrowViolation(open)
				d := fl.patternValue(c, p, lg.vt) - base
				if v < bestViol-flCapTol || (v <= bestViol+flCapTol && bestC >= 0 && d < bestCost) {
					bestC, bestP, bestViol, bestCost = c, p, v, d
				}
			}
			fl.setPattern(c, cp, open)
		}
		if bestC < 0 {
			return false
		}
		fl.setPattern(bestC, bestP, open)
	}
	r, _ := fl.sideShort(open)
	return fl.yrowViolation(open) <= flCapTol && r < 0
}

// localSearchClusters improves the incumbent of a clustered model by changing one
// cluster's pattern (to one within two facilities of the current) or moving a cluster's
// pattern to another cluster's all-closed one: first improvement, the clusters with an
// open facility first, then the closed ones of best Lagrangian value.
func (fs *flSearch) localSearchClusters(fix []int8) {
	fl, lg := fs.fl, fs.lg
	cur := append([]bool(nil), fs.incOpen...)
	curObj := fs.incObj
	try := make([]bool, fl.m)
	for improved := true; improved && !fs.stop(); {
		improved = false
		var opened, closed []int
		for c := range fl.clusters {
			if fl.patternOf(c, cur) != 0 {
				opened = append(opened, c)
			} else {
				closed = append(closed, c)
			}
		}
		bestOpen := func(c int) float64 {
			mk := fl.fixMasks(c, fix, -1, 0)
			b := math.Inf(1)
			for p := 1; p < len(fl.clusters[c].cost); p++ {
				if mk.ok(p) {
					b = math.Min(b, fl.patternValue(c, p, lg.vt))
				}
			}
			return b
		}
		sortIntsBy(closed, bestOpen)
		if len(closed) > flSwapCands {
			closed = closed[:flSwapCands]
		}
		for _, c := range append(opened, closed...) {
			if fs.stop() {
				return
			}
			mk := fl.fixMasks(c, fix, -1, 0)
			cp := fl.patternOf(c, cur)
			for p := range fl.clusters[c].cost {
				if p == cp || !mk.ok(p) || math.IsInf(fl.clusters[c].cost[p], 1) || popcount(p^cp) > 2 {
					continue
				}
				copy(try, cur)
				fl.setPattern(c, p, try)
				if obj, _ := fs.evaluate(try); obj < curObj-1e-9*math.Abs(curObj) {
					copy(cur, try)
					curObj = obj
					improved = true
					cp = p
				}
			}
		}
		if improved {
			continue
		}
		// swaps: an open cluster takes another's pattern and closes
		for _, c1 := range opened {
			for _, c2 := range closed {
				if fs.stop() {
					return
				}
				p := fl.patternOf(c1, cur)
				mk1, mk2 := fl.fixMasks(c1, fix, -1, 0), fl.fixMasks(c2, fix, -1, 0)
				cl1, cl2 := &fl.clusters[c1], &fl.clusters[c2]
				if len(cl1.cost) != len(cl2.cost) || !mk1.ok(0) || math.IsInf(cl1.cost[0], 1) ||
					!mk2.ok(p) || math.IsInf(cl2.cost[p], 1) {
					continue
				}
				copy(try, cur)
				fl.setPattern(c1, 0, try)
				fl.setPattern(c2, p, try)
				if obj, _ := fs.evaluate(try); obj < curObj-1e-9*math.Abs(curObj) {
					copy(cur, try)
					curObj = obj
					improved = true
					break
				}
			}
			if improved {
				break
			}
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
