package solver

import (
	"context"
	"math"
)

// Tolerances of the simplex engine, in scaled units (the scaled matrix has entries near 1).
const (
	// primalFeasTol is the bound violation a basic variable may have and still count as
	// feasible; 1e-7 in scaled units is the common default (CPLEX, HiGHS use 1e-6..1e-7).
	primalFeasTol = 1e-7
	// dualFeasTol is the wrong-sign reduced cost accepted as dual feasible; also the Harris
	// tolerance of both ratio tests.
	dualFeasTol = 1e-7
	// pivotTol is the smallest |alpha| accepted as a pivot in the ratio tests; smaller
	// entries are treated as zero, which protects the factorization from tiny pivots.
	pivotTol = 1e-7
	// zeroTol treats values below it as exact zeros in sparse vectors.
	zeroTol = 1e-12
	// alphaAgreeTol is the relative disagreement between the pivot computed from the row
	// (BTRAN) and from the column (FTRAN) above which the factorization is rebuilt.
	alphaAgreeTol = 1e-7
	// refactorInterval is the number of eta updates after which the basis is refactored;
	// longer eta files make FTRAN/BTRAN slower and less accurate.
	refactorInterval = 100
	// minRefactorInterval is the fewest eta updates before the work rule below may refactor.
	minRefactorInterval = 8
	// refactorWorkRatio: the basis is also refactored when the work spent in the eta file
	// since the last factorization (its entries summed over the iterations, times the four
	// solves of a dual iteration) exceeds this multiple of the cost of a refactorization
	// (factorization operations plus the recomputation of primal and dual values). With eta
	// files that grow linearly this balance minimizes the average cost per iteration; it
	// matters when the basis inverse is dense and every eta is long.
	refactorWorkRatio = 1.0
	// artificialBox is the half width (scaled units) of the temporary box put on a variable
	// that has no bound on the side its reduced cost needs, so the dual simplex can start
	// (the "artificial bounding" dual phase 1). Primal simplex removes it afterwards.
	artificialBox = 1e6
	// minDSEWeight keeps steepest-edge weights positive despite rounding in their update.
	minDSEWeight = 1e-6
	// ctxCheckInterval is how many simplex iterations run between checks of the context.
	ctxCheckInterval = 16
	// primalLostTol is the bound violation (scaled units) beyond which a basis no longer
	// counts as primal feasible: the primal simplex refuses to start from it or to go on
	// after a refactorization shows it, and solveCore goes back to the dual simplex.
	primalLostTol = 10 * primalFeasTol
	// coreRounds is the number of dual/primal rounds solveCore makes from one starting
	// basis before it restarts once from the slack basis (see solveCore).
	coreRounds = 4
)

type lpStatus int

const (
	lpOptimal lpStatus = iota
	lpInfeasible
	lpUnbounded
	lpCutoff // the dual objective passed the cutoff: the LP optimum is worse
	lpIterLimit
	lpCancelled
	// lpNumerical: the simplex could not reach a verified verdict (the basis kept losing
	// primal feasibility, or an unbounded ray failed its check) even after refactoring,
	// removing the cost shifts and restarting from the slack basis.
	lpNumerical
)

type ratioCand struct {
	j      int
	ratio  float64 // exact ratio |d_j| / |alpha_j| (clipped at 0)
	harris float64 // ratio with the dual tolerance added
	abs    float64 // |alpha_j|
}

// solveOpts configures one LP solve.
type solveOpts struct {
	cutoff    float64 // stop with lpCutoff when the dual objective exceeds it (+Inf: none)
	iterLimit int64   // 0 = none
}

// solveCore runs the dual simplex from the current basis (made dual feasible by bound flips and,
// where a bound is missing, by artificial boxes), then the primal simplex to remove cost
// shifts and artificial boxes. The model's optimum is then in p.x (scaled).
//
// Every verdict is checked: optimal only with a primal feasible basis (within
// primalLostTol) after the shifts and boxes are gone, unbounded only with a ray that
// verifyPrimalRay accepts. A round that ends without a verified verdict refactors and
// runs again; after coreRounds such rounds the solve restarts once from the slack basis,
// and if that fails too the result is lpNumerical, never a guess.
func (p *lp) solveCore(ctx context.Context, o solveOpts) lpStatus {
	p.rayValid = false
	if o.cutoff == 0 {
		o.cutoff = math.Inf(1)
	}
	var startIters = p.iters
	iterLeft := func() int64 {
		if o.iterLimit <= 0 {
			return math.MaxInt64
		}
		return o.iterLimit - (p.iters - startIters)
	}
	for restart := 0; restart < 2; restart++ {
		if restart > 0 {
			p.slackBasis()
		}
		for round := 0; round < coreRounds; round++ {
			st, done := p.coreRound(ctx, o.cutoff, iterLeft, round)
			if done {
				return st
			}
		}
	}
	return lpNumerical
}

// coreRound is one dual-then-primal round of solveCore; done is false when the round
// ended without a verified verdict and another one is needed.
func (p *lp) coreRound(ctx context.Context, cutoff float64, iterLeft func() int64, round int) (lpStatus, bool) {
	if p.needFactor {
		p.factorize()
	}
	p.computePrimal()
	p.computeDual()
	boxed := p.makeDualFeasible(artificialBox * math.Pow(1e3, float64(round)))
	st := p.dual(ctx, cutoff, iterLeft(), boxed)
	if st == lpInfeasible && boxed != nil {
		// infeasible with artificial boxes: a proof only if it holds without them
		p.removeBoxes(boxed)
		p.unshift()
		if p.dualRayProves() {
			return lpInfeasible, true
		}
		return 0, false // retry with wider boxes (then from the slack basis)
	}
	if st == lpNumerical {
		p.removeBoxes(boxed)
		p.unshift()
		p.needFactor = true
		return 0, false
	}
	if st != lpOptimal {
		if st != lpCutoff || !p.shifted {
			p.removeBoxes(boxed)
			p.unshift()
			return st, true
		}
		// A cutoff under shifted costs is not a proof: fall through to cleanup.
	}
	p.removeBoxes(boxed)
	p.unshift()
	p.computeDual()
	if p.dualInfeasible() {
		switch st = p.primal(ctx, iterLeft()); st {
		case lpOptimal:
		case lpUnbounded:
			if p.verifyPrimalRay() != nil {
				return lpUnbounded, true
			}
			// not a ray of the LP: a numerical artefact; refactor and go again
			p.needFactor = true
			return 0, false
		case lpNumerical:
			p.needFactor = true
			return 0, false
		default:
			return st, true
		}
	}
	if p.maxPrimalInfeas() > primalLostTol {
		// rounding left the primal infeasible: refactor and run the dual again
		p.needFactor = true
		return 0, false
	}
	if p.objective() > cutoff {
		return lpCutoff, true
	}
	return lpOptimal, true
}

// slackBasis makes every row activity basic and puts every structural on the bound its
// cost prefers, with the original costs and a fresh reference framework for the pricing:
// the start of a solve from scratch.
func (p *lp) slackBasis() {
	p.unshift()
	for q := range p.head {
		p.head[q] = p.n + q
		p.w[q] = 1
	}
	for j := range p.stat {
		p.pos[j] = -1
	}
	for q, j := range p.head {
		p.pos[j] = q
		p.stat[j] = stBasic
	}
	for j := 0; j < p.n; j++ {
		p.x[j] = p.initialValue(j)
		p.setNonbasicStat(j)
	}
	p.dseOK = true
	p.needFactor = true
}

// dualRayProves checks the infeasibility proof of the dual simplex's last pivot row (p.list
// and p.acc, for row p.rayLeave of the basis inverse): the leaving variable is a linear
// function of the nonbasic ones, x_lv = const - sum_j alpha_j x_j; moving every nonbasic
// variable to the bound that helps most, it still cannot reach the violated bound. Entries
// below pivotTol on unbounded ranges count as zero, as in the ratio test. Columns outside
// the working set of sifting stay where they are (sifting checks the ray against them).
func (p *lp) dualRayProves() bool {
	lv := p.rayLeave
	ext := p.x[lv] // x_lv after the moves
	for _, j := range p.list {
		a := p.acc[j]
		if p.stat[j] == stBasic || math.Abs(a) <= zeroTol {
			continue
		}
		// rayUp: minimise x_lv, i.e. maximise alpha_j x_j; else minimise alpha_j x_j
		var b float64
		if (a > 0) == p.rayUp {
			b = p.hi[j]
		} else {
			b = p.lo[j]
		}
		if math.IsInf(b, 0) {
			if math.Abs(a) >= pivotTol {
				return false // x_j could move without limit and repair x_lv
			}
			continue // below the pivot tolerance: zero for the ratio test too
		}
		ext -= a * (b - p.x[j])
	}
	if p.rayUp {
		return ext > p.hi[lv]+primalFeasTol
	}
	return ext < p.lo[lv]-primalFeasTol
}

// needRefresh reports whether the eta file is long enough to refactor (see refactorWorkRatio).
func (p *lp) needRefresh() bool {
	ne := p.lu.numEtas()
	if ne >= refactorInterval {
		return true
	}
	if ne < minRefactorInterval {
		return false
	}
	cost := p.lu.ops + int64(p.activeNNZ+p.n+2*p.m)
	return float64(p.etaWork) > refactorWorkRatio*float64(cost)
}

func (p *lp) unshift() {
	if p.shifted {
		copy(p.cost, p.origCost)
		p.shifted = false
	}
}

// makeDualFeasible flips boxed nonbasic variables to the bound their reduced cost wants and
// puts artificial boxes on the others that need one. It returns the boxed variables.
func (p *lp) makeDualFeasible(box float64) []int {
	var boxed []int
	moved := false
	for j := range p.stat {
		s := p.stat[j]
		if s == stBasic || s == stFixed || p.isInactive(j) {
			continue
		}
		d := p.d[j]
		l, h := p.lo[j], p.hi[j]
		switch {
		case d < -dualFeasTol && s != stUpper:
			if math.IsInf(h, 1) {
				boxed = append(boxed, j)
				p.hi[j] = math.Max(p.x[j], 0) + box
				h = p.hi[j]
				if math.IsInf(l, -1) {
					boxed = append(boxed, -j-1)
					p.lo[j] = math.Min(p.x[j], 0) - box
				}
			}
			p.x[j] = h
			moved = true
		case d > dualFeasTol && s != stLower:
			if math.IsInf(l, -1) {
				boxed = append(boxed, -j-1)
				p.lo[j] = math.Min(p.x[j], 0) - box
				l = p.lo[j]
				if math.IsInf(h, 1) {
					boxed = append(boxed, j)
					p.hi[j] = math.Max(p.x[j], 0) + box
				}
			}
			p.x[j] = l
			moved = true
		case s == stFree && p.x[j] != 0 && math.IsInf(l, -1) && math.IsInf(h, 1):
			// a free variable away from zero (left by primal): box it where it is
			boxed = append(boxed, j, -j-1)
			p.lo[j] = p.x[j] - box
			p.hi[j] = p.x[j] + box
			p.x[j] = p.lo[j]
			if d < 0 {
				p.x[j] = p.hi[j]
			}
			moved = true
		}
		p.setNonbasicStat(j)
	}
	if moved {
		p.computePrimal()
	}
	return boxed
}

// removeBoxes restores the missing bounds the artificial boxes stood in for.
func (p *lp) removeBoxes(boxed []int) {
	for _, b := range boxed {
		if b >= 0 {
			p.hi[b] = math.Inf(1)
			if p.stat[b] != stBasic {
				p.setNonbasicStat(b)
			}
		} else {
			j := -b - 1
			p.lo[j] = math.Inf(-1)
			if p.stat[j] != stBasic {
				p.setNonbasicStat(j)
			}
		}
	}
}

func (p *lp) dualInfeasible() bool {
	for j, s := range p.stat {
		if p.isInactive(j) {
			continue
		}
		switch s {
		case stLower:
			if p.d[j] < -dualFeasTol {
				return true
			}
		case stUpper:
			if p.d[j] > dualFeasTol {
				return true
			}
		case stFree:
			if math.Abs(p.d[j]) > dualFeasTol {
				return true
			}
		}
	}
	return false
}

func ctxDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// refresh refactors and recomputes primal and dual values (drift removal).
func (p *lp) refresh() {
	p.factorize()
	p.computePrimal()
	p.computeDual()
}

// dual runs dual simplex phase 2 from a dual feasible basis.
func (p *lp) dual(ctx context.Context, cutoff float64, iterLimit int64, boxed []int) lpStatus {
	m := p.m
	if m == 0 {
		return lpOptimal
	}
	canCutoff := !math.IsInf(cutoff, 1) && boxed == nil
	var it int64
	for {
		if it >= iterLimit {
			return lpIterLimit
		}
		if it%ctxCheckInterval == 0 && ctxDone(ctx) {
			return lpCancelled
		}
		if p.needRefresh() {
			p.refresh()
			if !p.shifted && p.dualInfeasibleCount() > 0 {
				// drift broke dual feasibility: flip boxed ones (the rest is left to primal)
				p.flipToDualFeasible()
			}
		}
		if canCutoff && !p.shifted && it%10 == 0 && p.objective() > cutoff {
			return lpCutoff
		}
		// Pricing: dual steepest edge.
		r := -1
		best := 0.0
		for q, j := range p.head {
			v := p.x[j]
			var inf float64
			if v < p.lo[j]-primalFeasTol {
				inf = p.lo[j] - v
			} else if v > p.hi[j]+primalFeasTol {
				inf = v - p.hi[j]
			} else {
				continue
			}
			if s := inf * inf / p.w[q]; s > best {
				best, r = s, q
			}
		}
		if r < 0 {
			return lpOptimal
		}
		lv := p.head[r]
		toUpper := p.x[lv] > p.hi[lv]
		var delta float64
		if toUpper {
			delta = p.x[lv] - p.hi[lv]
		} else {
			delta = p.lo[lv] - p.x[lv]
		}
		// BTRAN: rho = row r of B^{-1}
		ep := p.wPos
		clear(ep)
		ep[r] = 1
		p.lu.btran(ep, p.rho)
		p.pivotRow(p.rho)
		// Ratio test with bound flipping and Harris tolerance.
		sgn := -1.0
		if toUpper {
			sgn = 1
		}
		cands := p.cands[:0]
		for _, j := range p.list {
			a := p.acc[j] * sgn
			if math.Abs(a) < pivotTol {
				continue
			}
			dj := p.d[j]
			switch p.stat[j] {
			case stLower:
				if a > 0 {
					cands = append(cands, ratioCand{j, math.Max(dj, 0) / a, (dj + dualFeasTol) / a, a})
				}
			case stUpper:
				if a < 0 {
					cands = append(cands, ratioCand{j, math.Max(-dj, 0) / -a, (-dj + dualFeasTol) / -a, -a})
				}
			case stFree:
				cands = append(cands, ratioCand{j, 0, dualFeasTol / math.Abs(a), math.Abs(a)})
			}
		}
		p.cands = cands
		q, flips, ok := p.bfrt(cands, delta)
		if !ok {
			// keep the ray for sifting, which checks it against the inactive columns
			p.ray = append(p.ray[:0], p.rho...)
			p.rayUp, p.rayValid, p.rayLeave = toUpper, true, lv
			if boxed != nil {
				return lpInfeasible // caller decides (boxes may be the cause)
			}
			if p.lu.numEtas() > 0 {
				// confirm with a fresh factorization before declaring infeasibility
				p.refresh()
				it++
				continue
			}
			if !p.dualRayProves() {
				return lpNumerical // the bounds do not confirm the ray: no proof
			}
			return lpInfeasible
		}
		alphaRow := p.acc[q]
		// FTRAN the entering column.
		clear(p.wRow)
		p.column(q, p.wRow)
		p.lu.ftran(p.wRow, p.alphaQ)
		alphaCol := p.alphaQ[r]
		if math.Abs(alphaCol-alphaRow) > alphaAgreeTol*(1+math.Abs(alphaRow)) || math.Abs(alphaCol) < pivotTol {
			if p.lu.numEtas() > 0 {
				p.refresh()
				it++
				continue
			}
			if math.Abs(alphaCol) < pivotTol {
				// numerically hopeless pivot; take the ratio test's candidate out by a tiny shift
				p.cost[q] -= p.d[q]
				p.d[q] = 0
				p.shifted = true
				it++
				continue
			}
		}
		// Bound flips: x_B -= B^{-1} sum a_j dx_j.
		if len(flips) > 0 {
			rhs := p.wRow
			clear(rhs)
			for _, j := range flips {
				var dx float64
				if p.stat[j] == stLower {
					dx = p.hi[j] - p.lo[j]
					p.x[j] = p.hi[j]
					p.stat[j] = stUpper
				} else {
					dx = p.lo[j] - p.hi[j]
					p.x[j] = p.lo[j]
					p.stat[j] = stLower
				}
				if j < p.n {
					for k := p.cStart[j]; k < p.cStart[j+1]; k++ {
						rhs[p.cIdx[k]] += p.cVal[k] * dx
					}
				} else {
					rhs[j-p.n] -= dx
				}
			}
			p.lu.ftran(rhs, p.wPos)
			for i, jb := range p.head {
				p.x[jb] -= p.wPos[i]
			}
		}
		// DSE: tau = B^{-1} rho.
		wr := 0.0
		for _, v := range p.rho {
			wr += v * v
		}
		copy(p.wRow, p.rho)
		p.lu.ftran(p.wRow, p.tau)
		// Dual update; the entering d_q becomes 0. A wrong-sign d_q (allowed by Harris) is
		// shifted to zero so no other reduced cost moves the wrong way.
		dq := p.d[q]
		if (p.stat[q] == stLower && dq < 0) || (p.stat[q] == stUpper && dq > 0) {
			p.cost[q] -= dq
			dq = 0
			p.shifted = true
		}
		thetaD := dq / alphaRow
		if thetaD != 0 {
			for _, j := range p.list {
				p.d[j] -= thetaD * p.acc[j]
			}
		}
		p.d[q] = 0
		p.d[lv] = -thetaD
		// Primal update: the leaving variable goes to its violated bound.
		target := p.lo[lv]
		if toUpper {
			target = p.hi[lv]
		}
		thetaP := (p.x[lv] - target) / alphaCol
		for i, jb := range p.head {
			if a := p.alphaQ[i]; a != 0 {
				p.x[jb] -= thetaP * a
			}
		}
		p.x[q] += thetaP
		p.x[lv] = target
		// Steepest-edge weights.
		for i := range p.w {
			a := p.alphaQ[i]
			if i == r || a == 0 {
				continue
			}
			k := a / alphaCol
			w := p.w[i] + k*(k*wr-2*p.tau[i])
			if w < minDSEWeight {
				w = minDSEWeight
			}
			p.w[i] = w
		}
		p.w[r] = math.Max(wr/(alphaCol*alphaCol), minDSEWeight)
		// Basis change.
		p.lu.update(r, p.alphaQ)
		p.etaWork += 4 * int64(len(p.lu.etaEnt))
		p.head[r] = q
		p.pos[q] = r
		p.pos[lv] = -1
		p.stat[q] = stBasic
		p.setNonbasicStat(lv)
		p.iters++
		it++
	}
}

// bfrt is the bound-flipping ratio test with Harris' tolerance, processed in groups:
// candidates come off a min-heap by ratio; a group is every candidate whose ratio is within
// the smallest Harris bound of the group; a group of boxed variables is flipped while the
// slope of the dual objective stays positive, else its largest |alpha| enters. The heap
// makes the cost proportional to the candidates actually passed, not to all of them.
// It returns the entering variable and the variables to flip.
func (p *lp) bfrt(cands []ratioCand, slope float64) (int, []int, bool) {
	n := len(cands)
	if n == 0 {
		return -1, nil, false
	}
	for k := n/2 - 1; k >= 0; k-- {
		siftDown(cands, k, n)
	}
	flips := p.flips[:0]
	defer func() { p.flips = flips[:0] }()
	for n > 0 {
		// pop the group
		g0 := n // group occupies cands[n_after:g0] after popping (popped items go to the end)
		tH := math.Inf(1)
		for n > 0 && (cands[0].ratio <= tH || n == g0) {
			c := cands[0]
			n--
			cands[0], cands[n] = cands[n], c
			siftDown(cands, 0, n)
			if c.harris < tH {
				tH = c.harris
			}
		}
		group := cands[n:g0]
		best := 0
		sum := 0.0
		for k := range group {
			if group[k].abs > group[best].abs || (group[k].abs == group[best].abs && group[k].j < group[best].j) {
				best = k
			}
			j := group[k].j
			sum += group[k].abs * (p.hi[j] - p.lo[j])
		}
		// a slope left within the primal tolerance counts as exhausted: the flips already
		// make the leaving variable feasible, so this is no proof of infeasibility
		if math.IsInf(sum, 1) || math.IsNaN(sum) || slope-sum <= primalFeasTol {
			out := append([]int(nil), flips...)
			return group[best].j, out, true
		}
		if n == 0 {
			return -1, nil, false // every breakpoint passed: dual unbounded
		}
		for k := range group {
			flips = append(flips, group[k].j)
		}
		slope -= sum
	}
	return -1, nil, false
}

func candLess(a, b *ratioCand) bool {
	if a.ratio != b.ratio {
		return a.ratio < b.ratio
	}
	return a.j < b.j
}

func siftDown(h []ratioCand, i, n int) {
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && candLess(&h[r], &h[l]) {
			m = r
		}
		if !candLess(&h[m], &h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (p *lp) dualInfeasibleCount() int {
	c := 0
	for j, s := range p.stat {
		if p.isInactive(j) {
			continue
		}
		if (s == stLower && p.d[j] < -dualFeasTol) || (s == stUpper && p.d[j] > dualFeasTol) ||
			(s == stFree && math.Abs(p.d[j]) > dualFeasTol) {
			c++
		}
	}
	return c
}

// flipToDualFeasible moves boxed dual-infeasible nonbasic variables to their other bound and
// shifts the costs of the rest so the dual simplex can continue.
func (p *lp) flipToDualFeasible() {
	moved := false
	for j, s := range p.stat {
		if p.isInactive(j) {
			continue
		}
		d := p.d[j]
		switch {
		case s == stLower && d < -dualFeasTol:
			if !math.IsInf(p.hi[j], 1) {
				p.x[j], p.stat[j] = p.hi[j], stUpper
				moved = true
			} else {
				p.cost[j] -= d
				p.d[j] = 0
				p.shifted = true
			}
		case s == stUpper && d > dualFeasTol:
			if !math.IsInf(p.lo[j], -1) {
				p.x[j], p.stat[j] = p.lo[j], stLower
				moved = true
			} else {
				p.cost[j] -= d
				p.d[j] = 0
				p.shifted = true
			}
		case s == stFree && math.Abs(d) > dualFeasTol:
			p.cost[j] -= d
			p.d[j] = 0
			p.shifted = true
		}
	}
	if moved {
		p.computePrimal()
	}
}

// primal runs primal simplex phase 2 (Dantzig pricing on scaled reduced costs, Harris
// ratio test) from a primal feasible basis.
func (p *lp) primal(ctx context.Context, iterLimit int64) lpStatus {
	p.dseOK = false
	if p.maxPrimalInfeas() > primalLostTol {
		// phase 2 needs a primal feasible basis; the caller goes back to the dual simplex
		return lpNumerical
	}
	var it int64
	for {
		if it >= iterLimit {
			return lpIterLimit
		}
		if it%ctxCheckInterval == 0 && ctxDone(ctx) {
			return lpCancelled
		}
		if p.needRefresh() {
			p.refresh()
			if p.maxPrimalInfeas() > primalLostTol {
				return lpNumerical // drift: the fresh basic values are infeasible
			}
		}
		// Pricing.
		q := -1
		best := dualFeasTol
		dir := 0.0
		nAct := len(p.activeCols) // the working set, then the row activities
		for t := 0; t < nAct+p.m; t++ {
			j := p.n + t - nAct
			if t < nAct {
				j = p.activeCols[t]
			}
			s := p.stat[j]
			if s == stBasic || s == stFixed {
				continue
			}
			d := p.d[j]
			var v float64
			var dj float64
			switch s {
			case stLower:
				if d >= -dualFeasTol {
					continue
				}
				v, dj = -d, 1
			case stUpper:
				if d <= dualFeasTol {
					continue
				}
				v, dj = d, -1
			case stFree:
				if d < -dualFeasTol && p.x[j] < p.hi[j] {
					v, dj = -d, 1
				} else if d > dualFeasTol && p.x[j] > p.lo[j] {
					v, dj = d, -1
				} else {
					continue
				}
			}
			if v > best {
				best, q, dir = v, j, dj
			}
		}
		if q < 0 {
			return lpOptimal
		}
		clear(p.wRow)
		p.column(q, p.wRow)
		p.lu.ftran(p.wRow, p.alphaQ)
		// Harris ratio test: x_B(t) = x_B - dir*t*alpha. A basic variable already outside
		// its bound (within the tolerance) counts as on it, so tMax is never negative: a
		// negative tMax would let no variable block and turn the step into a bogus ray or
		// a full bound flip that wrecks primal feasibility.
		tMax := math.Inf(1)
		for i, jb := range p.head {
			a := dir * p.alphaQ[i]
			if a > pivotTol {
				if l := p.lo[jb]; !math.IsInf(l, -1) {
					tMax = math.Min(tMax, (math.Max(p.x[jb]-l, 0)+primalFeasTol)/a)
				}
			} else if a < -pivotTol {
				if h := p.hi[jb]; !math.IsInf(h, 1) {
					tMax = math.Min(tMax, (math.Max(h-p.x[jb], 0)+primalFeasTol)/-a)
				}
			}
		}
		r := -1
		bestA := 0.0
		tStep := math.Inf(1)
		for i, jb := range p.head {
			a := dir * p.alphaQ[i]
			var t float64
			if a > pivotTol && !math.IsInf(p.lo[jb], -1) {
				t = math.Max(p.x[jb]-p.lo[jb], 0) / a
			} else if a < -pivotTol && !math.IsInf(p.hi[jb], 1) {
				t = math.Max(p.hi[jb]-p.x[jb], 0) / -a
			} else {
				continue
			}
			if t <= tMax && math.Abs(a) > bestA {
				bestA, r, tStep = math.Abs(a), i, t
			}
		}
		own := p.hi[q] - p.lo[q]
		if dir > 0 && p.stat[q] == stFree {
			own = p.hi[q] - p.x[q]
		} else if dir < 0 && p.stat[q] == stFree {
			own = p.x[q] - p.lo[q]
		}
		if own <= tStep {
			if math.IsInf(own, 1) {
				p.setPrimalRay(q, dir)
				return lpUnbounded
			}
			// bound flip of the entering variable
			for i, jb := range p.head {
				if a := p.alphaQ[i]; a != 0 {
					p.x[jb] -= dir * own * a
				}
			}
			p.x[q] += dir * own
			p.setNonbasicStat(q)
			p.iters++
			it++
			continue
		}
		if r < 0 {
			p.setPrimalRay(q, dir)
			return lpUnbounded
		}
		lv := p.head[r]
		alphaCol := p.alphaQ[r]
		// Row r of B^{-1} for the reduced-cost update.
		ep := p.wPos
		clear(ep)
		ep[r] = 1
		p.lu.btran(ep, p.rho)
		p.pivotRow(p.rho)
		alphaRow := p.acc[q]
		if math.Abs(alphaCol-alphaRow) > alphaAgreeTol*(1+math.Abs(alphaRow)) && p.lu.numEtas() > 0 {
			p.refresh()
			it++
			continue
		}
		for i, jb := range p.head {
			if a := p.alphaQ[i]; a != 0 {
				p.x[jb] -= dir * tStep * a
			}
		}
		p.x[q] += dir * tStep
		// the leaving variable lands exactly on the bound it reached
		if dir*alphaCol > 0 {
			p.x[lv] = p.lo[lv]
		} else {
			p.x[lv] = p.hi[lv]
		}
		thetaD := p.d[q] / alphaCol
		for _, j := range p.list {
			p.d[j] -= thetaD * p.acc[j]
		}
		p.d[q] = 0
		p.d[lv] = -thetaD
		p.lu.update(r, p.alphaQ)
		p.head[r] = q
		p.pos[q] = r
		p.pos[lv] = -1
		p.stat[q] = stBasic
		p.setNonbasicStat(lv)
		p.w[r] = 1
		p.iters++
		it++
	}
}
