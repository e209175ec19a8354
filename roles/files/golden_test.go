package files

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"networx/roles/files/gen"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenMessyWorkbook ingests the generator's messy workbook and
// compares the whole report with testdata/golden/messy.json (rewrite it
// with go test -run Golden -update after checking the difference).
func TestGoldenMessyWorkbook(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	bad, err := gen.MessyWorkbook(&buf, 42, 400)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Ingest(context.Background(), Input{Name: "messy.xlsx", R: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "messy.json")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("report differs from %s; run with -update and review the diff:\n%s", golden, got)
	}

	// Facts the golden file must show, checked independently of it.
	ship := sheetByName(t, rep, "Freight 2024")
	if ship.Kind != Shipments || ship.HeaderRow != 5 || len(ship.TitleRows) != 3 {
		t.Errorf("shipments sheet: kind %s header row %d title rows %v; want shipments, 5, [1 2 4]", ship.Kind, ship.HeaderRow, ship.TitleRows)
	}
	if ship.RowsRead != 401 || ship.RowsRejected != int64(bad) || ship.RowsAccepted != int64(400-bad) || ship.RowsSkipped != 1 {
		t.Errorf("shipments rows read %d accepted %d rejected %d skipped %d; want 400+1 totals, %d rejected",
			ship.RowsRead, ship.RowsAccepted, ship.RowsRejected, ship.RowsSkipped, bad)
	}
	wantFields := map[string]string{"A": "ship_date", "B": "origin_city", "C": "origin_state", "D": "origin_zip",
		"E": "dest_city", "F": "dest_state", "G": "dest_zip", "H": "carrier", "I": "mode", "K": "weight", "L": "cost", "M": "units"}
	for _, m := range ship.Mapping {
		if want := wantFields[m.Column]; m.Field != want {
			t.Errorf("column %s (%q) mapped to %q, want %q", m.Column, m.Header, m.Field, want)
		}
	}
	if dcs := sheetByName(t, rep, "DCs"); dcs.Kind != Facilities || dcs.RowsAccepted != 6 {
		t.Errorf("DCs: kind %s accepted %d, want facilities 6", dcs.Kind, dcs.RowsAccepted)
	}
	if cust := sheetByName(t, rep, "Customers"); cust.Kind != Destinations || cust.HeaderRow != 3 || cust.RowsAccepted != 12 {
		t.Errorf("Customers: kind %s header %d accepted %d, want destinations 3 12", cust.Kind, cust.HeaderRow, cust.RowsAccepted)
	}
	if notes := sheetByName(t, rep, "Notes"); notes.Skipped == "" {
		t.Errorf("Notes sheet was not skipped")
	}
}

func sheetByName(t *testing.T, rep *Report, name string) *SheetReport {
	t.Helper()
	for _, s := range rep.Sheets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sheet %q in the report", name)
	return nil
}
