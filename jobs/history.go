package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PGQuerier is the part of a pgx pool (or connection, or transaction) PGHistory uses;
// *pgxpool.Pool implements it.
type PGQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PGHistory is the run history in PostgreSQL (table job_runs, migration 0002).
type PGHistory struct {
	db PGQuerier
}

var _ History = (*PGHistory)(nil)

// NewPGHistory returns the run history on db.
func NewPGHistory(db PGQuerier) *PGHistory { return &PGHistory{db: db} }

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Record inserts the terminal record r; a second insert of the same job is ignored.
func (h *PGHistory) Record(ctx context.Context, r *Record) error {
	if !r.Status.Terminal() {
		return fmt.Errorf("record run of job %s: status %s is not terminal", r.ID, r.Status)
	}
	result, err := json.Marshal(r.Result)
	if err != nil {
		return fmt.Errorf("record run of job %s: %w", r.ID, err)
	}
	progress, err := json.Marshal(r.Progress)
	if err != nil {
		return fmt.Errorf("record run of job %s: %w", r.ID, err)
	}
	var settings any
	if len(r.Settings) > 0 {
		settings = string(r.Settings)
	}
	finished := r.FinishedAt
	if finished.IsZero() {
		finished = r.UpdatedAt
	}
	_, err = h.db.Exec(ctx, `
insert into job_runs (id, tenant, kind, queue, status, attempts, input_ref, settings, result_ref,
    result, progress, error, worker_id, retry_of, created_at, started_at, finished_at, cancel_requested_at)
values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16, $17, $18)
on conflict (id) do nothing`,
		r.ID, r.Tenant, r.Kind, r.Queue, string(r.Status), r.Attempt, r.InputRef, settings, r.Result.Ref,
		string(result), string(progress), r.Error, r.WorkerID, r.RetryOf, r.CreatedAt, nullTime(r.StartedAt),
		finished, nullTime(r.CancelRequestedAt))
	if err != nil {
		return fmt.Errorf("record run of job %s: %w", r.ID, err)
	}
	return nil
}

const historyColumns = `id, tenant, kind, queue, status, attempts, input_ref, coalesce(settings::text, ''),
    result::text, progress::text, error, worker_id, retry_of, created_at, started_at, finished_at, cancel_requested_at`

func scanRun(row pgx.Row) (*Record, error) {
	var r Record
	var status, settings, result, progress string
	var started, cancelReq *time.Time
	if err := row.Scan(&r.ID, &r.Tenant, &r.Kind, &r.Queue, &status, &r.Attempt, &r.InputRef, &settings,
		&result, &progress, &r.Error, &r.WorkerID, &r.RetryOf, &r.CreatedAt, &started, &r.FinishedAt, &cancelReq); err != nil {
		return nil, err
	}
	r.Status = Status(status)
	if settings != "" {
		r.Settings = json.RawMessage(settings)
	}
	if err := json.Unmarshal([]byte(result), &r.Result); err != nil {
		return nil, fmt.Errorf("decode result of %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(progress), &r.Progress); err != nil {
		return nil, fmt.Errorf("decode progress of %s: %w", r.ID, err)
	}
	if started != nil {
		r.StartedAt = started.UTC()
	}
	if cancelReq != nil {
		r.CancelRequestedAt = cancelReq.UTC()
	}
	r.CreatedAt, r.FinishedAt = r.CreatedAt.UTC(), r.FinishedAt.UTC()
	r.UpdatedAt = r.FinishedAt
	return &r, nil
}

// Get returns the recorded run of job id, or ErrNotFound.
func (h *PGHistory) Get(ctx context.Context, id string) (*Record, error) {
	r, err := scanRun(h.db.QueryRow(ctx, `select `+historyColumns+` from job_runs where id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("job run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("job run %s: %w", id, err)
	}
	return r, nil
}

// List returns the most recently finished runs matching f (Kind, Queue, Status), newest first.
func (h *PGHistory) List(ctx context.Context, f ListFilter) ([]*Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := h.db.Query(ctx, `select `+historyColumns+` from job_runs
where ($1 = '' or status = $1) and ($2 = '' or queue = $2) and ($3 = '' or kind = $3)
order by finished_at desc limit $4`, string(f.Status), f.Queue, f.Kind, limit)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list job runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return out, nil
}
