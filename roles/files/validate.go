package files

import (
	"errors"
	"fmt"
	"strings"

	"networx/roles/files/geo"
	"networx/roles/files/xlsx"
)

// validator checks rows of one sheet against its schema and mapping.
type validator struct {
	sch      *Schema
	sr       *SheetReport
	geo      *geo.Table
	p        *parser
	fieldCol []int    // by field index: the sheet column, or -1
	header   []string // by field index: the header text
	colField []int    // by column: the field index, or -1
	cells    []*rawCell
	// groupPresent[g]: the sheet has at least one column of location group g.
	groupPresent []bool
	// oneOf and groups are the schema's OneOf sets and location groups as
	// field indexes, looked up once rather than by name on every row.
	oneOf  [][]int
	groups []groupFields
	// zips and cities cache ZIP and city resolutions; made on first use.
	zips   *zipCache
	cities *cityCache

	// The row being checked: where its issues go, and whether it has one.
	rep  *Report
	num  int
	good bool
}

// groupFields are the field indexes of one location group (-1: none).
type groupFields struct {
	lat, lon, zip, city, state int
}

func newValidator(sch *Schema, mapping []ColumnMapping, sr *SheetReport, g *geo.Table, p *parser) *validator {
	v := &validator{sch: sch, sr: sr, geo: g, p: p,
		fieldCol: make([]int, len(sch.Fields)), header: make([]string, len(sch.Fields)),
		cells: make([]*rawCell, len(sch.Fields)), groupPresent: make([]bool, len(sch.Locations))}
	for i := range v.fieldCol {
		v.fieldCol[i] = -1
	}
	maxCol := -1
	for _, m := range mapping {
		maxCol = max(maxCol, m.col)
	}
	v.colField = make([]int, maxCol+1)
	for i := range v.colField {
		v.colField[i] = -1
	}
	for _, m := range mapping {
		if m.Field == "" {
			continue
		}
		fi := sch.field(m.Field)
		v.fieldCol[fi] = m.col
		v.header[fi] = m.Header
		v.colField[m.col] = fi
	}
	for gi, g := range sch.Locations {
		for _, name := range []string{g.Lat, g.Lon, g.ZIP, g.City, g.State} {
			if name != "" && v.fieldCol[sch.field(name)] >= 0 {
				v.groupPresent[gi] = true
			}
		}
	}
	for _, set := range sch.OneOf {
		idx := make([]int, len(set))
		for i, name := range set {
			idx[i] = sch.field(name)
		}
		v.oneOf = append(v.oneOf, idx)
	}
	index := func(name string) int {
		if name == "" {
			return -1
		}
		return sch.field(name)
	}
	for _, g := range sch.Locations {
		v.groups = append(v.groups, groupFields{lat: index(g.Lat), lon: index(g.Lon), zip: index(g.ZIP), city: index(g.City), state: index(g.State)})
	}
	return v
}

// requiredGroupsMissing names the required location groups without any
// column, and the one-of sets without any column.
func (v *validator) requiredGroupsMissing() []string {
	var out []string
	for gi, g := range v.sch.Locations {
		if g.Required && !v.groupPresent[gi] {
			out = append(out, fmt.Sprintf("%s location (a ZIP, or a city and state)", g.Name))
		}
	}
	for _, set := range v.sch.OneOf {
		any := false
		for _, name := range set {
			if v.fieldCol[v.sch.field(name)] >= 0 {
				any = true
			}
		}
		if !any {
			out = append(out, "one of "+strings.Join(set, ", "))
		}
	}
	return out
}

// row validates one row into rec, counting each failure in rep; it
// reports whether the row is accepted.
func (v *validator) row(r *rawRow, rec *Record, rep *Report) bool {
	for i := range v.cells {
		v.cells[i] = nil
	}
	for i := range r.cells {
		c := &r.cells[i]
		if c.Col < len(v.colField) {
			if fi := v.colField[c.Col]; fi >= 0 {
				v.cells[fi] = c
			}
		}
	}
	v.rep, v.num, v.good = rep, r.num, true
	for fi := range v.sch.Fields {
		f := &v.sch.Fields[fi]
		rec.Values[fi] = Value{}
		c := v.cells[fi]
		if c == nil || isBlank(c.Value) {
			if f.Required {
				v.issue(fi, RuleRequired, "", fmt.Sprintf("%s is required and empty", f.Name))
			}
			continue
		}
		if err := v.p.parseInto(&rec.Values[fi], f, c.Type, view(c.Value)); err != nil {
			var re *ruleError
			if errors.As(err, &re) {
				v.issue(fi, re.rule, clipValue(string(c.Value)), re.msg)
			} else {
				v.issue(fi, RuleNumber, clipValue(string(c.Value)), err.Error())
			}
		}
	}
	for si, set := range v.oneOf {
		any := false
		for _, fi := range set {
			if rec.Values[fi].Set {
				any = true
			}
		}
		if !any {
			v.issue(-1, RuleOneOf, "", fmt.Sprintf("one of %s is required", strings.Join(v.sch.OneOf[si], ", ")))
		}
	}
	for gi := range v.sch.Locations {
		rec.Places[gi] = Place{}
		if !v.good {
			continue // a field of the row is already bad: do not pile on
		}
		v.location(gi, rec)
	}
	v.rep = nil
	return v.good
}

// issue counts a failure of the current row; fi is the field (-1: none).
func (v *validator) issue(fi int, rule, value, msg string) {
	v.good = false
	is := Issue{File: v.sr.File, Sheet: v.sr.Name, Row: v.num, Rule: rule, Value: value, Message: msg}
	if fi >= 0 {
		is.Field = v.sch.Fields[fi].Name
		if col := v.fieldCol[fi]; col >= 0 {
			is.Column, is.Header = xlsx.ColumnName(col), v.header[fi]
		}
	}
	v.rep.count(is)
}

// location resolves location group gi of the row: latitude and longitude
// as given, else the ZIP (5 digits from the ZIP table, 3 digits from the
// prefix centroids), else city and state. Whatever the row gives first
// must resolve: an unknown ZIP is an error even when a city is also given,
// because silently using another field would be a guess.
func (v *validator) location(gi int, rec *Record) {
	g := &v.sch.Locations[gi]
	gf := &v.groups[gi]
	get := func(fi int) *Value {
		if fi < 0 {
			return &Value{}
		}
		return &rec.Values[fi]
	}
	lat, latF := get(gf.lat), gf.lat
	lon, lonF := get(gf.lon), gf.lon
	zip, zipF := get(gf.zip), gf.zip
	city, cityF := get(gf.city), gf.city
	state, stateF := get(gf.state), gf.state
	switch {
	case lat.Set != lon.Set:
		fi := latF
		if lat.Set {
			fi = lonF
		}
		v.issue(fi, RuleLatLonPair, "", "latitude and longitude must be given together")
	case lat.Set:
		rec.Places[gi] = Place{Set: true, Lat: lat.Num, Lon: lon.Num, State: state.Text, Region: geo.Region(state.Text), Method: "latlon"}
	case zip.Set:
		if v.zips == nil {
			v.zips = newZIPCache()
		}
		p, found := v.zips.lookup(v.geo, zip.Text)
		if !found {
			v.issue(zipF, RuleLocationUnknown, zip.Text, fmt.Sprintf("ZIP %s is not in the offline ZIP tables", zip.Text))
			return
		}
		if state.Set && state.Text != p.State {
			v.issue(stateF, RuleZIPState, state.Text, fmt.Sprintf("ZIP %s is in %s, not %s", zip.Text, p.State, state.Text))
			return
		}
		rec.Places[gi] = p
	case city.Set && state.Set:
		if v.cities == nil {
			v.cities = newCityCache()
		}
		p, found := v.cities.city(v.geo, city.Text, state.Text)
		if !found {
			v.issue(cityF, RuleLocationUnknown, city.Text+", "+state.Text, fmt.Sprintf("%s, %s is not in the offline city table", city.Text, state.Text))
			return
		}
		rec.Places[gi] = Place{Set: true, Lat: p.Lat, Lon: p.Lon, State: p.State, Region: geo.Region(p.State), Method: "city"}
	case city.Set:
		v.issue(stateF, RuleLocationMissing, city.Text, fmt.Sprintf("city %s has no state: a city resolves only with its state", city.Text))
	case g.Required || g.RequiredWhenColumnsPresent && v.groupPresent[gi]:
		fi := zipF
		if fi < 0 || v.fieldCol[fi] < 0 {
			fi = cityF
		}
		label := "location"
		if g.Name != "" {
			label = g.Name + " location"
		}
		v.issue(fi, RuleLocationMissing, "", fmt.Sprintf("the %s is missing: give a ZIP, or a city and state%s", label, map[bool]string{true: ", or latitude and longitude", false: ""}[g.Lat != ""]))
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != 0xA0 {
			return false
		}
	}
	return true
}

// clipValue shortens a value for the report.
func clipValue(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
