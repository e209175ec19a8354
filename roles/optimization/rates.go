package optimization

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Haversine returns the great-circle distance in miles between two points (earth radius
// EarthRadiusMiles).
func Haversine(a, b Location) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusMiles * math.Asin(math.Min(1, math.Sqrt(h)))
}

// RateSource says where a lane's cost per unit came from.
type RateSource string

// The three sources, in order of precedence.
const (
	SourceLane   RateSource = "lane"
	SourceFitted RateSource = "fitted"
	SourcePerMi  RateSource = "per_unit_mile"
)

// ErrNoRates is wrapped when a destination has no transport rate from any facility.
var ErrNoRates = errors.New("transport rates required")

// RateFit is a rate model fitted from the shipment history: cost per unit as a
// piecewise-linear function of distance, c(d) = a + b0 d + sum_k b_k max(0, d - band_k),
// by least squares weighted by units.
type RateFit struct {
	// Bands are the distance breakpoints in miles.
	Bands []float64 `json:"bands"`
	// Coef are a, b0, b_1.. in the order of the basis.
	Coef []float64 `json:"coef"`
	// Rows and HeldOut count the shipments used to fit and to test.
	Rows    int `json:"rows"`
	HeldOut int `json:"held_out"`
	// R2 is the coefficient of determination on the fitted rows; MAE the mean absolute
	// error in dollars per unit on held-out rows.
	R2  float64 `json:"r2"`
	MAE float64 `json:"mae"`
	// Skipped counts shipments left out (unknown origin or destination location, no units).
	Skipped int `json:"skipped"`
}

// rateBands are the breakpoints of the fitted rate curve: the usual short-haul, regional
// and long-haul boundaries of US freight pricing.
var rateBands = []float64{250, 500, 1000}

// heldOutEvery puts every k-th usable shipment in the held-out set.
const heldOutEvery = 5

// minFitRows is the fewest shipments a fitted rate needs per coefficient.
const minFitRows = 4

func basis(d float64, out []float64) {
	out[0], out[1] = 1, d
	for k, b := range rateBands {
		out[2+k] = math.Max(0, d-b)
	}
}

// Eval returns the fitted cost per unit at distance d (never negative).
func (f *RateFit) Eval(d float64) float64 {
	v := f.Coef[0] + f.Coef[1]*d
	for k, b := range f.Bands {
		v += f.Coef[2+k] * math.Max(0, d-b)
	}
	return math.Max(0, v)
}

// fitRates fits the rate curve from shipments whose origin and destination have
// locations (origins and destinations are named facilities and destinations).
func fitRates(shipments []Shipment, loc func(name string) (Location, bool), circuity float64) (*RateFit, error) {
	p := 2 + len(rateBands)
	var xs, ys, ws []float64
	var hx, hy []float64
	fit := &RateFit{Bands: append([]float64(nil), rateBands...)}
	usable := 0
	row := make([]float64, p)
	for _, s := range shipments {
		a, ok1 := loc(s.Origin)
		b, ok2 := loc(s.Destination)
		if !ok1 || !ok2 || s.Units <= 0 {
			fit.Skipped++
			continue
		}
		d := Haversine(a, b) * circuity
		basis(d, row)
		usable++
		if usable%heldOutEvery == 0 {
			hx = append(hx, d)
			hy = append(hy, s.Cost/s.Units)
			continue
		}
		xs = append(xs, row...)
		ys = append(ys, s.Cost/s.Units)
		ws = append(ws, s.Units)
	}
	n := len(ys)
	if n < minFitRows*p {
		return nil, fmt.Errorf("only %d shipments have known origin, destination and units; a fitted rate needs at least %d", usable, minFitRows*p*heldOutEvery/(heldOutEvery-1))
	}
	// Weighted least squares: scale rows by sqrt(w).
	A := mat.NewDense(n, p, nil)
	y := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		sw := math.Sqrt(ws[i])
		for k := 0; k < p; k++ {
			A.Set(i, k, xs[i*p+k]*sw)
		}
		y.SetVec(i, ys[i]*sw)
	}
	var beta mat.VecDense
	if err := beta.SolveVec(A, y); err != nil {
		return nil, fmt.Errorf("fit rates: %w", err)
	}
	fit.Coef = make([]float64, p)
	for k := range fit.Coef {
		fit.Coef[k] = beta.AtVec(k)
	}
	fit.Rows, fit.HeldOut = n, len(hy)
	mean, wsum := 0.0, 0.0
	for i := range ys {
		mean += ws[i] * ys[i]
		wsum += ws[i]
	}
	mean /= wsum
	var ssr, sst float64
	for i := range ys {
		pred := fit.Coef[0] + fit.Coef[1]*xs[i*p+1]
		for k := range rateBands {
			pred += fit.Coef[2+k] * xs[i*p+2+k]
		}
		ssr += ws[i] * (ys[i] - pred) * (ys[i] - pred)
		sst += ws[i] * (ys[i] - mean) * (ys[i] - mean)
	}
	if sst > 0 {
		fit.R2 = 1 - ssr/sst
	}
	for i := range hy {
		fit.MAE += math.Abs(fit.Eval(hx[i]) - hy[i])
	}
	if len(hy) > 0 {
		fit.MAE /= float64(len(hy))
	}
	return fit, nil
}

// costs holds c_ij, d_ij and the source of each pair; c is NaN where no rate exists.
type costs struct {
	c, d   [][]float64 // [i][j]; d NaN when a location is unknown
	src    [][]RateSource
	fit    *RateFit
	counts map[RateSource]int
}

// resolveCosts applies the precedence lanes, fitted rates, per-unit-mile to every pair.
func resolveCosts(n *Network) (*costs, error) {
	fi := make(map[string]int, len(n.Facilities))
	for i, f := range n.Facilities {
		fi[f.Name] = i
	}
	dj := make(map[string]int, len(n.Destinations))
	for j, d := range n.Destinations {
		dj[d.Name] = j
	}
	circ := n.Settings.circuity()
	I, J := len(n.Facilities), len(n.Destinations)
	out := &costs{c: make([][]float64, I), d: make([][]float64, I), src: make([][]RateSource, I), counts: map[RateSource]int{}}
	for i := range out.c {
		out.c[i] = make([]float64, J)
		out.d[i] = make([]float64, J)
		out.src[i] = make([]RateSource, J)
		for j := range out.c[i] {
			out.c[i][j] = math.NaN()
			a, b := n.Facilities[i].Location, n.Destinations[j].Location
			if a.Known && b.Known {
				out.d[i][j] = Haversine(a, b) * circ
			} else {
				out.d[i][j] = math.NaN()
			}
		}
	}
	for _, l := range n.Lanes {
		i, j := fi[l.Facility], dj[l.Destination]
		if !math.IsNaN(out.c[i][j]) {
			return nil, fmt.Errorf("%w: %slane %s -> %s appears twice", ErrInput, where(l.Source), l.Facility, l.Destination)
		}
		out.c[i][j], out.src[i][j] = l.CostPerUnit, SourceLane
	}
	var fitErr error
	if len(n.Shipments) > 0 {
		loc := func(name string) (Location, bool) {
			if i, ok := fi[name]; ok && n.Facilities[i].Location.Known {
				return n.Facilities[i].Location, true
			}
			if j, ok := dj[name]; ok && n.Destinations[j].Location.Known {
				return n.Destinations[j].Location, true
			}
			return Location{}, false
		}
		out.fit, fitErr = fitRates(n.Shipments, loc, circ)
	}
	perMile := n.Settings.CostPerUnitMile > 0
	for i := 0; i < I; i++ {
		for j := 0; j < J; j++ {
			if !math.IsNaN(out.c[i][j]) {
				out.counts[SourceLane]++
				continue
			}
			if math.IsNaN(out.d[i][j]) {
				continue
			}
			switch {
			case out.fit != nil:
				out.c[i][j], out.src[i][j] = out.fit.Eval(out.d[i][j]), SourceFitted
				out.counts[SourceFitted]++
			case perMile:
				out.c[i][j] = n.Settings.FixedCostPerUnit + n.Settings.CostPerUnitMile*out.d[i][j]
				out.src[i][j] = SourcePerMi
				out.counts[SourcePerMi]++
			}
		}
	}
	// Every destination needs a rate from at least one facility.
	var missing []string
	for j := 0; j < J; j++ {
		ok := false
		for i := 0; i < I && !ok; i++ {
			ok = !math.IsNaN(out.c[i][j])
		}
		if !ok {
			missing = append(missing, n.Destinations[j].Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%w: no rate from any facility to %d destination(s) (%s); "+
			"any one of these inputs would give one: (1) explicit lanes (lanes: facility, destination, cost_per_unit); "+
			"(2) a shipment history (shipments: origin, destination, cost, units) with located origins and destinations%s; "+
			"(3) the setting cost_per_unit_mile with located facilities and destinations%s",
			ErrNoRates, len(missing), clipList(missing, 5), fitNote(n, fitErr), locNote(n))
	}
	return out, nil
}

func fitNote(n *Network, err error) string {
	if len(n.Shipments) == 0 {
		return " (none given)"
	}
	if err != nil {
		return " (the given history cannot be fitted: " + err.Error() + ")"
	}
	return ""
}

func locNote(n *Network) string {
	if n.Settings.CostPerUnitMile > 0 {
		return " (set, but the locations are missing)"
	}
	return " (not set)"
}

func clipList(names []string, k int) string {
	if len(names) <= k {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:k], ", ") + fmt.Sprintf(" and %d more", len(names)-k)
}
