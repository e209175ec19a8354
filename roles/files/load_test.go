package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/roles/files/gen"
	"networx/storage"
	"networx/storage/storagetest"
)

// newTestLoader opens a fresh, migrated database and a loader on it.
func newTestLoader(t *testing.T, cfg LoaderConfig) (*Loader, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.Config{URL: storagetest.NewDatabase(t)}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	l, err := NewLoader(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l, db
}

// messy returns the generator's messy workbook with rows shipment rows.
func messy(t *testing.T, rows int) (Input, int) {
	t.Helper()
	var buf bytes.Buffer
	bad, err := gen.MessyWorkbook(&buf, 42, rows)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: "messy.xlsx", R: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}, bad
}

func queryInt(t *testing.T, db *storage.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func queryFloat(t *testing.T, db *storage.DB, sql string, args ...any) float64 {
	t.Helper()
	var f float64
	if err := db.Pool().QueryRow(context.Background(), sql, args...).Scan(&f); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return f
}

// TestTablesMatchMigration checks that every kind's table has exactly the
// columns the loader copies, of the types it encodes them in, in the
// database the migrations build; and the derived tables the columns their
// rows are copied into.
func TestTablesMatchMigration(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{})
	columns := func(t *testing.T, table string) map[string]string {
		rows, err := db.Pool().Query(context.Background(), `select column_name, data_type from information_schema.columns
			where table_name = $1`, table)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		var name, typ string
		_, err = pgx.ForEachRow(rows, []any{&name, &typ}, func() error { out[name] = typ; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			tb := l.tables[k]
			rows, err := db.Pool().Query(context.Background(), `select column_name from information_schema.columns
				where table_name = $1 and column_name <> 'derived' order by ordinal_position`, tb.name[0])
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tb.cols, ",") {
				t.Errorf("table %s has columns\n%v\nthe loader copies\n%v", tb.name[0], got, tb.cols)
			}
			types := columns(t, tb.name[0])
			for i, typ := range columnTypes(tb) {
				if types[tb.cols[i]] != pgTypeNames[typ] {
					t.Errorf("column %s.%s is %s; the loader copies %s", tb.name[0], tb.cols[i], types[tb.cols[i]], pgTypeNames[typ])
				}
			}
		})
	}
	for _, dt := range []derivedTable{demandTable, lanesTable, baselineTable} {
		t.Run("derived "+dt.name[0], func(t *testing.T) {
			types := columns(t, dt.name[0])
			for i, c := range dt.cols {
				if types[c] != pgTypeNames[dt.types[i]] {
					t.Errorf("column %s.%s is %q; derived rows copy %s", dt.name[0], c, types[c], pgTypeNames[dt.types[i]])
				}
			}
		})
	}
}

func TestLoadMessyWorkbook(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{BatchRows: 64}) // small batches: many COPYs and sheet switches
	ctx := context.Background()
	in, bad := messy(t, 400)
	req := LoadRequest{Tenant: "acme", Dataset: "network 2025", Source: "tenants/acme/uploads/messy.xlsx"}
	// The workbook rejects about 6% of its shipment rows on purpose.
	opts := Options{Geo: testGeo(t), Thresholds: Thresholds{MaxRejectedShare: 0.1}}
	res, err := l.Load(ctx, req, in, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	if res.Version.Version != 1 || res.Version.Status != StatusReady || res.Version.RowsAccepted != rep.RowsAccepted {
		t.Fatalf("version %+v; want version 1, ready, %d rows accepted", res.Version, rep.RowsAccepted)
	}
	if want := int64(400 - bad); sheetByName(t, rep, "Freight 2024").RowsAccepted != want {
		t.Fatalf("shipments accepted %d, want %d", sheetByName(t, rep, "Freight 2024").RowsAccepted, want)
	}
	id := res.Version.ID

	// Every table holds the rows the report accepted for its kind.
	byKind := map[Kind]int64{}
	for _, s := range rep.Sheets {
		byKind[s.Kind] += s.RowsAccepted
	}
	for _, k := range Kinds() {
		got := queryInt(t, db, fmt.Sprintf("select count(*) from dataset_%s where dataset_version_id = $1 and not %s", k,
			map[bool]string{true: "derived", false: "false"}[k == Demand]), id)
		if got != byKind[k] {
			t.Errorf("%s: %d rows loaded, report accepted %d", k, got, byKind[k])
		}
	}
	var stored struct {
		status                             string
		read, accepted, rejected, skipped  int64
		reportAccepted, hash, source, file string
	}
	if err := db.Pool().QueryRow(ctx, `select status, rows_read, rows_accepted, rows_rejected, rows_skipped,
		report->>'rows_accepted', content_hash, source, file_name from dataset_versions where id = $1`, id).
		Scan(&stored.status, &stored.read, &stored.accepted, &stored.rejected, &stored.skipped,
			&stored.reportAccepted, &stored.hash, &stored.source, &stored.file); err != nil {
		t.Fatal(err)
	}
	if stored.status != StatusReady || stored.read != rep.RowsRead || stored.accepted != rep.RowsAccepted ||
		stored.rejected != rep.RowsRejected || stored.skipped != rep.RowsSkipped || stored.reportAccepted != fmt.Sprint(rep.RowsAccepted) ||
		len(stored.hash) != 64 || stored.source != req.Source || stored.file != "messy.xlsx" {
		t.Errorf("stored version %+v does not match the report (read %d accepted %d rejected %d skipped %d)",
			stored, rep.RowsRead, rep.RowsAccepted, rep.RowsRejected, rep.RowsSkipped)
	}

	// Every shipment row has its source row, a date, both places and regions.
	if n := queryInt(t, db, `select count(*) from dataset_shipments where dataset_version_id = $1 and
		(source_sheet <> 'Freight 2024' or source_row <= 5 or origin_place_lat is null or destination_place_region is null
		or origin_place_method not in ('zip5', 'zip3', 'city'))`, id); n != 0 {
		t.Errorf("%d shipment rows lack their source or place", n)
	}

	// Derived data adds up to the shipments it came from.
	shipments := byKind[Shipments]
	sumCost := queryFloat(t, db, `select sum(cost) from dataset_shipments where dataset_version_id = $1`, id)
	sumUnits := queryFloat(t, db, `select sum(units) from dataset_shipments where dataset_version_id = $1`, id)
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"lane shipments", queryFloat(t, db, `select sum(shipments) from shipment_lanes where dataset_version_id = $1`, id), float64(shipments)},
		{"lane cost", queryFloat(t, db, `select sum(cost) from shipment_lanes where dataset_version_id = $1`, id), sumCost},
		{"baseline shipments", queryFloat(t, db, `select sum(shipments) from freight_baseline where dataset_version_id = $1`, id), float64(shipments)},
		{"baseline cost", queryFloat(t, db, `select sum(cost) from freight_baseline where dataset_version_id = $1`, id), sumCost},
		{"derived demand units", queryFloat(t, db, `select sum(units) from dataset_demand where dataset_version_id = $1 and derived`, id), sumUnits},
		{"derived demand rows", float64(res.Derived.Demand), float64(queryInt(t, db, `select count(distinct (coalesce(dest_name, dest_zip, dest_city || ', ' || coalesce(dest_state, destination_place_state)), extract(year from ship_date))) from dataset_shipments where dataset_version_id = $1`, id))},
		{"baseline months", float64(queryInt(t, db, `select count(distinct month) from freight_baseline where dataset_version_id = $1`, id)), 12},
		{"regions are census regions", float64(queryInt(t, db, `select count(*) from freight_baseline where dataset_version_id = $1 and origin_region not in ('Northeast', 'Midwest', 'South', 'West')`, id)), 0},
	}
	for _, c := range checks {
		// moneyTolerance: sums of two-decimal amounts in float8, added in
		// different orders.
		const moneyTolerance = 1e-6
		if math.Abs(c.got-c.want) > moneyTolerance*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if shipments == 0 || res.Derived.Lanes == 0 || res.Derived.Baseline == 0 {
		t.Errorf("nothing derived: %+v from %d shipments", res.Derived, shipments)
	}

	// A re-upload of the same file is version 2; version 1 keeps its rows.
	in2, _ := messy(t, 400)
	res2, err := l.Load(ctx, req, in2, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Version.Version != 2 || res2.Version.ID == id || res2.Version.ContentHash != res.Version.ContentHash {
		t.Fatalf("re-upload: %+v, want version 2 of the same content", res2.Version)
	}
	for _, v := range []int64{id, res2.Version.ID} {
		if n := queryInt(t, db, `select count(*) from dataset_shipments where dataset_version_id = $1`, v); n != shipments {
			t.Errorf("version id %d holds %d shipments, want %d", v, n, shipments)
		}
	}
	// Another dataset of the tenant counts its own versions.
	in3, _ := messy(t, 50)
	res3, err := l.Load(ctx, LoadRequest{Tenant: "acme", Dataset: "other"}, in3, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Version.Version != 1 {
		t.Errorf("first version of another dataset is %d, want 1", res3.Version.Version)
	}
}

// TestLoadCancelLeavesNothing cancels a load from its progress callback,
// after batches were copied, and checks that no row and no version is
// visible, while the table's storage shows the rows were written and
// rolled back.
func TestLoadCancelLeavesNothing(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{BatchRows: 500})
	in, _ := messy(t, 25000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var at int64
	progress := func(rows int64) {
		if at == 0 && rows >= 20000 {
			at = rows
			cancel()
		}
	}
	res, err := l.Load(ctx, LoadRequest{Tenant: "acme", Dataset: "big"}, in, Options{Geo: testGeo(t)}, progress)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("load returned %v, %v; want context.Canceled", res, err)
	}
	if at == 0 {
		t.Fatal("the progress callback never reached 20000 rows")
	}
	for _, tb := range []string{"dataset_versions", "dataset_shipments", "dataset_facilities", "dataset_demand", "shipment_lanes", "mapping_memory"} {
		if n := queryInt(t, db, "select count(*) from "+tb); n != 0 {
			t.Errorf("%s: %d rows visible after a cancelled load", tb, n)
		}
	}
	if size := queryInt(t, db, `select pg_relation_size('dataset_shipments')`); size == 0 {
		t.Errorf("dataset_shipments is empty on disk: no batch was copied before the cancel, so the test proves nothing")
	}

	// The database is usable and the next load is version 1.
	in2, _ := messy(t, 20)
	res2, err := l.Load(context.Background(), LoadRequest{Tenant: "acme", Dataset: "big"}, in2, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Version.Version != 1 {
		t.Errorf("version after a cancelled load: %d, want 1", res2.Version.Version)
	}
}

// renamedShipments is a client file whose headers are the client's own:
// some match a field only loosely, some not at all.
const renamedShipments = "Shp Dt,Orig Zip Cd,Dest Zip Cd,Frt Amt,Carr,Wgt\n" +
	"2024-01-05,60601,75201,123.45,UPS,100\n" +
	"2024-02-05,60601,30303,99.10,FedEx,50\n" +
	"2024-03-07,75201,30303,10.00,UPS,5\n"

func TestMappingMemoryRoundTrip(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{})
	ctx := context.Background()
	csv := func() Input {
		return Input{Name: "freight.csv", R: strings.NewReader(renamedShipments), Size: int64(len(renamedShipments))}
	}
	load := func(tenant string, m *UserMapping) *SheetReport {
		t.Helper()
		res, err := l.Load(ctx, LoadRequest{Tenant: tenant, Dataset: "freight"}, csv(), Options{Kind: Shipments, Mapping: m, Geo: testGeo(t)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Version.Status != StatusReady {
			t.Fatalf("load rejected: %+v", res.Report.Verdict)
		}
		return res.Report.Sheets[0]
	}
	// The first upload needs the user's word for two columns; the others
	// map by name.
	user := &UserMapping{Sheets: map[string]SheetMapping{"*": {Columns: map[string]string{"Shp Dt": "ship_date", "Frt Amt": "cost"}}}}
	first := load("acme", user)
	second := load("acme", nil)
	stranger := load("globex", user) // memory is per tenant
	tests := []struct {
		header      string
		field       string
		firstSource string
	}{
		{"Shp Dt", "ship_date", SourceUser},
		{"Frt Amt", "cost", SourceUser},
		{"Orig Zip Cd", "origin_zip", SourceFuzzy},
		{"Dest Zip Cd", "dest_zip", SourceFuzzy},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			m1, m2 := mappingOf(t, first, tc.header), mappingOf(t, second, tc.header)
			if m1.Field != tc.field || m1.Source != tc.firstSource {
				t.Errorf("first upload: %s from %s, want %s from %s", m1.Field, m1.Source, tc.field, tc.firstSource)
			}
			if m2.Field != tc.field || m2.Source != SourceLearned || m2.Confidence != 1 {
				t.Errorf("second upload: %s from %s at %v, want %s learned at 1", m2.Field, m2.Source, m2.Confidence, tc.field)
			}
			if tc.firstSource == SourceFuzzy && !(m1.Confidence < m2.Confidence) {
				t.Errorf("confidence did not rise: %v then %v", m1.Confidence, m2.Confidence)
			}
			if n := queryInt(t, db, `select confirmed from mapping_memory where tenant = 'acme' and kind = 'shipments' and header = $1`,
				normalizeHeader(tc.header)); n != 2 {
				t.Errorf("confirmed %d times, want 2", n)
			}
		})
	}
	// Without memory and without the user's mapping the file does not load:
	// the memory is what makes the second upload work.
	rep, err := Ingest(ctx, csv(), Options{Kind: Shipments, Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict.Pass {
		t.Errorf("the renamed file loads without memory or mapping, so the round trip proves nothing")
	}
	mapped := 0
	for _, m := range stranger.Mapping {
		if m.Field != "" {
			mapped++
		}
	}
	if n := queryInt(t, db, `select count(*) from mapping_memory where tenant = 'globex'`); n != int64(mapped) || mapped < 4 {
		t.Errorf("tenant globex remembers %d headers, want its own %d", n, mapped)
	}
}

func mappingOf(t *testing.T, s *SheetReport, header string) ColumnMapping {
	t.Helper()
	for _, m := range s.Mapping {
		if m.Header == header {
			return m
		}
	}
	t.Fatalf("no column %q in sheet %s", header, s.Name)
	return ColumnMapping{}
}

// TestLoadRejectedFileKeepsReport loads a file that is not a workbook: the
// version records the failed verdict and nothing is learned.
func TestLoadRejectedFileKeepsReport(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{})
	junk := "PK\x03\x04 this is not a zip"
	res, err := l.Load(context.Background(), LoadRequest{Tenant: "acme", Dataset: "x"},
		Input{Name: "bad.xlsx", R: strings.NewReader(junk), Size: int64(len(junk))}, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.Status != StatusRejected || len(res.Report.Errors) == 0 {
		t.Fatalf("version %+v errors %v; want rejected with errors", res.Version, res.Report.Errors)
	}
	if n := queryInt(t, db, `select jsonb_array_length(report->'errors') from dataset_versions where id = $1`, res.Version.ID); n == 0 {
		t.Error("the stored report lost its errors")
	}
	if n := queryInt(t, db, `select count(*) from mapping_memory`); n != 0 {
		t.Errorf("a rejected load taught %d mappings", n)
	}
}

func TestLoadJobIDIsIdempotent(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{})
	ctx := context.Background()
	req := LoadRequest{Tenant: "acme", Dataset: "d", JobID: "job-1"}
	in, _ := messy(t, 30)
	first, err := l.Load(ctx, req, in, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in2, _ := messy(t, 30)
	again, err := l.Load(ctx, req, in2, Options{Geo: testGeo(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Existing || again.Version.ID != first.Version.ID || again.Report.RowsAccepted != first.Report.RowsAccepted || again.Derived != first.Derived {
		t.Errorf("retried job: %+v, want the first load %+v", again, first)
	}
	if n := queryInt(t, db, `select count(*) from dataset_versions`); n != 1 {
		t.Errorf("%d versions after a retried job, want 1", n)
	}
}

// TestLoadEveryKind loads one canonical CSV per kind with every field
// given, and reads the row back: each field type is stored in its column.
func TestLoadEveryKind(t *testing.T) {
	t.Parallel()
	l, db := newTestLoader(t, LoaderConfig{})
	tests := []struct {
		kind  Kind
		csv   string
		check string // a query over the loaded row that must return true
	}{
		{Facilities, "name,lat,lon,zip,city,state,capacity,fixed_cost,kind,size_sqft,opening_cost,closing_cost,lease_end_year,mandatory,allowed_years\n" +
			"Reno DC,39.53,-119.81,89501,Reno,NV,120000,\"$1,500,000\",existing,250000,10,20,2031,yes,2026-2030\n",
			`name = 'Reno DC' and lat = 39.53 and zip = '89501' and state = 'NV' and fixed_cost = 1500000 and kind = 'existing'
			and lease_end_year = 2031 and mandatory and allowed_years = '2026-2030' and place_method = 'latlon' and place_region = 'West'
			and source_row = 2`},
		{Destinations, "name,zip\nStore 7,606\n", `name = 'Store 7' and zip = '606' and place_method = 'zip3' and place_state = 'IL' and lat is null`},
		{Demand, "destination,units,year,weight\nStore 7,1200.5,2025,300\n", `destination = 'Store 7' and units = 1200.5 and year = 2025 and weight = 300 and not derived`},
		{Shipments, "ship_date,origin_zip,dest_city,dest_state,cost,mode,units\n2024-03-04 13:30,60601,Dallas,TX,99.5,ltl,3\n",
			`ship_date = '2024-03-04 13:30' and origin_place_method = 'zip5' and destination_place_method = 'city' and mode = 'LTL'
			and destination_place_region = 'South' and origin_place_region = 'Midwest' and cost = 99.5`},
		{SKUs, "sku,annual_units,units_per_case,cases_per_pallet,cube_per_unit,unit_cost,description\nA-1,5000,12,40,0.5,3.25,Widget\n",
			`sku = 'A-1' and annual_units = 5000 and unit_cost = 3.25 and description = 'Widget'`},
		{Forecast, "year,units,growth_pct,dollars\n2026,100000,5%,2000000\n", `year = 2026 and growth_pct = 5 and dollars = 2000000`},
		{Lanes, "facility,destination,cost_per_unit,mode\nReno DC,Store 7,1.25,TL\n", `facility = 'Reno DC' and cost_per_unit = 1.25 and mode = 'TL'`},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			res, err := l.Load(context.Background(), LoadRequest{Tenant: "acme", Dataset: string(tc.kind)},
				Input{Name: string(tc.kind) + ".csv", R: strings.NewReader(tc.csv), Size: int64(len(tc.csv))},
				Options{Kind: tc.kind, Geo: testGeo(t)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Report.RowsAccepted != 1 {
				t.Fatalf("accepted %d rows: %+v", res.Report.RowsAccepted, res.Report.Rules)
			}
			var ok bool
			err = db.Pool().QueryRow(context.Background(), fmt.Sprintf("select count(*) = 1 from dataset_%s where dataset_version_id = $1 and %s", tc.kind, tc.check),
				res.Version.ID).Scan(&ok)
			if err != nil || !ok {
				t.Errorf("row does not read back (%v): %s", err, tc.check)
			}
		})
	}
}

// variedShipments writes a shipments CSV of n rows whose derived data takes
// every path of the keys and sums: places keyed by name, by ZIP and by
// city and state; carriers and modes missing (NULL) or given; units and
// weight missing or given; two years of dates. Places are real ZIPs of
// the embedded table, so that every row resolves.
func variedShipments(t *testing.T, n int, seed uint64) Input {
	t.Helper()
	g := testGeo(t)
	r := rand.New(rand.NewPCG(seed, 7))
	type place struct{ name, zip, city, state string }
	pick := func(count int, prefix string) []place {
		var out []place
		for len(out) < count {
			z := 1000 + r.IntN(99000)
			p, ok := g.ZIP5(z)
			if !ok || p.City == "" {
				continue
			}
			out = append(out, place{fmt.Sprintf("%s %d", prefix, len(out)), fmt.Sprintf("%05d", z), p.City, p.State})
		}
		return out
	}
	origins, dests := pick(30, "DC"), pick(400, "Store")
	loc := func(p place) []string {
		switch r.IntN(4) {
		case 0:
			return []string{p.name, p.zip, "", ""} // keyed by the name
		case 1:
			return []string{"", p.zip, p.city, p.state} // by the ZIP
		case 2:
			return []string{"", p.zip, "", ""}
		default:
			return []string{"", "", p.city, p.state} // by "city, state"
		}
	}
	maybe := func(s string) string {
		if r.IntN(10) == 0 {
			return ""
		}
		return s
	}
	carriers := []string{"UPS", "FedEx", "XPO", "Estes"}
	modes := []string{"Parcel", "ltl", "TL", "intermodal"}
	var b strings.Builder
	b.WriteString("ship_date,origin_name,origin_zip,origin_city,origin_state,dest_name,dest_zip,dest_city,dest_state,cost,carrier,mode,weight,units\n")
	for range n {
		day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(730))
		cols := []string{day.Format("2006-01-02")}
		cols = append(cols, loc(origins[r.IntN(len(origins))])...)
		cols = append(cols, loc(dests[r.IntN(len(dests))])...)
		cols = append(cols, fmt.Sprintf("%d.%02d", r.IntN(2000), r.IntN(100)), maybe(carriers[r.IntN(len(carriers))]),
			maybe(modes[r.IntN(len(modes))]), maybe(fmt.Sprint(1+r.IntN(5000))), maybe(fmt.Sprintf("%.1f", float64(r.IntN(4000))/10)))
		b.WriteString(strings.Join(cols, ",") + "\n")
	}
	return Input{Name: "varied.csv", R: strings.NewReader(b.String()), Size: int64(b.Len())}
}

// derivedRows reads the rows of a query as text keys (all columns but the
// last nums) and numbers (the last nums; NaN for NULL), sorted by key.
func derivedRows(t *testing.T, db *storage.DB, nums int, sql string, args ...any) (keys []string, values [][]float64) {
	t.Helper()
	rows, err := db.Pool().Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	type row struct {
		key  string
		nums []float64
	}
	var out []row
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		k := len(vals) - nums
		var rw row
		rw.key = fmt.Sprint(vals[:k]...)
		for _, v := range vals[k:] {
			switch v := v.(type) {
			case nil:
				rw.nums = append(rw.nums, math.NaN())
			case float64:
				rw.nums = append(rw.nums, v)
			case int64:
				rw.nums = append(rw.nums, float64(v))
			case int32:
				rw.nums = append(rw.nums, float64(v))
			default:
				t.Fatalf("%s: a %T in a sum column", sql, v)
			}
		}
		out = append(out, rw)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b row) int { return strings.Compare(a.key, b.key) })
	for _, rw := range out {
		keys, values = append(keys, rw.key), append(values, rw.nums)
	}
	return keys, values
}

// TestDerivedGoMatchesSQL loads a varied shipments file with the derived
// data summed in Go (all of it, all but the lanes, none of it: the derive
// memory caps), and checks each derived table against the SQL GROUP BY
// over the loaded shipments.
func TestDerivedGoMatchesSQL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		memory int64
	}{
		{"summed in go", 0},
		{"lanes past the memory", 5 << 18}, // the file needs 1.1 MB without the lanes, 1.5 MB with them
		{"everything in sql", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, db := newTestLoader(t, LoaderConfig{BatchRows: 700, DeriveMemory: tc.memory})
			res, err := l.Load(context.Background(), LoadRequest{Tenant: "acme", Dataset: "varied"}, variedShipments(t, 6000, 1),
				Options{Kind: Shipments, Geo: testGeo(t)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Report.RowsAccepted != 6000 || res.Version.Status != StatusReady {
				t.Fatalf("accepted %d of 6000 rows, status %s: %+v", res.Report.RowsAccepted, res.Version.Status, res.Report.Rules)
			}
			id := res.Version.ID
			checks := []struct {
				table derivedTable
				sel   string
				where string
				nums  int
				n     int64
			}{
				{lanesTable, selectLanes, "", 4, res.Derived.Lanes},
				{baselineTable, selectBaseline, "", 4, res.Derived.Baseline},
				{demandTable, selectDemand, " and derived", 3, res.Derived.Demand},
			}
			for _, c := range checks {
				// The stored row with the select's columns: the version id
				// first, demand's derived flag a sum-side column to compare.
				cols := c.table.cols[1:]
				if c.table.name[0] == "dataset_demand" {
					cols = []string{"destination", "year", "units", "weight", "derived::integer"}
				}
				stored := fmt.Sprintf("select %s from %s where dataset_version_id = $1%s", strings.Join(cols, ", "), c.table.name.Sanitize(), c.where)
				sql := "select " + strings.Join(cols, ", ") + " from (" + c.sel + ") s (" + strings.Join(c.table.cols, ", ") + ")"
				gotKeys, got := derivedRows(t, db, c.nums, stored, id)
				wantKeys, want := derivedRows(t, db, c.nums, sql, id)
				if len(gotKeys) < 100 || int64(len(gotKeys)) != c.n {
					t.Errorf("%s: %d rows stored, %d counted; want over 100 to prove anything", c.table.name[0], len(gotKeys), c.n)
				}
				if !slices.Equal(gotKeys, wantKeys) {
					t.Errorf("%s: %d groups stored, SQL groups %d; first stored %q, first SQL %q", c.table.name[0], len(gotKeys), len(wantKeys),
						gotKeys[:min(1, len(gotKeys))], wantKeys[:min(1, len(wantKeys))])
					continue
				}
				for i := range got {
					for j := range got[i] {
						// sumTolerance: the same float8 values added in the
						// same order match exactly; allow rounding in case the
						// scan order differs from the file's.
						const sumTolerance = 1e-9
						g, w := got[i][j], want[i][j]
						if math.IsNaN(g) != math.IsNaN(w) || math.Abs(g-w) > sumTolerance*math.Max(1, math.Abs(w)) {
							t.Errorf("%s group %s: column %d is %v, SQL sums %v", c.table.name[0], gotKeys[i], j, g, w)
						}
					}
				}
			}
			want := "shipments without units are not in it"
			if !slices.ContainsFunc(res.Report.Notices, func(n string) bool { return strings.Contains(n, want) }) {
				t.Errorf("no notice of the shipments without units: %q", res.Report.Notices)
			}
		})
	}
}
