package optimization

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"sort"
	"strings"

	"networx/solver"
)

// Options control a solve. The zero value uses the solver's defaults.
type Options struct {
	// Solver settings (time limit, gaps, node limit, threads, seed, progress callback).
	Solver solver.Settings
}

// ErrInfeasible is wrapped by the error Optimize returns when the input admits no network;
// the Result's Reasons explain it in input terms.
var ErrInfeasible = errors.New("no network meets the requirements")

// activeTol is the value above which a binary counts as 1 and an assignment share as used:
// the solver's integrality tolerance is far below it.
const activeTol = 1e-6

// BuildModel builds the MIP of the network for audit export (solver.WriteMPS). nOpen >= 0
// fixes the number of open facilities (a sweep point); -1 leaves the settings' bounds.
func BuildModel(n *Network, nOpen int) (*solver.Model, error) {
	in, err := newInstance(n)
	if err != nil {
		return nil, err
	}
	return in.build(nOpen, relax{}).model, nil
}

// Optimize validates the network, builds and solves the model and returns the result.
// A cancelled or time-limited solve returns its best solution with status cancelled or
// feasible. An infeasible input returns a Result with status infeasible and Reasons, and
// an error wrapping ErrInfeasible.
func Optimize(ctx context.Context, n *Network, opt Options) (*Result, error) {
	in, err := newInstance(n)
	if err != nil {
		return nil, err
	}
	return in.solve(ctx, -1, opt)
}

func (in *instance) solve(ctx context.Context, nOpen int, opt Options) (*Result, error) {
	lay := in.build(nOpen, relax{})
	res, err := solver.Solve(ctx, lay.model, opt.Solver)
	if res == nil {
		if err == nil {
			err = errors.New("solver returned no result")
		}
		return nil, fmt.Errorf("solve: %w", err)
	}
	out := in.header(lay, res, opt, nOpen)
	if res.Status == solver.StatusInfeasible {
		out.Status = "infeasible"
		out.Reasons = in.diagnose(ctx, nOpen, opt)
		return out, fmt.Errorf("%w: %s", ErrInfeasible, strings.Join(out.Reasons, "; "))
	}
	if res.Status == solver.StatusUnbounded || errors.Is(err, solver.ErrUnbounded) {
		// Every cost is non-negative and every column bounded: the model cannot be
		// unbounded, so the report is a solver fault, not an answer.
		return out, fmt.Errorf("solve: the solver reported the model unbounded, which a facility-location model with non-negative costs cannot be: %w", solver.ErrUnbounded)
	}
	if err != nil {
		return out, fmt.Errorf("solve: %w", err)
	}
	if res.X != nil {
		in.extract(lay, res.X, out)
	}
	return out, nil
}

// SolverVersion identifies the solver build: the module version and VCS revision.
func SolverVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "networx solver (unknown build)"
	}
	v := "networx solver " + bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	return v
}

// InputHash is the SHA-256 of the network's canonical JSON encoding: two runs with the
// same hash and solver settings solve the same model.
func InputHash(n *Network) string {
	b, err := json.Marshal(n)
	if err != nil {
		// Network holds only plain values; a marshal error is a programmer error.
		panic(fmt.Sprintf("optimization: marshal network: %v", err))
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (in *instance) header(lay *layout, res *solver.Result, opt Options, nOpen int) *Result {
	s := opt.Solver
	out := &Result{Version: ResultVersion, Status: res.Status.String(), Objective: Num(res.Objective),
		Bound: Num(res.Bound), Gap: Num(res.Gap), Mode: in.mode, Years: in.years, OpenCount: nOpen,
		InputHash: InputHash(in.net)}
	if res.X == nil {
		out.Objective, out.Gap = Num(math.NaN()), Num(math.NaN())
	}
	relGap, absGap := s.RelGap, s.AbsGap
	if relGap == 0 {
		relGap = solver.DefaultRelGap
	}
	if absGap == 0 {
		absGap = solver.DefaultAbsGap
	}
	m := lay.model
	ints, lazy := 0, 0
	for _, c := range m.Cols {
		if c.Integer {
			ints++
		}
	}
	for _, r := range m.Rows {
		if r.Lazy {
			lazy++
		}
	}
	out.Solver = SolverInfo{Version: SolverVersion(), TimeLimitSec: s.TimeLimit.Seconds(), RelGap: relGap, AbsGap: absGap,
		NodeLimit: s.NodeLimit, Threads: res.Stats.Threads, Seed: s.Seed, Rows: len(m.Rows), Columns: len(m.Cols),
		Integers: ints, LazyRows: lazy, Nodes: res.Stats.Nodes, LPIterations: res.Stats.LPIterations,
		Seconds: res.Stats.Elapsed.Seconds(), RootBound: Num(res.Stats.RootBound), Method: res.Stats.Method,
		SubgradientIterations: res.Stats.SubgradientIterations}
	out.Rates = RateSummary{Lanes: in.cost.counts[SourceLane], Fitted: in.cost.counts[SourceFitted],
		PerMile: in.cost.counts[SourcePerMi], Fit: in.cost.fit}
	out.OpenFacilities = []string{}
	return out
}

// extract fills the network part of the result from a solution.
func (in *instance) extract(lay *layout, x []float64, out *Result) {
	n := in.net
	I, J, T := len(n.Facilities), len(n.Destinations), len(in.years)
	open := make([][]bool, I)
	for i := range open {
		open[i] = make([]bool, T)
		for t := range open[i] {
			open[i][t] = x[lay.y[i][t]] > 0.5
		}
	}
	yc := make([]YearCost, T)
	fm := make([]FacilityMetrics, I)
	served := make([]map[int]bool, I)
	distUnits := make([]float64, I) // units with known distance, per facility
	distSum := make([]float64, I)
	var totDistUnits, totDist, within float64
	for t := 0; t < T; t++ {
		yc[t].Year = in.years[t]
		var names []string
		for i, f := range n.Facilities {
			if !open[i][t] {
				continue
			}
			names = append(names, f.Name)
			yc[t].Open++
			yc[t].FixedCost += f.FixedCost
			fm[i].FixedCost += f.FixedCost
			fm[i].OpenYears = append(fm[i].OpenYears, in.years[t])
		}
		if names == nil {
			names = []string{}
		}
		out.OpenByYear = append(out.OpenByYear, YearFacilities{Year: in.years[t], Facilities: names})
	}
	// Opening and closing costs.
	for i, f := range n.Facilities {
		for t := 0; t < T; t++ {
			was := f.Kind == Existing
			if t > 0 {
				was = open[i][t-1]
			}
			switch {
			case f.Kind == Candidate && open[i][t] && !was:
				yc[t].OpeningCost += f.OpeningCost
				fm[i].OpeningCost += f.OpeningCost
			case f.Kind == Existing && !open[i][t] && was && closingPays(f, in.years[t]):
				yc[t].ClosingCost += f.ClosingCost
				fm[i].ClosingCost += f.ClosingCost
			}
		}
	}
	var yWithin, yDistUnits, yDist []float64 = make([]float64, T), make([]float64, T), make([]float64, T)
	for t := 0; t < T; t++ {
		for j := 0; j < J; j++ {
			for i := 0; i < I; i++ {
				c := lay.x[i][j][t]
				if c < 0 || x[c] <= activeTol {
					continue
				}
				units := in.q[j][t] * x[c]
				cost := in.cost.c[i][j] * units
				d := in.cost.d[i][j]
				out.Assignments = append(out.Assignments, Assignment{Year: in.years[t], Destination: n.Destinations[j].Name,
					Facility: n.Facilities[i].Name, Share: x[c], Units: units, Distance: Num(d),
					CostPerUnit: in.cost.c[i][j], Cost: cost, RateSource: in.cost.src[i][j]})
				yc[t].Units += units
				yc[t].TransportCost += cost
				fm[i].Units += units
				fm[i].TransportCost += cost
				if served[i] == nil {
					served[i] = map[int]bool{}
				}
				served[i][j] = true
				if !math.IsNaN(d) {
					distUnits[i] += units
					distSum[i] += units * d
					yDistUnits[t] += units
					yDist[t] += units * d
					if in.net.Settings.ServiceRadius > 0 && d <= in.net.Settings.ServiceRadius {
						yWithin[t] += units
					}
				}
			}
		}
	}
	k := &out.KPIs
	for t := range yc {
		y := &yc[t]
		y.TotalCost = y.FixedCost + y.TransportCost + y.OpeningCost + y.ClosingCost
		y.CostPerUnit = ratio(y.TotalCost, y.Units)
		y.AvgDistance = ratio(yDist[t], yDistUnits[t])
		y.ServiceShare = Num(math.NaN())
		if in.net.Settings.ServiceRadius > 0 {
			y.ServiceShare = ratio(yWithin[t], y.Units)
		}
		k.FixedCost += y.FixedCost
		k.TransportCost += y.TransportCost
		k.OpeningCost += y.OpeningCost
		k.ClosingCost += y.ClosingCost
		k.Units += y.Units
		totDist += yDist[t]
		totDistUnits += yDistUnits[t]
		within += yWithin[t]
		if y.Open > k.MaxOpen {
			k.MaxOpen = y.Open
		}
	}
	k.TotalCost = k.FixedCost + k.TransportCost + k.OpeningCost + k.ClosingCost
	k.CostPerUnit = ratio(k.TotalCost, k.Units)
	k.AvgDistance = ratio(totDist, totDistUnits)
	k.ServiceShare = Num(math.NaN())
	if in.net.Settings.ServiceRadius > 0 {
		k.ServiceShare = ratio(within, k.Units)
	}
	out.YearlyCosts = yc
	for i, f := range n.Facilities {
		m := &fm[i]
		m.Name, m.Kind = f.Name, f.Kind
		m.DestinationsServed = len(served[i])
		m.TotalCost = m.FixedCost + m.TransportCost + m.OpeningCost + m.ClosingCost
		m.AvgDistance = ratio(distSum[i], distUnits[i])
		m.Utilization = Num(math.NaN())
		if f.Capacity > 0 && len(m.OpenYears) > 0 {
			m.Utilization = Num(m.Units / (f.Capacity * float64(len(m.OpenYears))))
		}
		if m.OpenYears == nil {
			m.OpenYears = []int{}
		} else {
			out.OpenFacilities = append(out.OpenFacilities, f.Name)
		}
	}
	out.Facilities = fm
	out.CentreOfGravity = in.centreOfGravity()
	out.Baseline = in.baselines()
	if mb := out.Baseline.Modeled; mb != nil {
		out.Savings.VsModeled = Num(mb.TotalCost - k.TotalCost)
		out.Savings.VsModeledPct = ratio(mb.TotalCost-k.TotalCost, mb.TotalCost)
	} else {
		out.Savings.VsModeled, out.Savings.VsModeledPct = Num(math.NaN()), Num(math.NaN())
	}
	if ib := out.Baseline.Invoiced; ib != nil && T > 0 {
		out.Savings.VsInvoiced = Num(ib.TotalCost - yc[0].TransportCost)
		out.Savings.VsInvoicedPct = ratio(ib.TotalCost-yc[0].TransportCost, ib.TotalCost)
	} else {
		out.Savings.VsInvoiced, out.Savings.VsInvoicedPct = Num(math.NaN()), Num(math.NaN())
	}
}

func ratio(a, b float64) Num {
	if b == 0 {
		return Num(math.NaN())
	}
	return Num(a / b)
}

// centreOfGravity is the demand-weighted mean latitude and longitude of the located
// destinations in the first year (nil when none is located).
func (in *instance) centreOfGravity() *Point {
	var w, lat, lon float64
	for j, d := range in.net.Destinations {
		if !d.Location.Known || len(in.years) == 0 {
			continue
		}
		q := in.q[j][0]
		w += q
		lat += q * d.Location.Lat
		lon += q * d.Location.Lon
	}
	if w == 0 {
		return nil
	}
	return &Point{Lat: lat / w, Lon: lon / w}
}

// baselines evaluates today's network and sums the invoiced spend.
func (in *instance) baselines() Baselines {
	n := in.net
	var b Baselines
	if len(n.Shipments) > 0 {
		ib := &InvoicedBaseline{ByMode: map[string]float64{}, Shipments: len(n.Shipments)}
		for _, s := range n.Shipments {
			ib.TotalCost += s.Cost
			mode := s.Mode
			if mode == "" {
				mode = "unspecified"
			}
			ib.ByMode[mode] += s.Cost
		}
		b.Invoiced = ib
	}
	var existing []int
	for i, f := range n.Facilities {
		if f.Kind == Existing {
			existing = append(existing, i)
		}
	}
	if len(existing) == 0 {
		b.ModeledNote = "no existing facilities in the input"
		return b
	}
	// Today's assignment: the existing facility that shipped the most units to j.
	dj := make(map[string]int, len(n.Destinations))
	for j, d := range n.Destinations {
		dj[d.Name] = j
	}
	shipped := make(map[[2]int]float64)
	for _, s := range n.Shipments {
		i, ok1 := in.facIdx[s.Origin]
		j, ok2 := dj[s.Destination]
		if ok1 && ok2 && n.Facilities[i].Kind == Existing {
			shipped[[2]int{i, j}] += math.Max(s.Units, 0) + 1e-9*s.Cost // units, ties by spend
		}
	}
	mb := &ModeledBaseline{}
	assign := make([]int, len(n.Destinations))
	for j := range n.Destinations {
		best, bestV := -1, 0.0
		for _, i := range existing {
			if v := shipped[[2]int{i, j}]; v > bestV && !math.IsNaN(in.cost.c[i][j]) {
				best, bestV = i, v
			}
		}
		if best >= 0 {
			mb.FromHistory++
		} else {
			for _, i := range existing {
				if c := in.cost.c[i][j]; !math.IsNaN(c) && (best < 0 || c < in.cost.c[best][j]) {
					best = i
				}
			}
			if best < 0 {
				b.ModeledNote = fmt.Sprintf("destination %q has no transport rate from any existing facility", n.Destinations[j].Name)
				return b
			}
			mb.Cheapest++
		}
		assign[j] = best
	}
	for _, i := range existing {
		mb.Facilities = append(mb.Facilities, n.Facilities[i].Name)
	}
	radius := n.Settings.ServiceRadius
	if k := len(existing); n.Settings.MaxOpen > 0 && k > n.Settings.MaxOpen {
		mb.Unmet = append(mb.Unmet, fmt.Sprintf("%d facilities are open, max_open is %d", k, n.Settings.MaxOpen))
	} else if k < n.Settings.MinOpen {
		mb.Unmet = append(mb.Unmet, fmt.Sprintf("%d facilities are open, min_open is %d", k, n.Settings.MinOpen))
	}
	for _, f := range n.Facilities {
		if f.Mandatory && f.Kind != Existing {
			mb.Unmet = append(mb.Unmet, fmt.Sprintf("mandatory site %q is not open", f.Name))
		}
	}
	over := map[string]bool{}
	for t, year := range in.years {
		y := YearCost{Year: year, Open: len(existing)}
		load := make(map[int]float64)
		for _, i := range existing {
			y.FixedCost += n.Facilities[i].FixedCost
		}
		var dist, distUnits, within float64
		for j := range n.Destinations {
			i := assign[j]
			y.Units += in.q[j][t]
			y.TransportCost += in.cost.c[i][j] * in.q[j][t]
			load[i] += in.q[j][t]
			if d := in.cost.d[i][j]; !math.IsNaN(d) {
				dist += d * in.q[j][t]
				distUnits += in.q[j][t]
				if radius > 0 && d <= radius {
					within += in.q[j][t]
				}
			}
		}
		for i, l := range load {
			if c := n.Facilities[i].Capacity; c > 0 && l > c*(1+capacityTol) {
				over[n.Facilities[i].Name] = true
			}
		}
		y.TotalCost = y.FixedCost + y.TransportCost
		y.CostPerUnit = ratio(y.TotalCost, y.Units)
		y.AvgDistance, y.ServiceShare = ratio(dist, distUnits), Num(math.NaN())
		if radius > 0 {
			y.ServiceShare = ratio(within, y.Units)
			if share := float64(y.ServiceShare); share < n.Settings.ServiceShare-1e-9 {
				mb.Unmet = append(mb.Unmet, fmt.Sprintf("%d: %.1f%% of demand is within %g mi of its facility, %.1f%% is required",
					year, 100*share, radius, 100*n.Settings.ServiceShare))
			}
		}
		mb.FixedCost += y.FixedCost
		mb.TransportCost += y.TransportCost
		mb.YearlyCosts = append(mb.YearlyCosts, y)
	}
	mb.TotalCost = mb.FixedCost + mb.TransportCost
	for name := range over {
		mb.OverCapacity = append(mb.OverCapacity, name)
	}
	sort.Strings(mb.OverCapacity)
	for _, name := range mb.OverCapacity {
		mb.Unmet = append(mb.Unmet, fmt.Sprintf("%q is over its capacity", name))
	}
	b.Modeled = mb
	return b
}

// capacityTol is the relative slack allowed on a capacity before a load counts as over it:
// the solver's feasibility tolerance scaled by capacities of millions of units.
const capacityTol = 1e-6
