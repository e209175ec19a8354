package solver

import "math"

// RINS (relaxation induced neighbourhood search): once there is an incumbent, the integer
// columns whose LP value at the current node equals their incumbent value are fixed there,
// and the rest of the model is solved as a sub-MIP by a recursive Solve with a small node
// limit, the incumbent as its start (so it prunes from the beginning), the same gap, seed
// and threads, and no RINS inside. A better solution it finds is checked against the model
// (tryCandidate) like any heuristic's. It runs at the root after the first heuristics and
// then every rinsInterval nodes; the interval doubles after each call that finds nothing,
// and the calls are capped, so a model where it does not help pays little. It is skipped
// when the LP bound at hand already meets the incumbent within the gap.

const (
	// rinsInterval is the number of nodes between two RINS calls (doubled after each call
	// that finds no improvement).
	rinsInterval = 100
	// rinsNodeLimit is the node limit of one sub-MIP.
	rinsNodeLimit = 200
	// rinsMinFixFrac: RINS runs only when at least this fraction of the integer columns can
	// be fixed (otherwise the sub-MIP is hardly smaller than the model).
	rinsMinFixFrac = 0.3
	// rinsMaxCalls bounds the RINS calls of one search.
	rinsMaxCalls = 20
	// rinsAgreeTol is how close an LP value must be to the incumbent's for the column to be
	// fixed (the integrality tolerance: the LP value is that integer).
	rinsAgreeTol = intTol
)

// rins runs one RINS sub-MIP around the LP solution x (model units) when it is due.
func (b *mip) rins(x []float64) {
	if b.s.NoRINS || b.zeroObjective || b.incX == nil || b.ctx.Err() != nil ||
		b.res.Stats.RINSCalls >= rinsMaxCalls || b.nodes < b.rinsNext {
		return
	}
	if b.lpObj() >= b.cutoff() {
		return // the node's LP bound already shows the incumbent cannot be improved here
	}
	m := b.pr.model
	sub := &Model{Name: m.Name + "-rins", Sense: m.Sense, ObjName: m.ObjName, ObjOffset: m.ObjOffset, Rows: m.Rows}
	sub.Cols = append([]Column(nil), m.Cols...)
	nInt, nFix := 0, 0
	for j, isInt := range b.pr.isInt {
		if !isInt {
			continue
		}
		nInt++
		// the global bounds (reduced-cost fixing) hold for every improving solution
		c := &sub.Cols[j]
		c.Lo, c.Hi = math.Max(c.Lo, b.rootLo[j]), math.Min(c.Hi, b.rootHi[j])
		if v := b.incX[j]; math.Abs(x[j]-v) <= rinsAgreeTol && v >= c.Lo && v <= c.Hi {
			c.Lo, c.Hi = v, v
			nFix++
		}
	}
	if nInt == 0 || float64(nFix) < rinsMinFixFrac*float64(nInt) || nFix == b.pr.n {
		return // too little fixed to be worth it, or nothing left to search
	}
	s := Settings{
		RelGap: b.s.RelGap, AbsGap: b.s.AbsGap, NodeLimit: rinsNodeLimit,
		Threads: b.s.Threads, Seed: b.s.Seed, NoCuts: b.s.NoCuts, NoRINS: true, NoStructure: true,
		Hooks: Hooks{Start: b.incX},
	}
	b.res.Stats.RINSCalls++
	res, _ := Solve(b.ctx, sub, s)
	if b.rinsGap == 0 {
		b.rinsGap = rinsInterval
	}
	if res != nil && res.X != nil && b.tryCandidate(res.X) {
		b.res.Stats.RINSImprovements++
	} else {
		b.rinsGap *= 2
	}
	b.rinsNext = b.nodes + b.rinsGap
}
