package jobs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Status is the state of a job.
type Status string

// The job states. queued -> running -> succeeded | failed | cancelled; a cancel on a
// running job sets cancelling until the worker confirms it. A queued job that is
// cancelled becomes cancelled at once.
const (
	StatusQueued     Status = "queued"
	StatusRunning    Status = "running"
	StatusCancelling Status = "cancelling"
	StatusSucceeded  Status = "succeeded"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Terminal reports whether s is a final state.
func (s Status) Terminal() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCancelled
}

// Valid reports whether s is one of the job states.
func (s Status) Valid() bool {
	switch s {
	case StatusQueued, StatusRunning, StatusCancelling, StatusSucceeded, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Progress is the live progress of a running job.
type Progress struct {
	// Percent is 0-100.
	Percent float64 `json:"percent"`
	// Step says what the job is doing.
	Step string `json:"step,omitempty"`
	// Nodes, Incumbent, Bound and Gap are filled by solves: branch-and-bound nodes so far,
	// the best objective found, the best bound and the relative gap. Nil means unknown.
	Nodes     int64    `json:"nodes,omitempty"`
	Incumbent *float64 `json:"incumbent,omitempty"`
	Bound     *float64 `json:"bound,omitempty"`
	Gap       *float64 `json:"gap,omitempty"`
	// Rows is filled by jobs that read a client file (files, and optimize, sweep and capacity
	// while their input loads): the rows read so far.
	Rows int64 `json:"rows,omitempty"`
}

// Result is what a finished job produced.
type Result struct {
	// Ref locates the result (a blob store key), empty when there is none.
	Ref string `json:"ref,omitempty"`
	// Status is the kind-specific outcome, for solves the solver status
	// (optimal, feasible, infeasible, ...).
	Status string `json:"status,omitempty"`
	// Objective, Bound and Gap summarize a solve. Nil means unknown or not finite.
	Objective *float64 `json:"objective,omitempty"`
	Bound     *float64 `json:"bound,omitempty"`
	Gap       *float64 `json:"gap,omitempty"`
	// Summary is a kind-specific summary as JSON (files jobs: the dataset
	// version and its row counts).
	Summary json.RawMessage `json:"summary,omitempty"`
}

// Float returns a pointer to v, or nil when v is NaN or infinite (JSON cannot carry those).
func Float(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Record is a job as stored in Redis.
type Record struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Queue  string `json:"queue"`
	Tenant string `json:"tenant"`
	Status Status `json:"status"`
	// Attempt counts the deliveries that started the job (1 on the first run).
	Attempt int `json:"attempt"`
	// InputRef locates the input (a blob store key).
	InputRef string `json:"input_ref,omitempty"`
	// Settings are kind-specific settings as JSON.
	Settings json.RawMessage `json:"settings,omitempty"`
	Progress Progress        `json:"progress"`
	Result   Result          `json:"result"`
	// Error is the last error: of the final attempt when failed, of the previous attempt
	// while queued again for a retry.
	Error string `json:"error,omitempty"`
	// WorkerID names the worker that runs or last ran the job.
	WorkerID string `json:"worker_id,omitempty"`
	// RetryOf is the id of the job this one retries (networx jobs retry).
	RetryOf           string    `json:"retry_of,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	StartedAt         time.Time `json:"started_at,omitzero"`
	FinishedAt        time.Time `json:"finished_at,omitzero"`
	HeartbeatAt       time.Time `json:"heartbeat_at,omitzero"`
	CancelRequestedAt time.Time `json:"cancel_requested_at,omitzero"`

	// lease is the token of the delivery that owns the job while it runs.
	lease string
}

// Hash field names of a record.
const (
	fID          = "id"
	fKind        = "kind"
	fQueue       = "queue"
	fTenant      = "tenant"
	fStatus      = "status"
	fAttempt     = "attempt"
	fInput       = "input_ref"
	fSettings    = "settings"
	fProgress    = "progress"
	fResult      = "result"
	fError       = "error"
	fWorker      = "worker"
	fLease       = "lease"
	fRetryOf     = "retry_of"
	fCreated     = "created_at"
	fUpdated     = "updated_at"
	fStarted     = "started_at"
	fFinished    = "finished_at"
	fHeartbeat   = "heartbeat_at"
	fCancelReqAt = "cancel_requested_at"
)

func msString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func parseMS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms).UTC(), nil
}

// fields returns the hash fields of a new record.
func (r *Record) fields() ([]any, error) {
	prog, err := json.Marshal(r.Progress)
	if err != nil {
		return nil, fmt.Errorf("encode progress: %w", err)
	}
	res, err := json.Marshal(r.Result)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	settings := string(r.Settings)
	return []any{
		fID, r.ID, fKind, r.Kind, fQueue, r.Queue, fTenant, r.Tenant,
		fStatus, string(r.Status), fAttempt, strconv.Itoa(r.Attempt),
		fInput, r.InputRef, fSettings, settings, fProgress, string(prog), fResult, string(res),
		fError, r.Error, fWorker, r.WorkerID, fLease, r.lease, fRetryOf, r.RetryOf,
		fCreated, msString(r.CreatedAt), fUpdated, msString(r.UpdatedAt),
		fStarted, msString(r.StartedAt), fFinished, msString(r.FinishedAt),
		fHeartbeat, msString(r.HeartbeatAt), fCancelReqAt, msString(r.CancelRequestedAt),
	}, nil
}

// decodeRecord builds a record from its hash.
func decodeRecord(h map[string]string) (*Record, error) {
	r := &Record{
		ID: h[fID], Kind: h[fKind], Queue: h[fQueue], Tenant: h[fTenant],
		Status: Status(h[fStatus]), InputRef: h[fInput], Error: h[fError],
		WorkerID: h[fWorker], RetryOf: h[fRetryOf], lease: h[fLease],
	}
	if s := h[fSettings]; s != "" {
		r.Settings = json.RawMessage(s)
	}
	var err error
	if a := h[fAttempt]; a != "" {
		if r.Attempt, err = strconv.Atoi(a); err != nil {
			return nil, fmt.Errorf("decode attempt %q: %w", a, err)
		}
	}
	if p := h[fProgress]; p != "" {
		if err := json.Unmarshal([]byte(p), &r.Progress); err != nil {
			return nil, fmt.Errorf("decode progress: %w", err)
		}
	}
	if p := h[fResult]; p != "" {
		if err := json.Unmarshal([]byte(p), &r.Result); err != nil {
			return nil, fmt.Errorf("decode result: %w", err)
		}
	}
	times := []struct {
		field string
		dst   *time.Time
	}{
		{fCreated, &r.CreatedAt}, {fUpdated, &r.UpdatedAt}, {fStarted, &r.StartedAt},
		{fFinished, &r.FinishedAt}, {fHeartbeat, &r.HeartbeatAt}, {fCancelReqAt, &r.CancelRequestedAt},
	}
	for _, tm := range times {
		if *tm.dst, err = parseMS(h[tm.field]); err != nil {
			return nil, fmt.Errorf("decode %s: %w", tm.field, err)
		}
	}
	if !r.Status.Valid() {
		return nil, fmt.Errorf("decode record %s: unknown status %q", r.ID, r.Status)
	}
	return r, nil
}
