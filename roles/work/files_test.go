package work_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"networx/jobs"
	"networx/jobs/queuetest"
	"networx/roles/files"
	"networx/roles/files/gen"
	"networx/roles/files/geo"
	"networx/roles/work"
	"networx/storage"
	"networx/storage/blob"
	"networx/storage/storagetest"
)

// filesEnv runs a worker with the files handler on a Redis queue of its own, a local
// blob store in a temporary folder and a fresh database.
type filesEnv struct {
	store *jobs.Store
	queue jobs.Queue
	blobs blob.Store
	db    *storage.DB
}

func newFilesEnv(t *testing.T) *filesEnv {
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
	rdb, prefix := queuetest.Redis(t)
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: jobs.QueueFiles, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.NewLocal(filepath.Join(dir, "blobs"), blob.Config{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	loader, err := files.NewLoader(db, files.LoaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: 2, ReceiveWait: time.Second},
		jobs.WorkerDeps{Queue: q, Store: store, Redis: rdb, Handlers: map[string]jobs.Handler{
			work.KindFiles: work.FilesHandler(work.FilesDeps{Blob: blobs, Loader: loader, Geo: g, TempDir: dir})}})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(wctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &filesEnv{store: store, queue: q, blobs: blobs, db: db}
}

// submit stores content as the job's input (unless content is nil) and enqueues the job.
func (e *filesEnv) submit(t *testing.T, tenant, name string, content []byte, settings work.FilesSettings) string {
	t.Helper()
	ctx := context.Background()
	id := e.store.NewID()
	key, err := work.FilesInputKey(tenant, id, name)
	if err != nil {
		t.Fatal(err)
	}
	if content != nil {
		if err := e.blobs.Put(ctx, key, bytes.NewReader(content), int64(len(content)), ""); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := json.Marshal(settings)
	if _, err := jobs.Enqueue(ctx, e.store, e.queue, jobs.NewJob{ID: id, Kind: work.KindFiles,
		Tenant: tenant, InputRef: key, Settings: raw}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *filesEnv) await(t *testing.T, id string, within time.Duration) *jobs.Record {
	t.Helper()
	return awaitJob(t, e.store, id, within)
}

func (e *filesEnv) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.db.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// shipmentsCSV writes n shipment rows between real ZIPs.
func shipmentsCSV(n int) []byte {
	zips := []string{"60601", "75201", "30303", "89501", "07102", "38103", "43215", "80202"}
	var b bytes.Buffer
	b.WriteString("ship_date,origin_zip,dest_zip,carrier,mode,weight,cost,units\n")
	for i := range n {
		fmt.Fprintf(&b, "2024-%02d-%02d,%s,%s,UPS,LTL,%d,%d.50,%d\n", 1+i%12, 1+i%28, zips[i%len(zips)], zips[(i/3)%len(zips)], 10+i%900, 20+i%500, 1+i%40)
	}
	return b.Bytes()
}

func TestFilesJob(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	var wb bytes.Buffer
	bad, err := gen.MessyWorkbook(&wb, 7, 300)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		file     string
		content  []byte
		settings work.FilesSettings
		want     jobs.Status
		status   string // result status: the version's
		accepted int64  // shipments accepted, -1 to skip
		errText  string
	}{
		{name: "messy workbook", file: "Freight 2024.xlsx", content: wb.Bytes(),
			settings: work.FilesSettings{Dataset: "network", MaxRejectedShare: 0.1},
			want:     jobs.StatusSucceeded, status: files.StatusReady, accepted: int64(300 - bad)},
		{name: "csv with a forced kind", file: "history.csv", content: shipmentsCSV(500),
			settings: work.FilesSettings{Dataset: "network", Kind: files.Shipments},
			want:     jobs.StatusSucceeded, status: files.StatusReady, accepted: 500},
		{name: "not a workbook is a rejected version", file: "fake.xlsx", content: []byte("PK\x03\x04 nope"),
			settings: work.FilesSettings{Dataset: "network"},
			want:     jobs.StatusSucceeded, status: files.StatusRejected, accepted: 0},
		{name: "missing dataset fails at once", file: "a.csv", content: []byte("x\n1\n"),
			want: jobs.StatusFailed, errText: "dataset is required"},
		{name: "unknown kind fails at once", file: "a.csv", content: []byte("x\n1\n"),
			settings: work.FilesSettings{Dataset: "d", Kind: "pallets"},
			want:     jobs.StatusFailed, errText: "unknown dataset kind"},
		{name: "missing input fails at once", file: "gone.csv",
			settings: work.FilesSettings{Dataset: "d"},
			want:     jobs.StatusFailed, errText: "read input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := "t-" + strings.ReplaceAll(tc.name, " ", "-")
			id := e.submit(t, tenant, tc.file, tc.content, tc.settings)
			r := e.await(t, id, 2*time.Minute)
			if r.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Error, tc.want)
			}
			if tc.errText != "" {
				if !strings.Contains(r.Error, tc.errText) || r.Attempt != 1 {
					t.Fatalf("error %q after %d attempts, want %q at once", r.Error, r.Attempt, tc.errText)
				}
				if n := e.count(t, `select count(*) from dataset_versions where job_id = $1`, id); n != 0 {
					t.Fatalf("a failed job left %d versions", n)
				}
				return
			}
			if r.Result.Status != tc.status {
				t.Fatalf("result status %q, want %q", r.Result.Status, tc.status)
			}
			var sum work.FilesSummary
			if err := json.Unmarshal(r.Result.Summary, &sum); err != nil {
				t.Fatalf("summary %s: %v", r.Result.Summary, err)
			}
			// The summary, the stored report and the database agree.
			var rep files.Report
			rc, _, err := e.blobs.Get(context.Background(), r.Result.Ref)
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(rc).Decode(&rep)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if sum.Version != 1 || sum.Dataset != tc.settings.Dataset || sum.RowsAccepted != rep.RowsAccepted ||
				sum.RowsRead != rep.RowsRead || sum.RowsRejected != rep.RowsRejected || sum.Verdict.Pass != (tc.status == files.StatusReady) {
				t.Errorf("summary %+v disagrees with the report (read %d accepted %d rejected %d)", sum, rep.RowsRead, rep.RowsAccepted, rep.RowsRejected)
			}
			if n := e.count(t, `select rows_accepted from dataset_versions where id = $1 and job_id = $2 and tenant = $3`,
				sum.DatasetVersionID, id, tenant); n != sum.RowsAccepted {
				t.Errorf("database version accepted %d rows, summary %d", n, sum.RowsAccepted)
			}
			if n := e.count(t, `select count(*) from dataset_shipments where dataset_version_id = $1`, sum.DatasetVersionID); n != tc.accepted {
				t.Errorf("%d shipments loaded, want %d", n, tc.accepted)
			}
			if tc.accepted > 0 && (sum.Derived.Lanes == 0 || r.Progress.Rows != sum.RowsRead) {
				t.Errorf("derived %+v, progress rows %d (read %d)", sum.Derived, r.Progress.Rows, sum.RowsRead)
			}
		})
	}
}

// TestFilesJobCancel cancels a files job while it reads rows: the job ends cancelled and
// no version, row or report is left.
func TestFilesJobCancel(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	id := e.submit(t, "acme", "huge.csv", shipmentsCSV(1500000), work.FilesSettings{Dataset: "big", Kind: files.Shipments})
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		r, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Progress.Rows > 0 {
			break
		}
		if r.Status.Terminal() {
			t.Fatalf("job ended %s before reporting rows: the file is too small to cancel", r.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rows reported: %+v", r)
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
	if n := e.count(t, `select count(*) from dataset_versions`) + e.count(t, `select count(*) from dataset_shipments`); n != 0 {
		t.Errorf("%d versions and rows left by a cancelled job", n)
	}
	key, _ := work.FilesReportKey("acme", id)
	if _, err := e.blobs.Stat(ctx, key); err == nil {
		t.Errorf("a cancelled job wrote its report")
	}
}
