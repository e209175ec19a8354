-- 0001_foundation: tenants and their API keys.
-- Every row and object in networx belongs to a tenant; API keys are stored
-- hashed, found by their non-secret prefix.

create table tenants (
    id         text primary key,
    name       text not null,
    created_at timestamptz not null default now()
);

create table api_keys (
    id         text primary key,
    tenant_id  text not null references tenants (id) on delete cascade,
    name       text not null,
    prefix     text not null unique,
    hash       text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);

create index api_keys_tenant_id_idx on api_keys (tenant_id);
