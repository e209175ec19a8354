package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Causes with which the worker cancels a job's context; read them with context.Cause.
var (
	// ErrCancelRequested: an operator or user cancelled the job.
	ErrCancelRequested = errors.New("jobs: cancel requested")
	// ErrJobTimeout: the job ran longer than the timeout of its kind.
	ErrJobTimeout = errors.New("jobs: job timed out")
	// ErrShutdown: the worker is stopping and the drain timeout passed; the job is handed
	// back to the queue.
	ErrShutdown = errors.New("jobs: worker shutting down")
)

// Handler runs one job. It returns the job's result, or an error. An error is retried
// (with backoff, up to the maximum attempts) unless wrapped with Permanent. When ctx is
// cancelled the handler should stop promptly and may still return a partial result (a
// cancelled solve returns its incumbent): the worker records it.
type Handler func(ctx context.Context, job *Job) (Result, error)

// Job is the handler's view of a running job.
type Job struct {
	ID       string
	Kind     string
	Queue    string
	Tenant   string
	Attempt  int
	InputRef string
	Settings json.RawMessage
	// Log carries job_id, kind, queue and attempt.
	Log *slog.Logger

	mu       sync.Mutex
	progress *Progress
	last     *Progress
}

// Report records the job's progress. It is cheap: the worker writes the latest report to
// the record (and its event channel) at most once per check interval.
func (j *Job) Report(p Progress) {
	j.mu.Lock()
	j.progress = &p
	j.mu.Unlock()
}

// take returns the progress reported since the last call, nil if none.
func (j *Job) take() *Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.progress
	j.progress = nil
	if p != nil {
		j.last = p
	}
	return p
}

// latest returns the last progress reported, flushed or not.
func (j *Job) latest() *Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.progress != nil {
		return j.progress
	}
	return j.last
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not retryable: the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// call runs h, turning a panic into a permanent error.
func call(ctx context.Context, h Handler, job *Job) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("handler panic: %v", p))
		}
	}()
	return h(ctx, job)
}
