package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// History keeps terminal job records for good (PostgreSQL run history). Record must be
// idempotent: a record written twice is stored once.
type History interface {
	Record(ctx context.Context, r *Record) error
}

// WorkerConfig configures a Worker. Zero values mean the documented defaults.
type WorkerConfig struct {
	// ID names this worker in records and logs; empty means hostname-pid-random.
	ID string
	// Concurrency is the number of jobs run at once; zero means 4.
	Concurrency int
	// Lease is the visibility timeout of a received message; zero means 30 s.
	Lease time.Duration
	// ExtendEvery is the lease heartbeat interval; zero means a third of Lease.
	ExtendEvery time.Duration
	// CheckEvery is how often a running job's record is touched: heartbeat time, progress
	// (throttled to this rate) and the cancel flag. Zero means 1 s, so a cancel whose pub/sub
	// nudge was lost still arrives within a second.
	CheckEvery time.Duration
	// Timeouts bounds the run time of one attempt per job kind.
	Timeouts map[string]time.Duration
	// DefaultTimeout applies to kinds missing from Timeouts; zero means 5 minutes.
	DefaultTimeout time.Duration
	// MaxAttempts is the number of attempts before a job fails for good and its message is
	// dead-lettered; zero means 5.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the retry delay: base*2^(attempt-1) capped at max,
	// with jitter (half fixed, half random). Zero means 1 s and 5 minutes.
	BackoffBase, BackoffMax time.Duration
	// DrainTimeout is how long a stopping worker lets running jobs finish before it
	// cancels them and hands their messages back; zero means 90 s.
	DrainTimeout time.Duration
	// ReceiveWait is the long-poll wait of one receive; zero means 10 s.
	ReceiveWait time.Duration
	// StoreRetryFor bounds the retries of a failing Redis write (outage, failover) before the
	// worker gives the job up to redelivery; zero means 2 minutes.
	StoreRetryFor time.Duration
	// StatsEvery is how often the queue depth gauges are refreshed; zero means 15 s.
	StatsEvery time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the jitter source; nil means a randomly seeded one.
	Rand *rand.Rand
	// NewToken makes lease tokens; nil means RandomID.
	NewToken func() string
}

// Validate reports configuration errors.
func (c WorkerConfig) Validate() error {
	var errs []error
	durs := map[string]time.Duration{"lease": c.Lease, "extend every": c.ExtendEvery, "check every": c.CheckEvery,
		"default timeout": c.DefaultTimeout, "backoff base": c.BackoffBase, "backoff max": c.BackoffMax,
		"drain timeout": c.DrainTimeout, "receive wait": c.ReceiveWait, "store retry": c.StoreRetryFor, "stats every": c.StatsEvery}
	for name, d := range durs {
		if d < 0 {
			errs = append(errs, fmt.Errorf("worker: %s %s is negative", name, d))
		}
	}
	for kind, d := range c.Timeouts {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("worker: timeout of kind %s must be positive, got %s", kind, d))
		}
	}
	if c.Concurrency < 0 || c.MaxAttempts < 0 {
		errs = append(errs, errors.New("worker: concurrency and max attempts must not be negative"))
	}
	if c.Lease > 0 && c.ExtendEvery >= c.Lease {
		errs = append(errs, fmt.Errorf("worker: extend interval %s must be shorter than the lease %s", c.ExtendEvery, c.Lease))
	}
	if c.ReceiveWait > 20*time.Second {
		errs = append(errs, fmt.Errorf("worker: receive wait %s above the 20 s long-poll limit", c.ReceiveWait))
	}
	return errors.Join(errs...)
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.ID == "" {
		host, _ := os.Hostname()
		c.ID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), RandomID()[:6])
	}
	if c.Concurrency == 0 {
		c.Concurrency = 4
	}
	def(&c.Lease, 30*time.Second)
	def(&c.ExtendEvery, c.Lease/3)
	def(&c.CheckEvery, time.Second)
	def(&c.DefaultTimeout, 5*time.Minute)
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 5
	}
	def(&c.BackoffBase, time.Second)
	def(&c.BackoffMax, 5*time.Minute)
	def(&c.DrainTimeout, 90*time.Second)
	def(&c.ReceiveWait, 10*time.Second)
	def(&c.StoreRetryFor, 2*time.Minute)
	def(&c.StatsEvery, 15*time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if c.NewToken == nil {
		c.NewToken = RandomID
	}
	return c
}

// Worker receives messages from one queue and runs their jobs.
type Worker struct {
	cfg      WorkerConfig
	queue    Queue
	store    *Store
	rdb      redis.UniversalClient
	history  History
	handlers map[string]Handler
	log      *slog.Logger
	metrics  *Metrics

	randMu sync.Mutex

	// running maps a job id to the cancel function of its context, for pub/sub nudges.
	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
}

// WorkerDeps are the collaborators of a Worker.
type WorkerDeps struct {
	Queue Queue
	Store *Store
	// Redis carries the cancel nudges (pub/sub); usually the client of Store.
	Redis redis.UniversalClient
	// History is optional; nil keeps no run history.
	History  History
	Handlers map[string]Handler
	Log      *slog.Logger
	// Metrics is optional.
	Metrics *Metrics
}

// NewWorker returns a worker.
func NewWorker(cfg WorkerConfig, deps WorkerDeps) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Queue == nil || deps.Store == nil || deps.Redis == nil {
		return nil, errors.New("worker: queue, store and redis are required")
	}
	if len(deps.Handlers) == 0 {
		return nil, errors.New("worker: no handlers")
	}
	w := &Worker{cfg: cfg.withDefaults(), queue: deps.Queue, store: deps.Store, rdb: deps.Redis, history: deps.History,
		handlers: deps.Handlers, log: deps.Log, metrics: deps.Metrics, running: map[string]context.CancelCauseFunc{}}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.metrics == nil {
		w.metrics, _ = NewMetrics(nil)
	}
	w.log = w.log.With("queue", w.queue.Name(), "worker_id", w.cfg.ID)
	return w, nil
}

// ID returns the worker id.
func (w *Worker) ID() string { return w.cfg.ID }

// Run receives and runs jobs until ctx is cancelled, then drains: it stops receiving, lets
// running jobs finish for up to the drain timeout, then cancels them and hands their
// messages back to the queue (visible at once). It returns when every job has stopped.
func (w *Worker) Run(ctx context.Context) error {
	// Jobs run on a context that survives ctx: the drain decides when they stop.
	jobsCtx, stopJobs := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopJobs(ErrShutdown)

	// Cancels of this worker's jobs are announced on its own channel; subscribe (and wait
	// for the confirmation) before taking any job, so no announcement can be missed while
	// Redis is up. The record check every CheckEvery covers the rest.
	pubsub := w.rdb.Subscribe(jobsCtx, w.store.keys.Worker(w.cfg.ID))
	defer pubsub.Close()
	if _, err := pubsub.Receive(ctx); err != nil {
		w.log.Warn("subscribe to cancel announcements; relying on the record check", "err", err)
	}
	go w.dispatchNudges(pubsub.Channel())

	statsDone := make(chan struct{})
	go func() { defer close(statsDone); w.sampleStats(ctx) }()

	var wg sync.WaitGroup
	slots := make(chan struct{}, w.cfg.Concurrency)
	w.log.Info("worker started", "concurrency", w.cfg.Concurrency, "lease", w.cfg.Lease)
	failures := 0
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		n := 1
		for n < min(w.cfg.Concurrency, 10) {
			select {
			case slots <- struct{}{}:
				n++
				continue
			default:
			}
			break
		}
		msgs, err := w.queue.Receive(ctx, ReceiveOptions{Max: n, Wait: w.cfg.ReceiveWait, Visibility: w.cfg.Lease})
		if err != nil {
			failures++
			w.metrics.receiveErrors.WithLabelValues(w.queue.Name()).Inc()
			w.log.Warn("receive", "err", err)
			for range n {
				<-slots
			}
			sleepCtx(ctx, w.backoff(min(failures, 6)))
			continue
		}
		failures = 0
		for _, m := range msgs {
			if ctx.Err() != nil {
				// Stopping: hand back what arrived with the last receive.
				if err := w.queue.Release(jobsCtx, m, 0); err != nil {
					w.log.Warn("release on stop", "job_id", m.Body.JobID, "err", err)
				}
				<-slots
				continue
			}
			wg.Go(func() {
				defer func() { <-slots }()
				w.process(jobsCtx, m)
			})
		}
		for range n - len(msgs) {
			<-slots
		}
	}
	w.log.Info("worker draining", "drain_timeout", w.cfg.DrainTimeout)
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	t := time.NewTimer(w.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-drained:
	case <-t.C:
		w.log.Warn("drain timeout: cancelling running jobs")
		stopJobs(ErrShutdown)
		<-drained
	}
	<-statsDone
	w.log.Info("worker stopped")
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// backoff returns the delay before attempt+1: base*2^(attempt-1) capped at max, half of it
// fixed and half random so that retries of jobs that failed together spread out.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.BackoffBase
	for i := 1; i < attempt && d < w.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.BackoffMax)
	w.randMu.Lock()
	j := time.Duration(w.cfg.Rand.Int64N(int64(d/2) + 1))
	w.randMu.Unlock()
	return d/2 + j
}

func (w *Worker) sampleStats(ctx context.Context) {
	t := time.NewTicker(w.cfg.StatsEvery)
	defer t.Stop()
	for {
		st, err := w.queue.Stats(ctx)
		if err == nil {
			w.metrics.observeStats(w.queue.Name(), st)
		} else if ctx.Err() == nil {
			w.log.Warn("queue stats", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dispatchNudges cancels the running jobs announced on the worker's channel.
func (w *Worker) dispatchNudges(ch <-chan *redis.Message) {
	for msg := range ch {
		var ev Event
		if json.Unmarshal([]byte(msg.Payload), &ev) != nil || ev.Type != "cancel" {
			continue
		}
		w.mu.Lock()
		cancel := w.running[ev.JobID]
		w.mu.Unlock()
		if cancel != nil {
			cancel(ErrCancelRequested)
		}
	}
}

// retryStore retries a Redis operation through transient errors for up to StoreRetryFor.
func (w *Worker) retryStore(ctx context.Context, what string, log *slog.Logger, op func(ctx context.Context) error) error {
	deadline := w.cfg.Now().Add(w.cfg.StoreRetryFor)
	for i := 1; ; i++ {
		opCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := op(opCtx)
		cancel()
		if err == nil || !isTransient(err) || ctx.Err() != nil || w.cfg.Now().After(deadline) {
			return err
		}
		log.Warn("retrying store write", "op", what, "err", err)
		sleepCtx(ctx, min(w.backoff(i), 5*time.Second))
	}
}

// process handles one delivery.
func (w *Worker) process(ctx context.Context, m *Message) {
	log := w.log.With("job_id", m.Body.JobID, "kind", m.Body.Kind, "message_id", m.ID, "receive_count", m.ReceiveCount)
	token := w.cfg.NewToken()
	var start StartResult
	err := w.retryStore(ctx, "start", log, func(ctx context.Context) error {
		var err error
		start, err = w.store.Start(ctx, m.Body.JobID, w.cfg.ID, token, w.cfg.MaxAttempts)
		return err
	})
	if err != nil {
		log.Error("start job; leaving the message to redelivery", "err", err)
		return
	}
	log = log.With("attempt", start.Attempt)
	switch start.Outcome {
	case StartMissing:
		log.Warn("message for a job without record: dead-lettering")
		w.deadLetter(ctx, m, "no job record", log)
		return
	case StartTerminal, StartCancelled:
		log.Info("job already ended: acknowledging", "status", start.Status)
		w.settleEnded(ctx, m, false, log)
		return
	case StartExhausted:
		log.Warn("job out of attempts: failed and dead-lettered")
		w.metrics.transitions.WithLabelValues(w.queue.Name(), m.Body.Kind, string(StatusFailed)).Inc()
		w.settleEnded(ctx, m, true, log)
		return
	}
	w.run(ctx, m, token, start.Attempt, log)
}

// settleEnded writes the history of an ended job and removes its message: deleted, or
// dead-lettered when dead is set. If the history cannot be written the message is released
// with a delay so that a later delivery tries again.
func (w *Worker) settleEnded(ctx context.Context, m *Message, dead bool, log *slog.Logger) {
	if err := w.recordHistory(ctx, m.Body.JobID, log); err != nil {
		log.Error("write run history; message released for a later try", "err", err)
		if err := w.queue.Release(ctx, m, w.backoff(m.ReceiveCount)); err != nil {
			log.Warn("release", "err", err)
		}
		return
	}
	if dead {
		w.deadLetter(ctx, m, "maximum attempts reached", log)
		return
	}
	if err := w.queue.Delete(ctx, m); err != nil {
		log.Warn("delete message", "err", err)
	}
}

func (w *Worker) deadLetter(ctx context.Context, m *Message, reason string, log *slog.Logger) {
	if err := w.queue.DeadLetter(ctx, m, reason); err != nil {
		log.Warn("dead-letter message", "err", err)
		return
	}
	w.metrics.deadLetters.WithLabelValues(w.queue.Name(), m.Body.Kind).Inc()
}

func (w *Worker) recordHistory(ctx context.Context, id string, log *slog.Logger) error {
	if w.history == nil {
		return nil
	}
	var rec *Record
	err := w.retryStore(ctx, "read", log, func(ctx context.Context) error {
		var err error
		rec, err = w.store.Get(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	if !rec.Status.Terminal() {
		return fmt.Errorf("record history of job %s: status %s is not terminal", id, rec.Status)
	}
	var herr error
	for i := 1; i <= 3; i++ {
		if herr = w.history.Record(ctx, rec); herr == nil {
			return nil
		}
		sleepCtx(ctx, w.backoff(i))
	}
	return herr
}

func (w *Worker) timeout(kind string) time.Duration {
	if d, ok := w.cfg.Timeouts[kind]; ok {
		return d
	}
	return w.cfg.DefaultTimeout
}

// run executes a started job under its lease.
func (w *Worker) run(ctx context.Context, m *Message, token string, attempt int, log *slog.Logger) {
	kind, qname, id := m.Body.Kind, w.queue.Name(), m.Body.JobID
	rec, err := w.store.Get(ctx, id)
	if err != nil {
		log.Error("read started job; leaving the message to redelivery", "err", err)
		return
	}
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobCtx, cancelTimeout := context.WithTimeoutCause(jobCtx, w.timeout(kind), ErrJobTimeout)
	defer cancelTimeout()

	w.mu.Lock()
	w.running[id] = cancel
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, id)
		w.mu.Unlock()
	}()

	job := &Job{ID: id, Kind: kind, Queue: qname, Tenant: rec.Tenant, Attempt: attempt,
		InputRef: rec.InputRef, Settings: rec.Settings, Log: log}
	w.metrics.transitions.WithLabelValues(qname, kind, string(StatusRunning)).Inc()
	inFlight := w.metrics.inFlight.WithLabelValues(qname, kind)
	inFlight.Inc()
	defer inFlight.Dec()
	started := w.cfg.Now()
	log.Info("job started")

	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	h, ok := w.handlers[kind]
	go func() {
		if !ok {
			done <- outcome{err: Permanent(fmt.Errorf("no handler for kind %q on queue %s", kind, qname))}
			return
		}
		res, err := call(jobCtx, h, job)
		done <- outcome{res, err}
	}()

	extend := time.NewTicker(w.cfg.ExtendEvery)
	defer extend.Stop()
	check := time.NewTicker(w.cfg.CheckEvery)
	defer check.Stop()
	lastExtended := w.cfg.Now()
	var out outcome
loop:
	for {
		select {
		case out = <-done:
			break loop
		case <-extend.C:
			ectx, ecancel := context.WithTimeout(ctx, w.cfg.ExtendEvery)
			err := w.queue.Extend(ectx, m, w.cfg.Lease)
			ecancel()
			switch {
			case err == nil:
				lastExtended = w.cfg.Now()
			case errors.Is(err, ErrMessageLeaseLost) || w.cfg.Now().Sub(lastExtended) >= w.cfg.Lease:
				w.metrics.heartbeatFailures.WithLabelValues(qname, kind, "lease").Inc()
				log.Warn("lease lost: stopping the job", "err", err)
				cancel(ErrLeaseLost)
			default:
				w.metrics.heartbeatFailures.WithLabelValues(qname, kind, "lease").Inc()
				log.Warn("extend lease", "err", err)
			}
		case <-check.C:
			cctx, ccancel := context.WithTimeout(ctx, w.cfg.CheckEvery*2)
			st, err := w.store.Heartbeat(cctx, id, token, job.take())
			ccancel()
			switch {
			case errors.Is(err, ErrLeaseLost) || errors.Is(err, ErrNotFound):
				w.metrics.heartbeatFailures.WithLabelValues(qname, kind, "record").Inc()
				log.Warn("job no longer ours: stopping it", "err", err)
				cancel(ErrLeaseLost)
			case err != nil:
				w.metrics.heartbeatFailures.WithLabelValues(qname, kind, "record").Inc()
				log.Warn("record heartbeat", "err", err)
			case st == StatusCancelling:
				cancel(ErrCancelRequested)
			}
		}
	}
	elapsed := w.cfg.Now().Sub(started)
	cause := context.Cause(jobCtx)
	if errors.Is(cause, context.Canceled) && out.err == nil {
		cause = nil // the deferred cancel has not run; a plain Canceled means nothing here
	}
	// Settle even when the worker is being stopped hard: the writes below are short.
	w.finish(context.WithoutCancel(ctx), m, job, token, out.res, out.err, cause, elapsed, log)
}

// finish settles a job after its handler returned.
func (w *Worker) finish(ctx context.Context, m *Message, job *Job, token string, res Result, herr, cause error, elapsed time.Duration, log *slog.Logger) {
	qname, kind := w.queue.Name(), job.Kind
	observe := func(state string) {
		w.metrics.transitions.WithLabelValues(qname, kind, state).Inc()
		w.metrics.duration.WithLabelValues(qname, kind, state).Observe(elapsed.Seconds())
	}
	switch {
	case errors.Is(cause, ErrLeaseLost):
		// Another delivery owns the job now: touch neither the record nor the message.
		observe("lease_lost")
		log.Warn("job stopped after losing its lease", "err", herr)
		return
	case errors.Is(cause, ErrShutdown):
		err := w.retryStore(ctx, "requeue", log, func(c context.Context) error {
			return w.store.Requeue(c, job.ID, token, "", true)
		})
		if errors.Is(err, ErrCancelPending) {
			break // finish it as cancelled below
		}
		if err != nil {
			log.Warn("requeue on shutdown", "err", err)
		}
		observe("released")
		if err := w.queue.Release(ctx, m, 0); err != nil {
			log.Warn("release on shutdown", "err", err)
		}
		log.Info("job handed back on shutdown")
		return
	}

	final := Final{Result: res, Progress: job.latest()}
	dead := false
	switch {
	case errors.Is(cause, ErrCancelRequested) || errors.Is(cause, ErrShutdown):
		final.Status = StatusCancelled
		if herr != nil && !errors.Is(herr, context.Canceled) && !errors.Is(herr, ErrCancelRequested) {
			final.Error = herr.Error()
		}
	case herr == nil:
		final.Status = StatusSucceeded
		if final.Progress != nil {
			p := *final.Progress
			p.Percent = 100
			final.Progress = &p
		} else {
			final.Progress = &Progress{Percent: 100}
		}
	case errors.Is(cause, ErrJobTimeout):
		final.Status = StatusFailed
		final.Error = fmt.Sprintf("timed out after %s", w.timeout(kind))
		if !errors.Is(herr, ErrJobTimeout) && !errors.Is(herr, context.DeadlineExceeded) {
			final.Error += ": " + herr.Error()
		}
	case IsPermanent(herr):
		final.Status = StatusFailed
		final.Error = herr.Error()
	case job.Attempt >= w.cfg.MaxAttempts:
		final.Status = StatusFailed
		final.Error = fmt.Sprintf("giving up after %d attempts: %v", job.Attempt, herr)
		dead = true
	default:
		err := w.retryStore(ctx, "requeue", log, func(c context.Context) error {
			return w.store.Requeue(c, job.ID, token, herr.Error(), false)
		})
		switch {
		case errors.Is(err, ErrCancelPending):
			final.Status = StatusCancelled
			final.Error = herr.Error()
		case err != nil:
			observe("lease_lost")
			log.Warn("requeue for retry", "err", err)
			return
		default:
			delay := w.backoff(job.Attempt)
			observe("retrying")
			w.metrics.retries.WithLabelValues(qname, kind).Inc()
			log.Warn("job failed, retrying", "err", herr, "retry_in", delay)
			if err := w.queue.Release(ctx, m, delay); err != nil {
				log.Warn("release for retry", "err", err)
			}
			return
		}
	}

	var status Status
	err := w.retryStore(ctx, "finish", log, func(c context.Context) error {
		var err error
		status, err = w.store.Finish(c, job.ID, token, final)
		return err
	})
	if err != nil {
		observe("lease_lost")
		log.Warn("finish job: left to redelivery", "err", err)
		return
	}
	observe(string(status))
	if status == StatusCancelled {
		if rec, err := w.store.Get(ctx, job.ID); err == nil && !rec.CancelRequestedAt.IsZero() {
			w.metrics.cancelLatency.WithLabelValues(qname, kind).Observe(rec.FinishedAt.Sub(rec.CancelRequestedAt).Seconds())
		}
	}
	if status == StatusFailed {
		log.Warn("job failed", "err", final.Error, "duration", elapsed)
	} else {
		log.Info("job ended", "status", status, "duration", elapsed)
	}
	w.settleEnded(ctx, m, dead, log)
}
