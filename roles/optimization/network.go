package optimization

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Kind says whether a facility exists today or is a candidate site.
type Kind string

// The two facility kinds.
const (
	Existing  Kind = "existing"
	Candidate Kind = "candidate"
)

// Location is a point on the earth in decimal degrees. Known is false when the input gave
// no location (allowed only when every cost the facility or destination needs comes from
// explicit lanes and no distance rule applies).
type Location struct {
	Lat, Lon float64
	Known    bool
}

// Facility is an existing warehouse or a candidate site.
type Facility struct {
	Name     string
	Location Location
	Kind     Kind
	// FixedCost is the cost per year of keeping the facility open (dollars).
	FixedCost float64
	// Capacity is the throughput in units per year; 0 means uncapacitated.
	Capacity float64
	// OpeningCost is paid once when a candidate opens.
	OpeningCost float64
	// ClosingCost is paid once when an existing facility closes before its lease ends.
	ClosingCost float64
	// LeaseEndYear is the last year of an existing facility's lease; 0 means none (closing
	// it always pays ClosingCost).
	LeaseEndYear int
	// Mandatory facilities are open in every year.
	Mandatory bool
	// Source locates the facility in the input ("facilities.csv row 4"), for messages.
	Source string
}

// Destination is a demand point.
type Destination struct {
	Name     string
	Location Location
	Source   string
}

// Demand is the units a destination needs in a year. Year 0 means the base year.
type Demand struct {
	Destination string
	Year        int
	Units       float64
	Source      string
}

// Lane is an explicit transport rate from a facility to a destination.
type Lane struct {
	Facility, Destination string
	CostPerUnit           float64
	Source                string
}

// Shipment is one line of the freight history.
type Shipment struct {
	Date                string
	Origin, Destination string
	Cost                float64
	Units               float64
	Weight              float64
	Mode, Carrier       string
	Source              string
}

// YearUnits is the forecast total volume of one year.
type YearUnits struct {
	Year  int
	Units float64
	// GrowthPct is used when Units is 0: growth over the previous year (or over the base
	// demand for the first forecast year), in percent.
	GrowthPct float64
	Source    string
}

// Network is the typed input of the network-design model, independent of file formats.
type Network struct {
	Facilities   []Facility
	Destinations []Destination
	Demand       []Demand
	Lanes        []Lane
	Shipments    []Shipment
	Forecast     []YearUnits
	Settings     Settings
}

// Defaults of the optional settings (docs/models.md).
const (
	// DefaultCircuity is the road-over-great-circle factor, the usual value for the US.
	DefaultCircuity = 1.17
	// DefaultLeaseYears is the lease commitment in years.
	DefaultLeaseYears = 7
	// EarthRadiusMiles is the mean earth radius used by the haversine distance.
	EarthRadiusMiles = 3958.8
)

// Settings are the scenario parameters. Their zero values mean the documented defaults.
type Settings struct {
	// BaseYear labels demand rows without a year; 0 means "base" (year 0).
	BaseYear int
	// Circuity multiplies great-circle distances; 0 means DefaultCircuity.
	Circuity float64
	// LeaseYears is the lease commitment L; 0 means DefaultLeaseYears. L >= number of
	// years gives the fixed-lease model, L < years the rolling-lease model.
	LeaseYears int
	// MinOpen and MaxOpen bound the number of open facilities per year; 0 means no bound.
	MinOpen, MaxOpen int
	// ServiceRadius R in miles; 0 means no service requirement.
	ServiceRadius float64
	// ServiceShare s in (0,1]: the share of demand within R of its facility; required when
	// ServiceRadius is set.
	ServiceShare float64
	// SingleSource makes every destination served by one facility per year.
	SingleSource bool
	// CostPerUnitMile and FixedCostPerUnit are the third transport-rate source:
	// c_ij = FixedCostPerUnit + CostPerUnitMile * d_ij, when set (CostPerUnitMile > 0).
	CostPerUnitMile  float64
	FixedCostPerUnit float64
}

func (s Settings) circuity() float64 {
	if s.Circuity > 0 {
		return s.Circuity
	}
	return DefaultCircuity
}

func (s Settings) leaseYears() int {
	if s.LeaseYears > 0 {
		return s.LeaseYears
	}
	return DefaultLeaseYears
}

// ErrInput is wrapped by every error about the input network.
var ErrInput = errors.New("invalid network input")

func finiteNonNeg(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }

func where(src string) string {
	if src == "" {
		return ""
	}
	return src + ": "
}

// Validate checks the settings and returns every problem found, joined and wrapping
// ErrInput. Network.Validate applies it; a scenario's settings merged onto an input's are
// checked with it too (ScenarioSettings.Apply).
func (s Settings) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: settings: %s", ErrInput, fmt.Sprintf(format, args...)))
	}
	if s.Circuity < 0 || math.IsNaN(s.Circuity) || (s.Circuity > 0 && s.Circuity < 1) {
		bad("circuity %v must be at least 1 (0 means the default %v)", s.Circuity, DefaultCircuity)
	}
	if s.LeaseYears < 0 {
		bad("lease_years %d is negative", s.LeaseYears)
	}
	if s.MinOpen < 0 || s.MaxOpen < 0 {
		bad("min_open %d and max_open %d must not be negative", s.MinOpen, s.MaxOpen)
	}
	if s.MaxOpen > 0 && s.MinOpen > s.MaxOpen {
		bad("min_open %d exceeds max_open %d", s.MinOpen, s.MaxOpen)
	}
	if !finiteNonNeg(s.ServiceRadius) {
		bad("service_radius %v must be a non-negative number of miles", s.ServiceRadius)
	}
	if s.ServiceRadius > 0 && !(s.ServiceShare > 0 && s.ServiceShare <= 1) {
		bad("service_share %v must be in (0, 1] when service_radius is set", s.ServiceShare)
	}
	if s.ServiceRadius == 0 && s.ServiceShare != 0 {
		bad("service_share %v is set but service_radius is not", s.ServiceShare)
	}
	if !finiteNonNeg(s.CostPerUnitMile) || !finiteNonNeg(s.FixedCostPerUnit) {
		bad("cost_per_unit_mile %v and fixed_cost_per_unit %v must be non-negative numbers", s.CostPerUnitMile, s.FixedCostPerUnit)
	}
	return errors.Join(errs...)
}

// Validate checks the network and returns every problem found, each naming the row it
// comes from, joined and wrapping ErrInput.
func (n *Network) Validate() error {
	var errs []error
	bad := func(src, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s%s", ErrInput, where(src), fmt.Sprintf(format, args...)))
	}
	if err := n.Settings.Validate(); err != nil {
		errs = append(errs, err)
	}

	if len(n.Facilities) == 0 {
		bad("facilities", "no facilities: at least one existing or candidate facility is required")
	}
	if len(n.Destinations) == 0 {
		bad("destinations", "no destinations: at least one demand point is required")
	}
	facs := make(map[string]bool, len(n.Facilities))
	for _, f := range n.Facilities {
		if strings.TrimSpace(f.Name) == "" {
			bad(f.Source, "facility name is empty")
			continue
		}
		if facs[f.Name] {
			bad(f.Source, "facility %q appears twice", f.Name)
		}
		facs[f.Name] = true
		if f.Kind != Existing && f.Kind != Candidate {
			bad(f.Source, "facility %q: kind %q is neither existing nor candidate", f.Name, f.Kind)
		}
		for _, v := range []struct {
			name string
			v    float64
		}{{"fixed_cost", f.FixedCost}, {"capacity", f.Capacity}, {"opening_cost", f.OpeningCost}, {"closing_cost", f.ClosingCost}} {
			if !finiteNonNeg(v.v) {
				bad(f.Source, "facility %q: %s %v must be a non-negative number", f.Name, v.name, v.v)
			}
		}
		if err := checkLocation(f.Location); err != "" {
			bad(f.Source, "facility %q: %s", f.Name, err)
		}
		if f.LeaseEndYear != 0 && f.Kind != Existing {
			bad(f.Source, "facility %q: lease_end_year is set but the facility is a candidate", f.Name)
		}
	}
	dests := make(map[string]bool, len(n.Destinations))
	for _, d := range n.Destinations {
		if strings.TrimSpace(d.Name) == "" {
			bad(d.Source, "destination name is empty")
			continue
		}
		if dests[d.Name] {
			bad(d.Source, "destination %q appears twice", d.Name)
		}
		dests[d.Name] = true
		if err := checkLocation(d.Location); err != "" {
			bad(d.Source, "destination %q: %s", d.Name, err)
		}
	}
	if len(n.Demand) == 0 {
		bad("demand", "no demand rows: every model needs units per destination")
	}
	withYear, withoutYear := 0, 0
	type dy struct {
		d string
		y int
	}
	seenDemand := make(map[dy]string)
	for _, q := range n.Demand {
		if !dests[q.Destination] {
			bad(q.Source, "demand for %q, which is not in destinations", q.Destination)
		}
		if !finiteNonNeg(q.Units) {
			bad(q.Source, "units %v for %q must be a non-negative number", q.Units, q.Destination)
		}
		if q.Year == 0 {
			withoutYear++
		} else {
			withYear++
		}
		k := dy{q.Destination, q.Year}
		if prev, ok := seenDemand[k]; ok {
			bad(q.Source, "second demand row for %q in year %d (first at %s)", q.Destination, q.Year, prev)
		}
		seenDemand[k] = q.Source
	}
	if withYear > 0 && withoutYear > 0 {
		bad("demand", "%d rows have a year and %d do not: give every row a year or none", withYear, withoutYear)
	}
	if len(n.Forecast) > 0 && withYear > 0 {
		years := make(map[int]bool)
		for _, q := range n.Demand {
			years[q.Year] = true
		}
		if len(years) > 1 {
			bad("forecast", "demand already has %d years; a forecast scales a single year of demand, so give one or the other", len(years))
		}
	}
	for _, fc := range n.Forecast {
		if fc.Year <= 0 {
			bad(fc.Source, "forecast year %d is not a year", fc.Year)
		}
		if !finiteNonNeg(fc.Units) || math.IsNaN(fc.GrowthPct) || math.IsInf(fc.GrowthPct, 0) || fc.GrowthPct <= -100 {
			bad(fc.Source, "forecast units %v / growth %v%% are not valid", fc.Units, fc.GrowthPct)
		}
	}
	for _, l := range n.Lanes {
		if !facs[l.Facility] {
			bad(l.Source, "lane from %q, which is not in facilities", l.Facility)
		}
		if !dests[l.Destination] {
			bad(l.Source, "lane to %q, which is not in destinations", l.Destination)
		}
		if !finiteNonNeg(l.CostPerUnit) {
			bad(l.Source, "cost_per_unit %v must be a non-negative number", l.CostPerUnit)
		}
	}
	for _, sh := range n.Shipments {
		if !finiteNonNeg(sh.Cost) || !finiteNonNeg(sh.Units) || !finiteNonNeg(sh.Weight) {
			bad(sh.Source, "cost, units and weight must be non-negative numbers")
		}
	}
	s := n.Settings
	mand := 0
	for _, f := range n.Facilities {
		if f.Mandatory {
			mand++
		}
	}
	if s.MaxOpen > 0 && mand > s.MaxOpen {
		bad("settings", "%d facilities are mandatory but max_open is %d", mand, s.MaxOpen)
	}
	if s.MinOpen > len(n.Facilities) {
		bad("settings", "min_open %d exceeds the %d facilities given", s.MinOpen, len(n.Facilities))
	}
	return errors.Join(errs...)
}

func checkLocation(l Location) string {
	if !l.Known {
		return ""
	}
	if math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90 || math.IsNaN(l.Lon) || l.Lon < -180 || l.Lon > 180 {
		return fmt.Sprintf("location (%v, %v) is not a latitude/longitude", l.Lat, l.Lon)
	}
	return ""
}

// years returns the model's years in order and the demand q[j][t] per destination index
// and year index, applying the forecast to a single year of demand.
func (n *Network) years(destIndex map[string]int) ([]int, [][]float64, error) {
	base := make(map[int]bool)
	for _, q := range n.Demand {
		base[q.Year] = true
	}
	if len(n.Forecast) == 0 {
		years := make([]int, 0, len(base))
		for y := range base {
			years = append(years, y)
		}
		sort.Ints(years)
		yi := make(map[int]int, len(years))
		for t, y := range years {
			yi[y] = t
		}
		q := make([][]float64, len(n.Destinations))
		for j := range q {
			q[j] = make([]float64, len(years))
		}
		for _, d := range n.Demand {
			q[destIndex[d.Destination]][yi[d.Year]] += d.Units
		}
		return labelYears(years, n.Settings.BaseYear), q, nil
	}
	// One year of demand shares scaled to each forecast year's total.
	total := 0.0
	for _, d := range n.Demand {
		total += d.Units
	}
	if total <= 0 {
		return nil, nil, fmt.Errorf("%w: demand: total units are zero, so a forecast cannot be split over destinations", ErrInput)
	}
	fc := append([]YearUnits(nil), n.Forecast...)
	sort.Slice(fc, func(a, b int) bool { return fc[a].Year < fc[b].Year })
	years := make([]int, len(fc))
	totals := make([]float64, len(fc))
	prev := total
	for t, f := range fc {
		if t > 0 && f.Year == fc[t-1].Year {
			return nil, nil, fmt.Errorf("%w: %syear %d appears twice in the forecast", ErrInput, where(f.Source), f.Year)
		}
		years[t] = f.Year
		if f.Units > 0 {
			totals[t] = f.Units
		} else {
			totals[t] = prev * (1 + f.GrowthPct/100)
		}
		prev = totals[t]
	}
	q := make([][]float64, len(n.Destinations))
	for j := range q {
		q[j] = make([]float64, len(years))
	}
	for _, d := range n.Demand {
		for t := range years {
			q[destIndex[d.Destination]][t] += d.Units / total * totals[t]
		}
	}
	return years, q, nil
}

func labelYears(years []int, base int) []int {
	out := append([]int(nil), years...)
	for t, y := range out {
		if y == 0 {
			out[t] = base
		}
	}
	return out
}
