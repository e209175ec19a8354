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
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	r, err := e.store.Wait(ctx, id, 50*time.Millisecond)
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
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	for {
		r, err := e.store.Get(ctx, id)
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
	if _, err := e.store.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
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
	in, err := canon.Load(ctx, dir)
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
