// Package canon reads the canonical datasets of networx (docs/models.md) from a folder of
// CSV files (facilities.csv, destinations.csv, demand.csv, lanes.csv, shipments.csv,
// skus.csv, forecast.csv, settings.csv) or from a workbook with one sheet per dataset
// (Facilities, Destinations, Demand, Lanes, Shipments, SKUs, Forecast, Settings), with the
// canonical column names as headers. It is the narrow loader of `networx optimize` until
// the ingestion role's header mapping serves it: headers must be the canonical names
// (case and surrounding spaces ignored), locations must be given as lat/lon, and every
// problem is an error naming the file or sheet, the row and the column.
package canon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"networx/roles/files/delim"
	"networx/roles/files/xlsx"
	"networx/roles/optimization"
)

// SKU is one item of skus.csv.
type SKU struct {
	SKU            string
	AnnualUnits    float64
	UnitsPerCase   float64
	CasesPerPallet float64
	Cube           float64
	UnitCost       float64
	Source         string
}

// SpaceOption is one row of space_options.csv: an expansion tier of an existing facility
// (Facility set) or a new facility (Facility empty) that capacity planning may take.
// EarliestYear 0 means the first planning year; Tier 0 means 1.
type SpaceOption struct {
	Option          string
	Facility        string
	Sqft            float64
	OneOffCost      float64
	CostPerSqftYear float64
	LeaseYears      int
	EarliestYear    int
	Tier            int
	Source          string
}

// Input is everything a run reads.
type Input struct {
	Network optimization.Network
	SKUs    []SKU
	// SizeSqft is the size_sqft of the facilities rows that give one, by facility name.
	SizeSqft map[string]float64
	// SpaceOptions are the rows of the space_options dataset (capacity planning).
	SpaceOptions []SpaceOption
	// Settings holds the settings rows not used by the network model (capacity and
	// inventory parameters), by key, with their sources.
	Settings map[string]Setting
	// Path is what was read.
	Path string
}

// Setting is one key/value row of the settings dataset.
type Setting struct {
	Value  string
	Source string
}

// ErrInput is wrapped by every error about the input files.
var ErrInput = errors.New("input")

// maxErrors caps the problems reported from one load.
const maxErrors = 50

// Load reads a folder of canonical CSV files or an .xlsx workbook.
func Load(ctx context.Context, path string) (*Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	var src source
	if st.IsDir() {
		src = &folder{dir: path}
	} else {
		if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return nil, fmt.Errorf("%w: %s is neither a folder of canonical CSV files nor an .xlsx workbook", ErrInput, path)
		}
		wb, err := openWorkbook(ctx, path)
		if err != nil {
			return nil, err
		}
		defer wb.close()
		src = wb
	}
	l := &loader{ctx: ctx, src: src, in: &Input{Path: path, Settings: map[string]Setting{}, SizeSqft: map[string]float64{}}}
	l.load()
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return l.in, nil
}

// source gives the tables of one input.
type source interface {
	// table calls fn for the header and then for every row of dataset name (a canonical
	// lower-case name like "facilities"); found is false when the dataset is absent.
	table(ctx context.Context, name string, fn func(loc string, row int, cells []string) error) (found bool, where string, err error)
}

type folder struct{ dir string }

func (f *folder) table(ctx context.Context, name string, fn func(string, int, []string) error) (bool, string, error) {
	p := filepath.Join(f.dir, name+".csv")
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, name + ".csv", nil
	}
	if err != nil {
		return false, name + ".csv", err
	}
	defer fh.Close()
	r, err := delim.NewReader(fh, delim.Options{})
	if err != nil {
		return true, name + ".csv", fmt.Errorf("%s: %w", name+".csv", err)
	}
	cells := []string{}
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return true, name + ".csv", err
		}
		if err := r.RecordErr(); err != nil {
			return true, name + ".csv", fmt.Errorf("%s row %d: %w", name+".csv", r.Row(), err)
		}
		cells = cells[:0]
		for _, b := range r.Fields() {
			cells = append(cells, string(b))
		}
		if len(cells) == 0 {
			continue
		}
		if err := fn(name+".csv", r.Row(), cells); err != nil {
			return true, name + ".csv", err
		}
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return true, name + ".csv", fmt.Errorf("%s: %w", name+".csv", err)
	}
	return true, name + ".csv", nil
}

type workbook struct {
	path string
	f    *os.File
	wb   *xlsx.Workbook
}

func openWorkbook(ctx context.Context, path string) (*workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read input: %w", err)
	}
	wb, err := xlsx.Open(ctx, f, st.Size(), xlsx.Options{})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &workbook{path: path, f: f, wb: wb}, nil
}

func (w *workbook) close() {
	w.wb.Close()
	w.f.Close()
}

func (w *workbook) table(ctx context.Context, name string, fn func(string, int, []string) error) (bool, string, error) {
	var sheet *xlsx.Sheet
	for _, s := range w.wb.Sheets() {
		// Sheet "Space options" is dataset space_options.
		if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(s.Name), " ", "_"), name) {
			s := s
			sheet = &s
			break
		}
	}
	where := fmt.Sprintf("%s sheet %q", filepath.Base(w.path), name)
	if sheet == nil {
		return false, where, nil
	}
	where = fmt.Sprintf("%s sheet %q", filepath.Base(w.path), sheet.Name)
	rows, err := w.wb.Rows(ctx, *sheet)
	if err != nil {
		return true, where, fmt.Errorf("%s: %w", where, err)
	}
	defer rows.Close()
	var cells []string
	for rows.Next() {
		row := rows.Row()
		cells = cells[:0]
		for _, c := range row.Cells {
			for len(cells) < c.Col {
				cells = append(cells, "")
			}
			v := string(c.Value)
			if c.Type == xlsx.Date {
				if serial, err := strconv.ParseFloat(v, 64); err == nil {
					if t, err := xlsx.SerialTime(serial, w.wb.Date1904()); err == nil {
						v = t.Format(time.DateOnly)
					}
				}
			}
			if c.Type == xlsx.Error {
				return true, where, fmt.Errorf("%s row %d column %s: cell holds the error value %s", where, row.Num, xlsx.ColumnName(c.Col), v)
			}
			cells = append(cells, v)
		}
		if err := fn(where, row.Num, cells); err != nil {
			return true, where, err
		}
	}
	if err := rows.Err(); err != nil {
		return true, where, fmt.Errorf("%s: %w", where, err)
	}
	return true, where, nil
}

// loader parses the datasets; errs collects every problem.
type loader struct {
	ctx  context.Context
	src  source
	in   *Input
	errs []error
}

func (l *loader) fail(format string, args ...any) {
	if len(l.errs) == maxErrors {
		l.errs = append(l.errs, fmt.Errorf("%w: more problems not shown", ErrInput))
	}
	if len(l.errs) > maxErrors {
		return
	}
	l.errs = append(l.errs, fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...)))
}

// row is one data row with header-based access and error reporting.
type row struct {
	l     *loader
	where string
	num   int
	cols  map[string]int
	cells []string
}

func (r *row) src() string { return fmt.Sprintf("%s row %d", r.where, r.num) }

func (r *row) raw(col string) string {
	k, ok := r.cols[col]
	if !ok || k >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[k])
}

func (r *row) colName(col string) string {
	if k, ok := r.cols[col]; ok {
		return fmt.Sprintf("column %s (%s)", xlsx.ColumnName(k), col)
	}
	return "column " + col
}

func (r *row) text(col string, required bool) string {
	v := r.raw(col)
	if v == "" && required {
		r.l.fail("%s %s: required value is empty", r.src(), r.colName(col))
	}
	return v
}

// number parses an optional or required non-negative number; ok is false when empty.
func (r *row) number(col string, required bool) (float64, bool) {
	v := r.raw(col)
	if v == "" {
		if required {
			r.l.fail("%s %s: required number is empty", r.src(), r.colName(col))
		}
		return 0, false
	}
	clean := strings.NewReplacer("$", "", ",", "").Replace(v)
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.l.fail("%s %s: %q is not a number", r.src(), r.colName(col), v)
		return 0, false
	}
	return f, true
}

func (r *row) integer(col string, required bool) (int, bool) {
	f, ok := r.number(col, required)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || math.Abs(f) > 1e9 {
		r.l.fail("%s %s: %v is not a whole number", r.src(), r.colName(col), f)
		return 0, false
	}
	return int(f), true
}

func (r *row) boolean(col string) bool {
	switch strings.ToLower(r.raw(col)) {
	case "", "0", "false", "no", "n":
		return false
	case "1", "true", "yes", "y":
		return true
	}
	r.l.fail("%s %s: %q is not yes/no", r.src(), r.colName(col), r.raw(col))
	return false
}

// location reads lat/lon. ZIP or city/state without coordinates needs the geo table of
// the ingestion role, which this loader does not have: it says so instead of guessing.
func (r *row) location(required bool) optimization.Location {
	lat, okLat := r.number("lat", false)
	lon, okLon := r.number("lon", false)
	if okLat && okLon {
		return optimization.Location{Lat: lat, Lon: lon, Known: true}
	}
	if okLat != okLon {
		r.l.fail("%s: give both lat and lon, or neither", r.src())
		return optimization.Location{}
	}
	if zip, city := r.raw("zip"), r.raw("city"); zip != "" || city != "" {
		r.l.fail("%s: location given as ZIP/city (%q %q) without lat and lon; this loader resolves only lat/lon (ZIP and city lookup come with the ingestion role), so add lat and lon", r.src(), zip, city)
	} else if required {
		r.l.fail("%s: no location: give lat and lon", r.src())
	}
	return optimization.Location{}
}

// spec is a dataset's columns.
type spec struct {
	name     string
	required []string
	optional []string
}

// each reads dataset s, checking its header, and calls fn per data row.
func (l *loader) each(s spec, mustExist bool, fn func(r *row)) bool {
	var cols map[string]int
	var where string
	found, where, err := l.src.table(l.ctx, s.name, func(w string, num int, cells []string) error {
		if cols == nil {
			cols = make(map[string]int)
			known := map[string]bool{}
			for _, c := range append(append([]string{}, s.required...), s.optional...) {
				known[c] = true
			}
			for k, h := range cells {
				h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
				if h == "" {
					continue
				}
				if _, dup := cols[h]; dup {
					l.fail("%s row %d: column %q appears twice", w, num, h)
				}
				if !known[h] {
					l.fail("%s row %d column %s: unknown column %q (known: %s)", w, num, xlsx.ColumnName(k), h, strings.Join(append(append([]string{}, s.required...), s.optional...), ", "))
					continue
				}
				cols[h] = k
			}
			for _, c := range s.required {
				if _, ok := cols[c]; !ok {
					l.fail("%s: required column %q is missing from the header (row %d)", w, c, num)
				}
			}
			return nil
		}
		fn(&row{l: l, where: w, num: num, cols: cols, cells: cells})
		return nil
	})
	if err != nil {
		l.fail("%s: %v", where, err)
		return found
	}
	if !found && mustExist {
		l.fail("%s is missing: it is required", where)
	}
	if found && cols == nil && mustExist {
		l.fail("%s is empty: it needs a header row and data", where)
	}
	return found
}

func (l *loader) load() {
	in := l.in
	net := &in.Network
	settings := map[string]Setting{}
	l.each(spec{name: "settings", required: []string{"key", "value"}}, false, func(r *row) {
		k := strings.ToLower(r.text("key", true))
		if prev, ok := settings[k]; ok {
			l.fail("%s: setting %q already given at %s", r.src(), k, prev.Source)
		}
		settings[k] = Setting{Value: r.text("value", true), Source: r.src()}
	})
	l.networkSettings(settings)
	l.each(spec{name: "facilities", required: []string{"name"},
		optional: []string{"lat", "lon", "zip", "city", "state", "capacity", "fixed_cost", "kind", "opening_cost", "closing_cost", "lease_end_year", "mandatory", "size_sqft"}}, true,
		func(r *row) {
			f := optimization.Facility{Name: r.text("name", true), Source: r.src(), Kind: optimization.Candidate}
			f.Location = r.location(false)
			switch k := strings.ToLower(r.raw("kind")); k {
			case "", "candidate":
			case "existing":
				f.Kind = optimization.Existing
			default:
				l.fail("%s %s: kind %q is neither existing nor candidate", r.src(), r.colName("kind"), k)
			}
			f.Capacity, _ = r.number("capacity", false)
			f.FixedCost, _ = r.number("fixed_cost", false)
			f.OpeningCost, _ = r.number("opening_cost", false)
			f.ClosingCost, _ = r.number("closing_cost", false)
			f.LeaseEndYear, _ = r.integer("lease_end_year", false)
			f.Mandatory = r.boolean("mandatory")
			if v, ok := r.number("size_sqft", false); ok {
				in.SizeSqft[f.Name] = v
			}
			net.Facilities = append(net.Facilities, f)
		})
	l.each(spec{name: "destinations", required: []string{"name"}, optional: []string{"lat", "lon", "zip", "city", "state"}}, true,
		func(r *row) {
			net.Destinations = append(net.Destinations, optimization.Destination{Name: r.text("name", true), Location: r.location(false), Source: r.src()})
		})
	l.each(spec{name: "demand", required: []string{"destination", "units"}, optional: []string{"year", "weight"}}, true,
		func(r *row) {
			d := optimization.Demand{Destination: r.text("destination", true), Source: r.src()}
			d.Units, _ = r.number("units", true)
			d.Year, _ = r.integer("year", false)
			net.Demand = append(net.Demand, d)
		})
	l.each(spec{name: "lanes", required: []string{"facility", "destination", "cost_per_unit"}}, false,
		func(r *row) {
			ln := optimization.Lane{Facility: r.text("facility", true), Destination: r.text("destination", true), Source: r.src()}
			ln.CostPerUnit, _ = r.number("cost_per_unit", true)
			net.Lanes = append(net.Lanes, ln)
		})
	l.each(spec{name: "shipments", required: []string{"ship_date", "origin", "destination", "cost"}, optional: []string{"carrier", "mode", "weight", "units", "cube"}}, false,
		func(r *row) {
			s := optimization.Shipment{Date: r.text("ship_date", true), Origin: r.text("origin", true), Destination: r.text("destination", true),
				Mode: r.raw("mode"), Carrier: r.raw("carrier"), Source: r.src()}
			s.Cost, _ = r.number("cost", true)
			s.Units, _ = r.number("units", false)
			s.Weight, _ = r.number("weight", false)
			net.Shipments = append(net.Shipments, s)
		})
	l.each(spec{name: "skus", required: []string{"sku", "annual_units"}, optional: []string{"units_per_case", "cases_per_pallet", "cube", "unit_cost"}}, false,
		func(r *row) {
			s := SKU{SKU: r.text("sku", true), Source: r.src()}
			s.AnnualUnits, _ = r.number("annual_units", true)
			s.UnitsPerCase, _ = r.number("units_per_case", false)
			s.CasesPerPallet, _ = r.number("cases_per_pallet", false)
			s.Cube, _ = r.number("cube", false)
			s.UnitCost, _ = r.number("unit_cost", false)
			in.SKUs = append(in.SKUs, s)
		})
	l.each(spec{name: "forecast", required: []string{"year"}, optional: []string{"units", "growth_pct", "dollars"}}, false,
		func(r *row) {
			f := optimization.YearUnits{Source: r.src()}
			f.Year, _ = r.integer("year", true)
			u, okU := r.number("units", false)
			g, okG := r.number("growth_pct", false)
			if okU == okG && r.raw("units") == "" {
				l.fail("%s: give units or growth_pct", r.src())
			}
			f.Units, f.GrowthPct = u, g
			net.Forecast = append(net.Forecast, f)
		})
	l.each(spec{name: "space_options", required: []string{"option", "sqft", "one_off_cost", "cost_per_sqft_year", "lease_years"},
		optional: []string{"facility", "earliest_year", "tier"}}, false,
		func(r *row) {
			o := SpaceOption{Option: r.text("option", true), Facility: r.raw("facility"), Source: r.src()}
			o.Sqft, _ = r.number("sqft", true)
			o.OneOffCost, _ = r.number("one_off_cost", true)
			o.CostPerSqftYear, _ = r.number("cost_per_sqft_year", true)
			o.LeaseYears, _ = r.integer("lease_years", true)
			o.EarliestYear, _ = r.integer("earliest_year", false)
			o.Tier, _ = r.integer("tier", false)
			in.SpaceOptions = append(in.SpaceOptions, o)
		})
	for k, v := range settings {
		if _, used := networkKeys[k]; !used {
			in.Settings[k] = v
		}
	}
}

// networkKeys are the settings of the network model, documented in docs/models.md.
var networkKeys = map[string]struct{}{
	"base_year": {}, "circuity": {}, "lease_years": {}, "min_open": {}, "max_open": {},
	"service_radius_miles": {}, "service_share": {}, "single_source": {},
	"cost_per_unit_mile": {}, "fixed_cost_per_unit": {},
}

func (l *loader) networkSettings(s map[string]Setting) {
	st := &l.in.Network.Settings
	num := func(k string) float64 {
		v, ok := s[k]
		if !ok {
			return 0
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v.Value), "%"), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			l.fail("%s: setting %s = %q is not a number", v.Source, k, v.Value)
			return 0
		}
		if strings.HasSuffix(strings.TrimSpace(v.Value), "%") {
			f /= 100
		}
		return f
	}
	integer := func(k string) int {
		f := num(k)
		if f != math.Trunc(f) {
			l.fail("%s: setting %s = %v is not a whole number", s[k].Source, k, f)
		}
		return int(f)
	}
	st.BaseYear = integer("base_year")
	st.Circuity = num("circuity")
	st.LeaseYears = integer("lease_years")
	st.MinOpen = integer("min_open")
	st.MaxOpen = integer("max_open")
	st.ServiceRadius = num("service_radius_miles")
	st.ServiceShare = num("service_share")
	st.CostPerUnitMile = num("cost_per_unit_mile")
	st.FixedCostPerUnit = num("fixed_cost_per_unit")
	if v, ok := s["single_source"]; ok {
		switch strings.ToLower(strings.TrimSpace(v.Value)) {
		case "1", "true", "yes", "y":
			st.SingleSource = true
		case "0", "false", "no", "n", "":
		default:
			l.fail("%s: setting single_source = %q is not yes/no", v.Source, v.Value)
		}
	}
}
