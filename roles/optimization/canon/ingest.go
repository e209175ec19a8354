package canon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"networx/roles/files"
	"networx/roles/optimization"
)

// requiredKinds are the datasets no run can do without.
var requiredKinds = []files.Kind{files.Facilities, files.Destinations, files.Demand}

// ruleUnsupported is the rule of a value the models would have to ignore.
const ruleUnsupported = "unsupported"

// ingest reads the seven datasets of the ingestion role through it into l.in, and records
// every rejected row and sheet error as a problem. The error is for cancellation, I/O and
// the reader itself, not for the data.
func (l *loader) ingest(path string, workbook bool, opts LoadOptions) error {
	c := &collector{in: l.in, workbook: workbook, ix: map[files.Kind]fields{}}
	for _, k := range files.Kinds() {
		c.ix[k] = fieldsOf(k)
	}
	rep, err := files.IngestPath(l.ctx, path, files.Options{
		Mapping:   opts.Mapping,
		DateOrder: opts.DateOrder,
		Geo:       opts.Geo,
		// Every example up to the cap: each rejected row is listed, not sampled.
		MaxExamples: maxErrors,
		Sink:        c,
		SkipSheet:   SkipSheet,
	}, opts.Progress)
	if err != nil {
		if ctxErr := l.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return fmt.Errorf("read %s: %w", path, err)
	}
	l.in.Ingestion = rep
	// The sheets left to this package's own reader (SkipSheet) are read below, so the
	// ingestion's notice that it skipped them would mislead here.
	own := map[string]bool{}
	for _, sr := range rep.Sheets {
		if why := SkipSheet(sr.Name); why != "" && sr.Skipped == why {
			own[fmt.Sprintf("sheet %q skipped: %s", sr.Name, why)] = true
		}
	}
	for _, n := range rep.Notices {
		if !own[n] {
			l.in.Notices = append(l.in.Notices, n)
		}
	}
	l.report(rep, c)
	return nil
}

// report turns the ingestion report into problems: the models run only when every row
// was accepted, whatever the verdict thresholds of `networx check` would allow.
func (l *loader) report(rep *files.Report, c *collector) {
	sheetAt := map[[2]string]int{}
	for i, s := range rep.Sheets {
		sheetAt[[2]string{s.File, s.Name}] = i
	}
	var issues []files.Issue
	var total int64
	for _, rc := range rep.Rules {
		if rc.Rule == files.RuleTotalsRow {
			// Skipped as `networx check` skips them: their figures would count twice.
			ex := rc.Examples[0]
			l.in.Notices = append(l.in.Notices, fmt.Sprintf("%d totals rows left out (the first: %s row %d, %q)", rc.Count, c.where(ex.File, ex.Sheet), ex.Row, ex.Value))
			continue
		}
		issues = append(issues, rc.Examples...)
		total += rc.Count
	}
	for _, s := range rep.Sheets {
		if s.Skipped != "" || s.Error != nil {
			continue
		}
		for _, m := range s.Mapping {
			if m.Field == "" && m.Header != "" {
				// Not an error, as in `networx check`; said, since a column of data the
				// mapping missed changes the answer (map it with a mapping file).
				l.in.Notices = append(l.in.Notices, fmt.Sprintf("%s column %s (%s) was read as no field of %s and ignored", c.where(s.File, s.Name), m.Column, m.Header, s.Kind))
			}
		}
	}
	issues = append(issues, rep.Errors...)
	issues = append(issues, c.issues...)
	total += int64(len(rep.Errors) + len(c.issues))
	slices.SortStableFunc(issues, func(a, b files.Issue) int {
		sa, okA := sheetAt[[2]string{a.File, a.Sheet}]
		sb, okB := sheetAt[[2]string{b.File, b.Sheet}]
		if !okA {
			sa = -1 // problems of the whole file first
		}
		if !okB {
			sb = -1
		}
		return cmp.Or(cmp.Compare(sa, sb), cmp.Compare(a.Row, b.Row), cmp.Compare(len(a.Column), len(b.Column)), cmp.Compare(a.Column, b.Column))
	})
	for _, is := range issues {
		var sr *files.SheetReport
		if i, ok := sheetAt[[2]string{is.File, is.Sheet}]; ok {
			sr = rep.Sheets[i]
		}
		if is.Rule == "required_column" && sr != nil && len(sr.MissingFields) > 0 {
			l.missingColumns(c.where(is.File, is.Sheet), sr)
			continue
		}
		l.fail("%s", c.format(is))
	}
	l.more += int(total) - len(issues)

	fileFailed := false
	for _, is := range rep.Errors {
		if _, ok := sheetAt[[2]string{is.File, is.Sheet}]; !ok {
			fileFailed = true // unreadable: the missing datasets would be noise
		}
	}
	if fileFailed {
		return
	}
	for _, k := range requiredKinds {
		present := false
		for _, s := range rep.Sheets {
			present = present || s.Kind == k && s.Skipped == ""
		}
		if present {
			continue
		}
		if !c.workbook {
			l.fail("%s.csv is missing: it is required", k)
			continue
		}
		var read []string
		for _, s := range rep.Sheets {
			switch {
			case s.Skipped != "":
				read = append(read, fmt.Sprintf("%q skipped", s.Name))
			case s.Kind != "":
				read = append(read, fmt.Sprintf("%q read as %s", s.Name, s.Kind))
			}
		}
		l.fail("%s has no %s sheet: it is required (sheets: %s); name the sheet %s, or give its kind in a mapping file",
			filepath.Base(rep.File), k, strings.Join(read, ", "), titleCase(string(k)))
	}
}

// missingColumns reports the required fields a sheet has no column for.
func (l *loader) missingColumns(where string, sr *files.SheetReport) {
	sch := files.SchemaOf(sr.Kind)
	for _, m := range sr.MissingFields {
		if slices.ContainsFunc(sch.Fields, func(f files.Field) bool { return f.Name == m }) {
			l.fail("%s: required column %q is missing from the header (row %d; read as %s) [rule required_column]; name the column %s or one of its aliases (docs/ingestion.md)",
				where, m, sr.HeaderRow, sr.Kind, m)
			continue
		}
		l.fail("%s: no column for %s (header row %d; read as %s) [rule required_column]", where, m, sr.HeaderRow, sr.Kind)
	}
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ruleMessages replace the ingestion role's message where this package's own wording
// says better what to do.
var ruleMessages = map[string]string{
	files.RuleLatLonPair: "give both lat and lon, or neither",
}

// format writes one problem: where (file, sheet, row, column and header), what, the
// value and the rule.
func (c *collector) format(is files.Issue) string {
	var b strings.Builder
	b.WriteString(c.where(is.File, is.Sheet))
	if is.Row > 0 {
		fmt.Fprintf(&b, " row %d", is.Row)
	}
	if is.Column != "" {
		fmt.Fprintf(&b, " column %s", is.Column)
		switch {
		case is.Header != "" && is.Field != "" && !strings.EqualFold(strings.TrimSpace(is.Header), is.Field):
			fmt.Fprintf(&b, " (%s, read as %s)", is.Header, is.Field)
		case is.Header != "":
			fmt.Fprintf(&b, " (%s)", is.Header)
		}
	}
	msg := is.Message
	if m, ok := ruleMessages[is.Rule]; ok {
		msg = m
	}
	fmt.Fprintf(&b, ": %s [rule %s", msg, is.Rule)
	if is.Value != "" && !strings.Contains(msg, is.Value) {
		fmt.Fprintf(&b, ", value %q", is.Value)
	}
	b.WriteString("]")
	return b.String()
}

// where names a file, or a sheet of a workbook, as the sources of the network do.
func (c *collector) where(file, sheet string) string {
	if !c.workbook {
		if sheet != "" {
			return sheet // a CSV file's sheet is its base name
		}
		return filepath.Base(file)
	}
	if sheet == "" {
		return filepath.Base(file)
	}
	return fmt.Sprintf("%s sheet %q", filepath.Base(file), sheet)
}

// collector is the files.Sink of Load: it converts accepted rows into the network, the
// SKUs and the facility sizes.
type collector struct {
	in       *Input
	workbook bool
	ix       map[files.Kind]fields
	// columns maps the current sheet's fields to their column and header.
	columns map[string]files.ColumnMapping
	// issues are values the ingestion role accepts and the models cannot use.
	issues []files.Issue
}

var _ files.Sink = (*collector)(nil)

func (c *collector) BeginSheet(_ context.Context, s *files.SheetReport) error {
	c.columns = map[string]files.ColumnMapping{}
	for _, m := range s.Mapping {
		if m.Field != "" {
			c.columns[m.Field] = m
		}
	}
	return nil
}

func (c *collector) EndSheet(context.Context, *files.SheetReport) error { return nil }

// source locates a row as the messages of the models quote it: "facilities.csv row 4",
// or `network.xlsx sheet "Facilities" row 4`.
func (c *collector) source(r *files.Record) string {
	return fmt.Sprintf("%s row %d", c.where(r.File, r.Sheet), r.Row)
}

func (c *collector) Row(_ context.Context, r *files.Record) error {
	f := c.ix[r.Kind]
	net := &c.in.Network
	src := c.source(r)
	switch r.Kind {
	case files.Facilities:
		fac := optimization.Facility{Name: f.text(r, "name"), Location: location(r), Kind: optimization.Candidate,
			Capacity: f.num(r, "capacity"), FixedCost: f.num(r, "fixed_cost"), OpeningCost: f.num(r, "opening_cost"),
			ClosingCost: f.num(r, "closing_cost"), LeaseEndYear: int(f.num(r, "lease_end_year")),
			Mandatory: f.value(r, "mandatory").Bool, Source: src}
		if f.text(r, "kind") == string(optimization.Existing) {
			fac.Kind = optimization.Existing
		}
		if v := f.value(r, "size_sqft"); v.Set {
			c.in.SizeSqft[fac.Name] = v.Num
		}
		if v := f.value(r, "allowed_years"); v.Set {
			c.unsupported(r, "allowed_years", v.Text, "the network model does not restrict sites to years yet: remove the value, or make the site mandatory or leave it out")
		}
		net.Facilities = append(net.Facilities, fac)
	case files.Destinations:
		net.Destinations = append(net.Destinations, optimization.Destination{Name: f.text(r, "name"), Location: location(r), Source: src})
	case files.Demand:
		net.Demand = append(net.Demand, optimization.Demand{Destination: f.text(r, "destination"), Units: f.num(r, "units"),
			Year: int(f.num(r, "year")), Source: src})
	case files.Lanes:
		net.Lanes = append(net.Lanes, optimization.Lane{Facility: f.text(r, "facility"), Destination: f.text(r, "destination"),
			CostPerUnit: f.num(r, "cost_per_unit"), Source: src})
	case files.Shipments:
		net.Shipments = append(net.Shipments, optimization.Shipment{Date: f.value(r, "ship_date").Time.Format(time.DateOnly),
			Origin: f.text(r, "origin_name"), Destination: f.text(r, "dest_name"), Cost: f.num(r, "cost"),
			Units: f.num(r, "units"), Weight: f.num(r, "weight"), Mode: f.text(r, "mode"), Carrier: f.text(r, "carrier"), Source: src})
	case files.SKUs:
		c.in.SKUs = append(c.in.SKUs, SKU{SKU: f.text(r, "sku"), AnnualUnits: f.num(r, "annual_units"),
			UnitsPerCase: f.num(r, "units_per_case"), CasesPerPallet: f.num(r, "cases_per_pallet"),
			Cube: f.num(r, "cube_per_unit"), UnitCost: f.num(r, "unit_cost"), Source: src})
	case files.Forecast:
		net.Forecast = append(net.Forecast, optimization.YearUnits{Year: int(f.num(r, "year")), Units: f.num(r, "units"),
			GrowthPct: f.num(r, "growth_pct"), Source: src})
	}
	return nil
}

// unsupported records a value the models would have to ignore.
func (c *collector) unsupported(r *files.Record, field, value, msg string) {
	m := c.columns[field]
	c.issues = append(c.issues, files.Issue{File: r.File, Sheet: r.Sheet, Row: r.Row, Column: m.Column, Header: m.Header,
		Field: field, Rule: ruleUnsupported, Value: value, Message: fmt.Sprintf("%s: %s", field, msg)})
}

// location is the row's own resolved place (facilities, destinations).
func location(r *files.Record) optimization.Location {
	if len(r.Places) == 0 || !r.Places[0].Set {
		return optimization.Location{}
	}
	return optimization.Location{Lat: r.Places[0].Lat, Lon: r.Places[0].Lon, Known: true}
}

// fields maps the field names of one kind to their index in files.Record.Values.
type fields map[string]int

func fieldsOf(k files.Kind) fields {
	sch := files.SchemaOf(k)
	f := make(fields, len(sch.Fields))
	for i, fd := range sch.Fields {
		f[fd.Name] = i
	}
	return f
}

func (f fields) value(r *files.Record, name string) files.Value {
	i, ok := f[name]
	if !ok {
		// The names are this file's, checked by the tests against the schema.
		panic(fmt.Sprintf("canon: %s has no field %q", r.Kind, name))
	}
	return r.Values[i]
}

// text is a text field's value, "" when empty.
func (f fields) text(r *files.Record, name string) string { return f.value(r, name).Text }

// num is a numeric field's value, 0 when empty (the documented meaning of every optional
// number the models read: no capacity limit, no cost, no year).
func (f fields) num(r *files.Record, name string) float64 { return f.value(r, name).Num }
