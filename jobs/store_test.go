package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"networx/jobs"
	"networx/jobs/queuetest"
)

func newStore(t *testing.T) *jobs.Store {
	t.Helper()
	rdb, prefix := queuetest.Redis(t)
	s, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustCreate(t *testing.T, s *jobs.Store) *jobs.Record {
	t.Helper()
	r, err := s.Create(context.Background(), jobs.NewJob{Kind: "solve", Queue: "optimization", Tenant: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustStatus(t *testing.T, s *jobs.Store, id string, want jobs.Status) *jobs.Record {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != want {
		t.Fatalf("job %s status %s, want %s (error %q)", id, r.Status, want, r.Error)
	}
	return r
}

// step is one operation of a transition scenario; it returns the error of the call.
type step struct {
	name string
	do   func(ctx context.Context, s *jobs.Store, id string) error
	// wantErr is the sentinel the call must return (nil: success).
	wantErr error
	// want is the status after the step.
	want jobs.Status
}

func start(worker, token string, max int, want jobs.StartOutcome) func(context.Context, *jobs.Store, string) error {
	return func(ctx context.Context, s *jobs.Store, id string) error {
		res, err := s.Start(ctx, id, worker, token, max)
		if err != nil {
			return err
		}
		if res.Outcome != want {
			return fmt.Errorf("start outcome %s, want %s", res.Outcome, want)
		}
		return nil
	}
}

func finish(token string, st jobs.Status) func(context.Context, *jobs.Store, string) error {
	return func(ctx context.Context, s *jobs.Store, id string) error {
		_, err := s.Finish(ctx, id, token, jobs.Final{Status: st, Error: "e-" + token})
		return err
	}
}

func heartbeat(token string, want jobs.Status) func(context.Context, *jobs.Store, string) error {
	return func(ctx context.Context, s *jobs.Store, id string) error {
		st, err := s.Heartbeat(ctx, id, token, &jobs.Progress{Percent: 10})
		if err == nil && st != want {
			return fmt.Errorf("heartbeat status %s, want %s", st, want)
		}
		return err
	}
}

func cancel(ctx context.Context, s *jobs.Store, id string) error {
	_, err := s.Cancel(ctx, id)
	return err
}

func requeue(token string, refund bool) func(context.Context, *jobs.Store, string) error {
	return func(ctx context.Context, s *jobs.Store, id string) error {
		return s.Requeue(ctx, id, token, "boom", refund)
	}
}

func TestStoreTransitions(t *testing.T) {
	t.Parallel()
	const max = 3
	tests := []struct {
		name  string
		steps []step
		// attempt is the attempt count at the end.
		attempt int
	}{
		{name: "run and succeed", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "heartbeat", do: heartbeat("a", jobs.StatusRunning), want: jobs.StatusRunning},
			{name: "finish", do: finish("a", jobs.StatusSucceeded), want: jobs.StatusSucceeded},
			{name: "finish again", do: finish("a", jobs.StatusFailed), wantErr: jobs.ErrLeaseLost, want: jobs.StatusSucceeded},
			{name: "cancel after end", do: cancel, wantErr: jobs.ErrTerminal, want: jobs.StatusSucceeded},
			{name: "redelivery", do: start("w2", "b", max, jobs.StartTerminal), want: jobs.StatusSucceeded},
		}},
		{name: "run and fail", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "finish failed", do: finish("a", jobs.StatusFailed), want: jobs.StatusFailed},
			{name: "late success", do: finish("a", jobs.StatusSucceeded), wantErr: jobs.ErrLeaseLost, want: jobs.StatusFailed},
		}},
		{name: "cancel queued", attempt: 0, steps: []step{
			{name: "cancel", do: cancel, want: jobs.StatusCancelled},
			{name: "delivery after cancel", do: start("w1", "a", max, jobs.StartTerminal), want: jobs.StatusCancelled},
			{name: "finish by nobody", do: finish("a", jobs.StatusSucceeded), wantErr: jobs.ErrLeaseLost, want: jobs.StatusCancelled},
		}},
		{name: "cancel running confirmed by worker", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "cancel", do: cancel, want: jobs.StatusCancelling},
			{name: "cancel twice", do: cancel, want: jobs.StatusCancelling},
			{name: "heartbeat sees cancel", do: heartbeat("a", jobs.StatusCancelling), want: jobs.StatusCancelling},
			{name: "confirm", do: finish("a", jobs.StatusCancelled), want: jobs.StatusCancelled},
			{name: "late success", do: finish("a", jobs.StatusSucceeded), wantErr: jobs.ErrLeaseLost, want: jobs.StatusCancelled},
		}},
		{name: "success reported while cancelling ends cancelled", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "cancel", do: cancel, want: jobs.StatusCancelling},
			{name: "finish succeeded", do: finish("a", jobs.StatusSucceeded), want: jobs.StatusCancelled},
		}},
		{name: "cancel pending when the worker died", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "cancel", do: cancel, want: jobs.StatusCancelling},
			{name: "redelivery confirms", do: start("w2", "b", max, jobs.StartCancelled), want: jobs.StatusCancelled},
			{name: "old worker", do: finish("a", jobs.StatusSucceeded), wantErr: jobs.ErrLeaseLost, want: jobs.StatusCancelled},
		}},
		{name: "retry then succeed", attempt: 2, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "requeue", do: requeue("a", false), want: jobs.StatusQueued},
			{name: "stale requeue", do: requeue("a", false), wantErr: jobs.ErrLeaseLost, want: jobs.StatusQueued},
			{name: "start again", do: start("w1", "b", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "finish", do: finish("b", jobs.StatusSucceeded), want: jobs.StatusSucceeded},
		}},
		{name: "release refunds the attempt", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "release", do: requeue("a", true), want: jobs.StatusQueued},
			{name: "start again", do: start("w2", "b", max, jobs.StartStarted), want: jobs.StatusRunning},
		}},
		{name: "requeue with a cancel pending", attempt: 1, steps: []step{
			{name: "start", do: start("w1", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "cancel", do: cancel, want: jobs.StatusCancelling},
			{name: "requeue refused", do: requeue("a", false), wantErr: jobs.ErrCancelPending, want: jobs.StatusCancelling},
			{name: "confirm", do: finish("a", jobs.StatusCancelled), want: jobs.StatusCancelled},
		}},
		{name: "attempts exhausted", attempt: 3, steps: []step{
			{name: "start 1", do: start("w", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "requeue 1", do: requeue("a", false), want: jobs.StatusQueued},
			{name: "start 2", do: start("w", "b", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "requeue 2", do: requeue("b", false), want: jobs.StatusQueued},
			{name: "start 3", do: start("w", "c", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "requeue 3", do: requeue("c", false), want: jobs.StatusQueued},
			{name: "start 4", do: start("w", "d", max, jobs.StartExhausted), want: jobs.StatusFailed},
		}},
		{name: "stale worker after lease loss", attempt: 2, steps: []step{
			{name: "start A", do: start("wA", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "redelivered to B", do: start("wB", "b", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "A heartbeat", do: heartbeat("a", jobs.StatusRunning), wantErr: jobs.ErrLeaseLost, want: jobs.StatusRunning},
			{name: "A finishes", do: finish("a", jobs.StatusSucceeded), wantErr: jobs.ErrLeaseLost, want: jobs.StatusRunning},
			{name: "A requeues", do: requeue("a", false), wantErr: jobs.ErrLeaseLost, want: jobs.StatusRunning},
			{name: "B finishes", do: finish("b", jobs.StatusFailed), want: jobs.StatusFailed},
		}},
		{name: "interrupted attempts count toward the limit", attempt: 3, steps: []step{
			{name: "start 1", do: start("w", "a", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "start 2", do: start("w", "b", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "start 3", do: start("w", "c", max, jobs.StartStarted), want: jobs.StatusRunning},
			{name: "start 4", do: start("w", "d", max, jobs.StartExhausted), want: jobs.StatusFailed},
		}},
	}
	s := newStore(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := mustCreate(t, s)
			mustStatus(t, s, r.ID, jobs.StatusQueued)
			for _, st := range tc.steps {
				err := st.do(ctx, s, r.ID)
				if (st.wantErr == nil && err != nil) || (st.wantErr != nil && !errors.Is(err, st.wantErr)) {
					t.Fatalf("%s: err %v, want %v", st.name, err, st.wantErr)
				}
				got := mustStatus(t, s, r.ID, st.want)
				if got.Status.Terminal() && got.FinishedAt.IsZero() {
					t.Fatalf("%s: terminal without finished_at", st.name)
				}
			}
			got, _ := s.Get(ctx, r.ID)
			if got.Attempt != tc.attempt {
				t.Fatalf("attempt %d, want %d", got.Attempt, tc.attempt)
			}
		})
	}
}

func TestStoreStartMissing(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	res, err := s.Start(context.Background(), "nope", "w", "a", 3)
	if err != nil || res.Outcome != jobs.StartMissing {
		t.Fatalf("start missing: %+v %v", res, err)
	}
	if _, err := s.Get(context.Background(), "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
}

func TestStoreExhaustedKeepsLastError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	r := mustCreate(t, s)
	if _, err := s.Start(ctx, r.ID, "w", "a", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Requeue(ctx, r.ID, "a", "disk full", false); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Start(ctx, r.ID, "w", "b", 1); res.Outcome != jobs.StartExhausted {
		t.Fatalf("outcome %s", res.Outcome)
	}
	got := mustStatus(t, s, r.ID, jobs.StatusFailed)
	if got.Error != "giving up after 1 attempts: disk full" {
		t.Fatalf("error %q", got.Error)
	}
}

func TestStoreTTLRefreshedOnWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := queuetest.Redis(t)
	now := time.UnixMilli(1_700_000_000_000)
	s, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix, TTL: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreate(t, s)
	key := s.Keys().Job(r.ID)
	if err := rdb.PExpire(ctx, key, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(ctx, r.ID, "w", "a", 3); err != nil {
		t.Fatal(err)
	}
	ttl := rdb.PTTL(ctx, key).Val()
	if ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("ttl after write %s, want about 1h", ttl)
	}
	got, _ := s.Get(ctx, r.ID)
	if !got.StartedAt.Equal(now) || !got.HeartbeatAt.Equal(now) {
		t.Fatalf("timestamps %v %v, want %v", got.StartedAt, got.HeartbeatAt, now)
	}
}

func TestStoreProgressAndResult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	r := mustCreate(t, s)
	if _, err := s.Start(ctx, r.ID, "w", "a", 3); err != nil {
		t.Fatal(err)
	}
	p := jobs.Progress{Percent: 40, Step: "branch", Nodes: 12, Incumbent: jobs.Float(7), Bound: jobs.Float(5), Gap: jobs.Float(0.4)}
	if _, err := s.Heartbeat(ctx, r.ID, "a", &p); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, r.ID)
	if got.Progress.Nodes != 12 || *got.Progress.Incumbent != 7 || got.Progress.Step != "branch" {
		t.Fatalf("progress %+v", got.Progress)
	}
	res := jobs.Result{Ref: "results/x.sol", Status: "optimal", Objective: jobs.Float(6), Bound: jobs.Float(6), Gap: jobs.Float(0)}
	if _, err := s.Finish(ctx, r.ID, "a", jobs.Final{Status: jobs.StatusSucceeded, Result: res}); err != nil {
		t.Fatal(err)
	}
	got = mustStatus(t, s, r.ID, jobs.StatusSucceeded)
	if got.Result.Ref != res.Ref || *got.Result.Objective != 6 || got.Result.Status != "optimal" {
		t.Fatalf("result %+v", got.Result)
	}
}

func TestStoreList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	var ids []string
	for i := range 5 {
		q := "optimization"
		if i%2 == 1 {
			q = "files"
		}
		r, err := s.Create(ctx, jobs.NewJob{Kind: "k", Queue: q})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if _, err := s.Cancel(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    jobs.ListFilter
		want int
	}{
		{"all", jobs.ListFilter{}, 5},
		{"limit", jobs.ListFilter{Limit: 2}, 2},
		{"queue", jobs.ListFilter{Queue: "files"}, 2},
		{"status", jobs.ListFilter{Status: jobs.StatusCancelled}, 1},
		{"status and queue", jobs.ListFilter{Status: jobs.StatusQueued, Queue: "optimization"}, 2},
	}
	for _, tc := range tests {
		got, err := s.List(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Errorf("%s: %d records, want %d", tc.name, len(got), tc.want)
		}
	}
}

// TestStoreRaces runs the racing writers many times on fresh jobs and checks that exactly
// one outcome was accepted and the final state is the one the winner set.
func TestStoreRaces(t *testing.T) {
	t.Parallel()
	const rounds = 200
	s := newStore(t)
	ctx := context.Background()

	t.Run("cancel against finish", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			r := mustCreate(t, s)
			if _, err := s.Start(ctx, r.ID, "w", "a", 3); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var finSt, cancelSt jobs.Status
			var finErr, cancelErr error
			wg.Go(func() {
				finSt, finErr = s.Finish(ctx, r.ID, "a", jobs.Final{Status: jobs.StatusSucceeded})
			})
			wg.Go(func() { cancelSt, cancelErr = s.Cancel(ctx, r.ID) })
			wg.Wait()
			if finErr != nil {
				t.Fatalf("finish: %v", finErr)
			}
			final := mustStatus(t, s, r.ID, finSt).Status
			switch {
			case cancelErr == nil && cancelSt == jobs.StatusCancelling:
				// The cancel came first: the worker's success must end cancelled.
				if final != jobs.StatusCancelled {
					t.Fatalf("cancel accepted but final %s", final)
				}
			case errors.Is(cancelErr, jobs.ErrTerminal):
				if final != jobs.StatusSucceeded || cancelSt != jobs.StatusSucceeded {
					t.Fatalf("finish first but final %s, cancel saw %s", final, cancelSt)
				}
			default:
				t.Fatalf("cancel: %s %v", cancelSt, cancelErr)
			}
		}
	})

	t.Run("two workers finish the same job", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			r := mustCreate(t, s)
			// Worker A starts, loses its lease, B takes over; then both finish at once.
			if _, err := s.Start(ctx, r.ID, "wA", "a", 3); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Start(ctx, r.ID, "wB", "b", 3); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var errA, errB error
			wg.Go(func() { _, errA = s.Finish(ctx, r.ID, "a", jobs.Final{Status: jobs.StatusSucceeded, Error: "A"}) })
			wg.Go(func() { _, errB = s.Finish(ctx, r.ID, "b", jobs.Final{Status: jobs.StatusFailed, Error: "B"}) })
			wg.Wait()
			if !errors.Is(errA, jobs.ErrLeaseLost) || errB != nil {
				t.Fatalf("stale A: %v, owner B: %v", errA, errB)
			}
			if got := mustStatus(t, s, r.ID, jobs.StatusFailed); got.Error != "B" {
				t.Fatalf("error %q, want B's", got.Error)
			}
		}
	})

	t.Run("same delivery finishes twice", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			r := mustCreate(t, s)
			if _, err := s.Start(ctx, r.ID, "w", "a", 3); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			sts := []jobs.Status{jobs.StatusSucceeded, jobs.StatusFailed}
			for i := range 2 {
				wg.Go(func() { _, errs[i] = s.Finish(ctx, r.ID, "a", jobs.Final{Status: sts[i]}) })
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				if err == nil {
					if won >= 0 {
						t.Fatal("both finishes accepted")
					}
					won = i
				} else if !errors.Is(err, jobs.ErrLeaseLost) {
					t.Fatal(err)
				}
			}
			if won < 0 {
				t.Fatal("no finish accepted")
			}
			mustStatus(t, s, r.ID, sts[won])
		}
	})
}

func TestStoreWait(t *testing.T) {
	t.Parallel()
	ctx, cancelCtx := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelCtx()
	rdb, prefix := queuetest.Redis(t)
	s, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreate(t, s)
	if _, err := s.Start(ctx, r.ID, "w", "a", 3); err != nil {
		t.Fatal(err)
	}
	done := make(chan *jobs.Record, 1)
	go func() {
		rec, err := s.Wait(ctx, r.ID, time.Hour) // only the pub/sub event can wake it
		if err != nil {
			t.Error(err)
		}
		done <- rec
	}()
	// Finish once the waiter has subscribed (a subscriber shows in PUBSUB NUMSUB).
	for {
		n, err := rdb.PubSubNumSub(ctx, s.Keys().Events(r.ID)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n[s.Keys().Events(r.ID)] > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := s.Finish(ctx, r.ID, "a", jobs.Final{Status: jobs.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	if rec := <-done; rec == nil || rec.Status != jobs.StatusSucceeded {
		t.Fatalf("wait returned %+v", rec)
	}
}
