package solver

import (
	"math"
)

// Primal heuristics: rounding of LP solutions checked against the model, a fractional dive
// at the root, RINS (rins.go) and the model layer's Hooks.Heuristic.

const (
	// diveMaxDepth bounds the number of fixings of one dive.
	diveMaxDepth = 200
	// diveIterFactor bounds a dive's simplex iterations to this multiple of the root's.
	diveIterFactor = 2
	// hookInterval: Hooks.Heuristic runs at the root and then every hookInterval nodes.
	hookInterval = 50
)

// lpSave is a saved LP state for strong branching and dives.
type lpSave struct {
	head []int
	stat []int8
	x, d []float64
	w    []float64
	etas int
	gen  int
	m    int
}

func (b *mip) saveLP() *lpSave {
	p := b.p
	return &lpSave{head: append([]int(nil), p.head...), stat: append([]int8(nil), p.stat...),
		x: append([]float64(nil), p.x...), d: append([]float64(nil), p.d...), w: append([]float64(nil), p.w...),
		etas: p.lu.numEtas(), gen: p.gen, m: p.m}
}

// restoreLP returns the LP to a saved state (the bounds are the caller's business).
func (b *mip) restoreLP(s *lpSave) {
	p := b.p
	if p.m != s.m || p.needFactor {
		b.loadBasis(&basisSnap{stat: s.stat, w: s.w})
		return
	}
	copy(p.head, s.head)
	copy(p.stat, s.stat)
	copy(p.x, s.x)
	copy(p.d, s.d)
	copy(p.w, s.w)
	for j := range p.pos {
		p.pos[j] = -1
	}
	for q, j := range p.head {
		p.pos[j] = q
	}
	if p.gen == s.gen && p.lu.numEtas() >= s.etas {
		p.lu.truncateEtas(s.etas)
	} else {
		p.needFactor = true
	}
	p.unshift()
}

// roundCheck tries simple roundings of the LP solution x: nearest, and up.
func (b *mip) roundCheck(x []float64) {
	cand := make([]float64, len(x))
	for mode := 0; mode < 2; mode++ {
		copy(cand, x)
		for j, isInt := range b.pr.isInt {
			if !isInt {
				continue
			}
			if mode == 0 {
				cand[j] = math.Round(x[j])
			} else {
				cand[j] = math.Ceil(x[j] - intTol)
			}
		}
		b.tryCandidate(cand)
	}
}

func (b *mip) callHook(x []float64) {
	if b.s.Hooks.Heuristic == nil {
		return
	}
	if c := b.s.Hooks.Heuristic(append([]float64(nil), x...)); c != nil {
		b.tryCandidate(c)
	}
}

func (b *mip) rootHeuristics() {
	b.roundCheck(b.x)
	b.callHook(b.x)
	b.dive()
	b.rins(b.x)
}

func (b *mip) nodeHeuristics(cur *node) {
	b.roundCheck(b.x)
	if b.nodes%hookInterval == 0 {
		b.callHook(b.x)
	}
	b.rins(b.x)
}

// dive is a fractional dive from the root LP: fix the integer column closest to an
// integer to its rounded value (up on ties), resolve, repeat; stop when integral
// (incumbent), infeasible or past the cutoff. The LP is restored afterwards.
func (b *mip) dive() {
	save := b.saveLP()
	x := append([]float64(nil), b.x...)
	var changed []int
	oldLo := map[int]float64{}
	oldHi := map[int]float64{}
	iterBudget := diveIterFactor*b.p.iters + 1000
	startIters := b.p.iters
	var frac []int
	for depth := 0; depth < diveMaxDepth; depth++ {
		frac = b.fractional(x, frac)
		if len(frac) == 0 {
			b.newIncumbent(x, 0)
			break
		}
		best, bestF := -1, 2.0
		for _, j := range frac {
			f := x[j] - math.Floor(x[j])
			d := math.Min(f, 1-f)
			if d < bestF {
				best, bestF = j, d
			}
		}
		// fix every column already integral in the LP at the same time (cheap, aggressive)
		j := best
		v := math.Round(x[j])
		if _, ok := oldLo[j]; !ok {
			oldLo[j], oldHi[j] = b.rootLo[j], b.rootHi[j]
			changed = append(changed, j)
		}
		b.setColBounds(j, v, v)
		left := iterBudget - (b.p.iters - startIters)
		if left <= 0 {
			break
		}
		st := b.solveLP(b.cutoff(), left)
		if st != lpOptimal {
			break
		}
		copy(x, b.x)
		if b.lpObj() >= b.cutoff() {
			break
		}
	}
	for _, j := range changed {
		b.setColBounds(j, oldLo[j], oldHi[j])
	}
	b.restoreLP(save)
	// the LP must be re-solved to give b.x back its root values
	copy(b.x, b.rootX)
	st := b.solveLP(math.Inf(1), 0)
	_ = st
}

// strongBranch evaluates up to strongBranchCands unreliable candidates by a limited dual
// simplex on both children, records the gains as pseudocosts and returns the best column;
// -1 when a candidate shows both children infeasible (the node can be pruned).
func (b *mip) strongBranch(cur *node, frac, unreliable []int, pcBest int) int {
	// most fractional first
	cands := append([]int(nil), unreliable...)
	fr := func(j int) float64 {
		f := b.x[j] - math.Floor(b.x[j])
		return math.Abs(f - 0.5)
	}
	sortIntsBy(cands, fr)
	if len(cands) > strongBranchCands {
		cands = cands[:strongBranchCands]
	}
	save := b.saveLP()
	x := append([]float64(nil), b.x...)
	parent := b.lpObj()
	cutoff := b.cutoff()
	best, bestScore := pcBest, -1.0
	if pcBest >= 0 {
		f := x[pcBest] - math.Floor(x[pcBest])
		d, u := b.pseudo(pcBest, f)
		bestScore = score(d, u)
	}
	for _, j := range cands {
		v := x[j]
		f := v - math.Floor(v)
		lo, hi := b.p.lo[j]*b.p.colScale[j], b.p.hi[j]*b.p.colScale[j]
		var gains [2]float64
		for dir := 0; dir < 2; dir++ {
			if dir == 0 {
				b.setColBounds(j, lo, math.Floor(v))
			} else {
				b.setColBounds(j, math.Ceil(v), hi)
			}
			st := b.p.solve(b.ctx, solveOpts{cutoff: cutoff, iterLimit: strongBranchIters})
			var g float64
			switch st {
			case lpInfeasible, lpCutoff:
				g = math.Inf(1)
			case lpOptimal, lpIterLimit:
				g = math.Max(b.p.objective()-parent, 0)
			default:
				g = 0
			}
			gains[dir] = g
			b.setColBounds(j, lo, hi)
			b.restoreLP(save)
		}
		if math.IsInf(gains[0], 1) && math.IsInf(gains[1], 1) {
			copy(b.x, x)
			return -1
		}
		if !math.IsInf(gains[0], 1) {
			b.pcDown[j] += gains[0] / math.Max(f, 1e-6)
			b.nDown[j]++
		}
		if !math.IsInf(gains[1], 1) {
			b.pcUp[j] += gains[1] / math.Max(1-f, 1e-6)
			b.nUp[j]++
		}
		s := score(math.Min(gains[0], 1e30), math.Min(gains[1], 1e30))
		if s > bestScore {
			best, bestScore = j, s
		}
	}
	copy(b.x, x)
	return best
}

// sortIntsBy sorts s by key ascending (insertion sort: the slices are short), ties by value.
func sortIntsBy(s []int, key func(int) float64) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0; k-- {
			a, c := key(s[k-1]), key(s[k])
			if a < c || (a == c && s[k-1] < s[k]) {
				break
			}
			s[k-1], s[k] = s[k], s[k-1]
		}
	}
}
