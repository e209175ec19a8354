// Package queuetest is the conformance suite every jobs.Queue driver must pass, plus the
// helpers the job system's tests use to reach real services.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"networx/jobs"
)

// Options describe the queue a test needs.
type Options struct {
	// FIFO asks for a FIFO queue (groups, deduplication).
	FIFO bool
	// MaxReceives is the receive count after which messages are dead-lettered.
	MaxReceives int
}

// Factory returns a new, empty queue of its own for t.
type Factory func(t *testing.T, opts Options) jobs.Queue

// lease is the visibility the tests use when a lease must expire. One second is the
// smallest visibility SQS can express.
const lease = time.Second

// patience bounds every wait for a message that must arrive; generous because SQS long
// polling and lease expiry work in whole seconds.
const patience = 10 * time.Second

// Run runs the conformance suite against the queues newQueue makes.
func Run(t *testing.T, newQueue Factory) {
	for _, fifo := range []bool{false, true} {
		kind := "standard"
		if fifo {
			kind = "fifo"
		}
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			tests := []struct {
				name     string
				fifoOnly bool
				run      func(t *testing.T, q jobs.Queue)
				opts     Options
			}{
				{name: "delivery", run: testDelivery},
				{name: "lease", run: testLease},
				{name: "redelivery after lease expiry", run: testRedelivery},
				{name: "release", run: testRelease},
				{name: "dead letter after max receives", run: testMaxReceives, opts: Options{MaxReceives: 2}},
				{name: "explicit dead letter", run: testDeadLetter},
				{name: "fifo order within a group", run: testFIFOOrder, fifoOnly: true},
				{name: "deduplication", run: testDedup, fifoOnly: true},
			}
			for _, tc := range tests {
				if tc.fifoOnly && !fifo {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					opts := tc.opts
					opts.FIFO = fifo
					q := newQueue(t, opts)
					if q.FIFO() != fifo {
						t.Fatalf("queue FIFO() = %v, want %v", q.FIFO(), fifo)
					}
					tc.run(t, q)
				})
			}
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func send(t *testing.T, q jobs.Queue, job, group string) {
	t.Helper()
	if _, err := q.Send(ctxFor(t), jobs.SendInput{Body: jobs.Body{JobID: job, Kind: "test"}, Group: group}); err != nil {
		t.Fatalf("send %s: %v", job, err)
	}
}

// receive waits up to wait for one message with the given visibility; nil when none came.
func receive(t *testing.T, q jobs.Queue, vis, wait time.Duration) *jobs.Message {
	t.Helper()
	ctx := ctxFor(t)
	deadline := time.Now().Add(wait)
	for {
		w := min(time.Until(deadline), 20*time.Second)
		if w < 0 {
			w = 0
		}
		msgs, err := q.Receive(ctx, jobs.ReceiveOptions{Max: 1, Wait: w, Visibility: vis})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(msgs) > 1 {
			t.Fatalf("receive with max 1 returned %d messages", len(msgs))
		}
		if len(msgs) == 1 {
			return msgs[0]
		}
		if time.Now().After(deadline) {
			return nil
		}
	}
}

func mustReceive(t *testing.T, q jobs.Queue, vis time.Duration) *jobs.Message {
	t.Helper()
	m := receive(t, q, vis, patience)
	if m == nil {
		t.Fatal("no message within the patience")
	}
	return m
}

func mustNothing(t *testing.T, q jobs.Queue, wait time.Duration) {
	t.Helper()
	if m := receive(t, q, time.Minute, wait); m != nil {
		t.Fatalf("unexpected delivery of %s (receive count %d)", m.Body.JobID, m.ReceiveCount)
	}
}

func mustDelete(t *testing.T, q jobs.Queue, m *jobs.Message) {
	t.Helper()
	if err := q.Delete(ctxFor(t), m); err != nil {
		t.Fatalf("delete %s: %v", m.Body.JobID, err)
	}
}

// waitStats polls Stats until ok accepts them.
func waitStats(t *testing.T, q jobs.Queue, what string, ok func(jobs.QueueStats) bool) jobs.QueueStats {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		st, err := q.Stats(ctxFor(t))
		if err != nil {
			t.Fatalf("stats: %v", err)
		}
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never showed %s: %+v", what, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func testDelivery(t *testing.T, q jobs.Queue) {
	want := []string{"job-a", "job-b", "job-c"}
	for i, id := range want {
		send(t, q, id, fmt.Sprintf("g%d", i))
	}
	var got []string
	for range want {
		m := mustReceive(t, q, time.Minute)
		if m.ReceiveCount != 1 || m.Body.Kind != "test" || m.SentAt.IsZero() || m.ID == "" || m.Receipt == "" {
			t.Fatalf("first delivery %+v", m)
		}
		if q.FIFO() && m.Group == "" {
			t.Fatalf("fifo message without group: %+v", m)
		}
		got = append(got, m.Body.JobID)
		mustDelete(t, q, m)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}
	mustNothing(t, q, lease)
	waitStats(t, q, "an empty queue", func(s jobs.QueueStats) bool { return s.Visible == 0 && s.InFlight == 0 })
}

func testLease(t *testing.T, q jobs.Queue) {
	send(t, q, "job-lease", "g")
	waitStats(t, q, "one visible message", func(s jobs.QueueStats) bool { return s.Visible == 1 })
	m := mustReceive(t, q, 2*lease)
	waitStats(t, q, "one message in flight", func(s jobs.QueueStats) bool { return s.InFlight == 1 && s.Visible == 0 })
	// Keep extending past the original lease: nobody else may receive it meanwhile.
	for range 3 {
		if err := q.Extend(ctxFor(t), m, 2*lease); err != nil {
			t.Fatalf("extend: %v", err)
		}
		mustNothing(t, q, lease)
	}
	mustDelete(t, q, m)
	if err := q.Extend(ctxFor(t), m, lease); !errors.Is(err, jobs.ErrMessageLeaseLost) {
		t.Fatalf("extend after delete: %v, want lease lost", err)
	}
	mustNothing(t, q, 2*lease)
}

func testRedelivery(t *testing.T, q jobs.Queue) {
	send(t, q, "job-redeliver", "g")
	first := mustReceive(t, q, lease)
	// The consumer dies: no extend, no delete. The message comes back after the lease.
	second := mustReceive(t, q, time.Minute)
	if second.Body.JobID != "job-redeliver" || second.ReceiveCount != 2 || second.Receipt == first.Receipt {
		t.Fatalf("redelivery %+v after %+v", second, first)
	}
	// The first consumer's receipt is stale: extend reports the lost lease, delete and
	// release change nothing.
	if err := q.Extend(ctxFor(t), first, time.Minute); !errors.Is(err, jobs.ErrMessageLeaseLost) {
		t.Fatalf("stale extend: %v, want lease lost", err)
	}
	if err := q.Delete(ctxFor(t), first); err != nil {
		t.Fatalf("stale delete: %v", err)
	}
	if err := q.Extend(ctxFor(t), second, time.Minute); err != nil {
		t.Fatalf("current lease after stale delete: %v", err)
	}
	mustDelete(t, q, second)
	mustNothing(t, q, 2*lease)
}

func testRelease(t *testing.T, q jobs.Queue) {
	send(t, q, "job-release", "g")
	m := mustReceive(t, q, time.Minute)
	if err := q.Release(ctxFor(t), m, 0); err != nil {
		t.Fatalf("release: %v", err)
	}
	again := receive(t, q, time.Minute, 3*time.Second)
	if again == nil || again.ReceiveCount != 2 {
		t.Fatalf("after release: %+v", again)
	}
	// A delayed release keeps it away for the delay, then it comes back.
	if err := q.Release(ctxFor(t), again, 2*lease); err != nil {
		t.Fatalf("delayed release: %v", err)
	}
	if m := receive(t, q, time.Minute, 0); m != nil {
		t.Fatalf("delivered during the release delay: %+v", m)
	}
	third := mustReceive(t, q, time.Minute)
	if third.ReceiveCount != 3 {
		t.Fatalf("third delivery count %d", third.ReceiveCount)
	}
	if err := q.Release(ctxFor(t), m, 0); !errors.Is(err, jobs.ErrMessageLeaseLost) {
		t.Fatalf("release with a stale receipt: %v, want lease lost", err)
	}
	mustDelete(t, q, third)
}

func testMaxReceives(t *testing.T, q jobs.Queue) {
	send(t, q, "job-poison", "g")
	for i := 1; i <= 2; i++ {
		m := mustReceive(t, q, time.Minute)
		if m.ReceiveCount != i {
			t.Fatalf("delivery %d has receive count %d", i, m.ReceiveCount)
		}
		if err := q.Release(ctxFor(t), m, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The third receive would exceed the maximum: the message goes to the dead letters.
	mustNothing(t, q, 2*lease)
	waitStats(t, q, "one dead letter", func(s jobs.QueueStats) bool {
		return s.Dead == 1 && s.Visible == 0 && s.InFlight == 0
	})
}

func testDeadLetter(t *testing.T, q jobs.Queue) {
	send(t, q, "job-dead", "g")
	send(t, q, "job-next", "g")
	m := mustReceive(t, q, time.Minute)
	if err := q.DeadLetter(ctxFor(t), m, "test"); err != nil {
		t.Fatalf("dead letter: %v", err)
	}
	// The group is free again and the next message arrives; the dead one does not.
	next := mustReceive(t, q, time.Minute)
	if next.Body.JobID == m.Body.JobID {
		t.Fatalf("dead-lettered message delivered again")
	}
	mustDelete(t, q, next)
	mustNothing(t, q, lease)
	waitStats(t, q, "one dead letter", func(s jobs.QueueStats) bool { return s.Dead == 1 })
}

func testFIFOOrder(t *testing.T, q jobs.Queue) {
	for _, id := range []string{"g1-m1", "g1-m2", "g1-m3"} {
		send(t, q, id, "g1")
	}
	send(t, q, "g2-m1", "g2")
	// One message per group in flight: the heads of g1 and g2 only.
	a := mustReceive(t, q, time.Minute)
	b := mustReceive(t, q, time.Minute)
	heads := []string{a.Body.JobID, b.Body.JobID}
	slices.Sort(heads)
	if !slices.Equal(heads, []string{"g1-m1", "g2-m1"}) {
		t.Fatalf("first deliveries %v, want the group heads", heads)
	}
	mustNothing(t, q, lease)
	g1 := a
	if g1.Body.JobID != "g1-m1" {
		g1 = b
	}
	// A released head comes back before the rest of its group.
	if err := q.Release(ctxFor(t), g1, 0); err != nil {
		t.Fatal(err)
	}
	if m := mustReceive(t, q, time.Minute); m.Body.JobID != "g1-m1" {
		t.Fatalf("after release got %s, want g1-m1", m.Body.JobID)
	} else {
		g1 = m
	}
	for _, want := range []string{"g1-m2", "g1-m3"} {
		mustDelete(t, q, g1)
		g1 = mustReceive(t, q, time.Minute)
		if g1.Body.JobID != want {
			t.Fatalf("got %s, want %s", g1.Body.JobID, want)
		}
	}
	mustDelete(t, q, g1)
}

func testDedup(t *testing.T, q jobs.Queue) {
	send(t, q, "job-dup", "g")
	send(t, q, "job-dup", "g")
	send(t, q, "job-other", "h")
	var got []string
	for range 2 {
		m := mustReceive(t, q, time.Minute)
		got = append(got, m.Body.JobID)
		mustDelete(t, q, m)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"job-dup", "job-other"}) {
		t.Fatalf("received %v", got)
	}
	mustNothing(t, q, 2*lease)
}
