package files

import (
	"errors"
	"fmt"
	"strconv"
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
		if c.col < len(v.colField) {
			if fi := v.colField[c.col]; fi >= 0 {
				v.cells[fi] = c
			}
		}
	}
	ok := true
	issue := func(fi int, rule, value, msg string) {
		ok = false
		is := Issue{File: v.sr.File, Sheet: v.sr.Name, Row: r.num, Rule: rule, Value: value, Message: msg}
		if fi >= 0 {
			is.Field = v.sch.Fields[fi].Name
			if col := v.fieldCol[fi]; col >= 0 {
				is.Column, is.Header = xlsx.ColumnName(col), v.header[fi]
			}
		}
		rep.count(is)
	}
	for fi := range v.sch.Fields {
		f := &v.sch.Fields[fi]
		rec.Values[fi] = Value{}
		c := v.cells[fi]
		if c == nil || isBlank(c.val) {
			if f.Required {
				issue(fi, RuleRequired, "", fmt.Sprintf("%s is required and empty", f.Name))
			}
			continue
		}
		val, err := v.p.parse(f, c.typ, view(c.val))
		if err != nil {
			var re *ruleError
			if errors.As(err, &re) {
				issue(fi, re.rule, clipValue(string(c.val)), re.msg)
			} else {
				issue(fi, RuleNumber, clipValue(string(c.val)), err.Error())
			}
			continue
		}
		rec.Values[fi] = val
	}
	for _, set := range v.sch.OneOf {
		any := false
		for _, name := range set {
			if rec.Values[v.sch.field(name)].Set {
				any = true
			}
		}
		if !any {
			issue(-1, RuleOneOf, "", fmt.Sprintf("one of %s is required", strings.Join(set, ", ")))
		}
	}
	for gi := range v.sch.Locations {
		rec.Places[gi] = Place{}
		if !ok {
			continue // a field of the row is already bad: do not pile on
		}
		v.location(gi, rec, issue)
	}
	return ok
}

// location resolves location group gi of the row: latitude and longitude
// as given, else the ZIP (5 digits from the ZIP table, 3 digits from the
// prefix centroids), else city and state. Whatever the row gives first
// must resolve: an unknown ZIP is an error even when a city is also given,
// because silently using another field would be a guess.
func (v *validator) location(gi int, rec *Record, issue func(fi int, rule, value, msg string)) {
	g := v.sch.Locations[gi]
	get := func(name string) (Value, int) {
		if name == "" {
			return Value{}, -1
		}
		fi := v.sch.field(name)
		return rec.Values[fi], fi
	}
	lat, latF := get(g.Lat)
	lon, lonF := get(g.Lon)
	zip, zipF := get(g.ZIP)
	city, cityF := get(g.City)
	state, stateF := get(g.State)
	label := "location"
	if g.Name != "" {
		label = g.Name + " location"
	}
	switch {
	case lat.Set != lon.Set:
		fi := latF
		if lat.Set {
			fi = lonF
		}
		issue(fi, RuleLatLonPair, "", "latitude and longitude must be given together")
	case lat.Set:
		rec.Places[gi] = Place{Set: true, Lat: lat.Num, Lon: lon.Num, State: state.Text, Region: geo.Region(state.Text), Method: "latlon"}
	case zip.Set:
		var p geo.Place
		var found bool
		method := "zip5"
		n, _ := strconv.Atoi(zip.Text)
		if len(zip.Text) == 3 {
			p, found = v.geo.ZIP3(n)
			method = "zip3"
		} else {
			p, found = v.geo.ZIP5(n)
		}
		if !found {
			issue(zipF, RuleLocationUnknown, zip.Text, fmt.Sprintf("ZIP %s is not in the offline ZIP tables", zip.Text))
			return
		}
		if state.Set && state.Text != p.State {
			issue(stateF, RuleZIPState, state.Text, fmt.Sprintf("ZIP %s is in %s, not %s", zip.Text, p.State, state.Text))
			return
		}
		rec.Places[gi] = Place{Set: true, Lat: p.Lat, Lon: p.Lon, State: p.State, Region: geo.Region(p.State), Method: method}
	case city.Set && state.Set:
		p, found := v.geo.City(city.Text, state.Text)
		if !found {
			issue(cityF, RuleLocationUnknown, city.Text+", "+state.Text, fmt.Sprintf("%s, %s is not in the offline city table", city.Text, state.Text))
			return
		}
		rec.Places[gi] = Place{Set: true, Lat: p.Lat, Lon: p.Lon, State: p.State, Region: geo.Region(p.State), Method: "city"}
	case city.Set:
		issue(stateF, RuleLocationMissing, city.Text, fmt.Sprintf("city %s has no state: a city resolves only with its state", city.Text))
	case g.Required || g.RequiredWhenColumnsPresent && v.groupPresent[gi]:
		fi := zipF
		if fi < 0 || v.fieldCol[fi] < 0 {
			fi = cityF
		}
		issue(fi, RuleLocationMissing, "", fmt.Sprintf("the %s is missing: give a ZIP, or a city and state%s", label, map[bool]string{true: ", or latitude and longitude", false: ""}[g.Lat != ""]))
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
