-- 0002_job_runs: run history of finished jobs.
-- The live job record is in Redis with a 24 h TTL; when a job reaches a terminal
-- state its worker (or the operator command that ended it) writes it here, so the
-- long-term truth does not depend on Redis. Writes are idempotent: a redelivered
-- message for a finished job inserts nothing new.

create table job_runs (
    id                  text primary key,
    tenant              text not null default '',
    kind                text not null,
    queue               text not null,
    status              text not null check (status in ('succeeded', 'failed', 'cancelled')),
    attempts            integer not null check (attempts >= 0),
    input_ref           text not null default '',
    settings            jsonb,
    result_ref          text not null default '',
    -- result is the kind-specific summary (for solves: status, objective, bound, gap).
    result              jsonb not null default '{}',
    progress            jsonb not null default '{}',
    error               text not null default '',
    worker_id           text not null default '',
    retry_of            text not null default '',
    created_at          timestamptz not null,
    started_at          timestamptz,
    finished_at         timestamptz not null,
    cancel_requested_at timestamptz,
    recorded_at         timestamptz not null default now()
);

create index job_runs_tenant_finished_idx on job_runs (tenant, finished_at desc);
create index job_runs_status_finished_idx on job_runs (status, finished_at desc);
create index job_runs_queue_finished_idx on job_runs (queue, finished_at desc);
