package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"networx/examples/netgen"
	"networx/jobs"
	"networx/roles/work"
)

func TestIdempotentSubmit(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	f := e.newFixture(t, "acme")
	body := map[string]any{"kind": "solve", "file_id": f.file, "settings": map[string]any{"time_limit": "30s", "threads": 1}}
	// The same request with its keys in another order and other spacing.
	sameBody := `{ "settings": {"threads": 1, "time_limit": "30s"}, "file_id": "` + f.file + `", "kind": "solve" }`
	other := map[string]any{"kind": "solve", "file_id": f.file, "settings": map[string]any{"time_limit": "60s"}}

	submit := func(key string, b any) (int, jobView, *http.Response) {
		hdr := map[string]string{}
		if key != "" {
			hdr["Idempotency-Key"] = key
		}
		resp, raw := e.call(t, f.key, "POST", apiPrefix+"/jobs", b, hdr)
		var jv jobView
		_ = json.Unmarshal(raw, &jv)
		return resp.StatusCode, jv, resp
	}
	code, first, _ := submit("k-1", body)
	if code != 202 || first.ID == "" || first.Status != jobs.StatusQueued {
		t.Fatalf("first submit: %d %+v", code, first)
	}
	tests := []struct {
		name     string
		key      string
		body     any
		wantCode int
		sameJob  bool
	}{
		{"same key, same body", "k-1", body, 200, true},
		{"same key, same body written differently", "k-1", sameBody, 200, true},
		{"same key, different body", "k-1", other, 409, false},
		{"new key", "k-2", body, 202, false},
		{"no key", "", body, 202, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, jv, resp := submit(tc.key, tc.body)
			if code != tc.wantCode {
				t.Fatalf("status %d, want %d", code, tc.wantCode)
			}
			if tc.sameJob != (jv.ID == first.ID) {
				t.Errorf("job %s, first %s, want same=%v", jv.ID, first.ID, tc.sameJob)
			}
			if tc.sameJob && resp.Header.Get("Idempotent-Replayed") != "true" {
				t.Error("a replay should say so in Idempotent-Replayed")
			}
		})
	}
	// One queue message per job: the fixture's, the first, k-2's and the keyless one.
	st, err := e.queues[jobs.QueueOptimization].Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Visible != 4 {
		t.Errorf("optimization queue holds %d messages, want 4 (a replay must not enqueue)", st.Visible)
	}
	// Another tenant may use the same key for its own job.
	g := e.newFixture(t, "globex")
	resp, raw := e.call(t, g.key, "POST", apiPrefix+"/jobs", map[string]any{"kind": "solve", "file_id": g.file}, map[string]string{"Idempotency-Key": "k-1"})
	if resp.StatusCode != 202 {
		t.Errorf("another tenant's k-1: %d %s", resp.StatusCode, raw)
	}
}

func TestSubmitValidation(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	f := e.newFixture(t, "acme")
	tests := []struct {
		name string
		body any
		want int
		msg  string
	}{
		{"unknown kind", map[string]any{"kind": "bake", "file_id": f.file}, 400, "want one of optimize"},
		{"no file", map[string]any{"kind": "optimize", "scenario_id": f.scenario}, 400, "file_id is required"},
		{"missing file", map[string]any{"kind": "optimize", "scenario_id": f.scenario, "file_id": "fil_x"}, 404, "not found"},
		{"optimize needs scenario", map[string]any{"kind": "optimize", "file_id": f.file}, 400, "scenario_id is required"},
		{"optimize takes no settings", map[string]any{"kind": "optimize", "file_id": f.file, "scenario_id": f.scenario, "settings": map[string]any{"x": 1}}, 400, "leave settings out"},
		{"sweep range", map[string]any{"kind": "sweep", "file_id": f.file, "scenario_id": f.scenario, "settings": map[string]any{"min_open": 5, "max_open": 2}}, 400, "min_open <= max_open"},
		{"solve setting unknown", map[string]any{"kind": "solve", "file_id": f.file, "settings": map[string]any{"gap": 1}}, 400, "allowed: time_limit"},
		{"solve bad limit", map[string]any{"kind": "solve", "file_id": f.file, "settings": map[string]any{"time_limit": "soon"}}, 400, "positive duration"},
		{"optimize", map[string]any{"kind": "optimize", "file_id": f.file, "scenario_id": f.scenario}, 202, ""},
		{"sweep", map[string]any{"kind": "sweep", "file_id": f.file, "scenario_id": f.scenario, "settings": map[string]any{"min_open": 2, "max_open": 4}}, 202, ""},
		{"capacity", map[string]any{"kind": "capacity", "file_id": f.file, "scenario_id": f.scenario}, 202, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := e.call(t, f.key, "POST", apiPrefix+"/jobs", tc.body, nil)
			if resp.StatusCode != tc.want || !strings.Contains(string(raw), tc.msg) {
				t.Fatalf("status %d, want %d with %q: %s", resp.StatusCode, tc.want, tc.msg, raw)
			}
			if tc.want != 202 {
				return
			}
			var jv jobView
			_ = json.Unmarshal(raw, &jv)
			rec, err := e.store.Get(context.Background(), jv.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ms work.ModelSettings
			if err := json.Unmarshal(rec.Settings, &ms); err != nil {
				t.Fatal(err)
			}
			if ms.ScenarioID != f.scenario || ms.FileID != f.file || ms.Scenario.MaxOpen == nil || *ms.Scenario.MaxOpen != 3 || rec.Tenant != "acme" || !strings.HasPrefix(rec.InputRef, "tenants/acme/files/") {
				t.Errorf("record does not carry the scenario and file: %+v %s", rec, rec.Settings)
			}
		})
	}
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	name string
	data string
}

// TestJobEventsEndWithTerminalEvent runs a real solve worker (roles/work's handler on a
// jobs.Worker) and follows the job over SSE: the stream starts with the queued or
// running status, ends by itself, and its last event is the succeeded status with the
// optimum.
func TestJobEventsEndWithTerminalEvent(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	f := e.newFixture(t, "acme")
	// The fixture's job is queued before the stream starts; start the stream first, then
	// the worker, so the stream sees the job run.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+apiPrefix+"/jobs/"+f.job+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+f.key)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, ct)
	}

	w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: 1, ReceiveWait: 200 * time.Millisecond},
		jobs.WorkerDeps{Queue: e.queues[jobs.QueueOptimization], Store: e.store, Redis: e.rdb,
			Handlers: map[string]jobs.Handler{work.KindSolve: work.SolveHandler(e.blob)}})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()

	var events []sseEvent
	sc := bufio.NewScanner(resp.Body)
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		case line == "" && cur.name != "":
			events = append(events, cur)
			cur = sseEvent{}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("stream did not end cleanly after %d events: %v", len(events), err)
	}
	if len(events) < 2 {
		t.Fatalf("want at least the first and the terminal status, got %v", events)
	}
	var first, last jobView
	_ = json.Unmarshal([]byte(events[0].data), &first)
	_ = json.Unmarshal([]byte(events[len(events)-1].data), &last)
	if events[0].name != "status" || first.Status.Terminal() {
		t.Errorf("first event %v, want a non-terminal status", events[0])
	}
	if events[len(events)-1].name != "status" || last.Status != jobs.StatusSucceeded || last.Result.Objective == nil || *last.Result.Objective != 13 {
		t.Fatalf("last event %v, want status succeeded with objective 13", events[len(events)-1])
	}
	var res struct {
		Result jobs.Result `json:"result"`
	}
	e.mustJSON(t, f.key, "GET", apiPrefix+"/jobs/"+f.job+"/result", nil, 200, &res)
	if res.Result.Status != "optimal" {
		t.Errorf("result %+v, want optimal", res.Result)
	}
	// A finished job cannot be cancelled, and its stream is one terminal event.
	if resp, raw := e.call(t, f.key, "POST", apiPrefix+"/jobs/"+f.job+"/cancel", nil, nil); resp.StatusCode != 409 {
		t.Errorf("cancel of a finished job: %d %s", resp.StatusCode, raw)
	}
	resp2, raw := e.call(t, f.key, "GET", apiPrefix+"/jobs/"+f.job+"/events", nil, nil)
	if resp2.StatusCode != 200 || strings.Count(string(raw), "event: ") != 1 || !strings.Contains(string(raw), `"status":"succeeded"`) {
		t.Errorf("events of a finished job: %s", raw)
	}
}

func TestCancelQueuedJob(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	f := e.newFixture(t, "acme")
	var jv jobView
	e.mustJSON(t, f.key, "POST", apiPrefix+"/jobs/"+f.job+"/cancel", nil, 202, &jv)
	if jv.Status != jobs.StatusCancelled {
		t.Errorf("a queued job ends cancelled at once, got %s", jv.Status)
	}
	e.mustJSON(t, f.key, "GET", apiPrefix+"/jobs/"+f.job, nil, 200, &jv)
	if jv.Status != jobs.StatusCancelled {
		t.Errorf("status after cancel %s", jv.Status)
	}
	resp, raw := e.call(t, f.key, "GET", apiPrefix+"/jobs/"+f.job+"/result/workbook", nil, nil)
	if resp.StatusCode != 404 || !strings.Contains(string(raw), `"code":"no_result"`) {
		t.Errorf("workbook of a cancelled job without one: %d %s", resp.StatusCode, raw)
	}
}

// TestModelJobAppliesScenario submits an optimize job through the API with a scenario
// that sets min_open and runs roles/work's optimize handler on it: the results served by
// GET /jobs/{job}/result open at least min_open facilities every year (the input's
// settings alone have no lower bound and its optimum opens fewer) and record the
// scenario's settings.
func TestModelJobAppliesScenario(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "network"}, 201, &p)
	var sc scenario
	e.mustJSON(t, key, "POST", apiPrefix+"/projects/"+p.ID+"/scenarios",
		map[string]any{"name": "seven sites", "settings": map[string]any{"min_open": 7, "rel_gap": 1e-6, "node_limit": 100000}}, 201, &sc)
	book := filepath.Join(t.TempDir(), "network.xlsx")
	if err := netgen.Generate(netgen.Config{Seed: 5, Candidates: 6, Existing: 2, Destinations: 40, Shipments: 600, SKUs: 10}).WriteWorkbook(book); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := e.upload(t, key, p.ID, "network.xlsx", string(body))
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	var fv fileView
	if err := json.Unmarshal(raw, &fv); err != nil {
		t.Fatal(err)
	}
	var jv jobView
	e.mustJSON(t, key, "POST", apiPrefix+"/jobs", map[string]any{"kind": "optimize", "file_id": fv.ID, "scenario_id": sc.ID}, 202, &jv)

	w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: 1, ReceiveWait: 200 * time.Millisecond},
		jobs.WorkerDeps{Queue: e.queues[jobs.QueueOptimization], Store: e.store, Redis: e.rdb,
			Handlers: map[string]jobs.Handler{work.KindOptimize: work.OptimizeHandler(e.blob)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	waitFor(t, 2*time.Minute, "the optimize job to end", func() bool {
		e.mustJSON(t, key, "GET", apiPrefix+"/jobs/"+jv.ID, nil, 200, &jv)
		return jv.Status.Terminal()
	})
	if jv.Status != jobs.StatusSucceeded {
		t.Fatalf("job %s: %s", jv.Status, jv.Error)
	}
	var res work.ModelJSON
	e.mustJSON(t, key, "GET", apiPrefix+"/jobs/"+jv.ID+"/result", nil, 200, &res)
	if res.Result == nil || res.Status != "optimal" || len(res.OpenByYear) == 0 {
		t.Fatalf("result %+v", res.Result)
	}
	for _, y := range res.OpenByYear {
		if len(y.Facilities) < 7 {
			t.Errorf("year %d: %d open, the scenario's min_open is 7", y.Year, len(y.Facilities))
		}
	}
	if s := res.ScenarioSettings; s == nil || s.MinOpen == nil || *s.MinOpen != 7 || res.Solver.RelGap != 1e-6 || res.Solver.NodeLimit != 100000 {
		t.Errorf("scenario settings %+v, solver %+v: want the scenario's min_open, rel_gap and node_limit", s, res.Solver)
	}
}
