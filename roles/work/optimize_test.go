package work_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tealeg/xlsx/v3"

	"networx/examples/netgen"
	"networx/jobs"
	"networx/jobs/queuetest"
	"networx/roles/capacity"
	capcheck "networx/roles/capacity/check"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/roles/optimization/check"
	"networx/roles/work"
	"networx/solver"
	"networx/storage/blob"
)

// modelObjTol is the relative agreement required between the objectives of the same
// model read from a workbook and from a zip: both solve to a relative gap of 1e-7.
const modelObjTol = 1e-6

// modelEnv runs one worker per queue (optimization: optimize, sweep; capacity: capacity)
// on Redis queues of its own and a local blob store in a temporary folder.
type modelEnv struct {
	store  *jobs.Store
	queues map[string]jobs.Queue
	blobs  blob.Store
}

func newModelEnv(t *testing.T) *modelEnv {
	t.Helper()
	rdb, prefix := queuetest.Redis(t)
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewLocal(filepath.Join(t.TempDir(), "blobs"), blob.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := &modelEnv{store: store, queues: map[string]jobs.Queue{}, blobs: blobs}
	handlers := map[string]map[string]jobs.Handler{
		jobs.QueueOptimization: {work.KindOptimize: work.OptimizeHandler(blobs), work.KindSweep: work.SweepHandler(blobs)},
		jobs.QueueCapacity:     {work.KindCapacity: work.CapacityHandler(blobs)},
	}
	ctx, cancel := context.WithCancel(context.Background())
	var done []chan struct{}
	for name, hs := range handlers {
		q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: name, FIFO: work.FIFO(name), KeyPrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		e.queues[name] = q
		w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: 2, ReceiveWait: time.Second},
			jobs.WorkerDeps{Queue: q, Store: store, Redis: rdb, Handlers: hs})
		if err != nil {
			t.Fatal(err)
		}
		ch := make(chan struct{})
		done = append(done, ch)
		go func() { defer close(ch); _ = w.Run(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		for _, ch := range done {
			<-ch
		}
	})
	return e
}

func (e *modelEnv) submit(t *testing.T, queue, kind, tenant, ext string, input []byte, set work.ModelSettings) string {
	t.Helper()
	ctx := context.Background()
	id := e.store.NewID()
	key, err := work.ModelInputKey(tenant, id, ext)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.blobs.Put(ctx, key, bytes.NewReader(input), int64(len(input)), ""); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(set)
	if _, err := jobs.Enqueue(ctx, e.store, e.queues[queue], jobs.NewJob{ID: id, Kind: kind, Tenant: tenant, InputRef: key, Settings: raw}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *modelEnv) await(t *testing.T, id string, within time.Duration) *jobs.Record {
	t.Helper()
	return awaitJob(t, e.store, id, within)
}

// awaitJob waits up to within for job id to end and returns its record.
func awaitJob(t *testing.T, store *jobs.Store, id string, within time.Duration) *jobs.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	r, err := store.Wait(ctx, id, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("wait for %s: %v", id, err)
	}
	return r
}

func (e *modelEnv) read(t *testing.T, key string) []byte {
	t.Helper()
	var b bytes.Buffer
	rc, _, err := e.blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exampleInputs writes a small EXAMPLE network as a workbook and as a zip of CSV files,
// and loads it for the checkers.
func exampleInputs(t *testing.T, cfg netgen.Config) (book, zipped []byte, in *canon.Input) {
	t.Helper()
	dir := t.TempDir()
	tables := netgen.Generate(cfg)
	path := filepath.Join(dir, "example.xlsx")
	if err := tables.WriteWorkbook(path); err != nil {
		t.Fatal(err)
	}
	csvDir := filepath.Join(dir, "csv")
	if err := tables.WriteCSV(csvDir); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	entries, err := os.ReadDir(csvDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		body, err := os.ReadFile(filepath.Join(csvDir, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create("client-data/" + en.Name()) // a zipped folder
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	book, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err = canon.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return book, zb.Bytes(), in
}

func TestModelJobs(t *testing.T) {
	t.Parallel()
	e := newModelEnv(t)
	book, zipped, in := exampleInputs(t, netgen.Config{Seed: 5, Candidates: 6, Existing: 2, Destinations: 40, Shipments: 600, SKUs: 10})
	exact := work.ModelSettings{RelGap: 1e-7, TimeLimit: work.Duration(2 * time.Minute)}
	withMPS := exact
	withMPS.ExportMPS = true
	sweep := exact
	sweep.SweepMin, sweep.SweepMax = 3, 4
	tests := []struct {
		name, queue, kind, ext string
		input                  []byte
		set                    work.ModelSettings
		want                   jobs.Status
		errText                string
	}{
		{name: "optimize workbook with mps", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".xlsx", input: book, set: withMPS, want: jobs.StatusSucceeded},
		{name: "optimize zip", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".zip", input: zipped, set: exact, want: jobs.StatusSucceeded},
		{name: "sweep", queue: jobs.QueueOptimization, kind: work.KindSweep, ext: ".xlsx", input: book, set: sweep, want: jobs.StatusSucceeded},
		{name: "capacity with mps", queue: jobs.QueueCapacity, kind: work.KindCapacity, ext: ".zip", input: zipped, set: withMPS, want: jobs.StatusSucceeded},
		{name: "sweep without range", queue: jobs.QueueOptimization, kind: work.KindSweep, ext: ".xlsx", input: book, set: exact,
			want: jobs.StatusFailed, errText: "sweep range"},
		{name: "not a zip", queue: jobs.QueueCapacity, kind: work.KindCapacity, ext: ".zip", input: []byte("facilities"), set: exact,
			want: jobs.StatusFailed, errText: "open zip"},
		{name: "bad csv", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".zip", input: zipOf(t, map[string]string{
			"facilities.csv": "name,capacity\nA,lots\n", "destinations.csv": "name\nX\n", "demand.csv": "destination,units\nX,5\n"}),
			set: exact, want: jobs.StatusFailed, errText: `facilities.csv row 2 column B (capacity): "lots" is not a number`},
		{name: "invalid scenario", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".xlsx", input: book,
			set:  work.ModelSettings{ScenarioID: "scn_x", Scenario: optimization.ScenarioSettings{Circuity: ptr(0.5)}},
			want: jobs.StatusFailed, errText: "optimize settings: scenario scn_x: settings.circuity: want a number from 1 to 5"},
		{name: "scenario against the input's settings", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".xlsx", input: book,
			// The example's settings sheet has max_open 8.
			set:  work.ModelSettings{Scenario: optimization.ScenarioSettings{MinOpen: ptr(9)}},
			want: jobs.StatusFailed, errText: "the input's settings with the scenario's min_open on top: invalid network input: settings: min_open 9 exceeds max_open 8"},
		{name: "scenario bound the input cannot meet", queue: jobs.QueueOptimization, kind: work.KindOptimize, ext: ".xlsx", input: book,
			set:  work.ModelSettings{Scenario: optimization.ScenarioSettings{MinOpen: ptr(9), MaxOpen: ptr(9)}},
			want: jobs.StatusFailed, errText: "min_open 9 exceeds the 8 facilities given (the input's settings with scenario's min_open, max_open on top)"},
	}
	objectives := map[string]float64{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := e.submit(t, tc.queue, tc.kind, "acme", tc.ext, tc.input, tc.set)
			r := e.await(t, id, 3*time.Minute)
			if r.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Error, tc.want)
			}
			if tc.errText != "" {
				if !strings.Contains(r.Error, tc.errText) || r.Attempt != 1 {
					t.Fatalf("error %q after %d attempts, want %q at once", r.Error, r.Attempt, tc.errText)
				}
				return
			}
			if r.Result.Status != "optimal" || r.Result.Objective == nil || !strings.HasSuffix(r.Result.Ref, "/results.json") {
				t.Fatalf("result %+v", r.Result)
			}
			body := e.read(t, r.Result.Ref)
			if tc.kind == work.KindCapacity {
				var plan capacity.Result
				if err := json.Unmarshal(body, &plan); err != nil {
					t.Fatal(err)
				}
				cin, err := capacity.FromCanon(in, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := capcheck.Plan(cin, &plan); err != nil {
					t.Errorf("capacity checker: %v", err)
				}
				checkBook(t, e.read(t, strings.TrimSuffix(r.Result.Ref, "results.json")+"results.xlsx"), "Capacity", "Inventory")
			} else {
				var doc work.ModelJSON
				if err := json.Unmarshal(body, &doc); err != nil {
					t.Fatal(err)
				}
				if err := check.Result(&in.Network, doc.Result); err != nil {
					t.Errorf("network checker: %v", err)
				}
				if doc.Capacity == nil {
					t.Fatalf("no capacity plan: %s", doc.CapacityNote)
				}
				cin, err := capacity.FromCanon(in, doc.Result)
				if err != nil {
					t.Fatal(err)
				}
				if err := capcheck.Plan(cin, doc.Capacity); err != nil {
					t.Errorf("capacity checker: %v", err)
				}
				if tc.kind == work.KindSweep && (doc.Sweep == nil || len(doc.Sweep.Points) != 2) {
					t.Errorf("sweep %+v", doc.Sweep)
				}
				if tc.kind == work.KindOptimize {
					objectives[tc.ext] = *r.Result.Objective
				}
				checkBook(t, e.read(t, strings.TrimSuffix(r.Result.Ref, "results.json")+"results.xlsx"), "Summary", "Capacity", "Inventory")
			}
			if tc.set.ExportMPS {
				m, err := solver.ReadMPS(bytes.NewReader(e.read(t, strings.TrimSuffix(r.Result.Ref, "results.json")+"model.mps")))
				if err != nil || m.NumCols() == 0 {
					t.Errorf("model.mps: %v", err)
				}
			}
		})
	}
	if a, b := objectives[".xlsx"], objectives[".zip"]; math.Abs(a-b) > modelObjTol*math.Abs(a) {
		t.Errorf("workbook objective %v, zip objective %v", a, b)
	}
}

// checkBook opens a results workbook and checks that the sheets hold content.
func checkBook(t *testing.T, body []byte, sheets ...string) {
	t.Helper()
	wb, err := xlsx.OpenBinary(body)
	if err != nil {
		t.Fatalf("results workbook: %v", err)
	}
	for _, name := range sheets {
		sh, ok := wb.Sheet[name]
		if !ok {
			t.Errorf("results workbook has no sheet %q", name)
			continue
		}
		c, err := sh.Cell(0, 0)
		if err != nil || strings.HasPrefix(c.Value, "Not computed") || sh.MaxRow < 3 {
			t.Errorf("sheet %s: first cell %q, %d rows", name, c.Value, sh.MaxRow)
		}
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hardCapacityZip is a capacity input whose expansion MIP is a hard multi-year covering
// knapsack: 80 space options whose one-off cost is nearly proportional to their size, no
// 3PL space, so the search runs long after its first incumbent.
func hardCapacityZip(t *testing.T) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(8, 80))
	var opts strings.Builder
	opts.WriteString("option,sqft,one_off_cost,cost_per_sqft_year,lease_years\n")
	for k := 0; k < 80; k++ {
		sq := 1000 + rng.IntN(9000)
		fmt.Fprintf(&opts, "Example option %d,%d,%d,0,1\n", k+1, sq, sq*20+rng.IntN(2000))
	}
	return zipOf(t, map[string]string{
		"facilities.csv":    "name,lat,lon,kind,size_sqft,fixed_cost\nExample DC,40,-90,existing,10000,1\n",
		"destinations.csv":  "name,lat,lon\nExample customer,41,-91\n",
		"demand.csv":        "destination,units\nExample customer,40000000\n",
		"skus.csv":          "sku,annual_units,units_per_case,cases_per_pallet,unit_cost\nEXAMPLE-1,600,6,40,10\nEXAMPLE-2,400,12,30,5\n",
		"forecast.csv":      "year,units\n2026,40000000\n2027,47000000\n2028,53000000\n",
		"space_options.csv": opts.String(),
		"settings.csv": "key,value\ncost_per_unit_mile,0.01\nlead_time_days,10\nreview_period_days,14\ndemand_cv,0.5\n" +
			"carrying_rate,0.2\nthird_party_cost_per_sqft_year,12\nthird_party_max_share,0\n",
	})
}

// TestCapacityJobCancelKeepsIncumbent cancels a capacity job once the solver reports an
// incumbent: the job ends cancelled with the incumbent's plan written and checked.
func TestCapacityJobCancelKeepsIncumbent(t *testing.T) {
	t.Parallel()
	e := newModelEnv(t)
	input := hardCapacityZip(t)
	// A gap of 1e-12 and two minutes keep the search going until the cancel arrives.
	id := e.submit(t, jobs.QueueCapacity, work.KindCapacity, "acme", ".zip", input,
		work.ModelSettings{RelGap: 1e-12, TimeLimit: work.Duration(2 * time.Minute)})
	cancelAtIncumbent(t, e.store, id, 90*time.Second)
	r := e.await(t, id, 30*time.Second)
	if r.Status != jobs.StatusCancelled {
		t.Fatalf("status %s (%s), want cancelled", r.Status, r.Error)
	}
	if r.Result.Objective == nil || r.Result.Ref == "" || r.Result.Status != "cancelled" {
		t.Fatalf("cancelled job lost its incumbent: %+v", r.Result)
	}
	var plan capacity.Result
	if err := json.Unmarshal(e.read(t, r.Result.Ref), &plan); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, body := range unzipped(t, input) {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in, err := canon.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	cin, err := capacity.FromCanon(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Status != "cancelled" || len(plan.Expansion.Investment) == 0 {
		t.Fatalf("plan %s with %d investments", plan.Status, len(plan.Expansion.Investment))
	}
	if err := capcheck.Plan(cin, &plan); err != nil {
		t.Errorf("checker on the incumbent: %v", err)
	}
}

func unzipped(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = buf.Bytes()
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// runModel submits an optimize job, waits for it to succeed and returns its results JSON.
func (e *modelEnv) runModel(t *testing.T, input []byte, set work.ModelSettings) work.ModelJSON {
	t.Helper()
	id := e.submit(t, jobs.QueueOptimization, work.KindOptimize, "acme", ".xlsx", input, set)
	r := e.await(t, id, 3*time.Minute)
	if r.Status != jobs.StatusSucceeded {
		t.Fatalf("status %s (%s), want succeeded", r.Status, r.Error)
	}
	var doc work.ModelJSON
	if err := json.Unmarshal(e.read(t, r.Result.Ref), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOptimizeJobScenario runs the same input without and with a scenario that raises
// min_open above the number of facilities the unconstrained optimum opens. The scenario's
// bound holds in every year, the result passes the checker against the input with the
// scenario's settings on top, and its objective is the in-process optimum of those
// settings. The scenario's solver settings win over the job's.
func TestOptimizeJobScenario(t *testing.T) {
	t.Parallel()
	e := newModelEnv(t)
	book, _, in := exampleInputs(t, netgen.Config{Seed: 5, Candidates: 6, Existing: 2, Destinations: 40, Shipments: 600, SKUs: 10})
	exact := work.ModelSettings{RelGap: 1e-7, TimeLimit: work.Duration(2 * time.Minute)}
	base := e.runModel(t, book, exact)
	opened := 0
	for _, y := range base.OpenByYear {
		opened = max(opened, len(y.Facilities))
	}
	// The example's settings sheet has max_open 8 and there are 8 facilities.
	want := opened + 1
	if want > 8 {
		t.Fatalf("the unconstrained optimum opens %d facilities: no room for a higher min_open", opened)
	}
	// A loose gap at the top level: the scenario's 1e-7 must win.
	set := work.ModelSettings{RelGap: 0.5, TimeLimit: work.Duration(2 * time.Minute), ScenarioID: "scn_more",
		Scenario: optimization.ScenarioSettings{MinOpen: ptr(want), RelGap: ptr(1e-7), NodeLimit: ptr(int64(1_000_000)), Threads: ptr(1)}}
	got := e.runModel(t, book, set)
	if got.Status != "optimal" || len(got.OpenByYear) == 0 {
		t.Fatalf("status %s, open by year %v", got.Status, got.OpenByYear)
	}
	for _, y := range got.OpenByYear {
		if len(y.Facilities) < want {
			t.Errorf("year %d: %d open, the scenario's min_open is %d (the input alone opens %d)", y.Year, len(y.Facilities), want, opened)
		}
	}
	merged := in.Network
	merged.Settings.MinOpen = want
	if err := check.Result(&merged, got.Result); err != nil {
		t.Errorf("checker against the input with the scenario's settings: %v", err)
	}
	if got.InputHash == base.InputHash {
		t.Error("the input hash does not change with the scenario's settings: a run could not be reproduced from it")
	}
	oracle, err := optimization.Optimize(context.Background(), &merged, optimization.Options{Solver: solver.Settings{RelGap: 1e-7, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := float64(got.Objective), float64(oracle.Objective); math.Abs(a-b) > modelObjTol*math.Abs(b) {
		t.Errorf("job objective %v, in-process optimum with min_open %d %v", a, want, b)
	}
	if float64(got.Objective) < float64(base.Objective)*(1-modelObjTol) {
		t.Errorf("objective %v with min_open %d is below the unconstrained optimum %v", got.Objective, want, base.Objective)
	}
	if got.Solver.RelGap != 1e-7 || got.Solver.NodeLimit != 1_000_000 || got.Solver.Threads != 1 {
		t.Errorf("solver settings %+v: want the scenario's rel_gap 1e-7, node_limit 1e6, 1 thread", got.Solver)
	}
	if base.ScenarioSettings != nil || got.ScenarioSettings == nil || got.ScenarioSettings.MinOpen == nil || *got.ScenarioSettings.MinOpen != want {
		t.Errorf("scenario settings recorded: without %+v, with %+v", base.ScenarioSettings, got.ScenarioSettings)
	}
}

// TestOptimizeJobMissingCapacityData runs an input with SKUs but without the capacity
// data: the job fails at once naming what is missing, and the network results stay
// available with the record's certificate.
func TestOptimizeJobMissingCapacityData(t *testing.T) {
	t.Parallel()
	e := newModelEnv(t)
	input := zipOf(t, map[string]string{
		"facilities.csv":   "name,lat,lon,kind,fixed_cost\nExample DC,40,-90,existing,100\nExample site,35,-100,candidate,100\n",
		"destinations.csv": "name,lat,lon\nExample customer,41,-91\nExample customer 2,36,-99\n",
		"demand.csv":       "destination,units\nExample customer,1000\nExample customer 2,500\n",
		"skus.csv":         "sku,annual_units,units_per_case,cases_per_pallet,unit_cost\nEXAMPLE-1,600,6,40,10\n",
		"settings.csv":     "key,value\ncost_per_unit_mile,0.01\n",
	})
	id := e.submit(t, jobs.QueueOptimization, work.KindOptimize, "acme", ".zip", input, work.ModelSettings{})
	r := e.await(t, id, time.Minute)
	if r.Status != jobs.StatusFailed || r.Attempt != 1 {
		t.Fatalf("status %s after %d attempts (%s), want failed at once", r.Status, r.Attempt, r.Error)
	}
	for _, w := range []string{"capacity plan:", `facilities.csv row 2 column size_sqft: existing facility "Example DC" has no size`} {
		if !strings.Contains(r.Error, w) {
			t.Errorf("error %q does not mention %q", r.Error, w)
		}
	}
	if r.Result.Status != "optimal" || r.Result.Objective == nil || r.Result.Gap == nil || !strings.HasSuffix(r.Result.Ref, "/results.json") {
		t.Fatalf("the failed job lost its network result: %+v", r.Result)
	}
	var doc work.ModelJSON
	if err := json.Unmarshal(e.read(t, r.Result.Ref), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "optimal" || len(doc.OpenFacilities) == 0 || doc.Capacity != nil || !strings.Contains(doc.CapacityNote, "size_sqft") {
		t.Errorf("results: status %s, open %v, capacity %v, note %q", doc.Status, doc.OpenFacilities, doc.Capacity, doc.CapacityNote)
	}
	checkBook(t, e.read(t, strings.TrimSuffix(r.Result.Ref, "results.json")+"results.xlsx"), "Summary", "Facilities", "Assignments")
}

// hardNetworkZip is a capacitated single-sourcing network (30 candidates, 100
// destinations, explicit lanes, capacities of three times the average share of demand):
// a generalized assignment inside facility location. The solver finds an incumbent within
// seconds and then leaves a gap of several percent for minutes, so a cancel always finds
// the solve running.
func hardNetworkZip(t *testing.T) []byte {
	t.Helper()
	const nf, nd = 30, 100
	rng := rand.New(rand.NewPCG(11, 3))
	demand := make([]int, nd)
	total := 0
	for j := range demand {
		demand[j] = 5 + rng.IntN(35)
		total += demand[j]
	}
	var fac, dst, dem, lanes strings.Builder
	fac.WriteString("name,capacity,fixed_cost,kind\n")
	for i := range nf {
		fmt.Fprintf(&fac, "Example site %d,%d,%d,candidate\n", i+1, 3*total/nf, 500+rng.IntN(500))
	}
	dst.WriteString("name\n")
	dem.WriteString("destination,units\n")
	lanes.WriteString("facility,destination,cost_per_unit\n")
	for j := range nd {
		fmt.Fprintf(&dst, "Example customer %d\n", j+1)
		fmt.Fprintf(&dem, "Example customer %d,%d\n", j+1, demand[j])
		for i := range nf {
			fmt.Fprintf(&lanes, "Example site %d,Example customer %d,%g\n", i+1, j+1, float64(1+rng.IntN(100))/10)
		}
	}
	return zipOf(t, map[string]string{"facilities.csv": fac.String(), "destinations.csv": dst.String(), "demand.csv": dem.String(),
		"lanes.csv": lanes.String(), "settings.csv": "key,value\nsingle_source,yes\n"})
}

// TestOptimizeJobCancelKeepsIncumbent cancels an optimize job once the solver reports an
// incumbent: the job ends cancelled with the incumbent's network written (results JSON and
// workbook with status, bound and gap) and checked.
func TestOptimizeJobCancelKeepsIncumbent(t *testing.T) {
	t.Parallel()
	e := newModelEnv(t)
	input := hardNetworkZip(t)
	// A gap of 1e-12 and two minutes keep the search going until the cancel arrives.
	id := e.submit(t, jobs.QueueOptimization, work.KindOptimize, "acme", ".zip", input,
		work.ModelSettings{RelGap: 1e-12, TimeLimit: work.Duration(2 * time.Minute)})
	cancelAtIncumbent(t, e.store, id, 90*time.Second)
	r := e.await(t, id, 30*time.Second)
	if r.Status != jobs.StatusCancelled {
		t.Fatalf("status %s (%s), want cancelled: the solve must still run when the cancel arrives", r.Status, r.Error)
	}
	if r.Result.Status != "cancelled" || r.Result.Objective == nil || r.Result.Bound == nil || r.Result.Gap == nil || r.Result.Ref == "" {
		t.Fatalf("cancelled job lost its incumbent: %+v", r.Result)
	}
	var doc work.ModelJSON
	if err := json.Unmarshal(e.read(t, r.Result.Ref), &doc); err != nil {
		t.Fatal(err)
	}
	obj, bound, gap := float64(doc.Objective), float64(doc.Bound), float64(doc.Gap)
	if doc.Status != "cancelled" || math.IsNaN(obj) || math.IsNaN(bound) || !(gap > 0) || bound > obj {
		t.Fatalf("results: status %s, objective %v, bound %v, gap %v", doc.Status, obj, bound, gap)
	}
	if len(doc.OpenFacilities) == 0 || len(doc.Assignments) == 0 || doc.CapacityNote != "not planned: the job was cancelled" {
		t.Errorf("results: open %v, %d assignments, capacity note %q", doc.OpenFacilities, len(doc.Assignments), doc.CapacityNote)
	}
	dir := t.TempDir()
	for name, body := range unzipped(t, input) {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in, err := canon.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := check.Result(&in.Network, doc.Result); err != nil {
		t.Errorf("checker on the incumbent: %v", err)
	}
	wb, err := xlsx.OpenBinary(e.read(t, strings.TrimSuffix(r.Result.Ref, "results.json")+"results.xlsx"))
	if err != nil {
		t.Fatalf("results workbook: %v", err)
	}
	// The certificate: the status as text, the objective, bound and gap as numbers.
	sh, ok := wb.Sheet["Summary"]
	if !ok {
		t.Fatal("results workbook has no Summary sheet")
	}
	summary := map[string]string{}
	for i := 0; i < sh.MaxRow; i++ {
		row, err := sh.Row(i)
		if err != nil {
			t.Fatal(err)
		}
		label, v := row.GetCell(0).Value, row.GetCell(1)
		switch label {
		case "Status":
			summary[label] = v.Value
		case "Objective", "Bound", "Gap":
			if _, err := v.Float(); err == nil && v.Type() == xlsx.CellTypeNumeric {
				summary[label] = v.Value
			}
		}
	}
	for _, k := range []string{"Objective", "Bound", "Gap"} {
		if summary[k] == "" {
			t.Errorf("workbook Summary has no numeric %s: %v", k, summary)
		}
	}
	if summary["Status"] != "cancelled" {
		t.Errorf("workbook Summary status %q, want cancelled", summary["Status"])
	}
}

// cancelAtIncumbent waits until job id reports an incumbent found after some search
// (nodes > 0), then asks for its cancel. It fails the test when the job ends first or no
// incumbent comes within wait: the cancel must reach a running solve.
func cancelAtIncumbent(t *testing.T, store *jobs.Store, id string, wait time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	for {
		r, err := store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Progress.Incumbent != nil && r.Progress.Nodes > 0 {
			break
		}
		if r.Status.Terminal() || time.Now().After(deadline) {
			t.Fatalf("no incumbent reported before %s: %+v %+v", r.Status, r.Progress, r.Result)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := store.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
}
