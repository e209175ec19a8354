package optimization_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"networx/roles/optimization"
	"networx/roles/optimization/check"
	"networx/solver"
)

// objTol is the relative agreement required between the model's optimum and the brute
// force: the solve runs to a relative gap of 1e-9.
const objTol = 1e-6

var exact = optimization.Options{Solver: solver.Settings{RelGap: 1e-9, Threads: 1}}

// tiny builds a random instance: nf facilities, nd destinations, years demand years.
func tiny(rng *rand.Rand, nf, nd, years int) *optimization.Network {
	n := &optimization.Network{}
	for i := 0; i < nf; i++ {
		f := optimization.Facility{Name: fmt.Sprintf("F%d", i), Kind: optimization.Candidate,
			Location:  optimization.Location{Lat: 30 + 15*rng.Float64(), Lon: -120 + 45*rng.Float64(), Known: true},
			FixedCost: float64(1000 + rng.IntN(4000)), OpeningCost: float64(rng.IntN(3000))}
		if i%3 == 0 {
			f.Kind, f.OpeningCost = optimization.Existing, 0
			f.ClosingCost = float64(rng.IntN(5000))
			if rng.IntN(2) == 0 {
				f.LeaseEndYear = 2025 + rng.IntN(years)
			}
		}
		n.Facilities = append(n.Facilities, f)
	}
	for j := 0; j < nd; j++ {
		n.Destinations = append(n.Destinations, optimization.Destination{Name: fmt.Sprintf("D%d", j),
			Location: optimization.Location{Lat: 30 + 15*rng.Float64(), Lon: -120 + 45*rng.Float64(), Known: true}})
		for t := 0; t < years; t++ {
			// Demand that comes and goes between years makes short openings attractive, so
			// the lease rules bind.
			units := float64(10 + rng.IntN(90))
			if years > 1 && rng.IntN(3) == 0 {
				units = 0
			}
			n.Demand = append(n.Demand, optimization.Demand{Destination: fmt.Sprintf("D%d", j), Year: 2025 + t, Units: units})
		}
	}
	n.Settings.CostPerUnitMile = 0.01 + 0.02*rng.Float64()
	return n
}

// brute is an independent enumeration: every open pattern (fixed or per year), lease
// rules checked directly, and for each year the best single-sourced assignment by
// enumeration (single sourcing) or the cheapest open facility (uncapacitated, no
// service rule). It returns +Inf when nothing is feasible.
func brute(n *optimization.Network) float64 {
	I, J := len(n.Facilities), len(n.Destinations)
	yearSet := map[int]bool{}
	for _, d := range n.Demand {
		yearSet[d.Year] = true
	}
	var years []int
	for y := 2000; y < 2100; y++ {
		if yearSet[y] {
			years = append(years, y)
		}
	}
	T := len(years)
	q := make([][]float64, J)
	for j := range q {
		q[j] = make([]float64, T)
	}
	dj := map[string]int{}
	for j, d := range n.Destinations {
		dj[d.Name] = j
	}
	for _, d := range n.Demand {
		j, t := dj[d.Destination], 0
		for k, y := range years {
			if y == d.Year {
				t = k
			}
		}
		q[j][t] += d.Units
	}
	lease := n.Settings.LeaseYears
	if lease == 0 {
		lease = 7
	}
	fixed := lease >= T
	c := make([][]float64, I)
	dist := make([][]float64, I)
	for i, f := range n.Facilities {
		c[i], dist[i] = make([]float64, J), make([]float64, J)
		for j, d := range n.Destinations {
			dist[i][j] = optimization.Haversine(f.Location, d.Location) * 1.17
			c[i][j] = n.Settings.FixedCostPerUnit + n.Settings.CostPerUnitMile*dist[i][j]
		}
	}
	bits := I * T
	if fixed {
		bits = I
	}
	best := math.Inf(1)
	for mask := 0; mask < 1<<bits; mask++ {
		open := func(i, t int) bool {
			if fixed {
				return mask>>i&1 == 1
			}
			return mask>>(i*T+t)&1 == 1
		}
		cost, ok := 0.0, true
		for i, f := range n.Facilities {
			for t := 0; t < T && ok; t++ {
				if f.Mandatory && !open(i, t) {
					ok = false
				}
				prev := f.Kind == optimization.Existing
				if t > 0 {
					prev = open(i, t-1)
				}
				if open(i, t) {
					cost += f.FixedCost
				}
				switch {
				case f.Kind == optimization.Existing && open(i, t) && !prev:
					ok = false
				case f.Kind == optimization.Existing && !open(i, t) && prev && (f.LeaseEndYear == 0 || years[t] <= f.LeaseEndYear):
					cost += f.ClosingCost
				case f.Kind == optimization.Candidate && open(i, t) && !prev:
					cost += f.OpeningCost
					for tau := t + 1; tau < T && years[tau] <= years[t]+lease-1; tau++ {
						if !open(i, tau) {
							ok = false
						}
					}
				}
			}
		}
		for t := 0; t < T && ok; t++ {
			cnt := 0
			for i := 0; i < I; i++ {
				if open(i, t) {
					cnt++
				}
			}
			s := n.Settings
			if cnt == 0 || (s.MinOpen > 0 && cnt < s.MinOpen) || (s.MaxOpen > 0 && cnt > s.MaxOpen) {
				ok = false
				break
			}
			yc := bestAssignment(n, q, c, dist, t, func(i int) bool { return open(i, t) })
			if math.IsInf(yc, 1) {
				ok = false
				break
			}
			cost += yc
		}
		if ok && cost < best {
			best = cost
		}
	}
	return best
}

func bestAssignment(n *optimization.Network, q, c, dist [][]float64, t int, open func(int) bool) float64 {
	I, J := len(n.Facilities), len(n.Destinations)
	if !n.Settings.SingleSource {
		// Uncapacitated, no service rule: cheapest open facility per destination.
		sum := 0.0
		for j := 0; j < J; j++ {
			m := math.Inf(1)
			for i := 0; i < I; i++ {
				if open(i) {
					m = math.Min(m, c[i][j]*q[j][t])
				}
			}
			sum += m
		}
		return sum
	}
	best := math.Inf(1)
	assign := make([]int, J)
	var rec func(j int)
	rec = func(j int) {
		if j == J {
			load := make([]float64, I)
			cost, total, within := 0.0, 0.0, 0.0
			for jj, i := range assign {
				load[i] += q[jj][t]
				cost += c[i][jj] * q[jj][t]
				total += q[jj][t]
				if dist[i][jj] <= n.Settings.ServiceRadius {
					within += q[jj][t]
				}
			}
			for i, f := range n.Facilities {
				if f.Capacity > 0 && load[i] > f.Capacity+1e-9 {
					return
				}
			}
			if n.Settings.ServiceRadius > 0 && within < n.Settings.ServiceShare*total-1e-9 {
				return
			}
			best = math.Min(best, cost)
			return
		}
		for i := 0; i < I; i++ {
			if open(i) {
				assign[j] = i
				rec(j + 1)
			}
		}
	}
	rec(0)
	return best
}

func TestAgainstBruteForce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		nf, nd, yr int
		lease      int
		single     bool
		capacity   bool
		radius     float64
		minO, maxO int
		perMile    float64 // overrides the random rate: high rates make short openings pay
	}{
		{name: "single period uncapacitated", nf: 5, nd: 6, yr: 1},
		{name: "single period single-source capacitated", nf: 4, nd: 5, yr: 1, single: true, capacity: true},
		{name: "single period service radius", nf: 4, nd: 5, yr: 1, single: true, radius: 700},
		{name: "fixed lease three years", nf: 4, nd: 5, yr: 3, single: true, capacity: true},
		{name: "fixed lease open bounds", nf: 5, nd: 5, yr: 2, minO: 2, maxO: 3},
		{name: "rolling lease two-year commitment", nf: 3, nd: 4, yr: 3, lease: 2},
		{name: "rolling lease one-year leases capacitated", nf: 3, nd: 4, yr: 3, lease: 1, single: true, capacity: true},
		{name: "rolling lease max open", nf: 3, nd: 4, yr: 4, lease: 2, maxO: 2},
		{name: "rolling lease transport heavy", nf: 3, nd: 4, yr: 4, lease: 2, perMile: 0.3},
		{name: "rolling lease transport heavy three-year commitment", nf: 3, nd: 4, yr: 4, lease: 3, perMile: 0.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= 4; seed++ {
				rng := rand.New(rand.NewPCG(seed, 99))
				n := tiny(rng, tc.nf, tc.nd, tc.yr)
				n.Settings.LeaseYears, n.Settings.SingleSource = tc.lease, tc.single
				n.Settings.MinOpen, n.Settings.MaxOpen = tc.minO, tc.maxO
				if tc.perMile > 0 {
					n.Settings.CostPerUnitMile = tc.perMile
				}
				if tc.radius > 0 {
					n.Settings.ServiceRadius, n.Settings.ServiceShare = tc.radius, 0.5
				}
				if tc.capacity {
					for i := range n.Facilities {
						n.Facilities[i].Capacity = float64(150 + rng.IntN(200))
					}
				}
				want := brute(n)
				res, err := optimization.Optimize(context.Background(), n, exact)
				if math.IsInf(want, 1) {
					if !errors.Is(err, optimization.ErrInfeasible) {
						t.Errorf("seed %d: brute force finds no solution, Optimize: %v (status %v)", seed, err, res.Status)
					}
					continue
				}
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if res.Status != "optimal" {
					t.Fatalf("seed %d: status %s", seed, res.Status)
				}
				if math.Abs(float64(res.Objective)-want) > objTol*want {
					t.Errorf("seed %d: objective %v, brute force %v", seed, res.Objective, want)
				}
				if err := check.Result(n, res); err != nil {
					t.Errorf("seed %d: checker: %v", seed, err)
				}
			}
		})
	}
}

func TestInfeasibleExplained(t *testing.T) {
	t.Parallel()
	base := func() *optimization.Network {
		return &optimization.Network{
			Facilities: []optimization.Facility{
				{Name: "Reno", Kind: optimization.Candidate, Capacity: 100, FixedCost: 10, Location: optimization.Location{Lat: 39.5, Lon: -119.8, Known: true}},
				{Name: "Atlanta", Kind: optimization.Candidate, Capacity: 100, FixedCost: 10, Location: optimization.Location{Lat: 33.7, Lon: -84.4, Known: true}},
				{Name: "Boston", Kind: optimization.Existing, Capacity: 100, FixedCost: 10, Location: optimization.Location{Lat: 42.4, Lon: -71.1, Known: true}},
			},
			Destinations: []optimization.Destination{
				{Name: "Charlotte", Location: optimization.Location{Lat: 35.2, Lon: -80.8, Known: true}},
				{Name: "Nashville", Location: optimization.Location{Lat: 36.2, Lon: -86.8, Known: true}},
			},
			Demand:   []optimization.Demand{{Destination: "Charlotte", Units: 60}, {Destination: "Nashville", Units: 70}},
			Settings: optimization.Settings{CostPerUnitMile: 0.01},
		}
	}
	cases := []struct {
		name  string
		edit  func(n *optimization.Network)
		wants []string
	}{
		{"total capacity below demand", func(n *optimization.Network) {
			for i := range n.Facilities {
				n.Facilities[i].Capacity = 40
			}
		}, []string{"total demand 130 units exceeds the total capacity 120", "Reno 40"}},
		{"mandatory site outside every service radius", func(n *optimization.Network) {
			n.Facilities[0].Mandatory = true
			n.Settings.MaxOpen = 1
			n.Settings.ServiceRadius, n.Settings.ServiceShare = 500, 0.9
			n.Facilities[0].Capacity = 0
		}, []string{"mandatory site(s) (Reno)", "Reno are more than 500 mi from every destination", "90.0% required"}},
		{"service share out of reach", func(n *optimization.Network) {
			n.Facilities = n.Facilities[:1]
			n.Facilities[0].Capacity = 0
			n.Settings.ServiceRadius, n.Settings.ServiceShare = 300, 0.5
		}, []string{"only 0.0% of demand is within 300 mi", "Charlotte, Nashville"}},
		{"open bounds with capacities", func(n *optimization.Network) {
			n.Settings.MaxOpen = 1
		}, []string{"exceeds 100, the capacity of the 1 largest facilities"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := base()
			tc.edit(n)
			res, err := optimization.Optimize(context.Background(), n, exact)
			if !errors.Is(err, optimization.ErrInfeasible) {
				t.Fatalf("err = %v, want ErrInfeasible", err)
			}
			if res.Status != "infeasible" || len(res.Reasons) == 0 {
				t.Fatalf("status %s reasons %v", res.Status, res.Reasons)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRatesRequired(t *testing.T) {
	t.Parallel()
	n := &optimization.Network{
		Facilities:   []optimization.Facility{{Name: "A", Kind: optimization.Candidate, Location: optimization.Location{Lat: 40, Lon: -100, Known: true}}},
		Destinations: []optimization.Destination{{Name: "X", Location: optimization.Location{Lat: 41, Lon: -101, Known: true}}},
		Demand:       []optimization.Demand{{Destination: "X", Units: 5}},
	}
	_, err := optimization.Optimize(context.Background(), n, exact)
	if !errors.Is(err, optimization.ErrNoRates) {
		t.Fatalf("err = %v, want ErrNoRates", err)
	}
	for _, w := range []string{"transport rates required", "explicit lanes", "shipment history", "cost_per_unit_mile", "X"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestValidateNamesRows(t *testing.T) {
	t.Parallel()
	n := &optimization.Network{
		Facilities:   []optimization.Facility{{Name: "A", Kind: "warehouse", Source: "facilities.csv row 2"}},
		Destinations: []optimization.Destination{{Name: "X"}},
		Demand:       []optimization.Demand{{Destination: "Y", Units: -1, Source: "demand.csv row 7"}},
	}
	err := n.Validate()
	for _, w := range []string{"facilities.csv row 2", `kind "warehouse"`, "demand.csv row 7", `"Y", which is not in destinations`, "units -1"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
}

func TestFittedRatesAndBaselines(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	n := tiny(rng, 4, 12, 1)
	n.Settings.CostPerUnitMile = 0
	// History: cost per unit 0.5 + 0.004 d with noise, from the existing facilities.
	for k := 0; k < 200; k++ {
		i := 3 * rng.IntN(2) // F0 or F3, both existing
		j := rng.IntN(len(n.Destinations))
		d := optimization.Haversine(n.Facilities[i].Location, n.Destinations[j].Location) * optimization.DefaultCircuity
		units := float64(10 + rng.IntN(50))
		n.Shipments = append(n.Shipments, optimization.Shipment{Origin: n.Facilities[i].Name, Destination: n.Destinations[j].Name,
			Units: units, Cost: units * (0.5 + 0.004*d) * (0.95 + 0.1*rng.Float64()), Mode: "LTL"})
	}
	res, err := optimization.Optimize(context.Background(), n, exact)
	if err != nil {
		t.Fatal(err)
	}
	if err := check.Result(n, res); err != nil {
		t.Errorf("checker: %v", err)
	}
	fit := res.Rates.Fit
	if fit == nil || res.Rates.Fitted == 0 || fit.R2 < 0.9 {
		t.Fatalf("fit %+v, fitted lanes %d: want a fit with R^2 >= 0.9", fit, res.Rates.Fitted)
	}
	if got := fit.Eval(500); math.Abs(got-2.5) > 0.25 {
		t.Errorf("fitted cost at 500 mi = %v, want about 2.5", got)
	}
	mb := res.Baseline.Modeled
	if mb == nil || mb.FromHistory == 0 || res.Baseline.Invoiced == nil {
		t.Fatalf("baselines %+v", res.Baseline)
	}
	if float64(res.Savings.VsModeled) < -objTol*mb.TotalCost {
		t.Errorf("optimized cost %v above the modeled baseline %v", res.KPIs.TotalCost, mb.TotalCost)
	}
	if len(mb.Unmet) != 0 {
		t.Errorf("today's network meets every requirement here, yet unmet: %q", mb.Unmet)
	}
	// With one facility at most, today's two existing ones break max_open, and the
	// baseline says so; its service share is reported when a radius is set.
	n.Settings.MaxOpen = 1
	n.Settings.ServiceRadius, n.Settings.ServiceShare = 1e4, 0.5
	res, err = optimization.Optimize(context.Background(), n, exact)
	if err != nil {
		t.Fatal(err)
	}
	mb = res.Baseline.Modeled
	if mb == nil || !slices.Contains(mb.Unmet, "2 facilities are open, max_open is 1") {
		t.Errorf("baseline %+v does not say it breaks max_open", mb)
	} else if s := mb.YearlyCosts[0].ServiceShare; float64(s) != 1 {
		t.Errorf("baseline service share %v within 10,000 mi, want 1", s)
	}
}

func TestSweep(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	n := tiny(rng, 5, 8, 1)
	sw, err := optimization.Sweep(context.Background(), n, optimization.SweepOptions{Options: exact, MinOpen: 1, MaxOpen: 4, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(1)
	for _, p := range sw.Points {
		m := *n
		m.Settings.MinOpen, m.Settings.MaxOpen = p.Open, p.Open
		want := brute(&m)
		if math.Abs(float64(p.Objective)-want) > objTol*want {
			t.Errorf("%d open: %v, brute force %v", p.Open, p.Objective, want)
		}
		if err := check.Result(n, p.Result); err != nil {
			t.Errorf("%d open: checker: %v", p.Open, err)
		}
		best = math.Min(best, want)
	}
	if math.Abs(float64(sw.BestResult.Objective)-best) > objTol*best {
		t.Errorf("best %v, want %v", sw.BestResult.Objective, best)
	}
}

// TestLeaseRules pins the lease rules on hand-made instances where they bind: a
// short-lived demand near a candidate (the commitment keeps it open), and an existing
// facility whose lease end decides whether closing pays its closing cost.
func TestLeaseRules(t *testing.T) {
	t.Parallel()
	loc := func(lat, lon float64) optimization.Location {
		return optimization.Location{Lat: lat, Lon: lon, Known: true}
	}
	mk := func(lease, leaseEnd int, closing float64) *optimization.Network {
		n := &optimization.Network{
			Facilities: []optimization.Facility{
				{Name: "Far", Kind: optimization.Existing, FixedCost: 100, Location: loc(47.6, -122.3)},
				{Name: "Near", Kind: optimization.Candidate, FixedCost: 3000, OpeningCost: 500, Location: loc(33.7, -84.4)},
				{Name: "Old", Kind: optimization.Existing, FixedCost: 4000, ClosingCost: closing, LeaseEndYear: leaseEnd, Location: loc(41.9, -87.6)},
			},
			Destinations: []optimization.Destination{{Name: "Atlanta", Location: loc(33.75, -84.39)}, {Name: "Seattle", Location: loc(47.6, -122.33)}},
			Settings:     optimization.Settings{LeaseYears: lease, CostPerUnitMile: 0.05},
		}
		for y, units := range []float64{1000, 0, 0, 0} {
			n.Demand = append(n.Demand, optimization.Demand{Destination: "Atlanta", Year: 2025 + y, Units: units},
				optimization.Demand{Destination: "Seattle", Year: 2025 + y, Units: 10})
		}
		return n
	}
	cases := []struct {
		name     string
		net      *optimization.Network
		nearOpen []int // years Near is open
		oldOpen  []int
	}{
		{"one-year lease closes after the peak", mk(1, 2026, 1e6), []int{2025}, []int{2025, 2026}},
		{"three-year commitment keeps the site open", mk(3, 2026, 1e6), []int{2025, 2026, 2027}, []int{2025, 2026}},
		{"closing is free after the lease end", mk(1, 2024, 1e6), []int{2025}, []int{}},
		{"a cheap closing cost inside the lease is paid", mk(1, 2030, 10), []int{2025}, []int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := optimization.Optimize(context.Background(), tc.net, exact)
			if err != nil {
				t.Fatal(err)
			}
			if err := check.Result(tc.net, res); err != nil {
				t.Errorf("checker: %v", err)
			}
			if want := brute(tc.net); math.Abs(float64(res.Objective)-want) > objTol*want {
				t.Errorf("objective %v, brute force %v", res.Objective, want)
			}
			for _, f := range res.Facilities {
				var want []int
				switch f.Name {
				case "Near":
					want = tc.nearOpen
				case "Old":
					want = tc.oldOpen
				default:
					continue
				}
				if fmt.Sprint(f.OpenYears) != fmt.Sprint(want) {
					t.Errorf("%s open in %v, want %v", f.Name, f.OpenYears, want)
				}
			}
		})
	}
}

// TestStructurePath: the solver's facility-location path, forced on tiny single-period,
// fixed-lease and rolling-lease networks with capacities, a service radius, open-count
// bounds and mandatory sites, finds the optimum of the general branch and bound, and the
// checker accepts its results.
func TestStructurePath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		nf, nd, yr int
		capacity   bool
		radius     float64
		share      float64
		minO, maxO int
		mandatory  bool
		lease      int
		perMile    float64
	}{
		{name: "single period capacitated", nf: 6, nd: 8, yr: 1, capacity: true},
		{name: "fixed lease capacitated", nf: 5, nd: 7, yr: 3, capacity: true},
		{name: "fixed lease service radius", nf: 5, nd: 8, yr: 3, capacity: true, radius: 600, share: 0.6},
		{name: "fixed lease open bounds", nf: 6, nd: 7, yr: 2, capacity: true, minO: 2, maxO: 3},
		{name: "fixed lease exact open count (a sweep point)", nf: 6, nd: 7, yr: 3, capacity: true, minO: 3, maxO: 3, radius: 700, share: 0.5},
		{name: "fixed lease everything", nf: 6, nd: 8, yr: 3, capacity: true, radius: 700, share: 0.5, maxO: 3, mandatory: true},
		{name: "uncapacitated service radius and max open", nf: 6, nd: 8, yr: 2, radius: 500, share: 0.4, maxO: 2},
		{name: "rolling lease capacitated", nf: 4, nd: 6, yr: 3, lease: 2, capacity: true},
		{name: "rolling lease one-year leases with max open", nf: 4, nd: 6, yr: 3, lease: 1, capacity: true, maxO: 2},
		{name: "rolling lease service radius", nf: 4, nd: 6, yr: 3, lease: 2, capacity: true, radius: 700, share: 0.5, mandatory: true},
		{name: "rolling lease transport heavy", nf: 4, nd: 5, yr: 4, lease: 2, perMile: 0.3, capacity: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			solved := 0
			for seed := uint64(1); seed <= 8; seed++ {
				rng := rand.New(rand.NewPCG(seed, 41))
				n := tiny(rng, tc.nf, tc.nd, tc.yr)
				n.Settings.MinOpen, n.Settings.MaxOpen = tc.minO, tc.maxO
				n.Settings.LeaseYears = tc.lease
				if tc.perMile > 0 {
					n.Settings.CostPerUnitMile = tc.perMile
				}
				if tc.radius > 0 {
					n.Settings.ServiceRadius, n.Settings.ServiceShare = tc.radius, tc.share
				}
				if tc.capacity {
					for i := range n.Facilities {
						n.Facilities[i].Capacity = float64(150 + rng.IntN(250))
					}
				}
				n.Facilities[0].Mandatory = tc.mandatory
				structured, general := exact, exact
				structured.Solver.ForceStructure = true
				general.Solver.NoStructure = true
				rg, errG := optimization.Optimize(context.Background(), n, general)
				rs, errS := optimization.Optimize(context.Background(), n, structured)
				if errors.Is(errG, optimization.ErrInfeasible) {
					if !errors.Is(errS, optimization.ErrInfeasible) {
						t.Errorf("seed %d: general path infeasible, structure path: %v", seed, errS)
					}
					continue
				}
				if errG != nil || errS != nil {
					t.Fatalf("seed %d: general %v, structure %v", seed, errG, errS)
				}
				if rs.Status != "optimal" || rs.Solver.Method != "lagrangian-fl" {
					t.Fatalf("seed %d: status %s method %s", seed, rs.Status, rs.Solver.Method)
				}
				want := float64(rg.Objective)
				if math.Abs(float64(rs.Objective)-want) > objTol*want || float64(rs.Bound) > want*(1+objTol) {
					t.Errorf("seed %d: structure path %v (bound %v), general path %v", seed, rs.Objective, rs.Bound, want)
				}
				if err := check.Result(n, rs); err != nil {
					t.Errorf("seed %d: checker: %v", seed, err)
				}
				solved++
			}
			if solved == 0 {
				t.Errorf("every seed is infeasible: the case tests nothing")
			}
		})
	}
}
