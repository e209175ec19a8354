package capacity_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"networx/roles/capacity"
	"networx/roles/capacity/check"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
)

// handTol is the agreement required with hand-computed figures (they are exact decimals
// up to the normal quantiles, which come to 1e-12 from math.Erfinv).
const handTol = 1e-6

// Phi1 and Phi2 are the standard normal CDF at 1 and 2: service levels with z = 1 and 2.
const (
	phi1 = 0.8413447460685429
	phi2 = 0.9772498680518208
)

// handInput is the instance of the hand computation in TestHandFigures.
func handInput() *capacity.Input {
	s := capacity.Settings{OperatingDays: 250, LeadTimeDays: 9, ReviewPeriodDays: 7, DemandCV: 0.5, CarryingRate: 0.2,
		ServiceA: phi2, ServiceB: phi1, ServiceC: phi1, SupportSqft: 5000, ThirdPartyCostPerSqftYear: 12, ThirdPartyMaxShare: 0.2}
	s.MarkGiven(capacity.KeyLeadTime, capacity.KeyReviewPeriod, capacity.KeyDemandCV, capacity.KeyCarryingRate,
		capacity.KeyThirdPartyFee, capacity.KeyThirdPartyMax)
	return &capacity.Input{
		Volumes: []capacity.YearVolume{{Year: 2026, Units: 2500000}},
		SKUs: []capacity.SKU{
			{Name: "X", AnnualUnits: 2000000, UnitsPerCase: 10, CasesPerPallet: 40, UnitCost: 10},
			{Name: "Y", AnnualUnits: 500000, UnitsPerCase: 5, CasesPerPallet: 20, UnitCost: 4},
		},
		Existing: []capacity.Facility{{Name: "DC", Sqft: 9000}},
		Settings: s,
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= handTol*math.Max(1, math.Abs(b)) }

// TestHandFigures checks the inventory and space figures against a hand computation.
//
// X: value 20,000,000 of 22,000,000 -> class A (z = 2); Y: share before it 0.909 -> with
// cuts 0.80/0.95 class B (z = 1). mu_X = 2,000,000/250 = 8000/day, sigma 4000,
// sqrt(L+r) = 4: SS_X = 2 x 4000 x 4 = 32,000, cycle 8000 x 7/2 = 28,000, ROP = 8000 x 9
// + 32,000 = 104,000, average 60,000, turns 2,000,000/60,000, holding 60,000 x 10 x 0.2 =
// 120,000. mu_Y = 2000, SS_Y = 1 x 1000 x 4 = 4000, cycle 7000, ROP 22,000, average
// 11,000, holding 8800. Pallets: X 400 units, Y 100 units per pallet; daily 20 + 20 = 40;
// cycle pallets (days on hand = review 7) 280; safety 80 + 40 = 120; 400 pallets on
// floor(32/6) = 5 levels = 80 positions x 13.333 / 0.5 = 2133.33 sq ft; doors 2 x
// ceil(40/52) = 2 x 720 = 1440; support 5000; net 8573.33; gross / 0.85 = 10086.27.
// Existing 9000 sq ft, 3PL up to 20 % (2017.25): 1086.27 sq ft of 3PL at $12 = 13,035.29.
func TestHandFigures(t *testing.T) {
	t.Parallel()
	in := handInput()
	res, err := capacity.Plan(context.Background(), in, exact)
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Inventory
	wantSKU := map[string][]float64{ // class z, SS, cycle, ROP, average, turns, holding
		"X": {2, 32000, 28000, 104000, 60000, 2000000.0 / 60000, 120000},
		"Y": {1, 4000, 7000, 22000, 11000, 500000.0 / 11000, 8800},
	}
	wantClass := map[string]string{"X": "A", "Y": "B"}
	for _, s := range inv.SKUs {
		w := wantSKU[s.SKU]
		got := []float64{s.Z, s.SafetyStock, s.CycleStock, s.ReorderPoint, s.AverageInventory, float64(s.Turns), s.HoldingCost}
		for k := range w {
			if !near(got[k], w[k]) {
				t.Errorf("SKU %s figure %d: %v, hand %v", s.SKU, k, got[k], w[k])
			}
		}
		if s.Class != wantClass[s.SKU] {
			t.Errorf("SKU %s class %s, hand %s", s.SKU, s.Class, wantClass[s.SKU])
		}
	}
	y := inv.Years[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"safety", y.SafetyStock, 36000}, {"cycle", y.CycleStock, 35000}, {"average", y.AverageInventory, 71000},
		{"holding", y.HoldingCost, 128800}, {"turns", float64(y.Turns), 2500000.0 / 71000}, {"pooling", y.Pooling, 1}} {
		if !near(c.got, c.want) {
			t.Errorf("year %s: %v, hand %v", c.name, c.got, c.want)
		}
	}
	sp := res.Space[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"pallets", sp.Pallets, 400}, {"positions", float64(sp.Positions), 80}, {"storage", sp.StorageSqft, 80 * 48 * 40 / 144.0 / 0.5},
		{"doors", float64(sp.Doors), 2}, {"dock", sp.DockSqft, 1440}, {"net", sp.NetSqft, 80*48*40/144.0/0.5 + 1440 + 5000},
		{"gross", sp.GrossSqft, (80*48*40/144.0/0.5 + 1440 + 5000) / 0.85}} {
		if !near(c.got, c.want) {
			t.Errorf("space %s: %v, hand %v", c.name, c.got, c.want)
		}
	}
	g := (80*48*40/144.0/0.5 + 1440 + 5000) / 0.85
	e := res.Expansion.Years[0]
	if !near(e.ThirdPartySqft, g-9000) || !near(e.ThirdPartyCost, (g-9000)*12) || res.Status != "optimal" {
		t.Errorf("3PL %v sq ft $%v status %s, hand %v sq ft $%v", e.ThirdPartySqft, e.ThirdPartyCost, res.Status, g-9000, (g-9000)*12)
	}
	if err := check.Plan(in, res); err != nil {
		t.Errorf("checker: %v", err)
	}

	// Pooling over two facilities with 3/4 and 1/4 of the volume: safety stock x
	// (sqrt(0.75) + sqrt(0.25)). Two buildings need support and doors twice: more space.
	in.Existing[0].Sqft = 20000
	in.Loads = []capacity.FacilityUnits{{Year: 2026, Facility: "A", Units: 1875000}, {Year: 2026, Facility: "B", Units: 625000}}
	res, err = capacity.Plan(context.Background(), in, exact)
	if err != nil {
		t.Fatal(err)
	}
	f := math.Sqrt(0.75) + 0.5
	if y := res.Inventory.Years[0]; !near(y.SafetyStock, 36000*f) || !near(y.SafetyStockCentral, 36000) || y.Facilities != 2 {
		t.Errorf("pooled safety stock %v (central %v, %d facilities), hand %v", y.SafetyStock, y.SafetyStockCentral, y.Facilities, 36000*f)
	}
	if res.Scope != "per_facility" || len(res.FacilitySpace) != 2 {
		t.Errorf("scope %s with %d facility rows", res.Scope, len(res.FacilitySpace))
	}
	if err := check.Plan(in, res); err != nil {
		t.Errorf("checker (pooled): %v", err)
	}
}

// randomInput is a random planning instance with growth that outruns today's space.
func randomInput(rng *rand.Rand, years, skus, options int, loads bool) *capacity.Input {
	s := capacity.Settings{LeadTimeDays: float64(3 + rng.IntN(20)), ReviewPeriodDays: float64(1 + rng.IntN(14)),
		DemandCV: 0.2 + rng.Float64(), CarryingRate: 0.15 + 0.15*rng.Float64(), SupportSqft: float64(rng.IntN(20000)),
		ThirdPartyCostPerSqftYear: 12 + 8*rng.Float64(), ThirdPartyMaxShare: 0.05 + 0.25*rng.Float64()}
	s.MarkGiven(capacity.KeyLeadTime, capacity.KeyReviewPeriod, capacity.KeyDemandCV, capacity.KeyCarryingRate,
		capacity.KeyThirdPartyFee, capacity.KeyThirdPartyMax)
	in := &capacity.Input{Settings: s}
	units := 2e6 + 8e6*rng.Float64()
	for t := 0; t < years; t++ {
		in.Volumes = append(in.Volumes, capacity.YearVolume{Year: 2030 + t, Units: units})
		units *= 1.05 + 0.15*rng.Float64()
	}
	for k := 0; k < skus; k++ {
		in.SKUs = append(in.SKUs, capacity.SKU{Name: fmt.Sprintf("S%d", k), AnnualUnits: float64(1000 + rng.IntN(100000)),
			UnitsPerCase: float64(1 + rng.IntN(24)), CasesPerPallet: float64(10 + rng.IntN(50)), UnitCost: 1 + 50*rng.Float64()})
	}
	in.Existing = []capacity.Facility{{Name: "DC A", Sqft: 15000}, {Name: "DC B", Sqft: 10000}}
	for o := 0; o < options; o++ {
		op := capacity.Option{Name: fmt.Sprintf("opt%d", o), Sqft: float64(5000 * (1 + rng.IntN(5))), OneOffCost: float64(rng.IntN(200000)),
			CostPerSqftYear: 4 + 4*rng.Float64(), LeaseYears: 1 + rng.IntN(7)}
		switch o {
		case 0, 1:
			op.Facility, op.Tier = "DC A", o+1
		case 2:
			op.Facility = "DC B"
		}
		in.Options = append(in.Options, op)
	}
	if loads {
		for _, v := range in.Volumes {
			a := 0.3 + 0.4*rng.Float64()
			in.Loads = append(in.Loads, capacity.FacilityUnits{Year: v.Year, Facility: "DC A", Units: a * v.Units},
				capacity.FacilityUnits{Year: v.Year, Facility: "DC B", Units: (1 - a) * v.Units})
		}
		// DC B closes in the last year: its expansion cannot be active then.
		in.Existing[1].OpenYears = []int{}
		for _, v := range in.Volumes[:years-1] {
			in.Existing[1].OpenYears = append(in.Existing[1].OpenYears, v.Year)
		}
	}
	return in
}

func TestPlanChecked(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	planned, invested := 0, 0
	for k := 0; k < 30; k++ {
		in := randomInput(rng, 3+rng.IntN(4), 1+rng.IntN(30), 2+rng.IntN(4), k%2 == 1)
		res, err := capacity.Plan(context.Background(), in, exact)
		if errors.Is(err, capacity.ErrInfeasible) {
			if len(res.Reasons) == 0 {
				t.Errorf("case %d: infeasible without reasons", k)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", k, err)
		}
		planned++
		if len(res.Expansion.Investment) > 0 {
			invested++
		}
		if res.Status != "optimal" {
			t.Errorf("case %d: status %s", k, res.Status)
		}
		if err := check.Plan(in, res); err != nil {
			t.Errorf("case %d: checker: %v", k, err)
		}
	}
	if planned < 10 || invested < 5 {
		t.Errorf("weak case mix: %d planned, %d with investment", planned, invested)
	}
}

// TestCheckerCatchesErrors corrupts a plan in the ways the checker exists to catch.
func TestCheckerCatchesErrors(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	var in *capacity.Input
	var base *capacity.Result
	for in == nil {
		c := randomInput(rng, 4, 10, 4, false)
		res, err := capacity.Plan(context.Background(), c, exact)
		if err == nil && len(res.Expansion.Investment) > 0 && res.Expansion.Years[1].ThirdPartySqft > 1 {
			in, base = c, res
		}
	}
	tests := []struct {
		name    string
		corrupt func(r *capacity.Result)
		want    string
	}{
		{"3PL cut", func(r *capacity.Result) {
			r.Expansion.Years[1].ThirdPartySqft = 0
			r.Expansion.Years[1].ThirdPartyCost = 0
		}, ""},
		{"option dropped early", func(r *capacity.Result) {
			for k := range r.Expansion.Options {
				if p := &r.Expansion.Options[k]; p.Taken {
					p.EndYear = p.StartYear - 1
					return
				}
			}
		}, "option"},
		{"requirement understated", func(r *capacity.Result) { r.Space[2].GrossSqft *= 0.9 }, "space"},
		{"cheaper lease", func(r *capacity.Result) { r.Expansion.Costs.Lease *= 0.5 }, "expansion costs"},
		{"safety stock", func(r *capacity.Result) { r.Inventory.Years[0].SafetyStock *= 1.01 }, "inventory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := clone(t, base)
			tc.corrupt(r)
			err := check.Plan(in, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("checker: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if err := check.Plan(in, base); err != nil {
		t.Fatalf("uncorrupted plan: %v", err)
	}
}

func TestValidationNamesTheInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(in *capacity.Input)
		want []string
	}{
		{"missing lead time", func(in *capacity.Input) { delete(in.Settings.Given, capacity.KeyLeadTime) },
			[]string{"lead_time_days is required", "settings sheet"}},
		{"sku without unit cost", func(in *capacity.Input) { in.SKUs[1].UnitCost, in.SKUs[1].Source = 0, "skus.csv row 3" },
			[]string{"skus.csv row 3: column unit_cost", `SKU "Y"`}},
		{"tier without lower tier", func(in *capacity.Input) {
			in.Options = []capacity.Option{{Name: "t2", Facility: "DC", Tier: 2, Sqft: 1, LeaseYears: 1, Source: "space_options.csv row 2"}}
		}, []string{"tier 2", "no tier 1"}},
		{"option on unknown facility", func(in *capacity.Input) {
			in.Options = []capacity.Option{{Name: "o", Facility: "Nowhere", Sqft: 1, LeaseYears: 1, Source: "space_options.csv row 2"}}
		}, []string{"space_options.csv row 2: column facility", "Nowhere"}},
		{"rack above ceiling", func(in *capacity.Input) { in.Settings.RackHeightFt = 40 }, []string{"rack_height_ft"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := handInput()
			tc.edit(in)
			_, err := capacity.Plan(context.Background(), in, exact)
			if !errors.Is(err, capacity.ErrInput) {
				t.Fatalf("error %v, want ErrInput", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestFromCanon reads a CSV folder: settings, sizes, options, and the errors for missing
// client data.
func TestFromCanon(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"facilities.csv":    "name,lat,lon,kind,size_sqft\nDC A,40,-90,existing,100000\nDC B,35,-100,existing,\nC1,38,-95,candidate,\n",
		"destinations.csv":  "name,lat,lon\nX,41,-91\n",
		"demand.csv":        "destination,units\nX,1000\n",
		"skus.csv":          "sku,annual_units,units_per_case,cases_per_pallet,unit_cost\nS1,600,6,40,10\nS2,400,,40,5\n",
		"forecast.csv":      "year,units,growth_pct\n2026,1000,\n2027,,10\n",
		"space_options.csv": "option,facility,sqft,one_off_cost,cost_per_sqft_year,lease_years,earliest_year,tier\nA+1,DC A,20000,100000,7.5,5,2027,1\n",
		"settings.csv":      "key,value\ncost_per_unit_mile,0.01\nlead_time_days,10\nreview_period_days,7\ndemand_cv,50%\ncarrying_rate,0.25\nthird_party_cost_per_sqft_year,12\n",
	}
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in, err := canon.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = capacity.FromCanon(in, nil)
	if err == nil {
		t.Fatal("no error for a missing existing size")
	}
	if !strings.Contains(err.Error(), "facilities.csv row 3 column size_sqft") || !strings.Contains(err.Error(), `"DC B"`) {
		t.Errorf("error %q does not name the row and column of the missing size", err)
	}
	in.SizeSqft["DC B"] = 50000
	p, err := capacity.FromCanon(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Settings.DemandCV != 0.5 || len(p.Options) != 1 || p.Options[0].EarliestYear != 2027 || len(p.Existing) != 2 {
		t.Errorf("settings %+v options %+v existing %+v", p.Settings, p.Options, p.Existing)
	}
	if len(p.Volumes) != 2 || p.Volumes[1].Units != 1100 {
		t.Errorf("volumes %+v, want 1000 then 1100", p.Volumes)
	}
	_, err = capacity.Plan(context.Background(), p, exact)
	for _, w := range []string{"third_party_max_share is required", `skus.csv row 3: column units_per_case`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("plan error %v does not mention %q", err, w)
		}
	}
	// A result's open years and loads carry over.
	res := &optimization.Result{OpenByYear: []optimization.YearFacilities{{Year: 2026, Facilities: []string{"DC A"}}},
		Assignments: []optimization.Assignment{{Year: 2026, Facility: "DC A", Units: 1000}}}
	p, err = capacity.FromCanon(in, res)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Loads) != 1 || p.Existing[1].OpenYears == nil || len(p.Existing[1].OpenYears) != 0 {
		t.Errorf("loads %+v existing %+v", p.Loads, p.Existing)
	}
}

// TestPlanCanon runs the plan that follows a network solve on CSV folders, and sorts its
// outcome as networx optimize and the optimize job do: no SKUs is a note, missing data a
// failure, a requirement no space covers an answer.
func TestPlanCanon(t *testing.T) {
	t.Parallel()
	network := map[string]string{
		"facilities.csv":   "name,lat,lon,kind,size_sqft\nDC A,40,-90,existing,100000\n",
		"destinations.csv": "name,lat,lon\nX,41,-91\n",
		"demand.csv":       "destination,units\nX,1000000\n",
	}
	skus := "sku,annual_units,units_per_case,cases_per_pallet,unit_cost\nS1,600,6,40,10\nS2,400,12,30,5\n"
	settings := "key,value\ncost_per_unit_mile,0.01\nlead_time_days,10\nreview_period_days,7\ndemand_cv,0.5\ncarrying_rate,0.25\n" +
		"third_party_cost_per_sqft_year,12\nthird_party_max_share,0.5\n"
	tests := []struct {
		name      string
		edit      map[string]string
		status    string // of the plan; "" for none
		wantErr   error
		note      string
		failure   string
		noFailure bool
	}{
		{name: "planned", edit: map[string]string{"skus.csv": skus, "settings.csv": settings}, status: "optimal", noFailure: true},
		{name: "no skus", edit: map[string]string{"settings.csv": "key,value\ncost_per_unit_mile,0.01\n"}, wantErr: capacity.ErrNoSKUs,
			note: "not planned: the input has no skus dataset", noFailure: true},
		{name: "missing data", edit: map[string]string{"skus.csv": skus, "settings.csv": "key,value\ncost_per_unit_mile,0.01\n",
			"facilities.csv": "name,lat,lon,kind\nDC A,40,-90,existing\n"}, wantErr: capacity.ErrInput,
			note: "not planned: ", failure: `capacity plan: invalid capacity input: facilities.csv row 2 column size_sqft: existing facility "DC A" has no size`},
		{name: "no space covers", edit: map[string]string{"skus.csv": skus, "facilities.csv": "name,lat,lon,kind,size_sqft\nDC A,40,-90,existing,10\n",
			"settings.csv": strings.Replace(settings, "third_party_max_share,0.5", "third_party_max_share,0", 1)},
			status: "infeasible", wantErr: capacity.ErrInfeasible, note: "no expansion plan covers", noFailure: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := map[string]string{}
			for k, v := range network {
				files[k] = v
			}
			for k, v := range tc.edit {
				files[k] = v
			}
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			in, err := canon.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := capacity.PlanCanon(context.Background(), in, nil, exact)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			switch {
			case plan == nil && tc.status != "":
				t.Errorf("no plan, want one with status %q", tc.status)
			case plan != nil && plan.Status != tc.status:
				t.Errorf("plan status %q, want %q", plan.Status, tc.status)
			}
			note, failure := capacity.Outcome(err)
			if !strings.Contains(note, tc.note) {
				t.Errorf("note %q, want it to contain %q", note, tc.note)
			}
			switch {
			case tc.noFailure && failure != nil:
				t.Errorf("failure %v, want none", failure)
			case !tc.noFailure && (failure == nil || !strings.Contains(failure.Error(), tc.failure)):
				t.Errorf("failure %v, want one containing %q", failure, tc.failure)
			}
		})
	}
}
