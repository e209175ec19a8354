package solver

import "math"

// Scaling: geometric-mean scaling passes over rows and columns followed by an equilibration
// of the columns, the usual recipe (CLP, HiGHS): it brings coefficients near 1, which makes
// the absolute tolerances of the simplex meaningful. Scale factors are rounded to powers of
// two so that scaling introduces no rounding error.

const (
	// scalePasses is the number of alternating geometric row/column passes.
	scalePasses = 4
	// scaleMin and scaleMax clamp a scale factor, so a nearly empty row or column cannot
	// receive an extreme factor.
	scaleMin, scaleMax = 1e-10, 1e10
)

func pow2Round(v float64) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 1
	}
	v = math.Min(math.Max(v, scaleMin), scaleMax)
	return math.Exp2(math.Round(math.Log2(v)))
}

// computeScaling returns row and column scale factors for the column-wise matrix with n
// columns and m rows: the scaled entry is rowScale[i]*a_ij*colScale[j].
func computeScaling(m, n int, cStart, cIdx []int, cVal []float64) (rowScale, colScale []float64) {
	rowScale = make([]float64, m)
	colScale = make([]float64, n)
	for i := range rowScale {
		rowScale[i] = 1
	}
	for j := range colScale {
		colScale[j] = 1
	}
	rmin := make([]float64, m)
	rmax := make([]float64, m)
	for pass := 0; pass < scalePasses; pass++ {
		for i := range rmin {
			rmin[i], rmax[i] = math.Inf(1), 0
		}
		for j := 0; j < n; j++ {
			for k := cStart[j]; k < cStart[j+1]; k++ {
				a := math.Abs(cVal[k]) * colScale[j]
				i := cIdx[k]
				rmin[i] = math.Min(rmin[i], a)
				rmax[i] = math.Max(rmax[i], a)
			}
		}
		for i := range rowScale {
			if rmax[i] > 0 {
				rowScale[i] = pow2Round(1 / math.Sqrt(rmin[i]*rmax[i]))
			}
		}
		for j := 0; j < n; j++ {
			lo, hi := math.Inf(1), 0.0
			for k := cStart[j]; k < cStart[j+1]; k++ {
				a := math.Abs(cVal[k]) * rowScale[cIdx[k]]
				lo = math.Min(lo, a)
				hi = math.Max(hi, a)
			}
			if hi > 0 {
				colScale[j] = pow2Round(1 / math.Sqrt(lo*hi))
			}
		}
	}
	// column equilibration: largest scaled entry of every column near 1
	for j := 0; j < n; j++ {
		hi := 0.0
		for k := cStart[j]; k < cStart[j+1]; k++ {
			hi = math.Max(hi, math.Abs(cVal[k])*rowScale[cIdx[k]]*colScale[j])
		}
		if hi > 0 {
			colScale[j] *= pow2Round(1 / hi)
		}
	}
	return rowScale, colScale
}

// rowScaleFor returns the scale of a new row (added later, e.g. from the lazy pool) given
// the existing column scales: the power of two nearest the inverse geometric mean.
func rowScaleFor(ind []int, val []float64, colScale []float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for k, j := range ind {
		a := math.Abs(val[k]) * colScale[j]
		if a == 0 {
			continue
		}
		lo = math.Min(lo, a)
		hi = math.Max(hi, a)
	}
	if hi == 0 {
		return 1
	}
	return pow2Round(1 / math.Sqrt(lo*hi))
}
