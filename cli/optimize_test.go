package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tealeg/xlsx/v3"

	"networx/examples/netgen"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/roles/optimization/check"
	"networx/solver/orlib"
)

var orlibAll = flag.Bool("optimize.orlib-all", false, "run every small OR-Library instance through networx optimize (default: a representative subset)")

// orlibSubset spans the three sizes (16, 25 and 50 facilities x 50 customers) and the
// capacity levels of each group.
var orlibSubset = []string{"cap41", "cap44", "cap51", "cap64", "cap71", "cap81", "cap94", "cap101", "cap114", "cap121", "cap134"}

// orlibRelTol is the agreement required with the published optima, which are printed
// with 3 decimals on values near 1e6.
const orlibRelTol = 1e-6

// writeOrlibFolder writes an OR-Library instance as a folder of canonical CSV files: the
// published cost c_ij is for all of j's demand, so the lane's cost per unit is c_ij / d_j.
func writeOrlibFolder(t *testing.T, in *orlib.Instance, dir string) {
	t.Helper()
	var fac, dst, dem, lanes strings.Builder
	fac.WriteString("name,capacity,fixed_cost,kind\n")
	for i := 0; i < in.M; i++ {
		fmt.Fprintf(&fac, "W%d,%s,%s,candidate\n", i+1, g(in.Capacity[i]), g(in.FixedCost[i]))
	}
	dst.WriteString("name\n")
	dem.WriteString("destination,units\n")
	lanes.WriteString("facility,destination,cost_per_unit\n")
	for j := 0; j < in.N; j++ {
		if in.Demand[j] <= 0 {
			t.Fatalf("customer %d has demand %v: cost per unit is undefined", j+1, in.Demand[j])
		}
		fmt.Fprintf(&dst, "C%d\n", j+1)
		fmt.Fprintf(&dem, "C%d,%s\n", j+1, g(in.Demand[j]))
		for i := 0; i < in.M; i++ {
			fmt.Fprintf(&lanes, "W%d,C%d,%s\n", i+1, j+1, g(in.Cost[i][j]/in.Demand[j]))
		}
	}
	for name, body := range map[string]string{"facilities.csv": fac.String(), "destinations.csv": dst.String(),
		"demand.csv": dem.String(), "lanes.csv": lanes.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func TestOptimizeORLibrary(t *testing.T) {
	bench := filepath.Join("..", "bench", "orlib")
	f, err := os.Open(filepath.Join(bench, "capopt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	opt, err := orlib.ReadOptima(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	names := orlibSubset
	if *orlibAll {
		names = nil
		for _, grp := range []string{"4", "5", "6", "7", "8", "9", "10", "11", "12", "13"} {
			for k := 1; k <= 4; k++ {
				if n := "cap" + grp + strconv.Itoa(k); opt[n] != 0 {
					names = append(names, n)
				}
			}
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fh, err := os.Open(filepath.Join(bench, name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			in, err := orlib.Parse(fh)
			fh.Close()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeOrlibFolder(t, in, dir)
			out := filepath.Join(dir, "results.xlsx")
			var stdout, stderr bytes.Buffer
			err = runOptimize(context.Background(), dir, optimizeOptions{json: true, gap: 1e-8, threads: 1, out: out}, &stdout, &stderr)
			if err != nil {
				t.Fatalf("optimize: %v\n%s", err, stdout.String())
			}
			var res optimization.Result
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("--json output is not one JSON object: %v\n%s", err, stdout.String())
			}
			want := opt[name]
			if res.Status != "optimal" || math.Abs(float64(res.Objective)-want) > orlibRelTol*want {
				t.Fatalf("status %s objective %v, published optimum %v", res.Status, res.Objective, want)
			}
			loaded, err := canon.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := check.Result(&loaded.Network, &res); err != nil {
				t.Errorf("checker: %v", err)
			}
			if len(res.OpenFacilities) == 0 {
				t.Errorf("no open facilities reported")
			}
			checkWorkbook(t, out, res)
		})
	}
}

// checkWorkbook opens the results workbook and checks its sheets and the certificate.
func checkWorkbook(t *testing.T, path string, res optimization.Result) {
	t.Helper()
	wb, err := xlsx.OpenFile(path)
	if err != nil {
		t.Fatalf("open results workbook: %v", err)
	}
	for _, name := range []string{"Summary", "Facilities", "Assignments", "Yearly costs", "Sweep", "Capacity", "Inventory", "Inputs and settings"} {
		if _, ok := wb.Sheet[name]; !ok {
			t.Errorf("results workbook has no sheet %q", name)
		}
	}
	sh := wb.Sheet["Summary"]
	found := map[string]bool{}
	for r := 0; r < sh.MaxRow; r++ {
		row, err := sh.Row(r)
		if err != nil {
			t.Fatal(err)
		}
		label := row.GetCell(0).Value
		v := row.GetCell(1)
		switch label {
		case "Status":
			found[label] = v.Value == res.Status
		case "Objective", "Bound", "Gap":
			f, err := v.Float()
			found[label] = err == nil && v.Type() == xlsx.CellTypeNumeric
			if label == "Objective" && math.Abs(f-float64(res.Objective)) > 1e-6*math.Abs(f) {
				t.Errorf("Summary objective %v, result %v", f, res.Objective)
			}
			if label == "Objective" && !strings.Contains(v.NumFmt, "$") {
				t.Errorf("Summary objective format %q is not money", v.NumFmt)
			}
			if label == "Gap" && !strings.Contains(v.NumFmt, "%") {
				t.Errorf("Summary gap format %q is not percent", v.NumFmt)
			}
		}
	}
	for _, k := range []string{"Status", "Objective", "Bound", "Gap"} {
		if !found[k] {
			t.Errorf("Summary certificate row %q missing or not as reported", k)
		}
	}
}

// TestOptimizeExampleData runs a small instance of the example generator through the
// pipeline as a workbook and as a CSV folder: forecast scaling, rates fitted from the
// freight history, the service radius and both baselines, checked independently.
func TestOptimizeExampleData(t *testing.T) {
	tables := netgen.Generate(netgen.Config{Seed: 5, Candidates: 6, Existing: 2, Destinations: 40, Shipments: 600, SKUs: 10})
	dir := t.TempDir()
	book := filepath.Join(dir, "example-network.xlsx")
	if err := tables.WriteWorkbook(book); err != nil {
		t.Fatal(err)
	}
	csvDir := filepath.Join(dir, "csv")
	if err := tables.WriteCSV(csvDir); err != nil {
		t.Fatal(err)
	}
	var objectives []float64
	for _, path := range []string{book, csvDir} {
		var stdout, stderr bytes.Buffer
		if err := runOptimize(context.Background(), path, optimizeOptions{json: true, threads: 1, gap: 1e-7}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, stdout.String())
		}
		var res optimization.Result
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		in, err := canon.Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if err := check.Result(&in.Network, &res); err != nil {
			t.Errorf("%s: checker: %v", path, err)
		}
		if res.Mode != optimization.ModeFixedLease || len(res.Years) != 5 || res.Rates.Fitted == 0 || res.Rates.Fit == nil {
			t.Errorf("%s: mode %s years %v fitted lanes %d", path, res.Mode, res.Years, res.Rates.Fitted)
		}
		if res.Baseline.Modeled == nil || res.Baseline.Invoiced == nil || res.CentreOfGravity == nil {
			t.Errorf("%s: baselines %+v, centre of gravity %v", path, res.Baseline, res.CentreOfGravity)
		}
		objectives = append(objectives, float64(res.Objective))
	}
	if math.Abs(objectives[0]-objectives[1]) > 1e-6*objectives[0] {
		t.Errorf("workbook objective %v, CSV objective %v: the two loaders disagree", objectives[0], objectives[1])
	}
}

// TestOptimizeMissingCapacityData runs an input with SKUs but without the capacity data:
// the network results are printed and written, then the run exits 1 naming what is
// missing, as the optimize job fails with its results kept (docs/models.md).
func TestOptimizeMissingCapacityData(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"facilities.csv":   "name,lat,lon,kind,fixed_cost\nExample DC,40,-90,existing,100\nExample site,35,-100,candidate,100\n",
		"destinations.csv": "name,lat,lon\nExample customer,41,-91\nExample customer 2,36,-99\n",
		"demand.csv":       "destination,units\nExample customer,1000\nExample customer 2,500\n",
		"skus.csv":         "sku,annual_units,units_per_case,cases_per_pallet,unit_cost\nEXAMPLE-1,600,6,40,10\n",
		"settings.csv":     "key,value\ncost_per_unit_mile,0.01\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := `facilities.csv row 2 column size_sqft: existing facility "Example DC" has no size`
	book := filepath.Join(t.TempDir(), "results.xlsx")
	var stdout, stderr bytes.Buffer
	err := runOptimize(context.Background(), dir, optimizeOptions{json: true, threads: 1, out: book}, &stdout, &stderr)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != ExitFailure || !strings.Contains(err.Error(), "capacity plan: ") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("error %v, want exit %d naming the missing size", err, ExitFailure)
	}
	var out optimizeJSON
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out.Result == nil {
		t.Fatalf("--json output %q is not one result object: %v", stdout.String(), err)
	}
	if out.Status != "optimal" || len(out.OpenFacilities) == 0 || out.Capacity != nil ||
		!strings.Contains(out.CapacityNote, missing) || !strings.Contains(out.Error, missing) {
		t.Errorf("result: status %s, open %v, capacity %v, note %q, error %q", out.Status, out.OpenFacilities, out.Capacity, out.CapacityNote, out.Error)
	}
	checkWorkbook(t, book, *out.Result)

	// Without --json the certificate is printed before the error.
	stdout.Reset()
	err = runOptimize(context.Background(), dir, optimizeOptions{threads: 1}, &stdout, &stderr)
	if !errors.As(err, &exit) || exit.Code != ExitFailure {
		t.Fatalf("error %v, want exit %d", err, ExitFailure)
	}
	for _, w := range []string{"Status:     optimal", "Capacity:   not planned: ", missing} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, stdout.String())
		}
	}
}

func TestOptimizeInputErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing column", map[string]string{"facilities.csv": "name,lat\nA,40\n", "destinations.csv": "name\nX\n", "demand.csv": "destination\nX\n"},
			[]string{"demand.csv", `required column "units"`, "facilities.csv row 2: give both lat and lon"}},
		{"bad number", map[string]string{"facilities.csv": "name,capacity\nA,lots\n", "destinations.csv": "name\nX\n", "demand.csv": "destination,units\nX,5\n"},
			[]string{"facilities.csv row 2 column B (capacity)", `"lots" is not a number`}},
		{"no rates", map[string]string{"facilities.csv": "name,lat,lon\nA,40,-100\n", "destinations.csv": "name,lat,lon\nX,41,-90\n", "demand.csv": "destination,units\nX,5\n"},
			[]string{"transport rates required", "lanes", "shipment", "cost_per_unit_mile"}},
		{"unknown zip", map[string]string{"facilities.csv": "name,zip\nA,00000\n", "destinations.csv": "name\nX\n", "demand.csv": "destination,units\nX,5\n"},
			[]string{"facilities.csv row 2 column B (zip)", "location_unknown"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			err := runOptimize(context.Background(), dir, optimizeOptions{json: true}, &stdout, &stderr)
			if err == nil {
				t.Fatal("no error")
			}
			var obj map[string]any
			if jerr := json.Unmarshal(stdout.Bytes(), &obj); jerr != nil || obj["status"] != "error" {
				t.Errorf("--json output %q is not one error object", stdout.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestOptimizeMapping shows that --mapping reaches the ingestion: a mapping that ignores the
// Demand sheet's units column makes the run fail on that sheet, before any model; without it
// the same workbook solves.
func TestOptimizeMapping(t *testing.T) {
	tables := netgen.Generate(netgen.Config{Seed: 5, Candidates: 6, Existing: 2, Destinations: 40, Shipments: 600, SKUs: 10})
	dir := t.TempDir()
	book := filepath.Join(dir, "net.xlsx")
	if err := tables.WriteWorkbook(book); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runOptimize(context.Background(), book, optimizeOptions{json: true, threads: 1}, &stdout, &stderr); err != nil {
		t.Fatalf("without a mapping: %v", err)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(`{"sheets": {"Demand": {"columns": {"units": ""}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	err := runOptimize(context.Background(), book, optimizeOptions{json: true, threads: 1, mapping: mapping}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `sheet "Demand": required column "units" is missing`) {
		t.Fatalf("with the mapping: error %v, want the Demand sheet's missing units column", err)
	}
	err = runOptimize(context.Background(), book, optimizeOptions{json: true, mapping: filepath.Join(dir, "none.json")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("a missing mapping file: error %v, want it named", err)
	}
}
