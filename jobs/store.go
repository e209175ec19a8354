package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors returned by Store.
var (
	// ErrNotFound means there is no record for the job id (never created, or expired).
	ErrNotFound = errors.New("jobs: job not found")
	// ErrExists means a record with the job id exists already.
	ErrExists = errors.New("jobs: job exists")
	// ErrLeaseLost means the caller no longer owns the job: its delivery was taken over by
	// another, or the job ended. The caller must stop and leave the job alone.
	ErrLeaseLost = errors.New("jobs: lease lost")
	// ErrTerminal means the job already ended; the operation changed nothing.
	ErrTerminal = errors.New("jobs: job already ended")
)

// DefaultTTL is how long a record lives in Redis after its last write.
const DefaultTTL = 24 * time.Hour

// StoreConfig configures a Store. The zero value means the defaults.
type StoreConfig struct {
	// KeyPrefix prefixes every key; empty means DefaultKeyPrefix.
	KeyPrefix string
	// TTL is the record lifetime after each write; zero means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes job ids and lease tokens; nil means 16 random bytes in hex.
	NewID func() string
}

// Validate reports configuration errors.
func (c StoreConfig) Validate() error {
	var errs []error
	if c.TTL < 0 {
		errs = append(errs, fmt.Errorf("jobs store: ttl %s is negative", c.TTL))
	}
	if c.KeyPrefix != "" && !validKeyPrefix(c.KeyPrefix) {
		errs = append(errs, fmt.Errorf("jobs store: key prefix %q contains braces or spaces", c.KeyPrefix))
	}
	return errors.Join(errs...)
}

func validKeyPrefix(p string) bool {
	for _, r := range p {
		if r == '{' || r == '}' || r == ' ' || r == '\n' {
			return false
		}
	}
	return true
}

// RandomID returns 16 random bytes in hex, the default job id and lease token.
func RandomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("jobs: crypto/rand: %v", err)) // never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Store keeps job records in Redis. Its methods are safe for concurrent use.
type Store struct {
	rdb   redis.UniversalClient
	keys  Keys
	ttl   time.Duration
	now   func() time.Time
	newID func() string
}

// NewStore returns a Store on rdb.
func NewStore(rdb redis.UniversalClient, cfg StoreConfig) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{rdb: rdb, keys: NewKeys(cfg.KeyPrefix), ttl: cfg.TTL, now: cfg.Now, newID: cfg.NewID}
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = RandomID
	}
	return s, nil
}

// Keys returns the key builder of the store.
func (s *Store) Keys() Keys { return s.keys }

// NewID returns a fresh id from the store's id source.
func (s *Store) NewID() string { return s.newID() }

func (s *Store) nowMS() string { return strconv.FormatInt(s.now().UnixMilli(), 10) }

func (s *Store) ttlMS() string { return strconv.FormatInt(s.ttl.Milliseconds(), 10) }

// NewJob describes a job to create.
type NewJob struct {
	// ID is the job id; empty means a new random id.
	ID       string
	Kind     string
	Queue    string
	Tenant   string
	InputRef string
	Settings json.RawMessage
	RetryOf  string
}

// Create writes a new queued record and returns it. It fails with ErrExists when the id is
// taken.
func (s *Store) Create(ctx context.Context, nj NewJob) (*Record, error) {
	if nj.ID == "" {
		nj.ID = s.newID()
	}
	if !validID(nj.ID) {
		return nil, fmt.Errorf("create job: invalid id %q", nj.ID)
	}
	if nj.Kind == "" || nj.Queue == "" {
		return nil, fmt.Errorf("create job %s: kind and queue are required", nj.ID)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	r := &Record{
		ID: nj.ID, Kind: nj.Kind, Queue: nj.Queue, Tenant: nj.Tenant, Status: StatusQueued,
		InputRef: nj.InputRef, Settings: nj.Settings, RetryOf: nj.RetryOf,
		CreatedAt: now, UpdatedAt: now,
	}
	fields, err := r.fields()
	if err != nil {
		return nil, fmt.Errorf("create job %s: %w", r.ID, err)
	}
	args := append([]any{s.nowMS(), s.ttlMS(), ""}, fields...)
	ok, err := scriptCreate.Run(ctx, s.rdb, []string{s.keys.Job(r.ID)}, args...).Int()
	if err != nil {
		return nil, fmt.Errorf("create job %s: %w", r.ID, err)
	}
	if ok == 0 {
		return nil, fmt.Errorf("create job %s: %w", r.ID, ErrExists)
	}
	if err := s.rdb.ZAdd(ctx, s.keys.Index(), redis.Z{Score: float64(now.UnixMilli()), Member: r.ID}).Err(); err != nil {
		return nil, fmt.Errorf("index job %s: %w", r.ID, err)
	}
	return r, nil
}

// Get returns the record of job id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*Record, error) {
	if !validID(id) {
		return nil, fmt.Errorf("get job %q: %w", id, ErrNotFound)
	}
	h, err := s.rdb.HGetAll(ctx, s.keys.Job(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	if len(h) == 0 || h[fStatus] == "" {
		return nil, fmt.Errorf("get job %s: %w", id, ErrNotFound)
	}
	r, err := decodeRecord(h)
	if err != nil {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	return r, nil
}

// ListFilter selects records for List. Zero fields match everything.
type ListFilter struct {
	Status Status
	Queue  string
	Kind   string
	// Limit caps the number of records returned; zero means 100.
	Limit int
}

// List returns the newest records first that match f. Ids whose record has expired are
// dropped from the index on the way.
func (s *Store) List(ctx context.Context, f ListFilter) ([]*Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// Drop index entries older than the TTL: their records are gone.
	cutoff := s.now().Add(-s.ttl).UnixMilli()
	if err := s.rdb.ZRemRangeByScore(ctx, s.keys.Index(), "-inf", "("+strconv.FormatInt(cutoff, 10)).Err(); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	var out []*Record
	const page = 200
	for start := int64(0); len(out) < limit; start += page {
		ids, err := s.rdb.ZRevRange(ctx, s.keys.Index(), start, start+page-1).Result()
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		cmds := make([]*redis.MapStringStringCmd, len(ids))
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = p.HGetAll(ctx, s.keys.Job(id))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		for i, c := range cmds {
			h := c.Val()
			if len(h) == 0 {
				s.rdb.ZRem(ctx, s.keys.Index(), ids[i]) // expired; best effort
				continue
			}
			r, err := decodeRecord(h)
			if err != nil {
				return nil, fmt.Errorf("list jobs: %w", err)
			}
			if (f.Status != "" && r.Status != f.Status) || (f.Queue != "" && r.Queue != f.Queue) ||
				(f.Kind != "" && r.Kind != f.Kind) {
				continue
			}
			out = append(out, r)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// StartOutcome says what Start did.
type StartOutcome string

// The outcomes of Start; see scriptStart.
const (
	StartStarted   StartOutcome = "started"
	StartTerminal  StartOutcome = "terminal"
	StartCancelled StartOutcome = "cancelled"
	StartExhausted StartOutcome = "exhausted"
	StartMissing   StartOutcome = "missing"
)

// StartResult is the answer of Start.
type StartResult struct {
	Outcome StartOutcome
	// Status is the job's status after the call.
	Status Status
	// Attempt is the attempt number (after the increment when started).
	Attempt int
}

// Start marks a delivery of job id as running under lease token, owned by worker, if the
// job may run: see scriptStart for the outcomes. maxAttempts bounds the attempts.
func (s *Store) Start(ctx context.Context, id, worker, token string, maxAttempts int) (StartResult, error) {
	v, err := scriptStart.Run(ctx, s.rdb, []string{s.keys.Job(id)},
		s.nowMS(), s.ttlMS(), s.keys.Events(id), worker, token, maxAttempts).Slice()
	if err != nil {
		return StartResult{}, fmt.Errorf("start job %s: %w", id, err)
	}
	if len(v) != 3 {
		return StartResult{}, fmt.Errorf("start job %s: unexpected reply %v", id, v)
	}
	res := StartResult{Outcome: StartOutcome(fmt.Sprint(v[0])), Status: Status(fmt.Sprint(v[1]))}
	if n, ok := v[2].(int64); ok {
		res.Attempt = int(n)
	}
	return res, nil
}

// casReply decodes the {outcome, status} reply of the worker scripts.
func casReply(v []any, err error) (string, Status, error) {
	if err != nil {
		return "", "", err
	}
	if len(v) != 2 {
		return "", "", fmt.Errorf("unexpected reply %v", v)
	}
	return fmt.Sprint(v[0]), Status(fmt.Sprint(v[1])), nil
}

func encodeProgress(p *Progress) (string, error) {
	if p == nil {
		return "", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// Heartbeat records that the lease owner of job id is alive, with its progress when p is
// not nil, and returns the job's status: cancelling tells the worker to stop. It returns
// ErrLeaseLost when token no longer owns the job.
func (s *Store) Heartbeat(ctx context.Context, id, token string, p *Progress) (Status, error) {
	prog, err := encodeProgress(p)
	if err != nil {
		return "", fmt.Errorf("heartbeat job %s: %w", id, err)
	}
	out, st, err := casReply(scriptHeartbeat.Run(ctx, s.rdb, []string{s.keys.Job(id)},
		s.nowMS(), s.ttlMS(), s.keys.Events(id), token, prog).Slice())
	if err != nil {
		return "", fmt.Errorf("heartbeat job %s: %w", id, err)
	}
	switch out {
	case "ok":
		return st, nil
	case "missing":
		return "", fmt.Errorf("heartbeat job %s: %w", id, ErrNotFound)
	default:
		return st, fmt.Errorf("heartbeat job %s (status %s): %w", id, st, ErrLeaseLost)
	}
}

// Final is the end of a job as reported by its worker.
type Final struct {
	// Status is succeeded, failed or cancelled.
	Status   Status
	Error    string
	Result   Result
	Progress *Progress
}

// Finish ends job id with f if token owns it and returns the final status: f.Status, or
// cancelled when a cancel was pending. A terminal state is never overwritten: a worker
// whose lease was lost or whose job ended already gets ErrLeaseLost.
func (s *Store) Finish(ctx context.Context, id, token string, f Final) (Status, error) {
	if !f.Status.Terminal() {
		return "", fmt.Errorf("finish job %s: status %q is not terminal", id, f.Status)
	}
	res, err := json.Marshal(f.Result)
	if err != nil {
		return "", fmt.Errorf("finish job %s: %w", id, err)
	}
	prog, err := encodeProgress(f.Progress)
	if err != nil {
		return "", fmt.Errorf("finish job %s: %w", id, err)
	}
	out, st, err := casReply(scriptFinish.Run(ctx, s.rdb, []string{s.keys.Job(id)},
		s.nowMS(), s.ttlMS(), s.keys.Events(id), token, string(f.Status), f.Error, string(res), prog).Slice())
	if err != nil {
		return "", fmt.Errorf("finish job %s: %w", id, err)
	}
	switch out {
	case "ok":
		return st, nil
	case "missing":
		return "", fmt.Errorf("finish job %s: %w", id, ErrNotFound)
	default:
		return st, fmt.Errorf("finish job %s (status %s): %w", id, st, ErrLeaseLost)
	}
}

// ErrCancelPending is returned by Requeue when a cancel was requested: the worker must
// finish the job as cancelled instead of queueing it again.
var ErrCancelPending = errors.New("jobs: cancel pending")

// Requeue puts job id, owned by token, back to queued: for a retry after a retryable error
// (errMsg), or with refund set when a draining worker hands it back without it failing.
func (s *Store) Requeue(ctx context.Context, id, token, errMsg string, refund bool) error {
	r := "0"
	if refund {
		r = "1"
	}
	out, st, err := casReply(scriptRequeue.Run(ctx, s.rdb, []string{s.keys.Job(id)},
		s.nowMS(), s.ttlMS(), s.keys.Events(id), token, errMsg, r).Slice())
	if err != nil {
		return fmt.Errorf("requeue job %s: %w", id, err)
	}
	switch out {
	case "ok":
		return nil
	case "cancelling":
		return fmt.Errorf("requeue job %s: %w", id, ErrCancelPending)
	case "missing":
		return fmt.Errorf("requeue job %s: %w", id, ErrNotFound)
	default:
		return fmt.Errorf("requeue job %s (status %s): %w", id, st, ErrLeaseLost)
	}
}

// Cancel requests the cancel of job id and returns the status after the request:
// cancelled for a job that was queued, cancelling for a running one (its worker confirms
// later). For a job that already ended it returns its final status and ErrTerminal.
func (s *Store) Cancel(ctx context.Context, id string) (Status, error) {
	if !validID(id) {
		return "", fmt.Errorf("cancel job %q: %w", id, ErrNotFound)
	}
	out, st, err := casReply(scriptCancel.Run(ctx, s.rdb, []string{s.keys.Job(id)},
		s.nowMS(), s.ttlMS(), s.keys.Events(id), s.keys.Worker(""), id).Slice())
	if err != nil {
		return "", fmt.Errorf("cancel job %s: %w", id, err)
	}
	switch out {
	case "missing":
		return "", fmt.Errorf("cancel job %s: %w", id, ErrNotFound)
	case "terminal":
		return st, fmt.Errorf("cancel job %s: %w", id, ErrTerminal)
	}
	return st, nil
}

// Event is one message on a job's event channel (types status and progress) or on a
// worker's channel (type cancel, with the job id).
type Event struct {
	Type     string    `json:"type"`
	JobID    string    `json:"job_id,omitempty"`
	Status   Status    `json:"status,omitempty"`
	Progress *Progress `json:"progress,omitempty"`
}

// Wait blocks until job id reaches a terminal state and returns its record. It listens on
// the job's event channel and also re-reads the record every poll interval (one second
// when zero), so a lost pub/sub message only delays it.
func (s *Store) Wait(ctx context.Context, id string, poll time.Duration) (*Record, error) {
	if poll <= 0 {
		poll = time.Second
	}
	sub := s.rdb.Subscribe(ctx, s.keys.Events(id))
	defer sub.Close()
	events := sub.Channel()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		r, err := s.Get(ctx, id)
		if err != nil && !isTransient(err) {
			return nil, err
		}
		if err == nil && r.Status.Terminal() {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("wait for job %s: %w", id, context.Cause(ctx))
		case <-events:
		case <-t.C:
		}
	}
}

// isTransient reports whether err is a Redis or network error worth retrying, as opposed to
// a missing record or a decoding error.
func isTransient(err error) bool {
	return err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrExists) &&
		!errors.Is(err, ErrLeaseLost) && !errors.Is(err, ErrTerminal) && !errors.Is(err, ErrCancelPending) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
