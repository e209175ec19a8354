package files

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rowsSink keeps the accepted records.
type rowsSink struct{ rows []Record }

func (s *rowsSink) BeginSheet(context.Context, *SheetReport) error { return nil }
func (s *rowsSink) EndSheet(context.Context, *SheetReport) error   { return nil }
func (s *rowsSink) Row(_ context.Context, r *Record) error {
	c := *r
	c.Values, c.Places = append([]Value(nil), r.Values...), append([]Place(nil), r.Places...)
	s.rows = append(s.rows, c)
	return nil
}

// TestCanonicalFolderHeaders reads a canonical CSV folder whose headers are field names
// or exact aliases in any case: each maps, a field name before an alias, and what names
// no field is ignored and said so.
func TestCanonicalFolderHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"facilities.csv": "Facility Name,Zip Code,Fixed Cost,Notes\nReno DC,89501,\"$1,000\",leased\n",
		// MODELS.md's column names: origin and destination are aliases of the names.
		"shipments.csv": "ship_date,origin,destination,cost,units\n2025-01-02,Reno DC,Store 7,12.5,3\n",
		// "zip" is an alias of destination: the field name wins.
		"demand.csv": "zip,destination,units\n89501,Store 7,10\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sink := &rowsSink{}
	rep, err := IngestPath(context.Background(), dir, Options{Geo: testGeo(t), Sink: sink}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsAccepted != 3 || len(rep.Errors) > 0 {
		t.Fatalf("accepted %d rows, errors %+v, rules %+v", rep.RowsAccepted, rep.Errors, rep.Rules)
	}
	want := map[string]map[string]string{ // sheet -> header -> field
		"facilities.csv": {"Facility Name": "name", "Zip Code": "zip", "Fixed Cost": "fixed_cost", "Notes": ""},
		"shipments.csv":  {"origin": "origin_name", "destination": "dest_name"},
		"demand.csv":     {"zip": "", "destination": "destination"},
	}
	for _, s := range rep.Sheets {
		for _, m := range s.Mapping {
			if f, ok := want[s.Name][m.Header]; ok && m.Field != f {
				t.Errorf("%s: %q mapped to %q, want %q", s.Name, m.Header, m.Field, f)
			}
			if m.Field == "" && m.Note == "" {
				t.Errorf("%s: unmapped %q without a note", s.Name, m.Header)
			}
		}
	}
	for _, r := range sink.rows {
		if r.Kind == Shipments && (r.Places[0].Set || r.Values[SchemaOf(Shipments).field("origin_name")].Text != "Reno DC") {
			t.Errorf("shipment named by origin only: %+v", r)
		}
	}
}

// TestShipmentOriginAndDestination checks the rule of shipments: each end is named or
// located; a sheet with location columns needs a location on every row.
func TestShipmentOriginAndDestination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		csv      string
		accepted int64
		rule     string // the rule of the rejected row, or of the sheet error
	}{
		{"names only", "ship_date,origin_name,dest_name,cost\n2025-01-02,Reno DC,Store 7,10\n", 1, ""},
		{"locations only", "ship_date,origin_zip,dest_city,dest_state,cost\n2025-01-02,89501,Dallas,TX,10\n", 1, ""},
		{"neither on a row", "ship_date,origin_name,dest_name,cost\n2025-01-02,,Store 7,10\n", 0, RuleOneOf},
		{"name but no location in a located sheet", "ship_date,origin_name,origin_zip,dest_name,cost\n2025-01-02,Reno DC,,Store 7,10\n", 0, RuleLocationMissing},
		{"no origin column", "ship_date,dest_name,cost\n2025-01-02,Store 7,10\n", 0, "required_column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Ingest(context.Background(), Input{Name: "shipments.csv", R: strings.NewReader(tc.csv), Size: int64(len(tc.csv))},
				Options{Kind: Shipments, Geo: testGeo(t)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.RowsAccepted != tc.accepted {
				t.Errorf("accepted %d rows, want %d: %+v %+v", rep.RowsAccepted, tc.accepted, rep.Rules, rep.Errors)
			}
			var rules []string
			for _, rc := range rep.Rules {
				rules = append(rules, rc.Rule)
			}
			for _, is := range rep.Errors {
				rules = append(rules, is.Rule)
			}
			if got := strings.Join(rules, ","); got != tc.rule {
				t.Errorf("rules %q, want %q", got, tc.rule)
			}
		})
	}
}

// TestSkipSheet leaves the sheets a caller reads itself alone: a space-options sheet
// would otherwise be read as facilities and its rows rejected.
func TestSkipSheet(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Space options")
	for r, row := range [][]any{{"option", "facility", "sqft", "one_off_cost"}, {"New building", nil, 40000, 900000}, {"Tier 1", "Reno DC", 20000, 300000}} {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Space options", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	in := Input{Name: "model.xlsx", R: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}
	rep, err := Ingest(context.Background(), in, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sheets[0].Kind != Facilities || rep.RowsRejected == 0 {
		t.Fatalf("without SkipSheet: kind %q, %d rows rejected; the test no longer shows why SkipSheet exists", rep.Sheets[0].Kind, rep.RowsRejected)
	}
	skip := func(name string) string {
		if name == "Space options" {
			return "read by the models"
		}
		return ""
	}
	rep, err = Ingest(context.Background(), in, Options{Geo: testGeo(t), SkipSheet: skip}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Sheets[0]; s.Skipped != "read by the models" || s.RowsRead != 0 || s.Kind != "" || len(rep.Errors) > 0 {
		t.Errorf("sheet %+v, errors %+v: want skipped unread", s, rep.Errors)
	}
	if len(rep.Notices) == 0 || !strings.Contains(rep.Notices[len(rep.Notices)-1], `sheet "Space options" skipped: read by the models`) {
		t.Errorf("notices %q do not say the sheet was skipped", rep.Notices)
	}
}

// checkTotalsLabel holds isTotalsLabel to the regular expression it
// decides by hand.
func checkTotalsLabel(t *testing.T, s string) {
	t.Helper()
	if got, want := isTotalsLabel(s), totalsRow.MatchString(strings.ToLower(s)); got != want {
		t.Fatalf("isTotalsLabel(%q) = %v, the pattern says %v", s, got, want)
	}
}

func TestTotalsLabelMatchesPattern(t *testing.T) {
	t.Parallel()
	words := []string{"Total", "Totals", "TOTAL:", "total1", "totalss", "total_", "Grand Total", "grand totals", "grand  total", "grandtotal",
		"Subtotal", "Sub Total", "sub  total", "sub-total", "Subtotals.", "substitute", "Sum", "SUM of all", "sums", "sum_", "summary",
		"Garrett", "Seattle", "T", "", "Total\u212a", "TotalK", "\u212atotal", "Totals\u00e9", "grand total\u00e9", "Σ total", "Ｔotal",
		"sum\u212a", "Grand Totals (2024)", "Total of the year, all carriers"}
	for _, w := range words {
		checkTotalsLabel(t, w)
	}
}

func FuzzTotalsLabel(f *testing.F) {
	for _, s := range []string{"Total", "Grand totals", "sub total", "Sum", "Seattle", "Total\u212a", "totals\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkTotalsLabel(t, s) })
}

// TestTotalsRowsOnlyInTablesOfAmounts: a list of entities has no totals rows, so a
// destination called "Total Wine" is loaded; in a demand table a "Total" row is skipped.
func TestTotalsRowsOnlyInTablesOfAmounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"destinations.csv": "name,zip\nTotal Wine,89501\nStore 7,89502\n",
		"demand.csv":       "destination,units\nTotal Wine,5\nStore 7,10\nTotal,15\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sink := &rowsSink{}
	rep, err := IngestPath(context.Background(), dir, Options{Geo: testGeo(t), Sink: sink}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[Kind][]string{}
	for _, r := range sink.rows {
		got[r.Kind] = append(got[r.Kind], r.Values[0].Text)
	}
	if d := strings.Join(got[Destinations], "|"); d != "Total Wine|Store 7" {
		t.Errorf("destinations loaded %q, want Total Wine|Store 7", d)
	}
	// "Total Wine" leads a demand row too: in a table of amounts it reads as a totals row,
	// reported as skipped with its label.
	if d := strings.Join(got[Demand], "|"); d != "Store 7" || rep.RowsSkipped != 2 {
		t.Errorf("demand loaded %q with %d rows skipped, want Store 7 and 2 skipped", d, rep.RowsSkipped)
	}
}
