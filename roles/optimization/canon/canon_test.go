package canon_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"networx/roles/files"
	"networx/roles/files/geo"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/roles/optimization/check"
	"networx/solver"
)

// The tests build one small network twice: a messy workbook as clients send them (title
// rows above the header, the client's own header spellings, sheets named their way,
// locations given only as a ZIP, a 3-digit ZIP or a city and state, dates in mixed forms,
// a totals row, a notes sheet) and its clean twin, a folder of canonical CSV files with
// lat/lon taken from the same offline geo table. Both must load to the same network and
// optimize to the same result.

// place is a location as the messy input gives it: a ZIP (5 digits, or 3 for a
// destination's prefix) or a city and state.
type place struct {
	zip         string
	city, state string
}

type site struct {
	name, kind         string
	at                 place
	capacity, fixed    float64
	opening, closing   float64
	leaseEnd, sizeSqft int
	mandatory          bool
	allowedYears       string
	capacityText       string // overrides capacity in the messy workbook (a bad value)
}

var sites = []site{
	{name: "Chicago DC", kind: "existing", at: place{zip: "60601"}, capacity: 260000, fixed: 520000, closing: 150000, leaseEnd: 2027, sizeSqft: 90000},
	{name: "Dallas DC", kind: "existing", at: place{city: "Dallas", state: "TX"}, capacity: 220000, fixed: 480000, closing: 120000, leaseEnd: 2029, sizeSqft: 70000},
	{name: "Atlanta candidate", kind: "candidate", at: place{zip: "30303"}, capacity: 250000, fixed: 410000, opening: 160000},
	{name: "Reno candidate", kind: "candidate", at: place{city: "Reno", state: "NV"}, capacity: 200000, fixed: 380000, opening: 140000},
	{name: "Newark candidate", kind: "candidate", at: place{zip: "07102"}, capacity: 240000, fixed: 450000, opening: 170000, mandatory: true},
	{name: "Denver candidate", kind: "candidate", at: place{city: "Denver", state: "Colorado"}, capacity: 180000, fixed: 360000, opening: 120000},
}

var customers = []struct {
	name string
	at   place
}{
	{"Memphis customer", place{zip: "38103"}},
	{"Columbus customer", place{city: "Columbus", state: "OH"}},
	{"Phoenix customer", place{zip: "85004"}},
	{"Seattle customer", place{zip: "98101"}},
	{"Boston customer", place{zip: "02108"}},
	{"St. Louis customer", place{city: "Saint Louis", state: "MO"}},
	{"Chicago area customer", place{zip: "606"}},
	{"Littleton customer", place{zip: "01460"}},
	{"Minneapolis customer", place{city: "Minneapolis", state: "MN"}},
	{"Portland customer", place{zip: "97201"}},
	{"Charlotte customer", place{city: "Charlotte", state: "NC"}},
	{"Fort Worth customer", place{city: "Ft. Worth", state: "TX"}},
}

var (
	geoOnce  sync.Once
	geoTable *geo.Table
	geoErr   error
)

func testGeo(t *testing.T) *geo.Table {
	t.Helper()
	geoOnce.Do(func() { geoTable, geoErr = geo.Load() })
	if geoErr != nil {
		t.Fatal(geoErr)
	}
	return geoTable
}

// resolve is the point the offline table gives a place: what the clean twin writes as
// lat/lon.
func resolve(t *testing.T, p place) geo.Point {
	t.Helper()
	g := testGeo(t)
	var pl geo.Place
	var ok bool
	switch n, _ := strconv.Atoi(p.zip); {
	case len(p.zip) == 5:
		pl, ok = g.ZIP5(n)
	case len(p.zip) == 3:
		pl, ok = g.ZIP3(n)
	default:
		pl, ok = g.City(p.city, p.state)
	}
	if !ok {
		t.Fatalf("%+v is not in the geo table", p)
	}
	return pl.Point
}

// network is the data both twins hold.
type network struct {
	sites     []site
	demand    []float64 // by customer, base year
	forecast  [][2]float64
	lanes     [][3]any // facility, destination, cost per unit
	shipments []shipment
	skus      [][6]any
	settings  [][2]string
	space     [][8]string
}

type shipment struct {
	date                string // ISO
	origin, destination string
	cost, units, weight float64
	mode, carrier       string
}

// messyMode is how the messy workbook spells each canonical mode.
var messyMode = map[string]string{"TL": "Truckload", "LTL": "ltl", "parcel": "Small Parcel"}

func newNetwork(t *testing.T) *network {
	t.Helper()
	n := &network{sites: append([]site(nil), sites...)}
	for j := range customers {
		n.demand = append(n.demand, float64(20000+7000*(j%5)))
	}
	n.forecast = [][2]float64{{2026, 0}, {2027, 0}, {2028, 0}}
	total := 0.0
	for _, d := range n.demand {
		total += d
	}
	for k := range n.forecast {
		n.forecast[k][1] = math.Round(total * math.Pow(1.05, float64(k)))
	}
	n.lanes = [][3]any{{"Chicago DC", "Memphis customer", 1.25}, {"Dallas DC", "Fort Worth customer", 0.35}}
	// Freight history from the existing DCs: cost per unit rises with the distance
	// between the resolved places, so the fitted rate depends on the locations.
	modes := []string{"TL", "LTL", "parcel"}
	for s := 0; s < 60; s++ {
		o := n.sites[s%2]
		j := (s * 7) % len(customers)
		d := optimization.Haversine(loc(resolve(t, o.at)), loc(resolve(t, customers[j].at)))
		units := float64(100 + 13*(s%9))
		cost := math.Round(units*(0.4+0.0009*d)*(0.95+0.01*float64(s%10))*100) / 100
		n.shipments = append(n.shipments, shipment{date: fmt.Sprintf("2025-%02d-%02d", 1+s%12, 1+s%28), origin: o.name,
			destination: customers[j].name, cost: cost, units: units, weight: units * 2, mode: modes[s%3], carrier: "Example Carrier " + strconv.Itoa(s%4)})
	}
	n.skus = [][6]any{{"SKU-1", 300000.0, 12.0, 40.0, 0.5, 8.25}, {"SKU-2", 120000.0, 6.0, 50.0, 1.2, 21.5}, {"SKU-3", 45000.0, 24.0, 30.0, 0.2, 3.1}}
	n.settings = [][2]string{{"max_open", "4"}, {"lease_years", "7"}, {"circuity", "1.2"}, {"lead_time_days", "14"}, {"demand_cv", "0.5"}}
	n.space = [][8]string{{"Chicago expansion", "Chicago DC", "20000", "300000", "7.5", "5", "2026", "1"}}
	return n
}

func loc(p geo.Point) optimization.Location {
	return optimization.Location{Lat: p.Lat, Lon: p.Lon, Known: true}
}

// sheet is one sheet of a workbook: its name and rows of cell values (nil is empty).
type sheet struct {
	name string
	rows [][]any
}

// titled puts client-style title rows and a blank row above a header.
func titled(rows ...[]any) [][]any {
	return append([][]any{{"ACME Corp. network study"}, {"Prepared for the example, confidential"}, nil}, rows...)
}

// messyBook is the messy workbook of n.
func (n *network) messyBook() []sheet {
	fac := titled([]any{"Facility Name", "Zip Code", "City", "ST", "Type", "Capacity (units/yr)", "Fixed Costs / Year", "Opening Cost", "Closing Cost", "Lease Expiry", "Must Open", "Sq Ft"})
	for _, s := range n.sites {
		var zip any
		if s.at.zip != "" {
			// A ZIP stored as a number, its leading zero lost, as spreadsheets do.
			v, _ := strconv.Atoi(s.at.zip)
			zip = v
		}
		var capacity any = s.capacity
		if s.capacityText != "" {
			capacity = s.capacityText
		}
		row := []any{s.name, zip, s.at.city, s.at.state, strings.ToUpper(s.kind[:1]) + s.kind[1:], capacity, "$" + commas(s.fixed), s.opening, s.closing,
			orNil(s.leaseEnd), map[bool]string{true: "Y", false: ""}[s.mandatory], orNil(s.sizeSqft)}
		if s.allowedYears != "" {
			fac[3] = append(fac[3], "Allowed Years")
			row = append(row, s.allowedYears)
		}
		fac = append(fac, row)
	}
	cust := titled([]any{"Customer Name", "Postal Code", "City", "State"})
	vol := titled([]any{"Ship To", "Qty"})
	for j, c := range customers {
		cust = append(cust, []any{c.name, nilIfEmpty(c.at.zip), nilIfEmpty(c.at.city), nilIfEmpty(c.at.state)})
		vol = append(vol, []any{c.name, n.demand[j]})
	}
	vol = append(vol, []any{"Total", sum(n.demand)})
	ship := titled([]any{"Ship Date", "Ship From", "Consignee", "Freight Charge", "Pieces", "Billed Weight", "Service Type", "SCAC"})
	for k, s := range n.shipments {
		var date any = s.date
		if k%2 == 1 {
			y, m, d := 0, 0, 0
			fmt.Sscanf(s.date, "%d-%d-%d", &y, &m, &d)
			date = fmt.Sprintf("%d/%d/%d", m, d, y) // a US slash date
		}
		ship = append(ship, []any{date, s.origin, s.destination, s.cost, s.units, s.weight, messyMode[s.mode], s.carrier})
	}
	growth := titled([]any{"FY", "Projected Units"})
	for _, f := range n.forecast {
		growth = append(growth, []any{int(f[0]), f[1]})
	}
	rates := titled([]any{"From", "To", "Rate per Unit"})
	for _, l := range n.lanes {
		rates = append(rates, []any{l[0], l[1], l[2]})
	}
	items := titled([]any{"Item #", "Annual Volume", "Case Pack", "Cases per Pallet", "Cube", "Standard Cost"})
	for _, s := range n.skus {
		items = append(items, []any{s[0], s[1], s[2], s[3], s[4], s[5]})
	}
	settings := [][]any{{"key", "value"}}
	for _, s := range n.settings {
		settings = append(settings, []any{s[0], s[1]})
	}
	space := [][]any{{"option", "facility", "sqft", "one_off_cost", "cost_per_sqft_year", "lease_years", "earliest_year", "tier"}}
	for _, s := range n.space {
		row := []any{}
		for _, v := range s {
			row = append(row, v)
		}
		space = append(space, row)
	}
	return []sheet{
		{"Read me", [][]any{{"This workbook is EXAMPLE data for the canon tests."}, {"Sheets: DC list, Customers, Volumes, ..."}}},
		{"DC list", fac}, {"Customers", cust}, {"Volumes", vol}, {"Freight history", ship}, {"Growth", growth},
		{"Rate table", rates}, {"Item master", items}, {"Space options", space}, {"Settings", settings},
	}
}

// cleanFolder writes the clean twin of n: canonical CSV files with lat/lon.
func (n *network) cleanFolder(t *testing.T, dir string) {
	t.Helper()
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var b strings.Builder
	b.WriteString("name,lat,lon,kind,capacity,fixed_cost,opening_cost,closing_cost,lease_end_year,mandatory,size_sqft\n")
	for _, s := range n.sites {
		p := resolve(t, s.at)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%v,%s\n", s.name, ff(p.Lat), ff(p.Lon), s.kind, ff(s.capacity), ff(s.fixed), ff(s.opening), ff(s.closing),
			map[bool]string{true: strconv.Itoa(s.leaseEnd), false: ""}[s.leaseEnd > 0], s.mandatory, map[bool]string{true: strconv.Itoa(s.sizeSqft), false: ""}[s.sizeSqft > 0])
	}
	files := map[string]string{"facilities.csv": b.String()}
	b.Reset()
	var dem strings.Builder
	b.WriteString("name,lat,lon\n")
	dem.WriteString("destination,units\n")
	for j, c := range customers {
		p := resolve(t, c.at)
		fmt.Fprintf(&b, "%s,%s,%s\n", c.name, ff(p.Lat), ff(p.Lon))
		fmt.Fprintf(&dem, "%s,%s\n", c.name, ff(n.demand[j]))
	}
	files["destinations.csv"], files["demand.csv"] = b.String(), dem.String()
	b.Reset()
	// The column names of MODELS.md (origin, destination; cube), aliases of the
	// ingestion role's fields.
	b.WriteString("ship_date,origin,destination,cost,units,weight,mode,carrier\n")
	for _, s := range n.shipments {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s\n", s.date, s.origin, s.destination, ff(s.cost), ff(s.units), ff(s.weight), s.mode, s.carrier)
	}
	files["shipments.csv"] = b.String()
	b.Reset()
	b.WriteString("year,units\n")
	for _, f := range n.forecast {
		fmt.Fprintf(&b, "%s,%s\n", ff(f[0]), ff(f[1]))
	}
	files["forecast.csv"] = b.String()
	b.Reset()
	b.WriteString("facility,destination,cost_per_unit\n")
	for _, l := range n.lanes {
		fmt.Fprintf(&b, "%s,%s,%v\n", l[0], l[1], l[2])
	}
	files["lanes.csv"] = b.String()
	b.Reset()
	b.WriteString("sku,annual_units,units_per_case,cases_per_pallet,cube,unit_cost\n")
	for _, s := range n.skus {
		fmt.Fprintf(&b, "%v,%v,%v,%v,%v,%v\n", s[0], s[1], s[2], s[3], s[4], s[5])
	}
	files["skus.csv"] = b.String()
	b.Reset()
	b.WriteString("key,value\n")
	for _, s := range n.settings {
		fmt.Fprintf(&b, "%s,%s\n", s[0], s[1])
	}
	files["settings.csv"] = b.String()
	b.Reset()
	b.WriteString("option,facility,sqft,one_off_cost,cost_per_sqft_year,lease_years,earliest_year,tier\n")
	for _, s := range n.space {
		b.WriteString(strings.Join(s[:], ",") + "\n")
	}
	files["space_options.csv"] = b.String()
	writeFolder(t, dir, files)
}

func writeFolder(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeBook(t *testing.T, path string, sheets []sheet) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellValue(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func commas(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func orNil(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

// withoutSources clears what differs between the twins by construction: where each row
// was read, and the ingestion report.
func withoutSources(in *canon.Input) *canon.Input {
	out := *in
	net := &out.Network
	net.Facilities = append([]optimization.Facility(nil), net.Facilities...)
	for i := range net.Facilities {
		net.Facilities[i].Source = ""
	}
	net.Destinations = append([]optimization.Destination(nil), net.Destinations...)
	for i := range net.Destinations {
		net.Destinations[i].Source = ""
	}
	net.Demand = append([]optimization.Demand(nil), net.Demand...)
	for i := range net.Demand {
		net.Demand[i].Source = ""
	}
	net.Lanes = append([]optimization.Lane(nil), net.Lanes...)
	for i := range net.Lanes {
		net.Lanes[i].Source = ""
	}
	net.Shipments = append([]optimization.Shipment(nil), net.Shipments...)
	for i := range net.Shipments {
		net.Shipments[i].Source = ""
	}
	net.Forecast = append([]optimization.YearUnits(nil), net.Forecast...)
	for i := range net.Forecast {
		net.Forecast[i].Source = ""
	}
	out.SKUs = append([]canon.SKU(nil), out.SKUs...)
	for i := range out.SKUs {
		out.SKUs[i].Source = ""
	}
	out.SpaceOptions = append([]canon.SpaceOption(nil), out.SpaceOptions...)
	for i := range out.SpaceOptions {
		out.SpaceOptions[i].Source = ""
	}
	out.Settings = map[string]canon.Setting{}
	for k, v := range in.Settings {
		out.Settings[k] = canon.Setting{Value: v.Value}
	}
	out.Path, out.Ingestion, out.Notices = "", nil, nil
	return &out
}

// TestMessyInputMatchesCleanTwin loads the messy workbook, a CSV folder with the
// ingestion role's aliases for headers and ZIP or city locations, and the clean lat/lon
// twin, and checks that all three are the same network and optimize to the same result.
func TestMessyInputMatchesCleanTwin(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	dir := t.TempDir()
	book := filepath.Join(dir, "messy.xlsx")
	writeBook(t, book, n.messyBook())
	clean := filepath.Join(dir, "clean")
	n.cleanFolder(t, clean)
	aliased := filepath.Join(dir, "aliased")
	n.cleanFolder(t, aliased)
	var fac, dst strings.Builder
	fac.WriteString("Facility Name,Zip Code,City,ST,Type,Annual Capacity,Fixed Cost,Opening Cost,Closing Cost,Lease End,Must Open,Sq Ft\n")
	for _, s := range n.sites {
		fmt.Fprintf(&fac, "%s,%s,%s,%s,%s,%v,%v,%v,%v,%s,%s,%s\n", s.name, s.at.zip, s.at.city, s.at.state, s.kind, s.capacity, s.fixed, s.opening, s.closing,
			map[bool]string{true: strconv.Itoa(s.leaseEnd), false: ""}[s.leaseEnd > 0], map[bool]string{true: "yes", false: "no"}[s.mandatory],
			map[bool]string{true: strconv.Itoa(s.sizeSqft), false: ""}[s.sizeSqft > 0])
	}
	dst.WriteString("Customer,Postal Code,City,State\n")
	for _, c := range customers {
		fmt.Fprintf(&dst, "%s,%s,%s,%s\n", c.name, c.at.zip, c.at.city, c.at.state)
	}
	writeFolder(t, aliased, map[string]string{"facilities.csv": fac.String(), "destinations.csv": dst.String()})

	ctx := context.Background()
	want, err := canon.Load(ctx, clean)
	if err != nil {
		t.Fatalf("clean twin: %v", err)
	}
	wantRes := optimize(t, want)
	for _, path := range []string{book, aliased} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, err := canon.Load(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			got, exp := withoutSources(in), withoutSources(want)
			if !reflect.DeepEqual(got.Network, exp.Network) {
				t.Errorf("network differs from the clean twin's:\n got %+v\nwant %+v", got.Network, exp.Network)
			}
			if !reflect.DeepEqual(got.SKUs, exp.SKUs) || !reflect.DeepEqual(got.SizeSqft, exp.SizeSqft) ||
				!reflect.DeepEqual(got.SpaceOptions, exp.SpaceOptions) || !reflect.DeepEqual(got.Settings, exp.Settings) {
				t.Errorf("SKUs, sizes, space options or settings differ:\n got %+v %v %+v %v\nwant %+v %v %+v %v",
					got.SKUs, got.SizeSqft, got.SpaceOptions, got.Settings, exp.SKUs, exp.SizeSqft, exp.SpaceOptions, exp.Settings)
			}
			res := optimize(t, in)
			if res.Status != wantRes.Status || res.Objective != wantRes.Objective || !reflect.DeepEqual(res.OpenFacilities, wantRes.OpenFacilities) {
				t.Errorf("result %s %v %v, clean twin %s %v %v", res.Status, res.Objective, res.OpenFacilities, wantRes.Status, wantRes.Objective, wantRes.OpenFacilities)
			}
		})
	}

	// The messy workbook's rows keep their sources, and what was left out is said.
	in, err := canon.Load(ctx, book)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Network.Facilities[0].Source, `messy.xlsx sheet "DC list" row 5`; got != want {
		t.Errorf("first facility source %q, want %q", got, want)
	}
	if got, want := in.SpaceOptions[0].Source, `messy.xlsx sheet "Space options" row 2`; got != want {
		t.Errorf("space option source %q, want %q", got, want)
	}
	notices := strings.Join(in.Notices, "\n")
	for _, w := range []string{`"Read me" skipped`, "1 totals rows left out"} {
		if !strings.Contains(notices, w) {
			t.Errorf("notices do not say %q:\n%s", w, notices)
		}
	}
	// Settings and Space options are read (above), so no notice says they were skipped.
	for _, w := range []string{`"Settings" skipped`, `"Space options" skipped`} {
		if strings.Contains(notices, w) {
			t.Errorf("notices say %q of a sheet that was read:\n%s", w, notices)
		}
	}
}

func optimize(t *testing.T, in *canon.Input) *optimization.Result {
	t.Helper()
	res, err := optimization.Optimize(context.Background(), &in.Network, optimization.Options{Solver: solver.Settings{Threads: 1, RelGap: 1e-9}})
	if err != nil {
		t.Fatalf("optimize %s: %v", in.Path, err)
	}
	if err := check.Result(&in.Network, res); err != nil {
		t.Errorf("checker: %v", err)
	}
	if res.Rates.Fitted == 0 || res.Rates.Lanes == 0 {
		t.Errorf("rates %+v: want both explicit lanes and fitted rates in use", res.Rates)
	}
	return res
}

// TestLoadProblems checks that nothing partial reaches the models: every rejected row,
// sheet error and missing dataset fails the load with its file, sheet, row, column,
// value and rule.
func TestLoadProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		csv    map[string]string // a folder, else the messy workbook changed by book
		book   func(sheets []sheet) []sheet
		sites  func(s []site)
		want   []string
		absent []string
	}{
		{name: "bad number in the workbook", sites: func(s []site) { s[2].capacityText = "lots" },
			want: []string{`messy.xlsx sheet "DC list" row 7 column F (Capacity (units/yr), read as capacity): "lots" is not a number [rule number]`}},
		{name: "unknown ZIP", book: func(sh []sheet) []sheet {
			sh[2].rows[5][1] = "00000"
			return sh
		}, want: []string{`messy.xlsx sheet "Customers" row 6 column B (Postal Code, read as zip): ZIP 00000 is not in the offline ZIP tables [rule location_unknown]`}},
		{name: "city without a state", book: func(sh []sheet) []sheet {
			sh[2].rows[5] = []any{"Somewhere customer", nil, "Springfield", nil}
			return sh
		}, want: []string{`messy.xlsx sheet "Customers" row 6`, "city Springfield has no state", "rule location_missing"}},
		{name: "required column missing", book: func(sh []sheet) []sheet {
			for r := 3; r < len(sh[4].rows); r++ {
				sh[4].rows[r] = append(sh[4].rows[r][:3:3], sh[4].rows[r][4:]...)
			}
			return sh
		}, want: []string{`messy.xlsx sheet "Freight history": required column "cost" is missing from the header (row 4; read as shipments)`}},
		{name: "a value the models cannot use", sites: func(s []site) { s[3].allowedYears = "2027-2028" },
			want: []string{`messy.xlsx sheet "DC list" row 8 column M (Allowed Years, read as allowed_years): allowed_years: the network model does not restrict sites to years yet`, `[rule unsupported, value "2027-2028"]`}},
		{name: "required dataset missing", book: func(sh []sheet) []sheet {
			return append(sh[:3:3], sh[4:]...)
		}, want: []string{`messy.xlsx has no demand sheet: it is required`, `"Read me" skipped`}},
		{name: "many bad rows", book: func(sh []sheet) []sheet {
			for r := 4; r < len(sh[4].rows); r++ {
				sh[4].rows[r][3] = "n/a"
			}
			return sh
		}, want: []string{`messy.xlsx sheet "Freight history" row 5 column D (Freight Charge, read as cost): "n/a" is not a number [rule number]`, "10 more problems not shown"},
			absent: []string{"row 64 "}},
		{name: "bad row in a CSV folder", csv: map[string]string{
			"facilities.csv":   "name,zip,capacity\nA,60601,100\nB,30303,-5\n",
			"destinations.csv": "name,city,state\nX,Denver,CO\n",
			"demand.csv":       "destination,units\nX,5\n",
		}, want: []string{`facilities.csv row 3 column C (capacity): -5 is below the minimum 0 [rule range]`}},
		{name: "settings still checked", csv: map[string]string{
			"facilities.csv":   "name\nA\n",
			"destinations.csv": "name\nX\n",
			"demand.csv":       "destination,units\nX,5\n",
			"settings.csv":     "key,value\nmax_open,many\n",
		}, want: []string{`settings.csv row 2: setting max_open = "many" is not a number`}},
		{name: "dataset missing from a folder", csv: map[string]string{
			"facilities.csv":   "name\nA\n",
			"destinations.csv": "name\nX\n",
		}, want: []string{"demand.csv is missing: it is required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := dir
			if tc.csv != nil {
				writeFolder(t, dir, tc.csv)
			} else {
				n := newNetwork(t)
				if tc.sites != nil {
					tc.sites(n.sites)
				}
				sheets := n.messyBook()
				if tc.book != nil {
					sheets = tc.book(sheets)
				}
				path = filepath.Join(dir, "messy.xlsx")
				writeBook(t, path, sheets)
			}
			_, err := canon.Load(context.Background(), path)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%v", err)
			if !errors.Is(err, canon.ErrInput) {
				t.Errorf("error does not wrap ErrInput: %v", err)
			}
			for _, w := range append(tc.want, "nothing is imputed") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error says %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestLoadWithMapping maps a column whose header names no field: without the mapping the
// column is ignored and a notice says so; with it the capacities are read.
func TestLoadWithMapping(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	sheets := n.messyBook()
	sheets[1].rows[3][5] = "Thruput"
	path := filepath.Join(t.TempDir(), "messy.xlsx")
	writeBook(t, path, sheets)
	ctx := context.Background()
	in, err := canon.Load(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if c := in.Network.Facilities[0].Capacity; c != 0 {
		t.Errorf("capacity %v read from an unmapped column", c)
	}
	if notices := strings.Join(in.Notices, "\n"); !strings.Contains(notices, `messy.xlsx sheet "DC list" column F (Thruput) was read as no field of facilities and ignored`) {
		t.Errorf("no notice of the ignored column:\n%s", notices)
	}
	m := &files.UserMapping{Sheets: map[string]files.SheetMapping{"DC list": {Columns: map[string]string{"Thruput": "capacity"}}}}
	in, err = canon.LoadWith(ctx, path, canon.LoadOptions{Mapping: m, Geo: testGeo(t)})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range in.Network.Facilities {
		if f.Capacity != n.sites[i].capacity {
			t.Errorf("%s: capacity %v, want %v", f.Name, f.Capacity, n.sites[i].capacity)
		}
	}
}
