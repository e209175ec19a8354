package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/jobs"
	"networx/roles/work"
	"networx/storage"
	"networx/storage/blob"
)

// Job kinds submitted through the API, with their queue. The files kind is queued by
// uploads (KindFiles), not submitted directly.
const (
	KindSolve    = work.KindSolve
	KindOptimize = work.KindOptimize
	KindSweep    = work.KindSweep
	KindCapacity = work.KindCapacity
)

// kindQueues maps each submittable kind to its queue.
var kindQueues = map[string]string{
	KindSolve:    jobs.QueueOptimization,
	KindOptimize: jobs.QueueOptimization,
	KindSweep:    jobs.QueueOptimization,
	KindCapacity: jobs.QueueCapacity,
}

// Result object names under a job's blob folder (work.OutputKey). Workers write them;
// serve only reads them.
const (
	ResultJSON     = work.ResultsJSONName
	ResultWorkbook = work.ResultsBookName
	ResultModel    = work.ModelMPSName
)

// SweepRange is the range of facility counts a sweep solves, both ends included.
type SweepRange struct {
	MinOpen int `json:"min_open"`
	MaxOpen int `json:"max_open"`
}

// maxSweepCounts bounds a sweep: each count is one MIP solve.
const maxSweepCounts = 50

// solveSettings are the settings of a solve job, as the solve worker reads them.
type solveSettings struct {
	TimeLimit string  `json:"time_limit,omitempty"`
	RelGap    float64 `json:"rel_gap,omitempty"`
	Threads   int     `json:"threads,omitempty"`
}

func (s solveSettings) validate() error {
	var errs []error
	if s.TimeLimit != "" {
		if d, err := time.ParseDuration(s.TimeLimit); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("settings.time_limit: want a positive duration like \"90s\", got %q", s.TimeLimit))
		}
	}
	if s.RelGap < 0 || s.RelGap >= 1 {
		errs = append(errs, fmt.Errorf("settings.rel_gap: want a number in [0, 1), got %v", s.RelGap))
	}
	if s.Threads < 0 || s.Threads > 64 {
		errs = append(errs, fmt.Errorf("settings.threads: want 1 to 64 (0: 1), got %d", s.Threads))
	}
	return errors.Join(errs...)
}

// jobView is the API view of a job.
type jobView struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Status     jobs.Status   `json:"status"`
	Attempt    int           `json:"attempt"`
	Progress   jobs.Progress `json:"progress"`
	Result     jobs.Result   `json:"result"`
	Error      string        `json:"error,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	StartedAt  time.Time     `json:"started_at,omitzero"`
	FinishedAt time.Time     `json:"finished_at,omitzero"`
}

func newJobView(r *jobs.Record) jobView {
	res := r.Result
	res.Ref = "" // a blob key is internal; results are served by the result routes
	return jobView{ID: r.ID, Kind: r.Kind, Status: r.Status, Attempt: r.Attempt, Progress: r.Progress,
		Result: res, Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

// lookupJob returns the tenant's job id from its live record in Redis, or from the run
// history once the record has expired. Another tenant's job is not found.
func (s *Server) lookupJob(ctx context.Context, tenant, id string) (*jobs.Record, bool, error) {
	rec, err := s.api.Jobs.Get(ctx, id)
	if err == nil {
		return rec, rec.Tenant == tenant, nil
	}
	if !errors.Is(err, jobs.ErrNotFound) {
		return nil, false, err
	}
	err = s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		var err error
		rec, err = jobs.NewPGHistory(q).Get(ctx, id)
		return err
	})
	if errors.Is(err, jobs.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return rec, rec.Tenant == tenant, nil
}

// jobOf loads the {job} of the path, answering 404 or an error itself.
func (s *Server) jobOf(w http.ResponseWriter, r *http.Request) (*jobs.Record, bool) {
	return ownedOf(s, w, r, "job", s.lookupJob)
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	if rec, ok := s.jobOf(w, r); ok {
		writeJSON(w, http.StatusOK, newJobView(rec))
	}
}

// submitInput is the body of POST /jobs.
type submitInput struct {
	Kind       string          `json:"kind"`
	ProjectID  string          `json:"project_id,omitempty"`
	ScenarioID string          `json:"scenario_id,omitempty"`
	FileID     string          `json:"file_id,omitempty"`
	Settings   json.RawMessage `json:"settings,omitempty"`
}

// requestHash is the fingerprint an Idempotency-Key is bound to: the decoded request,
// so that whitespace and key order do not count as a different body.
func (in submitInput) requestHash() string {
	var compact bytes.Buffer
	if len(in.Settings) > 0 {
		var v any
		if json.Unmarshal(in.Settings, &v) == nil {
			b, _ := json.Marshal(v) // maps marshal with sorted keys
			compact.Write(b)
		}
	}
	in.Settings = compact.Bytes()
	if len(in.Settings) == 0 {
		in.Settings = nil
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// decodeStrict decodes raw into v rejecting unknown fields; empty raw leaves v alone.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// validIdempotencyKey accepts 1 to 200 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > 200 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// submitJob validates a job, records it and queues it; it never waits for the job. With
// an Idempotency-Key header a repeat of the same request returns the same job, and the
// same key with a different request is refused.
func (s *Server) submitJob(w http.ResponseWriter, r *http.Request) {
	idemKey := r.Header.Get("Idempotency-Key")
	if idemKey != "" && !validIdempotencyKey(idemKey) {
		badRequest(w, r, "Idempotency-Key: use 1 to 200 printable ASCII characters, like a UUID", nil)
		return
	}
	var in submitInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	tenant := tenantOf(r)
	nj, meta, status, err := s.prepareJob(r.Context(), tenant, in)
	if err != nil {
		if status == 0 {
			s.serverError(w, r, err)
			return
		}
		code := map[int]string{http.StatusBadRequest: "invalid_request", http.StatusNotFound: "not_found", http.StatusConflict: "not_ready"}[status]
		writeError(w, r, status, code, err.Error(), nil)
		return
	}
	hash := in.requestHash()
	nj.ID = s.api.Jobs.NewID()
	var key *string
	if idemKey != "" {
		key = &idemKey
	}
	err = s.insertAPIJob(r.Context(), tenant, nj.ID, nj.Kind, meta.ProjectID, meta.ScenarioID, meta.FileID, key, hash)
	if errors.Is(err, errIdempotencyKeyUsed) {
		s.replay(w, r, idemKey, hash)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rec, err := jobs.Enqueue(r.Context(), s.api.Jobs, s.api.Queues[nj.Queue], nj)
	if err != nil {
		s.deleteAPIJob(context.WithoutCancel(r.Context()), nj.ID)
		s.serverError(w, r, fmt.Errorf("enqueue %s job: %w", nj.Kind, err))
		return
	}
	if err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		_, err := q.Exec(ctx, `update api_jobs set enqueued = true where id = $1`, rec.ID)
		return err
	}); err != nil {
		s.logger.Warn("mark job enqueued", "job_id", rec.ID, "request_id", requestID(r.Context()), "err", err)
	}
	w.Header().Set("Location", apiPrefix+"/jobs/"+rec.ID)
	writeJSON(w, http.StatusAccepted, newJobView(rec))
}

// replay answers a repeated Idempotency-Key.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, idemKey, hash string) {
	tenant := tenantOf(r)
	var id, prevHash string
	var enqueued bool
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		return q.QueryRow(ctx, `select id, request_hash, enqueued from api_jobs where tenant_id = $1 and idempotency_key = $2`,
			tenant, idemKey).Scan(&id, &prevHash, &enqueued)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		// The first request failed and was rolled back in between: try again.
		writeError(w, r, http.StatusConflict, "idempotency_in_progress",
			"a request with this Idempotency-Key was just abandoned; send it again", nil)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if prevHash != hash {
		writeError(w, r, http.StatusConflict, "idempotency_conflict",
			"this Idempotency-Key was used with a different request; use a new key for a new job",
			map[string]any{"job_id": id})
		return
	}
	if !enqueued {
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusConflict, "idempotency_in_progress",
			"the first request with this Idempotency-Key is still being processed; retry in a second", map[string]any{"job_id": id})
		return
	}
	rec, found, err := s.lookupJob(r.Context(), tenant, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !found {
		notFound(w, r, "job", id)
		return
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.Header().Set("Location", apiPrefix+"/jobs/"+rec.ID)
	writeJSON(w, http.StatusOK, newJobView(rec))
}

var errIdempotencyKeyUsed = errors.New("idempotency key used")

// insertAPIJob records a job of the tenant before it is queued; with key set it returns
// errIdempotencyKeyUsed when the tenant used the key before.
func (s *Server) insertAPIJob(ctx context.Context, tenant, id, kind, project, scenario, file string, key *string, hash string) error {
	var n int64
	err := s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		tag, err := q.Exec(ctx, `insert into api_jobs (id, tenant_id, kind, project_id, scenario_id, file_id, idempotency_key, request_hash)
values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (tenant_id, idempotency_key) do nothing`,
			id, tenant, kind, project, scenario, file, key, hash)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("record job %s: %w", id, err)
	}
	if n == 0 {
		return errIdempotencyKeyUsed
	}
	return nil
}

// deleteAPIJob forgets a job whose queueing failed, so its Idempotency-Key can be used again.
func (s *Server) deleteAPIJob(ctx context.Context, id string) {
	err := s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		_, err := q.Exec(ctx, `delete from api_jobs where id = $1`, id)
		return err
	})
	if err != nil {
		s.logger.Warn("forget unqueued job", "job_id", id, "err", err)
	}
}

// jobMeta is what a job was submitted for.
type jobMeta struct {
	ProjectID, ScenarioID, FileID string
}

// prepareJob validates a submission and builds the job. A non-zero status is the client's
// error to report with err's message; zero means err is the server's.
func (s *Server) prepareJob(ctx context.Context, tenant string, in submitInput) (jobs.NewJob, jobMeta, int, error) {
	var meta jobMeta
	queue, ok := kindQueues[in.Kind]
	if !ok {
		return jobs.NewJob{}, meta, http.StatusBadRequest,
			fmt.Errorf("kind %q: want one of optimize, sweep, capacity, solve", in.Kind)
	}
	if in.FileID == "" {
		return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("file_id is required for a %s job: upload the input first", in.Kind)
	}
	f, found, err := s.loadFile(ctx, tenant, in.FileID)
	if err != nil {
		return jobs.NewJob{}, meta, 0, err
	}
	if !found {
		return jobs.NewJob{}, meta, http.StatusNotFound, fmt.Errorf("file %q not found", in.FileID)
	}
	if f.Status != "uploaded" {
		return jobs.NewJob{}, meta, http.StatusConflict, fmt.Errorf("file %s has not been uploaded yet: confirm its upload first", f.ID)
	}
	if in.ProjectID != "" && in.ProjectID != f.ProjectID {
		return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("file %s belongs to project %s, not %s", f.ID, f.ProjectID, in.ProjectID)
	}
	meta = jobMeta{ProjectID: f.ProjectID, FileID: f.ID}
	nj := jobs.NewJob{Kind: in.Kind, Queue: queue, Tenant: tenant, InputRef: f.BlobKey}

	if in.Kind == KindSolve {
		ext := strings.ToLower(f.Name[strings.LastIndex(f.Name, ".")+1:])
		if ext != "mps" && ext != "lp" {
			return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("a solve job needs an .mps or .lp file; %s is %s", f.ID, f.Name)
		}
		if in.ScenarioID != "" {
			return jobs.NewJob{}, meta, http.StatusBadRequest, errors.New("scenario_id does not apply to a solve job: give settings time_limit, rel_gap, threads")
		}
		var ss solveSettings
		if err := decodeStrict(in.Settings, &ss); err != nil {
			return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("settings of a solve job: %v (allowed: time_limit, rel_gap, threads)", err)
		}
		if err := ss.validate(); err != nil {
			return jobs.NewJob{}, meta, http.StatusBadRequest, err
		}
		nj.Settings, _ = json.Marshal(ss)
		return nj, meta, 0, nil
	}

	if in.ScenarioID == "" {
		return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("scenario_id is required for a %s job: create a scenario in the file's project", in.Kind)
	}
	sc, found, err := s.loadScenario(ctx, tenant, in.ScenarioID)
	if err != nil {
		return jobs.NewJob{}, meta, 0, err
	}
	if !found {
		return jobs.NewJob{}, meta, http.StatusNotFound, fmt.Errorf("scenario %q not found", in.ScenarioID)
	}
	if sc.ProjectID != f.ProjectID {
		return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("scenario %s and file %s belong to different projects", sc.ID, f.ID)
	}
	meta.ScenarioID = sc.ID
	// The record settings are those the model workers read (roles/work's ModelSettings):
	// the scenario's settings go in whole, and the worker applies them.
	ms := work.ModelSettings{ProjectID: f.ProjectID, ScenarioID: sc.ID, FileID: f.ID, Scenario: sc.Overrides, ExportMPS: true}
	switch in.Kind {
	case KindSweep:
		var sr SweepRange
		if err := decodeStrict(in.Settings, &sr); err != nil {
			return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("settings of a sweep job: %v (allowed: min_open, max_open)", err)
		}
		if sr.MinOpen < 1 || sr.MaxOpen < sr.MinOpen || sr.MaxOpen-sr.MinOpen+1 > maxSweepCounts {
			return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf(
				"settings of a sweep job: want 1 <= min_open <= max_open and at most %d counts, like {\"min_open\": 2, \"max_open\": 8}; got %d to %d",
				maxSweepCounts, sr.MinOpen, sr.MaxOpen)
		}
		ms.SweepMin, ms.SweepMax = sr.MinOpen, sr.MaxOpen
	default:
		if len(in.Settings) > 0 && string(in.Settings) != "null" && string(in.Settings) != "{}" {
			return jobs.NewJob{}, meta, http.StatusBadRequest, fmt.Errorf("a %s job takes its settings from the scenario: leave settings out", in.Kind)
		}
	}
	if f.JobID != "" {
		dv, found, err := s.versionOfJob(ctx, tenant, f.JobID)
		if err != nil {
			return jobs.NewJob{}, meta, 0, err
		}
		if found {
			ms.DatasetVersionID = dv.ID
		}
	}
	nj.Settings, _ = json.Marshal(ms)
	return nj, meta, 0, nil
}

// cancelJob asks for the cancel of a job: a queued job ends cancelled at once, a running
// one is cancelling until its worker confirms.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.jobOf(w, r)
	if !ok {
		return
	}
	if rec.Status.Terminal() {
		writeError(w, r, http.StatusConflict, "job_ended", fmt.Sprintf("job %s already ended %s; nothing to cancel", rec.ID, rec.Status),
			map[string]any{"status": rec.Status})
		return
	}
	st, err := s.api.Jobs.Cancel(r.Context(), rec.ID)
	if errors.Is(err, jobs.ErrTerminal) || errors.Is(err, jobs.ErrNotFound) {
		writeError(w, r, http.StatusConflict, "job_ended", fmt.Sprintf("job %s already ended; nothing to cancel", rec.ID),
			map[string]any{"status": st})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if now, found, err := s.lookupJob(r.Context(), tenantOf(r), rec.ID); err == nil && found {
		rec = now
	} else {
		rec.Status = st
	}
	writeJSON(w, http.StatusAccepted, newJobView(rec))
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	type row struct {
		id string
		at time.Time
	}
	var rows []row
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rows = rows[:0]
		rs, err := q.Query(ctx, `select id, created_at from api_jobs where tenant_id = $1 and enqueued
and (created_at, id) < ($2, $3) order by created_at desc, id desc limit $4`, tenantOf(r), c.At, c.ID, limit+1)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var x row
			if err := rs.Scan(&x.id, &x.at); err != nil {
				return err
			}
			rows = append(rows, x)
		}
		return rs.Err()
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows, next := nextCursor(rows, limit, func(x row) cursor { return cursor{At: x.at, ID: x.id} })
	items := make([]jobView, 0, len(rows))
	for _, x := range rows {
		rec, found, err := s.lookupJob(r.Context(), tenantOf(r), x.id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if found {
			items = append(items, newJobView(rec))
		}
	}
	writeJSON(w, http.StatusOK, page[jobView]{Items: items, NextCursor: next})
}

// jobResult serves the result JSON a worker wrote; for solve jobs, the solver summary.
func (s *Server) jobResult(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.jobOf(w, r)
	if !ok {
		return
	}
	if !s.requireEnded(w, r, rec) {
		return
	}
	if rec.Kind == KindSolve {
		writeJSON(w, http.StatusOK, map[string]any{"job_id": rec.ID, "status": rec.Status, "result": newJobView(rec).Result, "error": rec.Error})
		return
	}
	s.serveResult(w, r, rec, ResultJSON, "application/json")
}

func (s *Server) jobWorkbook(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.jobOf(w, r)
	if ok && s.requireEnded(w, r, rec) {
		s.serveResult(w, r, rec, ResultWorkbook, uploadTypes[".xlsx"])
	}
}

// jobModel serves the MIP as MPS: the input file of a solve job, the exported model of
// the other kinds.
func (s *Server) jobModel(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.jobOf(w, r)
	if !ok {
		return
	}
	if rec.Kind == KindSolve {
		prefix, err := blob.TenantPrefix(tenantOf(r))
		if err != nil || !strings.HasPrefix(rec.InputRef, prefix) {
			notFound(w, r, "job", rec.ID)
			return
		}
		s.streamBlob(w, r, rec, rec.InputRef, "text/plain")
		return
	}
	if s.requireEnded(w, r, rec) {
		s.serveResult(w, r, rec, ResultModel, "text/plain")
	}
}

// requireEnded answers 409 for a job that is still queued or running.
func (s *Server) requireEnded(w http.ResponseWriter, r *http.Request, rec *jobs.Record) bool {
	if rec.Status.Terminal() {
		return true
	}
	writeError(w, r, http.StatusConflict, "not_ready",
		fmt.Sprintf("job %s is %s; its results exist once it ends (follow GET %s/jobs/%s/events)", rec.ID, rec.Status, apiPrefix, rec.ID),
		map[string]any{"status": rec.Status})
	return false
}

func (s *Server) serveResult(w http.ResponseWriter, r *http.Request, rec *jobs.Record, name, contentType string) {
	key, err := work.OutputKey(rec.Tenant, rec.ID, name)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.streamBlob(w, r, rec, key, contentType)
}

// streamBlob copies a blob to the response without holding it.
func (s *Server) streamBlob(w http.ResponseWriter, r *http.Request, rec *jobs.Record, key, contentType string) {
	rc, info, err := s.api.Blob.Get(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		msg := fmt.Sprintf("job %s (%s, %s) has no %s", rec.ID, rec.Kind, rec.Status, key[strings.LastIndex(key, "/")+1:])
		if rec.Status != jobs.StatusSucceeded && rec.Error != "" {
			msg += ": " + rec.Error
		}
		writeError(w, r, http.StatusNotFound, "no_result", msg, map[string]any{"status": rec.Status})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", contentType)
	if info.Size > 0 {
		w.Header().Set("Content-Length", fmt.Sprint(info.Size))
	}
	name := rec.ID + "-" + key[strings.LastIndex(key, "/")+1:]
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.logger.Warn("stream result", "job_id", rec.ID, "request_id", requestID(r.Context()), "err", err)
	}
}

// runView is one finished job of the run history.
type runView struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Queue      string          `json:"queue"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	Result     json.RawMessage `json:"result"`
	Error      string          `json:"error,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at,omitempty"`
	FinishedAt time.Time       `json:"finished_at"`
}

// listRuns lists the tenant's finished jobs from the run history, newest first.
func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	var items []runView
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		items = items[:0]
		rs, err := q.Query(ctx, `select id, kind, queue, status, attempts, result - 'ref', error, created_at, started_at, finished_at
from job_runs where tenant = $1 and (finished_at, id) < ($2, $3) order by finished_at desc, id desc limit $4`,
			tenantOf(r), c.At, c.ID, limit+1)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var v runView
			var res []byte
			if err := rs.Scan(&v.ID, &v.Kind, &v.Queue, &v.Status, &v.Attempts, &res, &v.Error, &v.CreatedAt, &v.StartedAt, &v.FinishedAt); err != nil {
				return err
			}
			v.Result = res
			v.CreatedAt, v.FinishedAt = v.CreatedAt.UTC(), v.FinishedAt.UTC()
			items = append(items, v)
		}
		return rs.Err()
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items, next := nextCursor(items, limit, func(v runView) cursor { return cursor{At: v.FinishedAt, ID: v.ID} })
	writeJSON(w, http.StatusOK, page[runView]{Items: nonNil(items), NextCursor: next})
}
