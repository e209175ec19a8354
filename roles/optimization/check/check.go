// Package check verifies a network-design result against its input independently of the
// model builder: it shares no code with package optimization beyond the data types. It
// recomputes demand by year, distances and per-unit costs from the input, and checks that
// all demand is served, capacities and open-count bounds hold, mandatory sites are open,
// the lease rules are kept, the service requirement is met, and that the reported costs
// equal the costs recomputed from the input. Tests run it on every result they produce.
package check

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"networx/roles/optimization"
)

// Tolerances of the checker.
const (
	// relTol is the relative tolerance of money and unit comparisons: the solver works to
	// a feasibility tolerance of about 1e-9 on scaled rows, far below it.
	relTol = 1e-6
	// absTol is the absolute floor of those comparisons (a dollar fraction, a unit
	// fraction).
	absTol = 1e-4
)

func near(a, b float64) bool {
	return math.Abs(a-b) <= absTol+relTol*math.Max(math.Abs(a), math.Abs(b))
}

// Result checks res against net and returns every violation found, joined.
func Result(net *optimization.Network, res *optimization.Result) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if res.Status != "optimal" && res.Status != "feasible" && res.Status != "cancelled" {
		return fmt.Errorf("status %s has no solution to check", res.Status)
	}
	years, demand := demandByYear(net)
	if fmt.Sprint(years) != fmt.Sprint(res.Years) {
		bad("years %v, want %v", res.Years, years)
		return errors.Join(errs...)
	}
	fac := map[string]optimization.Facility{}
	for _, f := range net.Facilities {
		fac[f.Name] = f
	}
	dest := map[string]optimization.Destination{}
	for _, d := range net.Destinations {
		dest[d.Name] = d
	}
	// Open sets.
	open := make([]map[string]bool, len(years))
	if len(res.OpenByYear) != len(years) {
		bad("open_by_year has %d years, want %d", len(res.OpenByYear), len(years))
		return errors.Join(errs...)
	}
	for t, oy := range res.OpenByYear {
		open[t] = map[string]bool{}
		for _, name := range oy.Facilities {
			if _, ok := fac[name]; !ok {
				bad("year %d: open facility %q is not in the input", oy.Year, name)
			}
			open[t][name] = true
		}
		s := net.Settings
		if s.MinOpen > 0 && len(oy.Facilities) < s.MinOpen && res.OpenCount < 0 {
			bad("year %d: %d open, min_open %d", oy.Year, len(oy.Facilities), s.MinOpen)
		}
		if s.MaxOpen > 0 && len(oy.Facilities) > s.MaxOpen && res.OpenCount < 0 {
			bad("year %d: %d open, max_open %d", oy.Year, len(oy.Facilities), s.MaxOpen)
		}
		if res.OpenCount >= 0 && len(oy.Facilities) != res.OpenCount {
			bad("year %d: %d open, sweep point fixes %d", oy.Year, len(oy.Facilities), res.OpenCount)
		}
		for _, f := range net.Facilities {
			if f.Mandatory && !open[t][f.Name] {
				bad("year %d: mandatory facility %q is closed", oy.Year, f.Name)
			}
		}
	}
	// Lease rules.
	lease := net.Settings.LeaseYears
	if lease == 0 {
		lease = 7
	}
	fixed := lease >= len(years)
	var fixedCost, openCost, closeCost float64
	for _, f := range net.Facilities {
		for t := range years {
			if open[t][f.Name] {
				fixedCost += f.FixedCost
			}
			if fixed && t > 0 && open[t][f.Name] != open[0][f.Name] {
				bad("fixed lease: facility %q changes state in year %d", f.Name, years[t])
			}
			prev := f.Kind == optimization.Existing
			if t > 0 {
				prev = open[t-1][f.Name]
			}
			switch {
			case f.Kind == optimization.Existing && open[t][f.Name] && !prev:
				bad("existing facility %q reopens in year %d", f.Name, years[t])
			case f.Kind == optimization.Existing && !open[t][f.Name] && prev:
				if f.LeaseEndYear == 0 || years[t] <= f.LeaseEndYear {
					closeCost += f.ClosingCost
				}
			case f.Kind == optimization.Candidate && open[t][f.Name] && !prev:
				openCost += f.OpeningCost
				for tau := t + 1; tau < len(years) && years[tau] <= years[t]+lease-1; tau++ {
					if !open[tau][f.Name] {
						bad("candidate %q opened in %d closes in %d, inside its %d-year commitment", f.Name, years[t], years[tau], lease)
					}
				}
			}
		}
	}
	// Assignments: demand served, only from open facilities, costs and capacities.
	served := make([]map[string]float64, len(years))
	load := make([]map[string]float64, len(years))
	within := make([]float64, len(years))
	for t := range years {
		served[t], load[t] = map[string]float64{}, map[string]float64{}
	}
	yi := map[int]int{}
	for t, y := range years {
		yi[y] = t
	}
	var transport float64
	singles := map[[2]any]int{}
	for _, a := range res.Assignments {
		t, ok := yi[a.Year]
		if !ok {
			bad("assignment in unknown year %d", a.Year)
			continue
		}
		f, okF := fac[a.Facility]
		d, okD := dest[a.Destination]
		if !okF || !okD {
			bad("assignment %s -> %s names an unknown facility or destination", a.Facility, a.Destination)
			continue
		}
		if !open[t][a.Facility] {
			bad("year %d: %s serves %s but is closed", a.Year, a.Facility, a.Destination)
		}
		want := demand[a.Destination][t] * a.Share
		if !near(want, a.Units) {
			bad("year %d: %s -> %s units %v, share %v of demand %v is %v", a.Year, a.Facility, a.Destination, a.Units, a.Share, demand[a.Destination][t], want)
		}
		c, dist, ok := unitCost(net, res, f, d)
		if !ok {
			bad("%s -> %s has no rate in the input but carries %v units", a.Facility, a.Destination, a.Units)
			continue
		}
		if !near(c, a.CostPerUnit) {
			bad("%s -> %s cost per unit %v, recomputed %v", a.Facility, a.Destination, a.CostPerUnit, c)
		}
		transport += c * a.Units
		served[t][a.Destination] += a.Units
		load[t][a.Facility] += a.Units
		if r := net.Settings.ServiceRadius; r > 0 && !math.IsNaN(dist) && dist <= r*(1+1e-12) {
			within[t] += a.Units
		}
		singles[[2]any{t, a.Destination}]++
	}
	for t, y := range years {
		total := 0.0
		for name, q := range demand {
			total += q[t]
			if !near(served[t][name], q[t]) {
				bad("year %d: destination %q gets %v units, demand is %v", y, name, served[t][name], q[t])
			}
			if net.Settings.SingleSource && singles[[2]any{t, name}] > 1 {
				bad("year %d: single sourcing, but %q is served by %d facilities", y, name, singles[[2]any{t, name}])
			}
		}
		for name, l := range load[t] {
			if c := fac[name].Capacity; c > 0 && l > c*(1+relTol)+absTol {
				bad("year %d: facility %q carries %v units, capacity %v", y, name, l, c)
			}
		}
		if s := net.Settings; s.ServiceRadius > 0 && within[t] < s.ServiceShare*total*(1-relTol)-absTol {
			bad("year %d: %v of %v units within %v mi, %v%% required", y, within[t], total, s.ServiceRadius, 100*s.ServiceShare)
		}
	}
	totalCost := fixedCost + transport + openCost + closeCost
	k := res.KPIs
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"fixed cost", k.FixedCost, fixedCost}, {"transport cost", k.TransportCost, transport},
		{"opening cost", k.OpeningCost, openCost}, {"closing cost", k.ClosingCost, closeCost},
		{"total cost", k.TotalCost, totalCost}, {"objective", float64(res.Objective), totalCost},
	} {
		if !near(c.got, c.want) {
			bad("reported %s %v, recomputed from the input %v", c.name, c.got, c.want)
		}
	}
	if b := float64(res.Bound); !math.IsNaN(b) && b > totalCost*(1+relTol)+absTol {
		bad("bound %v exceeds the recomputed cost %v", b, totalCost)
	}
	sumYears := 0.0
	for _, y := range res.YearlyCosts {
		sumYears += y.TotalCost
	}
	if !near(sumYears, totalCost) {
		bad("yearly costs sum to %v, recomputed total %v", sumYears, totalCost)
	}
	return errors.Join(errs...)
}

// demandByYear recomputes q_jt: rows per year, or one year scaled by the forecast totals.
func demandByYear(net *optimization.Network) ([]int, map[string][]float64) {
	out := map[string][]float64{}
	if len(net.Forecast) == 0 {
		set := map[int]bool{}
		for _, d := range net.Demand {
			set[d.Year] = true
		}
		var years []int
		for y := range set {
			years = append(years, y)
		}
		sort.Ints(years)
		for _, d := range net.Destinations {
			out[d.Name] = make([]float64, len(years))
		}
		for _, d := range net.Demand {
			out[d.Destination][sort.SearchInts(years, d.Year)] += d.Units
		}
		for k, y := range years {
			if y == 0 {
				years[k] = net.Settings.BaseYear
			}
		}
		return years, out
	}
	base := 0.0
	for _, d := range net.Demand {
		base += d.Units
	}
	fc := append([]optimization.YearUnits(nil), net.Forecast...)
	sort.Slice(fc, func(a, b int) bool { return fc[a].Year < fc[b].Year })
	years := make([]int, len(fc))
	totals := make([]float64, len(fc))
	prev := base
	for t, f := range fc {
		years[t] = f.Year
		totals[t] = f.Units
		if f.Units == 0 {
			totals[t] = prev * (1 + f.GrowthPct/100)
		}
		prev = totals[t]
	}
	for _, d := range net.Destinations {
		out[d.Name] = make([]float64, len(years))
	}
	for _, d := range net.Demand {
		for t := range years {
			out[d.Destination][t] += d.Units * totals[t] / base
		}
	}
	return years, out
}

// unitCost recomputes c_ij by the precedence lanes, fitted curve (coefficients as
// reported), per unit-mile; it returns the distance too (NaN without locations).
func unitCost(net *optimization.Network, res *optimization.Result, f optimization.Facility, d optimization.Destination) (float64, float64, bool) {
	dist := math.NaN()
	if f.Location.Known && d.Location.Known {
		circ := net.Settings.Circuity
		if circ == 0 {
			circ = 1.17
		}
		dist = greatCircle(f.Location.Lat, f.Location.Lon, d.Location.Lat, d.Location.Lon) * circ
	}
	for _, l := range net.Lanes {
		if l.Facility == f.Name && l.Destination == d.Name {
			return l.CostPerUnit, dist, true
		}
	}
	if math.IsNaN(dist) {
		return 0, dist, false
	}
	if fit := res.Rates.Fit; fit != nil {
		v := fit.Coef[0] + fit.Coef[1]*dist
		for k, b := range fit.Bands {
			if dist > b {
				v += fit.Coef[2+k] * (dist - b)
			}
		}
		return math.Max(0, v), dist, true
	}
	if s := net.Settings; s.CostPerUnitMile > 0 {
		return s.FixedCostPerUnit + s.CostPerUnitMile*dist, dist, true
	}
	return 0, dist, false
}

// greatCircle is the haversine distance in miles with the earth radius 3958.8 mi.
func greatCircle(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 3958.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}
