package solver

import "math"

// Certificates of unboundedness. The primal simplex declares an LP unbounded when its
// ratio test finds no blocking variable; that verdict rests on an FTRAN through the eta
// file and on pivot tolerances, so it is checked before it is believed: the ray
// (direction of the entering variable and of the basic variables) is mapped back to the
// model's units and must keep every bound and every row (the pooled rows included) and
// strictly improve the objective. A ray that fails the check is a numerical artefact and
// the solve is repeated from a fresh factorization, then from the slack basis.

const (
	// rayFeasTol is how far (relative to the ray's largest component, times the row's
	// largest coefficient for rows) a ray may move against a bound or a row limit and
	// still count as a ray.
	rayFeasTol = 1e-7
	// rayCostTol is how much (relative to the ray's largest component times the largest
	// cost coefficient on it) the objective must decrease along a ray.
	rayCostTol = 1e-9
)

// setPrimalRay records the ray of an unbounded primal simplex: entering variable q moves
// in direction dir and the basic variables by -dir * alphaQ.
func (p *lp) setPrimalRay(q int, dir float64) {
	p.pRayQ, p.pRayDir = q, dir
	p.pRayAlpha = append(p.pRayAlpha[:0], p.alphaQ...)
}

// primalRay returns the structural part of the recorded primal ray in model units,
// normalised to a largest component of 1, or nil when it has no structural component.
func (p *lp) primalRay() []float64 {
	dx := make([]float64, p.n)
	if q := p.pRayQ; q >= 0 && q < p.n {
		dx[q] = p.pRayDir * p.colScale[q]
	}
	for i, j := range p.head {
		if j < p.n && i < len(p.pRayAlpha) {
			dx[j] = -p.pRayDir * p.pRayAlpha[i] * p.colScale[j]
		}
	}
	mx := 0.0
	for _, v := range dx {
		mx = math.Max(mx, math.Abs(v))
	}
	if mx == 0 || math.IsNaN(mx) || math.IsInf(mx, 0) {
		return nil
	}
	for j := range dx {
		dx[j] /= mx
	}
	return dx
}

// rayKeepsRow reports whether direction dx (model units, largest component 1) keeps row
// r's limits: a^T dx must not decrease below a finite lower or increase above a finite
// upper limit.
func rayKeepsRow(r *lpRow, dx []float64) bool {
	act, nm := 0.0, 0.0
	for k, j := range r.ind {
		act += r.val[k] * dx[j]
		nm = math.Max(nm, math.Abs(r.val[k]))
	}
	tol := rayFeasTol * math.Max(nm, 1e-300)
	if !math.IsInf(r.hi, 1) && act > tol {
		return false
	}
	if !math.IsInf(r.lo, -1) && act < -tol {
		return false
	}
	return true
}

// verifyPrimalRay checks the recorded primal ray against the LP's own bounds, rows and
// costs (model units). It returns the structural ray when it is a valid improving ray of
// the LP, nil otherwise.
func (p *lp) verifyPrimalRay() []float64 {
	dx := p.primalRay()
	if dx == nil {
		return nil
	}
	cmax, dc := 0.0, 0.0
	for j, v := range dx {
		if v == 0 {
			continue
		}
		s := p.colScale[j]
		if v > rayFeasTol && !math.IsInf(p.hi[j], 1) {
			return nil
		}
		if v < -rayFeasTol && !math.IsInf(p.lo[j], -1) {
			return nil
		}
		c := p.origCost[j] / s // model units
		dc += c * v
		cmax = math.Max(cmax, math.Abs(c))
	}
	if !(dc < -rayCostTol*math.Max(cmax, 1e-300)) {
		return nil
	}
	for i := range p.rows {
		if !rayKeepsRow(&p.rows[i], dx) {
			return nil
		}
	}
	return dx
}
