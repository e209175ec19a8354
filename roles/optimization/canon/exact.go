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
)

// The exact-header reader reads the datasets that only the models know (settings,
// space_options): their header is the first row and holds the canonical column names.

// source gives the tables of one input.
type source interface {
	// table calls fn for the header and then for every row of dataset name (a canonical
	// lower-case name like "settings"); found is false when the dataset is absent.
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
		if datasetOfSheet(s.Name) == name {
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

// number parses an optional or required number; ok is false when empty.
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

// spec is a dataset's columns.
type spec struct {
	name     string
	required []string
	optional []string
}

// each reads dataset s, checking its header, and calls fn per data row. Both datasets
// are optional: an absent one is not a problem.
func (l *loader) each(s spec, fn func(r *row)) {
	var cols map[string]int
	_, where, err := l.src.table(l.ctx, s.name, func(w string, num int, cells []string) error {
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
	}
}

// settings reads the settings dataset, by lower-case key.
func (l *loader) settings() map[string]Setting {
	settings := map[string]Setting{}
	l.each(spec{name: "settings", required: []string{"key", "value"}}, func(r *row) {
		k := strings.ToLower(r.text("key", true))
		if prev, ok := settings[k]; ok {
			l.fail("%s: setting %q already given at %s", r.src(), k, prev.Source)
		}
		settings[k] = Setting{Value: r.text("value", true), Source: r.src()}
	})
	return settings
}

// spaceOptions reads the space_options dataset into the input.
func (l *loader) spaceOptions() {
	l.each(spec{name: "space_options", required: []string{"option", "sqft", "one_off_cost", "cost_per_sqft_year", "lease_years"},
		optional: []string{"facility", "earliest_year", "tier"}},
		func(r *row) {
			o := SpaceOption{Option: r.text("option", true), Facility: r.raw("facility"), Source: r.src()}
			o.Sqft, _ = r.number("sqft", true)
			o.OneOffCost, _ = r.number("one_off_cost", true)
			o.CostPerSqftYear, _ = r.number("cost_per_sqft_year", true)
			o.LeaseYears, _ = r.integer("lease_years", true)
			o.EarliestYear, _ = r.integer("earliest_year", false)
			o.Tier, _ = r.integer("tier", false)
			l.in.SpaceOptions = append(l.in.SpaceOptions, o)
		})
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
