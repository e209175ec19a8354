package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"networx/jobs"
	"networx/jobs/queuetest"
)

type memHistory struct {
	mu   sync.Mutex
	recs map[string]*jobs.Record
}

func (h *memHistory) Record(_ context.Context, r *jobs.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.recs[r.ID]; !ok {
		h.recs[r.ID] = r
	}
	return nil
}

func (h *memHistory) get(id string) *jobs.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recs[id]
}

// env is a worker on a Redis queue of its own, with the pieces the tests inspect.
type env struct {
	rdb     redis.UniversalClient
	store   *jobs.Store
	queue   *jobs.RedisQueue
	history *memHistory
	metrics *jobs.Metrics
	reg     *prometheus.Registry
	cancel  context.CancelFunc
	done    chan error
	once    sync.Once
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newEnv(t *testing.T, cfg jobs.WorkerConfig, handlers map[string]jobs.Handler) *env {
	t.Helper()
	rdb, prefix := queuetest.Redis(t)
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: "optimization", FIFO: true, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := jobs.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{rdb: rdb, store: store, queue: q, history: &memHistory{recs: map[string]*jobs.Record{}}, metrics: m, reg: reg}
	if cfg.ReceiveWait == 0 {
		cfg.ReceiveWait = time.Second
	}
	if cfg.CheckEvery == 0 {
		cfg.CheckEvery = 100 * time.Millisecond
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = 10 * time.Millisecond
	}
	w, err := jobs.NewWorker(cfg, jobs.WorkerDeps{Queue: q, Store: store, Redis: rdb, History: e.history,
		Handlers: handlers, Log: testLogger(t), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.done = make(chan error, 1)
	go func() { e.done <- w.Run(ctx) }()
	t.Cleanup(func() { e.stop(t) })
	return e
}

// stop stops the worker (as SIGTERM would) and waits for Run to return.
func (e *env) stop(t *testing.T) {
	e.once.Do(func() {
		e.cancel()
		select {
		case err := <-e.done:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("worker did not stop")
		}
	})
}

func (e *env) submit(t *testing.T, kind, tenant string) string {
	t.Helper()
	rec, err := jobs.Enqueue(context.Background(), e.store, e.queue, jobs.NewJob{Kind: kind, Queue: "optimization", Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	return rec.ID
}

func (e *env) waitStatus(t *testing.T, id string, want jobs.Status, within time.Duration) *jobs.Record {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := e.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == want {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %s, want %s (error %q)", id, r.Status, within, want, r.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitQueue waits until the queue holds nothing visible or in flight and returns its stats.
func (e *env) waitQueueEmpty(t *testing.T) jobs.QueueStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := e.queue.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Visible == 0 && st.InFlight == 0 && st.Delayed == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not empty: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func counter(t *testing.T, e *env, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue metric
				}
			}
			if c := m.GetCounter(); c != nil {
				sum += c.GetValue()
			}
			if h := m.GetHistogram(); h != nil {
				sum += float64(h.GetSampleCount())
			}
		}
	}
	return sum
}

var errFlaky = errors.New("flaky")

func TestWorkerOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      jobs.WorkerConfig
		handler  func(calls int, ctx context.Context, job *jobs.Job) (jobs.Result, error)
		want     jobs.Status
		attempts int
		errText  string
		dead     float64
		retries  float64
	}{
		{
			name: "success",
			handler: func(_ int, _ context.Context, job *jobs.Job) (jobs.Result, error) {
				job.Report(jobs.Progress{Percent: 100, Step: "done"})
				return jobs.Result{Ref: "results/" + job.ID, Objective: jobs.Float(42)}, nil
			},
			want: jobs.StatusSucceeded, attempts: 1,
		},
		{
			name: "retryable errors then success",
			handler: func(calls int, _ context.Context, _ *jobs.Job) (jobs.Result, error) {
				if calls < 3 {
					return jobs.Result{}, errFlaky
				}
				return jobs.Result{Ref: "ok"}, nil
			},
			want: jobs.StatusSucceeded, attempts: 3, retries: 2,
		},
		{
			name: "permanent error fails at once",
			handler: func(int, context.Context, *jobs.Job) (jobs.Result, error) {
				return jobs.Result{}, jobs.Permanent(errors.New("bad input"))
			},
			want: jobs.StatusFailed, attempts: 1, errText: "bad input",
		},
		{
			name: "attempts exhausted goes to the dead letters",
			cfg:  jobs.WorkerConfig{MaxAttempts: 3},
			handler: func(calls int, _ context.Context, _ *jobs.Job) (jobs.Result, error) {
				return jobs.Result{}, fmt.Errorf("try %d: %w", calls, errFlaky)
			},
			want: jobs.StatusFailed, attempts: 3, errText: "giving up after 3 attempts: try 3: flaky", dead: 1, retries: 2,
		},
		{
			name: "panic fails",
			handler: func(int, context.Context, *jobs.Job) (jobs.Result, error) {
				panic("boom")
			},
			want: jobs.StatusFailed, attempts: 1, errText: "handler panic: boom",
		},
		{
			name: "timeout fails without retry",
			cfg:  jobs.WorkerConfig{Timeouts: map[string]time.Duration{"k": 200 * time.Millisecond}},
			handler: func(_ int, ctx context.Context, _ *jobs.Job) (jobs.Result, error) {
				<-ctx.Done()
				return jobs.Result{}, ctx.Err()
			},
			want: jobs.StatusFailed, attempts: 1, errText: "timed out after 200ms",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			e := newEnv(t, tc.cfg, map[string]jobs.Handler{"k": func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
				return tc.handler(int(calls.Add(1)), ctx, job)
			}})
			id := e.submit(t, "k", "t1")
			r := e.waitStatus(t, id, tc.want, 20*time.Second)
			if r.Attempt != tc.attempts || int(calls.Load()) != tc.attempts {
				t.Fatalf("attempt %d, handler calls %d, want %d", r.Attempt, calls.Load(), tc.attempts)
			}
			if r.Error != tc.errText {
				t.Fatalf("error %q, want %q", r.Error, tc.errText)
			}
			st := e.waitQueueEmpty(t)
			if float64(st.Dead) != tc.dead {
				t.Fatalf("dead letters %d, want %v", st.Dead, tc.dead)
			}
			deadline := time.Now().Add(5 * time.Second)
			for e.history.get(id) == nil && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if h := e.history.get(id); h == nil || h.Status != tc.want {
				t.Fatalf("history %+v", h)
			}
			if got := counter(t, e, "networx_jobs_dead_letters_total"); got != tc.dead {
				t.Fatalf("dead letter metric %v, want %v", got, tc.dead)
			}
			if got := counter(t, e, "networx_jobs_retries_total"); got != tc.retries {
				t.Fatalf("retries metric %v, want %v", got, tc.retries)
			}
			if got := counter(t, e, "networx_jobs_transitions_total", "state", string(tc.want)); got != 1 {
				t.Fatalf("transition metric for %s = %v", tc.want, got)
			}
		})
	}
}

// blocker is a handler that runs until its context ends and returns a partial result.
func blocker(started chan<- string) jobs.Handler {
	return func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
		job.Report(jobs.Progress{Percent: 10, Incumbent: jobs.Float(99)})
		started <- job.ID
		<-ctx.Done()
		return jobs.Result{Ref: "partial/" + job.ID, Objective: jobs.Float(99)}, context.Cause(ctx)
	}
}

func TestWorkerCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  jobs.WorkerConfig
		// request asks for the cancel.
		request func(t *testing.T, e *env, id string)
	}{
		{
			// The record check is an hour away: only the pub/sub nudge can stop the job.
			name: "pub/sub nudge",
			cfg:  jobs.WorkerConfig{CheckEvery: time.Hour, Lease: 3 * time.Hour},
			request: func(t *testing.T, e *env, id string) {
				if st, err := e.store.Cancel(context.Background(), id); err != nil || st != jobs.StatusCancelling {
					t.Fatalf("cancel: %s %v", st, err)
				}
			},
		},
		{
			// The flag is set without any event, as if the nudge were lost.
			name: "stored flag without nudge",
			cfg:  jobs.WorkerConfig{CheckEvery: 200 * time.Millisecond},
			request: func(t *testing.T, e *env, id string) {
				ctx := context.Background()
				now := fmt.Sprint(time.Now().UnixMilli())
				if err := e.rdb.HSet(ctx, e.store.Keys().Job(id), "status", "cancelling", "cancel_requested_at", now).Err(); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			started := make(chan string, 2)
			var nextRan atomic.Bool
			e := newEnv(t, tc.cfg, map[string]jobs.Handler{
				"block": blocker(started),
				"next": func(context.Context, *jobs.Job) (jobs.Result, error) {
					nextRan.Store(true)
					return jobs.Result{}, nil
				},
			})
			id := e.submit(t, "block", "t1")
			<-started
			asked := time.Now()
			tc.request(t, e, id)
			r := e.waitStatus(t, id, jobs.StatusCancelled, 2*time.Second)
			t.Logf("cancel took %s", time.Since(asked))
			if r.Result.Ref != "partial/"+id || r.Result.Objective == nil || *r.Result.Objective != 99 {
				t.Fatalf("cancelled job lost its partial result: %+v", r.Result)
			}
			// The same tenant's next job runs: the message and the group are released.
			next := e.submit(t, "next", "t1")
			e.waitStatus(t, next, jobs.StatusSucceeded, 10*time.Second)
			e.waitQueueEmpty(t)
			if got := counter(t, e, "networx_jobs_cancel_latency_seconds"); got != 1 {
				t.Fatalf("cancel latency samples %v", got)
			}
		})
	}
}

func TestWorkerAcknowledgesEndedJob(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	e := newEnv(t, jobs.WorkerConfig{}, map[string]jobs.Handler{"k": func(context.Context, *jobs.Job) (jobs.Result, error) {
		calls.Add(1)
		return jobs.Result{}, nil
	}})
	ctx := context.Background()
	rec, err := e.store.Create(ctx, jobs.NewJob{Kind: "k", Queue: "optimization"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Cancel(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	// A (re)delivered message for the cancelled job.
	if _, err := e.queue.Send(ctx, jobs.SendInput{Body: jobs.Body{JobID: rec.ID, Kind: "k"}, Group: "t"}); err != nil {
		t.Fatal(err)
	}
	e.waitQueueEmpty(t)
	deadline := time.Now().Add(5 * time.Second)
	for e.history.get(rec.ID) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if h := e.history.get(rec.ID); h == nil || h.Status != jobs.StatusCancelled {
		t.Fatalf("history of the ended job: %+v", h)
	}
	if calls.Load() != 0 {
		t.Fatalf("handler ran %d times for an ended job", calls.Load())
	}
}

func TestWorkerStopsWhenLeaseLost(t *testing.T) {
	t.Parallel()
	started := make(chan string, 1)
	stopped := make(chan error, 1)
	e := newEnv(t, jobs.WorkerConfig{CheckEvery: 100 * time.Millisecond}, map[string]jobs.Handler{
		"block": func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
			started <- job.ID
			<-ctx.Done()
			stopped <- context.Cause(ctx)
			return jobs.Result{Ref: "stale"}, nil
		},
	})
	id := e.submit(t, "block", "t1")
	<-started
	// Another delivery takes the job over (as after a lease expiry elsewhere).
	if _, err := e.store.Start(context.Background(), id, "other", "other-token", 5); err != nil {
		t.Fatal(err)
	}
	select {
	case cause := <-stopped:
		if !errors.Is(cause, jobs.ErrLeaseLost) {
			t.Fatalf("cause %v", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("job kept running after losing its lease")
	}
	// The stale worker must not have finished the job: it belongs to "other".
	time.Sleep(300 * time.Millisecond) // give a wrong finish time to happen
	r := e.waitStatus(t, id, jobs.StatusRunning, time.Second)
	if r.WorkerID != "other" || r.Result.Ref == "stale" {
		t.Fatalf("stale worker changed the record: %+v", r)
	}
}

func TestWorkerDrain(t *testing.T) {
	t.Parallel()
	t.Run("running job finishes within the drain timeout", func(t *testing.T) {
		t.Parallel()
		started := make(chan string, 1)
		release := make(chan struct{})
		e := newEnv(t, jobs.WorkerConfig{DrainTimeout: time.Minute}, map[string]jobs.Handler{
			"k": func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
				started <- job.ID
				select {
				case <-release:
					return jobs.Result{Ref: "done"}, nil
				case <-ctx.Done():
					return jobs.Result{}, ctx.Err()
				}
			},
		})
		id := e.submit(t, "k", "t1")
		<-started
		e.cancel() // SIGTERM
		close(release)
		e.stop(t)
		e.waitStatus(t, id, jobs.StatusSucceeded, time.Second)
		e.waitQueueEmpty(t)
	})
	t.Run("drain timeout hands the job back", func(t *testing.T) {
		t.Parallel()
		started := make(chan string, 1)
		e := newEnv(t, jobs.WorkerConfig{DrainTimeout: 300 * time.Millisecond}, map[string]jobs.Handler{"block": blocker(started)})
		id := e.submit(t, "block", "t1")
		<-started
		e.stop(t)
		r := e.waitStatus(t, id, jobs.StatusQueued, time.Second)
		if r.Attempt != 0 {
			t.Fatalf("attempt %d after release, want the attempt refunded", r.Attempt)
		}
		// The message is visible at once for another worker.
		msgs, err := e.queue.Receive(context.Background(), jobs.ReceiveOptions{Visibility: time.Minute})
		if err != nil || len(msgs) != 1 || msgs[0].Body.JobID != id {
			t.Fatalf("released message: %v %v", msgs, err)
		}
	})
}

func TestWorkerConcurrencyBound(t *testing.T) {
	t.Parallel()
	var running, peak atomic.Int32
	e := newEnv(t, jobs.WorkerConfig{Concurrency: 3}, map[string]jobs.Handler{
		"k": func(context.Context, *jobs.Job) (jobs.Result, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
			running.Add(-1)
			return jobs.Result{}, nil
		},
	})
	var ids []string
	for i := range 12 {
		ids = append(ids, e.submit(t, "k", fmt.Sprintf("tenant-%d", i)))
	}
	for _, id := range ids {
		e.waitStatus(t, id, jobs.StatusSucceeded, 20*time.Second)
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrency %d, want at most 3 (and some parallelism)", p)
	}
}
