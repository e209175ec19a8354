package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/solver"
)

// SKU is one item: its base-year units give its share of the volume mix.
type SKU struct {
	Name           string  `json:"sku"`
	AnnualUnits    float64 `json:"annual_units"`
	UnitsPerCase   float64 `json:"units_per_case"`
	CasesPerPallet float64 `json:"cases_per_pallet"`
	UnitCost       float64 `json:"unit_cost"`
	Source         string  `json:"-"`
}

// YearVolume is the network's total volume N_t of one year, in units.
type YearVolume struct {
	Year  int     `json:"year"`
	Units float64 `json:"units"`
}

// Facility is an existing building with its internal space.
type Facility struct {
	Name string  `json:"name"`
	Sqft float64 `json:"sqft"`
	// OpenYears are the years the facility is open (from a network result); nil means
	// every year.
	OpenYears []int  `json:"open_years,omitempty"`
	Source    string `json:"-"`
}

// Option is an expansion tier of an existing facility (Facility set) or a new facility
// (Facility empty): Sqft added from its start year for at least LeaseYears, at OneOffCost
// once and CostPerSqftYear per sq ft and year while active.
type Option struct {
	Name            string  `json:"option"`
	Facility        string  `json:"facility,omitempty"`
	Sqft            float64 `json:"sqft"`
	OneOffCost      float64 `json:"one_off_cost"`
	CostPerSqftYear float64 `json:"cost_per_sqft_year"`
	LeaseYears      int     `json:"lease_years"`
	// EarliestYear is the first year the option can start; 0 means the first year.
	EarliestYear int `json:"earliest_year,omitempty"`
	// Tier orders the expansions of one facility: tier k is active only while tier k-1 is;
	// 0 means 1.
	Tier   int    `json:"tier,omitempty"`
	Source string `json:"-"`
}

// Kind says whether the option expands an existing facility or is a new one.
func (o Option) Kind() string {
	if o.Facility == "" {
		return "new_facility"
	}
	return "expansion"
}

func (o Option) tier() int {
	if o.Tier == 0 {
		return 1
	}
	return o.Tier
}

// FacilityUnits is the volume a facility handles in a year (from a network result).
type FacilityUnits struct {
	Year     int     `json:"year"`
	Facility string  `json:"facility"`
	Units    float64 `json:"units"`
}

// Input is what capacity planning reads.
type Input struct {
	Volumes  []YearVolume
	SKUs     []SKU
	Existing []Facility
	Options  []Option
	// Loads, when given, split each year's volume over the open facilities: the space
	// requirement is then per facility and safety stock pools over them by the
	// square-root law. Without Loads the network is one pool.
	Loads    []FacilityUnits
	Settings Settings
}

// Validate reports every problem of the input, naming where it comes from.
func (in *Input) Validate() error {
	var errs []error
	bad := func(src, format string, args ...any) {
		if src != "" {
			src += ": "
		}
		errs = append(errs, fmt.Errorf("%w: %s%s", ErrInput, src, fmt.Sprintf(format, args...)))
	}
	if err := in.Settings.Validate(true); err != nil {
		errs = append(errs, err)
	}
	if len(in.Volumes) == 0 {
		bad("forecast", "no yearly volume: capacity planning needs demand or a forecast")
	}
	for k, v := range in.Volumes {
		if !(v.Units >= 0) || math.IsInf(v.Units, 0) {
			bad("forecast", "year %d: volume %v is not a non-negative number", v.Year, v.Units)
		}
		if k > 0 && v.Year <= in.Volumes[k-1].Year {
			bad("forecast", "years must increase: %d after %d", v.Year, in.Volumes[k-1].Year)
		}
	}
	if len(in.SKUs) == 0 {
		bad("skus", "no SKUs: the space requirement and the inventory model need the skus dataset (sku, annual_units, units_per_case, cases_per_pallet, unit_cost)")
	}
	total := 0.0
	seen := map[string]bool{}
	for _, s := range in.SKUs {
		if seen[s.Name] {
			bad(s.Source, "SKU %q appears twice", s.Name)
		}
		seen[s.Name] = true
		total += s.AnnualUnits
		for _, f := range []struct {
			col string
			v   float64
		}{{"units_per_case", s.UnitsPerCase}, {"cases_per_pallet", s.CasesPerPallet}, {"unit_cost", s.UnitCost}} {
			if !(f.v > 0) || math.IsInf(f.v, 0) {
				bad(s.Source, "column %s: SKU %q needs a positive %s for capacity and inventory planning (got %v)", f.col, s.Name, f.col, f.v)
			}
		}
		if !(s.AnnualUnits >= 0) || math.IsInf(s.AnnualUnits, 0) {
			bad(s.Source, "column annual_units: %v is not a non-negative number", s.AnnualUnits)
		}
	}
	if len(in.SKUs) > 0 && total <= 0 {
		bad("skus", "annual_units sum to zero: the SKU mix is undefined")
	}
	fac := map[string]bool{}
	for _, f := range in.Existing {
		fac[f.Name] = true
		if !(f.Sqft >= 0) || math.IsInf(f.Sqft, 0) {
			bad(f.Source, "column size_sqft: existing facility %q: size %v is not a non-negative number", f.Name, f.Sqft)
		}
	}
	names := map[string]bool{}
	type ft struct {
		f string
		t int
	}
	tiers := map[ft]string{}
	for _, o := range in.Options {
		if strings.TrimSpace(o.Name) == "" {
			bad(o.Source, "column option: the option has no name")
		}
		if names[o.Name] {
			bad(o.Source, "column option: option %q appears twice", o.Name)
		}
		names[o.Name] = true
		if o.Facility != "" && !fac[o.Facility] {
			bad(o.Source, "column facility: %q is not an existing facility (leave it empty for a new facility)", o.Facility)
		}
		if !(o.Sqft > 0) || math.IsInf(o.Sqft, 0) {
			bad(o.Source, "column sqft: option %q adds %v sq ft; it must add a positive area", o.Name, o.Sqft)
		}
		for _, c := range []struct {
			col string
			v   float64
		}{{"one_off_cost", o.OneOffCost}, {"cost_per_sqft_year", o.CostPerSqftYear}} {
			if !(c.v >= 0) || math.IsInf(c.v, 0) {
				bad(o.Source, "column %s: %v is not a non-negative number", c.col, c.v)
			}
		}
		if o.LeaseYears < 1 {
			bad(o.Source, "column lease_years: option %q: lease commitment %d must be at least one year", o.Name, o.LeaseYears)
		}
		if o.Tier < 0 || (o.Tier > 1 && o.Facility == "") {
			bad(o.Source, "column tier: tier %d: tiers order the expansions of an existing facility", o.Tier)
		}
		if o.Facility != "" {
			k := ft{o.Facility, o.tier()}
			if prev, ok := tiers[k]; ok {
				bad(o.Source, "column tier: facility %q has two options of tier %d (%q and %q)", o.Facility, o.tier(), prev, o.Name)
			}
			tiers[k] = o.Name
		}
	}
	for k, o := range tiers {
		if k.t > 1 {
			if _, ok := tiers[ft{k.f, k.t - 1}]; !ok {
				bad("space_options", "option %q is tier %d of %q but there is no tier %d", o, k.t, k.f, k.t-1)
			}
		}
	}
	for _, l := range in.Loads {
		if !(l.Units >= 0) || math.IsInf(l.Units, 0) {
			bad("", "load of %q in %d: %v units", l.Facility, l.Year, l.Units)
		}
	}
	return errors.Join(errs...)
}

// settingKeys are the settings keys capacity planning reads, with their fields.
func settingFields(s *Settings) map[string]*float64 {
	return map[string]*float64{
		"operating_days": &s.OperatingDays, "days_on_hand": &s.DaysOnHand, "clear_height_ft": &s.ClearHeightFt,
		"rack_height_ft": &s.RackHeightFt, "pallet_footprint_sqft": &s.PalletFootprintSqft, "aisle_factor": &s.AisleFactor,
		"pallets_per_door_per_day": &s.PalletsPerDoorPerDay, "door_area_sqft": &s.DoorAreaSqft, "support_sqft": &s.SupportSqft,
		"max_utilization": &s.MaxUtilization, KeyLeadTime: &s.LeadTimeDays, KeyReviewPeriod: &s.ReviewPeriodDays,
		KeyDemandCV: &s.DemandCV, KeyCarryingRate: &s.CarryingRate, "service_level_a": &s.ServiceA,
		"service_level_b": &s.ServiceB, "service_level_c": &s.ServiceC, "abc_a_share": &s.ClassA, "abc_b_share": &s.ClassB,
		KeyThirdPartyFee: &s.ThirdPartyCostPerSqftYear, KeyThirdPartyMax: &s.ThirdPartyMaxShare,
	}
}

// SettingKeys returns the settings keys capacity planning reads, sorted.
func SettingKeys() []string {
	var s Settings
	keys := make([]string, 0, 24)
	for k := range settingFields(&s) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseSettings reads the capacity keys of a settings dataset (values may end in %,
// meaning hundredths). An unknown key is an error: a misspelt key would otherwise be
// ignored silently.
func ParseSettings(rows map[string]canon.Setting) (Settings, error) {
	var s Settings
	s.Given, s.Source = map[string]bool{}, map[string]string{}
	fields := settingFields(&s)
	var errs []error
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row := rows[k]
		p, ok := fields[k]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s: unknown setting %q (capacity and inventory keys: %s)", ErrInput, row.Source, k, strings.Join(SettingKeys(), ", ")))
			continue
		}
		v := strings.TrimSpace(row.Value)
		pct := strings.HasSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			errs = append(errs, fmt.Errorf("%w: %s: setting %s = %q is not a number", ErrInput, row.Source, k, row.Value))
			continue
		}
		if pct {
			f /= 100
		}
		*p = f
		s.Given[k] = true
		s.Source[k] = row.Source
	}
	return s, errors.Join(errs...)
}

// FromCanon builds the planning input from a loaded input and, when res is not nil, the
// network result whose open facilities and assignments split the volume (per-facility
// requirement, pooling, the years existing facilities stay open). Missing client data is
// an error naming the file or sheet, the row and the column.
func FromCanon(in *canon.Input, res *optimization.Result) (*Input, error) {
	var errs []error
	set, err := ParseSettings(in.Settings)
	if err != nil {
		errs = append(errs, err)
	}
	out := &Input{Settings: set}
	vols, err := Volumes(&in.Network)
	if err != nil {
		errs = append(errs, err)
	}
	out.Volumes = vols
	for _, s := range in.SKUs {
		out.SKUs = append(out.SKUs, SKU{Name: s.SKU, AnnualUnits: s.AnnualUnits, UnitsPerCase: s.UnitsPerCase,
			CasesPerPallet: s.CasesPerPallet, UnitCost: s.UnitCost, Source: s.Source})
	}
	openYears := map[string][]int{}
	if res != nil {
		for _, y := range res.OpenByYear {
			for _, f := range y.Facilities {
				openYears[f] = append(openYears[f], y.Year)
			}
		}
	}
	for _, f := range in.Network.Facilities {
		if f.Kind != optimization.Existing {
			continue
		}
		sq, ok := in.SizeSqft[f.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s column size_sqft: existing facility %q has no size; capacity planning needs the size of every existing facility", ErrInput, f.Source, f.Name))
			continue
		}
		fc := Facility{Name: f.Name, Sqft: sq, Source: f.Source}
		if res != nil {
			fc.OpenYears = append([]int{}, openYears[f.Name]...)
		}
		out.Existing = append(out.Existing, fc)
	}
	for _, o := range in.SpaceOptions {
		out.Options = append(out.Options, Option{Name: o.Option, Facility: o.Facility, Sqft: o.Sqft, OneOffCost: o.OneOffCost,
			CostPerSqftYear: o.CostPerSqftYear, LeaseYears: o.LeaseYears, EarliestYear: o.EarliestYear, Tier: o.Tier, Source: o.Source})
	}
	if res != nil {
		load := map[[2]string]float64{}
		var order [][2]string
		for _, a := range res.Assignments {
			k := [2]string{strconv.Itoa(a.Year), a.Facility}
			if _, ok := load[k]; !ok {
				order = append(order, k)
			}
			load[k] += a.Units
		}
		for _, k := range order {
			y, _ := strconv.Atoi(k[0])
			out.Loads = append(out.Loads, FacilityUnits{Year: y, Facility: k[1], Units: load[k]})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// ErrNoSKUs is PlanCanon's answer for an input without a skus dataset: it asks for no
// capacity plan, which is not a failure.
var ErrNoSKUs = errors.New("the input has no skus dataset (capacity and inventory planning need skus, a forecast or demand, the sizes of the existing facilities, space_options and the capacity settings; docs/models.md)")

// PlanCanon is the capacity and inventory plan that follows a network solve (networx
// optimize and the optimize and sweep jobs): for a loaded input with SKUs, the volume
// split by the network result's open facilities and assignments, or network-wide when
// res is nil or has no assignments (an infeasible network). An input without SKUs returns
// ErrNoSKUs; missing or invalid client data an error wrapping ErrInput that names the
// file or sheet, the row and the column; otherwise it returns as Plan (a plan with an
// error wrapping ErrInfeasible when no choice of space covers the requirement).
func PlanCanon(ctx context.Context, in *canon.Input, res *optimization.Result, set solver.Settings) (*Result, error) {
	if len(in.SKUs) == 0 {
		return nil, ErrNoSKUs
	}
	if res != nil && len(res.Assignments) == 0 {
		res = nil
	}
	cin, err := FromCanon(in, res)
	if err != nil {
		return nil, err
	}
	return Plan(ctx, cin, set)
}

// Outcome sorts the error of PlanCanon, the same way for networx optimize and the model
// jobs (docs/models.md): without SKUs no plan is asked for (a note, no failure); a plan
// that no choice of space covers is an answer (the plan says infeasible, with reasons);
// anything else, above all missing client data, is a failure the run must report after
// delivering the network results. note says why there is no plan (or why it failed).
func Outcome(err error) (note string, failure error) {
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, ErrNoSKUs):
		return "not planned: " + err.Error(), nil
	case errors.Is(err, ErrInfeasible):
		return err.Error(), nil
	}
	return "not planned: " + err.Error(), fmt.Errorf("capacity plan: %w", err)
}

// Volumes returns the network's volume by year: the demand of each year, or with a
// forecast, each forecast year's units (or the previous total grown by growth_pct), as
// the network model reads them (docs/models.md, "Demand by year").
func Volumes(n *optimization.Network) ([]YearVolume, error) {
	byYear := map[int]float64{}
	total := 0.0
	for _, d := range n.Demand {
		byYear[d.Year] += d.Units
		total += d.Units
	}
	if len(n.Forecast) == 0 {
		var out []YearVolume
		for y, u := range byYear {
			if y == 0 {
				y = n.Settings.BaseYear
			}
			out = append(out, YearVolume{Year: y, Units: u})
		}
		sort.Slice(out, func(a, b int) bool { return out[a].Year < out[b].Year })
		if len(out) == 0 {
			return nil, fmt.Errorf("%w: demand: no demand rows and no forecast: capacity planning needs a volume per year", ErrInput)
		}
		return out, nil
	}
	fc := append([]optimization.YearUnits(nil), n.Forecast...)
	sort.Slice(fc, func(a, b int) bool { return fc[a].Year < fc[b].Year })
	out := make([]YearVolume, len(fc))
	prev := total
	for t, f := range fc {
		u := f.Units
		if u == 0 {
			if t == 0 && total == 0 {
				return nil, fmt.Errorf("%w: %s: growth_pct without units needs demand rows to grow from", ErrInput, f.Source)
			}
			u = prev * (1 + f.GrowthPct/100)
		}
		out[t] = YearVolume{Year: f.Year, Units: u}
		prev = u
	}
	return out, nil
}
