package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"networx/jobs"
	"networx/storage"
	"networx/storage/storagetest"
)

// newHistory returns a run history on a fresh, migrated database.
func newHistory(t *testing.T) (*jobs.PGHistory, *pgxpool.Pool) {
	t.Helper()
	url := storagetest.NewDatabase(t)
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.Config{URL: url}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return jobs.NewPGHistory(db.Pool()), db.Pool()
}

func TestPGHistory(t *testing.T) {
	t.Parallel()
	h, pool := newHistory(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := &jobs.Record{
		ID: "job-1", Kind: "solve", Queue: "optimization", Tenant: "acme", Status: jobs.StatusCancelled,
		Attempt: 2, InputRef: "acme/in.mps", Settings: json.RawMessage(`{"time_limit":"1m0s"}`),
		Result:   jobs.Result{Ref: "acme/out.sol", Status: "feasible", Objective: jobs.Float(12.5), Gap: jobs.Float(0.1)},
		Progress: jobs.Progress{Percent: 50, Nodes: 300},
		Error:    "", WorkerID: "w1", CreatedAt: at, StartedAt: at.Add(time.Second),
		FinishedAt: at.Add(time.Minute), CancelRequestedAt: at.Add(50 * time.Second),
	}
	if err := h.Record(ctx, rec); err != nil {
		t.Fatal(err)
	}
	// A second write (a redelivered message) changes nothing.
	again := *rec
	again.Error = "changed"
	if err := h.Record(ctx, &again); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `select count(*) from job_runs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows %d %v", n, err)
	}
	got, err := h.Get(ctx, "job-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != rec.Status || got.Attempt != 2 || got.Error != "" || got.Tenant != "acme" ||
		*got.Result.Objective != 12.5 || got.Result.Ref != rec.Result.Ref || got.Progress.Nodes != 300 ||
		!got.FinishedAt.Equal(rec.FinishedAt) || !got.CancelRequestedAt.Equal(rec.CancelRequestedAt) ||
		string(got.Settings) != `{"time_limit": "1m0s"}` {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := h.Get(ctx, "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("missing run: %v", err)
	}
	if err := h.Record(ctx, &jobs.Record{ID: "x", Kind: "k", Queue: "q", Status: jobs.StatusRunning}); err == nil {
		t.Fatal("recorded a running job")
	}
	list, err := h.List(ctx, jobs.ListFilter{Status: jobs.StatusCancelled})
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
}
