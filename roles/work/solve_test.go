package work_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"networx/jobs"
	"networx/jobs/queuetest"
	"networx/roles/work"
	"networx/storage/blob"
)

// solveEnv runs a worker with the solve handler on a Redis queue of its own and a local
// blob store in a temporary folder.
type solveEnv struct {
	store *jobs.Store
	queue jobs.Queue
	blobs blob.Store
	dir   string
}

func newSolveEnv(t *testing.T) *solveEnv {
	t.Helper()
	rdb, prefix := queuetest.Redis(t)
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: jobs.QueueOptimization, FIFO: true, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.NewLocal(filepath.Join(dir, "blobs"), blob.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: 2, ReceiveWait: time.Second},
		jobs.WorkerDeps{Queue: q, Store: store, Redis: rdb,
			Handlers: map[string]jobs.Handler{work.KindSolve: work.SolveHandler(blobs)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &solveEnv{store: store, queue: q, blobs: blobs, dir: dir}
}

func (e *solveEnv) submit(t *testing.T, tenant, name, content string, settings work.SolveSettings) string {
	t.Helper()
	ctx := context.Background()
	id := e.store.NewID()
	key, err := work.InputKey(tenant, id, filepath.Ext(name))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.blobs.Put(ctx, key, strings.NewReader(content), int64(len(content)), ""); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(settings)
	if _, err := jobs.Enqueue(ctx, e.store, e.queue, jobs.NewJob{ID: id, Kind: work.KindSolve,
		Tenant: tenant, InputRef: key, Settings: raw}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *solveEnv) await(t *testing.T, id string, within time.Duration) *jobs.Record {
	t.Helper()
	return awaitJob(t, e.store, id, within)
}

func (e *solveEnv) read(t *testing.T, key string) string {
	t.Helper()
	rc, _, err := e.blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSolveJob(t *testing.T) {
	t.Parallel()
	e := newSolveEnv(t)
	tests := []struct {
		name     string
		file     string
		content  string
		want     jobs.Status
		status   string
		obj      float64
		solution []string
		errText  string
	}{
		{name: "optimal mps", file: "m.mps", content: smallMPS, want: jobs.StatusSucceeded, status: "optimal", obj: 13,
			solution: []string{"# status optimal", "a 2", "c 1"}},
		{name: "lp format", file: "m.lp", content: "maximize\n obj: 3 x + 2 y\nsubject to\n c1: x + y <= 4\n c2: x + 3 y <= 6\nbounds\n x <= 3\nend\n",
			want: jobs.StatusSucceeded, status: "optimal", obj: 11, solution: []string{"x 3", "y 1"}},
		{name: "infeasible is an answer", file: "i.lp", content: "minimize\n obj: x\nsubject to\n c1: x >= 5\nbounds\n x <= 3\nend\n",
			want: jobs.StatusSucceeded, status: "infeasible"},
		{name: "malformed file fails at once", file: "bad.mps", content: "NAME x\nROWS\n Q bad\nENDATA\n",
			want: jobs.StatusFailed, errText: "read model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := e.submit(t, "acme", tc.file, tc.content, work.SolveSettings{TimeLimit: work.Duration(time.Minute)})
			r := e.await(t, id, time.Minute)
			if r.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Error, tc.want)
			}
			if tc.errText != "" {
				if !strings.Contains(r.Error, tc.errText) || r.Attempt != 1 {
					t.Fatalf("error %q after %d attempts, want %q at once", r.Error, r.Attempt, tc.errText)
				}
				return
			}
			if r.Result.Status != tc.status {
				t.Fatalf("solver status %q, want %q", r.Result.Status, tc.status)
			}
			if tc.solution == nil {
				if r.Result.Ref != "" {
					t.Fatalf("solution written without a solution: %s", r.Result.Ref)
				}
				return
			}
			if r.Result.Objective == nil || *r.Result.Objective != tc.obj {
				t.Fatalf("objective %v, want %v", r.Result.Objective, tc.obj)
			}
			sol := e.read(t, r.Result.Ref)
			for _, line := range tc.solution {
				if !strings.Contains(sol, line+"\n") {
					t.Fatalf("solution lacks %q:\n%s", line, sol)
				}
			}
		})
	}
}

func TestSolveJobCancelKeepsIncumbent(t *testing.T) {
	t.Parallel()
	e := newSolveEnv(t)
	model, err := os.ReadFile(knapsackMPS(t, t.TempDir(), 3, 80, 10))
	if err != nil {
		t.Fatal(err)
	}
	id := e.submit(t, "acme", "hard.mps", string(model), work.SolveSettings{TimeLimit: work.Duration(time.Minute)})
	cancelAtIncumbent(t, e.store, id, 30*time.Second)
	r := e.await(t, id, 2*time.Second)
	if r.Status != jobs.StatusCancelled {
		t.Fatalf("status %s, want cancelled", r.Status)
	}
	if r.Result.Objective == nil || r.Result.Ref == "" || r.Result.Status != "cancelled" {
		t.Fatalf("cancelled solve lost its incumbent: %+v", r.Result)
	}
	if sol := e.read(t, r.Result.Ref); !strings.Contains(sol, "# status cancelled") {
		t.Fatalf("solution file:\n%s", sol)
	}
}
