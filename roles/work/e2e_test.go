package work_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"networx/jobs"
)

// hardModel writes the knapsack that keeps the solver busy until its time limit.
func hardModel(t *testing.T) string {
	return knapsackMPS(t, t.TempDir(), 3, 80, 10)
}

func countEnded(ws []*worker, t *testing.T) map[string]int {
	ended := map[string]int{}
	for _, w := range ws {
		for _, l := range w.logLines(t, "job ended") {
			if l["status"] == "succeeded" {
				ended[fmt.Sprint(l["job_id"])]++
			}
		}
	}
	return ended
}

// TestProcessKillWorker kills one of two workers while it runs jobs: every job still
// succeeds, exactly once, and nothing is left running or queued. It runs on both drivers.
func TestProcessKillWorker(t *testing.T) {
	for _, driver := range []string{"redis", "sqs"} {
		t.Run(driver, func(t *testing.T) { testKillWorker(t, driver) })
	}
}

func testKillWorker(t *testing.T, driver string) {
	s := newStackDriver(t, driver)
	model := hardModel(t)
	a := s.startWorker("a")
	b := s.startWorker("b")
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		// One tenant per job: FIFO groups are per tenant, so the jobs may run in parallel.
		ids[i] = s.submit(model, fmt.Sprintf("tenant-%d", i), "2s")
	}
	// Kill a while it runs jobs.
	var killed []string
	waitFor(t, time.Minute, "worker a running jobs", func() bool {
		killed = killed[:0]
		for _, r := range s.records(ids) {
			if r.Status == jobs.StatusRunning && a.owns(r.WorkerID) {
				killed = append(killed, r.ID)
			}
		}
		return len(killed) > 0
	})
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.done
	t.Logf("killed worker a running %v", killed)

	waitFor(t, 4*time.Minute, "all jobs succeeded", func() bool {
		for _, r := range s.records(ids) {
			if r.Status != jobs.StatusSucceeded {
				return false
			}
		}
		return true
	})
	ended := countEnded([]*worker{a, b}, t)
	hist := s.history()
	for _, r := range s.records(ids) {
		if ended[r.ID] != 1 {
			t.Errorf("job %s ended %d times in the worker logs", r.ID, ended[r.ID])
		}
		if hist[r.ID] != "succeeded" {
			t.Errorf("job %s history %q", r.ID, hist[r.ID])
		}
		if r.Result.Ref == "" || r.Result.Objective == nil {
			t.Errorf("job %s has no result: %+v", r.ID, r.Result)
		} else if _, err := os.Stat(filepath.Join(s.dir, "blobs", r.Result.Ref)); err != nil {
			t.Errorf("job %s solution: %v", r.ID, err)
		}
	}
	// A job seen running on a just before the kill either finished on a in that instant or
	// was interrupted and redone by b as its second attempt; at least one must have been.
	endedOnA := countEnded([]*worker{a}, t)
	interrupted := 0
	for _, id := range killed {
		r := s.records([]string{id})[0]
		switch {
		case endedOnA[id] == 1 && r.Attempt == 1:
		case r.Attempt == 2 && b.owns(r.WorkerID):
			interrupted++
		default:
			t.Errorf("job %s running on a at the kill: attempt %d by %s", id, r.Attempt, r.WorkerID)
		}
	}
	if interrupted == 0 {
		t.Errorf("the kill interrupted no job")
	}
	waitFor(t, 10*time.Second, "an empty queue", func() bool {
		st := s.queueStats()
		return st.Visible+st.InFlight+st.Delayed+st.Dead == 0
	})
	if len(hist) != n {
		t.Errorf("%d history rows, want %d", len(hist), n)
	}
}

// TestProcessDrain sends SIGTERM to a worker in the middle of a job longer than the drain
// timeout: the worker exits within the drain timeout and the job completes on the other.
func TestProcessDrain(t *testing.T) {
	const drain = 2 * time.Second
	s := newStack(t, "NETWORX_JOBS_DRAIN_TIMEOUT="+drain.String())
	model := hardModel(t)
	a := s.startWorker("a", "--concurrency", "1")
	id := s.submit(model, "t1", "5s")
	waitFor(t, 30*time.Second, "job running on a", func() bool {
		r := s.records([]string{id})[0]
		return r.Status == jobs.StatusRunning && a.owns(r.WorkerID)
	})
	b := s.startWorker("b", "--concurrency", "1")
	term := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.done:
	case <-time.After(drain + 5*time.Second):
		t.Fatalf("worker a still running %s after SIGTERM", drain+5*time.Second)
	}
	t.Logf("worker a exited %s after SIGTERM (%v)", time.Since(term), a.err)
	if a.err != nil {
		t.Errorf("worker a exit: %v", a.err)
	}
	waitFor(t, time.Minute, "job succeeded", func() bool {
		return s.records([]string{id})[0].Status == jobs.StatusSucceeded
	})
	r := s.records([]string{id})[0]
	if !b.owns(r.WorkerID) || r.Attempt != 1 {
		t.Errorf("job finished by %s at attempt %d, want b at attempt 1 (the release refunds)", r.WorkerID, r.Attempt)
	}
	if len(a.logLines(t, "job handed back on shutdown")) != 1 {
		t.Errorf("worker a did not hand the job back")
	}
}

// TestProcessCancel cancels a running solve through the CLI: the record reads cancelled
// within 2 s, the incumbent is kept, the message is gone and the worker takes the next job.
func TestProcessCancel(t *testing.T) {
	s := newStack(t)
	model := hardModel(t)
	s.startWorker("a", "--concurrency", "1")
	id := s.submit(model, "t1", "60s")
	waitFor(t, 30*time.Second, "running with an incumbent", func() bool {
		r := s.records([]string{id})[0]
		return r.Status == jobs.StatusRunning && r.Progress.Incumbent != nil
	})
	asked := time.Now()
	done := make(chan string, 1)
	go func() {
		out, _ := s.cli("jobs", "cancel", id, "--wait")
		done <- out
	}()
	waitFor(t, 2*time.Second, "record cancelled", func() bool {
		return s.records([]string{id})[0].Status == jobs.StatusCancelled
	})
	t.Logf("cancelled %s after the cancel command started", time.Since(asked))
	if out := <-done; out != "cancelled" {
		t.Errorf("cancel --wait printed %q", out)
	}
	r := s.records([]string{id})[0]
	if r.Result.Objective == nil || r.Result.Ref == "" {
		t.Fatalf("incumbent lost: %+v", r.Result)
	}
	// The same tenant's next job runs on the same worker.
	small := filepath.Join(t.TempDir(), "small.mps")
	if err := os.WriteFile(small, []byte(smallMPS), 0o644); err != nil {
		t.Fatal(err)
	}
	next := s.submit(small, "t1", "10s")
	if out, code := s.cli("jobs", "wait", next, "--timeout", "30s"); code != 0 || out != "succeeded" {
		t.Fatalf("next job: %q exit %d", out, code)
	}
	waitFor(t, 10*time.Second, "an empty queue", func() bool {
		st := s.queueStats()
		return st.Visible+st.InFlight+st.Delayed+st.Dead == 0
	})
	out, code := s.cli("jobs", "show", id, "--json")
	if code != 0 {
		t.Fatal(out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "kind", "queue", "status", "attempt", "progress", "error", "objective", "bound", "gap"} {
		if _, ok := v[k]; !ok {
			t.Errorf("show --json lacks %q: %s", k, out)
		}
	}
	if code := waitCode(s, id); code != 5 {
		t.Errorf("jobs wait on a cancelled job exits %d, want 5", code)
	}
	if h := s.history(); h[id] != "cancelled" || h[next] != "succeeded" {
		t.Errorf("history %v", h)
	}
}

func waitCode(s *stack, id string) int {
	_, code := s.cli("jobs", "wait", id, "--timeout", "10s")
	return code
}

// TestProcessRedisOutage stops Redis in the middle of a run and starts it again: no job
// is lost.
func TestProcessRedisOutage(t *testing.T) {
	s := newStack(t)
	model := hardModel(t)
	s.startWorker("a")
	s.startWorker("b")
	const n = 10
	ids := make([]string, n)
	for i := range ids {
		ids[i] = s.submit(model, fmt.Sprintf("tenant-%d", i), "1500ms")
	}
	waitFor(t, 30*time.Second, "jobs running", func() bool {
		for _, r := range s.records(ids) {
			if r.Status == jobs.StatusRunning {
				return true
			}
		}
		return false
	})
	s.stopRedis()
	time.Sleep(3 * time.Second) // the outage: shorter than the 6 s lease
	s.startRedis()
	waitFor(t, 3*time.Minute, "all jobs succeeded", func() bool {
		for _, r := range s.records(ids) {
			if r.Status != jobs.StatusSucceeded {
				return false
			}
		}
		return true
	})
	waitFor(t, 30*time.Second, "an empty queue", func() bool {
		st := s.queueStats()
		return st.Visible+st.InFlight+st.Delayed+st.Dead == 0
	})
	hist := s.history()
	for _, id := range ids {
		if hist[id] != "succeeded" {
			t.Errorf("job %s history %q", id, hist[id])
		}
	}
}

// TestProcessTimeout runs a solve longer than the optimization timeout: it fails at once
// with a timeout error and its message is removed, not retried.
func TestProcessTimeout(t *testing.T) {
	s := newStack(t, "NETWORX_JOBS_OPTIMIZATION_TIMEOUT=2s")
	s.startWorker("a")
	id := s.submit(hardModel(t), "t1", "60s")
	out, code := s.cli("jobs", "wait", id, "--timeout", "60s")
	if code != 1 || out != "failed" {
		t.Fatalf("wait: %q exit %d", out, code)
	}
	r := s.records([]string{id})[0]
	if r.Attempt != 1 || !strings.Contains(r.Error, "timed out after 2s") {
		t.Fatalf("attempt %d error %q", r.Attempt, r.Error)
	}
	if r.Result.Objective == nil {
		t.Errorf("timed-out solve lost its incumbent: %+v", r.Result)
	}
	waitFor(t, 10*time.Second, "an empty queue", func() bool {
		st := s.queueStats()
		return st.Visible+st.InFlight+st.Delayed+st.Dead == 0
	})
}

// TestProcessDeadLetter kills the worker running a job as many times as the job has
// attempts: the next delivery fails it with its last error and dead-letters the message.
// Then jobs retry submits it again as a new job.
func TestProcessDeadLetter(t *testing.T) {
	s := newStack(t, "NETWORX_QUEUE_MAX_ATTEMPTS=2", "NETWORX_JOBS_VISIBILITY_TIMEOUT=3s")
	id := s.submit(hardModel(t), "t1", "60s")
	for attempt := 1; attempt <= 2; attempt++ {
		w := s.startWorker(fmt.Sprintf("w%d", attempt), "--concurrency", "1")
		waitFor(t, 30*time.Second, fmt.Sprintf("attempt %d running", attempt), func() bool {
			r := s.records([]string{id})[0]
			return r.Status == jobs.StatusRunning && r.Attempt == attempt && w.owns(r.WorkerID)
		})
		_ = w.cmd.Process.Signal(syscall.SIGKILL)
		<-w.done
	}
	s.startWorker("last", "--concurrency", "1")
	out, code := s.cli("jobs", "wait", id, "--timeout", "60s")
	if code != 1 || out != "failed" {
		t.Fatalf("wait: %q exit %d", out, code)
	}
	r := s.records([]string{id})[0]
	if !strings.Contains(r.Error, "giving up after 2 attempts: attempt 2 interrupted") {
		t.Fatalf("error %q", r.Error)
	}
	waitFor(t, 10*time.Second, "one dead letter", func() bool {
		st := s.queueStats()
		return st.Dead == 1 && st.Visible+st.InFlight+st.Delayed == 0
	})
	if h := s.history(); h[id] != "failed" {
		t.Errorf("history %v", h)
	}
	retry, code := s.cli("jobs", "retry", id)
	if code != 0 {
		t.Fatalf("retry: %s", retry)
	}
	nr, err := s.store.Get(context.Background(), retry)
	if err != nil || nr.RetryOf != id || nr.InputRef != r.InputRef || string(nr.Settings) != string(r.Settings) {
		t.Fatalf("retried job %+v %v", nr, err)
	}
	if out, code := s.cli("jobs", "cancel", retry); code != 0 || (out != "cancelling" && out != "cancelled") {
		t.Fatalf("cancel retried job: %q %d", out, code)
	}
}
