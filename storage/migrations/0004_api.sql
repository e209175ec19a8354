-- 0004_api: the resources of the HTTP API (roles/serve, docs/api.md).
-- Every row carries its tenant; every query of the API filters on it, so another
-- tenant's row is simply not found. Ids are random text ids made by serve.

create table projects (
    id          text primary key,
    tenant_id   text not null references tenants (id) on delete cascade,
    name        text not null,
    description text not null default '',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create index projects_tenant_created_idx on projects (tenant_id, created_at desc, id desc);

-- settings holds only what the user set; the API shows it merged with the defaults.
create table scenarios (
    id         text primary key,
    tenant_id  text not null references tenants (id) on delete cascade,
    project_id text not null references projects (id) on delete cascade,
    name       text not null,
    settings   jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create index scenarios_project_created_idx on scenarios (project_id, created_at desc, id desc);

-- A file is one upload. status: pending (a presigned upload not yet confirmed),
-- uploaded (stored, its files job queued). Its processing state comes from the
-- files job and the dataset version that job loads (dataset_versions.job_id).
create table files (
    id           text primary key,
    tenant_id    text not null references tenants (id) on delete cascade,
    project_id   text not null references projects (id) on delete cascade,
    name         text not null,
    blob_key     text not null,
    content_type text not null default '',
    size         bigint not null default 0,
    sha256       text not null default '',
    status       text not null check (status in ('pending', 'uploaded')),
    -- job_id is the latest files job of the file ('' before the upload completes).
    job_id       text not null default '',
    -- mapping is the user's header mapping override (files.UserMapping), if any.
    mapping      jsonb,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);

create index files_project_created_idx on files (project_id, created_at desc, id desc);

-- api_jobs are the jobs submitted through the API: who owns them, what they were
-- submitted for, and the Idempotency-Key with the hash of the request it came with.
-- The live state is the job record in Redis, the long-term one job_runs.
create table api_jobs (
    id              text primary key,
    tenant_id       text not null references tenants (id) on delete cascade,
    kind            text not null,
    project_id      text not null default '',
    scenario_id     text not null default '',
    file_id         text not null default '',
    idempotency_key text,
    request_hash    text not null default '',
    -- enqueued is set once the job record and its queue message exist.
    enqueued        boolean not null default false,
    created_at      timestamptz not null default now(),
    unique (tenant_id, idempotency_key)
);

create index api_jobs_tenant_created_idx on api_jobs (tenant_id, created_at desc, id desc);
