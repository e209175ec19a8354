package capacity_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"networx/roles/capacity"
	"networx/solver"
)

// objTol is the relative agreement required between the MIP's optimum and the brute
// force: the solve runs to a relative gap of 1e-9.
const objTol = 1e-6

var exact = solver.Settings{RelGap: 1e-9, Threads: 1}

// span is one option's choice in the brute force: not taken (start 0) or active
// start..end (year indices, inclusive).
type span struct {
	taken      bool
	start, end int
}

// bruteExpansion enumerates every choice of every option (not taken, or any start year
// from its earliest and any end year that keeps its commitment), keeps the choices whose
// tiers nest and whose facilities are open, fills the rest with 3PL space, and returns
// the least total cost (+Inf when nothing covers every year). It is written from the
// model's statement in MODELS.md, sharing nothing with the MIP builder.
func bruteExpansion(e *capacity.ExpansionInput) float64 {
	T := len(e.Years)
	choices := make([][]span, len(e.Options))
	for o, op := range e.Options {
		choices[o] = []span{{}}
		for s := 0; s < T; s++ {
			if op.EarliestYear != 0 && e.Years[s] < op.EarliestYear {
				continue
			}
			for f := s; f < T; f++ {
				if e.Years[f] < min(e.Years[s]+op.LeaseYears-1, e.Years[T-1]) {
					continue // ends inside its commitment
				}
				ok := true
				for t := s; t <= max(f, min(T-1, s+op.LeaseYears-1)); t++ {
					if e.Usable != nil && !e.Usable[o][t] {
						ok = false
					}
				}
				if ok {
					choices[o] = append(choices[o], span{true, s, f})
				}
			}
		}
	}
	best := math.Inf(1)
	pick := make([]span, len(e.Options))
	var rec func(o int)
	rec = func(o int) {
		if o < len(e.Options) {
			for _, c := range choices[o] {
				pick[o] = c
				rec(o + 1)
			}
			return
		}
		on := func(o, t int) bool { return pick[o].taken && t >= pick[o].start && t <= pick[o].end }
		cost := 0.0
		for o, op := range e.Options {
			if !pick[o].taken {
				continue
			}
			annual := op.Sqft * op.CostPerSqftYear
			cost += op.OneOffCost + annual*float64(pick[o].end-pick[o].start+1)
			cost += annual * float64(max(0, e.Years[pick[o].start]+op.LeaseYears-1-e.Years[T-1]))
			// Tiers nest: tier k only while tier k-1.
			for p, pp := range e.Options {
				if op.Facility != "" && pp.Facility == op.Facility && max(pp.Tier, 1) == max(op.Tier, 1)-1 {
					for t := pick[o].start; t <= pick[o].end; t++ {
						if !on(p, t) {
							return
						}
					}
				}
			}
		}
		for t := 0; t < T; t++ {
			internal := e.Existing[t]
			for o, op := range e.Options {
				if on(o, t) {
					internal += op.Sqft
				}
			}
			need := math.Max(0, e.Required[t]-internal)
			if need > e.ThirdPartyMaxShare*e.Required[t]+1e-9 {
				return
			}
			cost += need * e.ThirdPartyCost
		}
		best = math.Min(best, cost)
	}
	rec(0)
	return best
}

func randomExpansion(rng *rand.Rand, years, options int) *capacity.ExpansionInput {
	e := &capacity.ExpansionInput{ThirdPartyCost: 8 + 10*rng.Float64(), ThirdPartyMaxShare: []float64{0, 0.1, 0.3, 1}[rng.IntN(4)]}
	g := 100000 + 50000*rng.Float64()
	for t := 0; t < years; t++ {
		e.Years = append(e.Years, 2026+t)
		e.Required = append(e.Required, g)
		e.Net = append(e.Net, g*0.85)
		e.Existing = append(e.Existing, 100000)
		// Growth with a dip now and then, so leases that end and 3PL both pay.
		g *= 1 + 0.3*rng.Float64() - 0.08
	}
	for o := 0; o < options; o++ {
		op := capacity.Option{Name: fmt.Sprintf("opt%d", o), Sqft: float64(10000 * (1 + rng.IntN(6))),
			OneOffCost: float64(rng.IntN(400000)), CostPerSqftYear: 4 + 6*rng.Float64(), LeaseYears: 1 + rng.IntN(years+2)}
		if rng.IntN(3) == 0 {
			op.EarliestYear = 2026 + rng.IntN(years)
		}
		if o < 2 {
			op.Facility, op.Tier = "DC A", o+1
		}
		e.Options = append(e.Options, op)
	}
	if rng.IntN(4) == 0 {
		// Facility DC A closes in the last year: its tiers cannot be active then.
		e.Usable = make([][]bool, options)
		for o := range e.Usable {
			e.Usable[o] = make([]bool, years)
			for t := range e.Usable[o] {
				e.Usable[o][t] = e.Options[o].Facility == "" || t < years-1
			}
		}
	}
	return e
}

func TestExpandAgainstBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	feasible, infeasible, took := 0, 0, 0
	for k := 0; k < 60; k++ {
		years, options := 2+rng.IntN(3), 1+rng.IntN(4)
		e := randomExpansion(rng, years, options)
		t.Run(fmt.Sprintf("case%d_%dy_%do", k, years, options), func(t *testing.T) {
			want := bruteExpansion(e)
			got, err := capacity.Expand(context.Background(), e, exact)
			if math.IsInf(want, 1) {
				infeasible++
				if !errors.Is(err, capacity.ErrInfeasible) || got == nil || got.Status != "infeasible" || len(got.Reasons) == 0 {
					t.Fatalf("brute force finds no plan; Expand: %v %+v", err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("expand: %v (brute force %v)", err, want)
			}
			feasible++
			if got.Status != "optimal" || math.Abs(float64(got.Objective)-want) > objTol*math.Max(1, want) {
				t.Fatalf("status %s objective %v, brute force %v", got.Status, got.Objective, want)
			}
			if math.Abs(got.Costs.Total-want) > objTol*math.Max(1, want) {
				t.Fatalf("reported total %v, brute force %v", got.Costs.Total, want)
			}
			if len(got.Investment) > 0 {
				took++
			}
		})
	}
	// The random cases must exercise both answers and plans that take options.
	if feasible < 10 || infeasible < 3 || took < 5 {
		t.Errorf("weak case mix: %d feasible, %d infeasible, %d with investment", feasible, infeasible, took)
	}
}

func TestExpandHandMade(t *testing.T) {
	t.Parallel()
	base := func() *capacity.ExpansionInput {
		return &capacity.ExpansionInput{Years: []int{2026, 2027, 2028}, Required: []float64{100, 150, 200}, Net: []float64{85, 127.5, 170},
			Existing: []float64{100, 100, 100}, ThirdPartyCost: 10, ThirdPartyMaxShare: 0.5}
	}
	tests := []struct {
		name    string
		edit    func(e *capacity.ExpansionInput)
		obj     float64
		start   map[string]int // option -> start year (absent: not taken; 0: taken, any year)
		reasons string
	}{
		// 3PL only: 50 sq ft in 2027, 100 in 2028 at $10.
		{name: "3PL only", obj: 1500},
		// A 100 sq ft option at $2/sq ft/yr from 2027 (2 years, lease 2): 400 < 1500.
		{name: "expansion beats 3PL", edit: func(e *capacity.ExpansionInput) {
			e.Options = []capacity.Option{{Name: "x", Facility: "A", Sqft: 100, CostPerSqftYear: 2, LeaseYears: 2}}
		}, obj: 400, start: map[string]int{"x": 2027}},
		// The same lease committed for 5 years: 5 x 200 = 1000 whether it starts in 2026 or
		// 2027 (the years beyond the horizon count), still below 3PL's 1500.
		{name: "commitment beyond horizon counts", edit: func(e *capacity.ExpansionInput) {
			e.Options = []capacity.Option{{Name: "x", Facility: "A", Sqft: 100, CostPerSqftYear: 2, LeaseYears: 5}}
		}, obj: 1000, start: map[string]int{"x": 0}},
		// Committed for 8 years: 1600 > 3PL 1500, so 3PL.
		{name: "long commitment loses to 3PL", edit: func(e *capacity.ExpansionInput) {
			e.Options = []capacity.Option{{Name: "x", Facility: "A", Sqft: 100, CostPerSqftYear: 2, LeaseYears: 8}}
		}, obj: 1500},
		// Tier 2 is cheap but needs tier 1: tier 1 from 2027 (1000 one-off + 2 x 50) and
		// tier 2 in 2028 (10 + 50) = 1160, against 5000 for the new facility.
		{name: "tier order", edit: func(e *capacity.ExpansionInput) {
			e.ThirdPartyMaxShare = 0
			e.Options = []capacity.Option{
				{Name: "t1", Facility: "A", Tier: 1, Sqft: 50, OneOffCost: 1000, CostPerSqftYear: 1, LeaseYears: 1},
				{Name: "t2", Facility: "A", Tier: 2, Sqft: 50, OneOffCost: 10, CostPerSqftYear: 1, LeaseYears: 1},
				{Name: "new", Sqft: 50, OneOffCost: 5000, LeaseYears: 1}}
		}, obj: 1160, start: map[string]int{"t1": 2027, "t2": 2028}},
		{name: "earliest year", edit: func(e *capacity.ExpansionInput) {
			e.ThirdPartyMaxShare = 0
			e.Options = []capacity.Option{{Name: "late", Sqft: 100, LeaseYears: 1, EarliestYear: 2028}}
		}, reasons: "year 2027 needs 150 sq ft"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := base()
			if tc.edit != nil {
				tc.edit(e)
			}
			got, err := capacity.Expand(context.Background(), e, exact)
			if tc.reasons != "" {
				if !errors.Is(err, capacity.ErrInfeasible) || !strings.Contains(err.Error(), tc.reasons) {
					t.Fatalf("error %v, want infeasible with %q", err, tc.reasons)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(got.Objective)-tc.obj) > objTol*tc.obj || math.Abs(got.Costs.Total-tc.obj) > objTol*tc.obj {
				t.Fatalf("objective %v total %v, want %v", got.Objective, got.Costs.Total, tc.obj)
			}
			for _, p := range got.Options {
				want, ok := tc.start[p.Name]
				if p.Taken != ok || (ok && want != 0 && p.StartYear != want) {
					t.Errorf("option %s: taken %v start %d, want taken %v start %d", p.Name, p.Taken, p.StartYear, ok, want)
				}
			}
			if b := bruteExpansion(e); math.Abs(b-tc.obj) > objTol*tc.obj {
				t.Errorf("brute force %v disagrees with the hand figure %v", b, tc.obj)
			}
		})
	}
}
