-- 0003_datasets: loaded client files (roles/files, docs/ingestion.md "Loading").
-- Every upload of a file makes a new dataset version; its accepted rows go to one
-- table per canonical dataset kind, keyed by the version. A version and all its
-- rows, derived data included, are written in one transaction, so a failed or
-- cancelled load leaves nothing. Column names are the canonical field names; each
-- location group adds its resolved place (<group>_place_lat, ...; place_* for a
-- row's own location). source_sheet and source_row locate a row in the file and are
-- null for derived rows.

create table dataset_versions (
    id            bigint generated always as identity primary key,
    tenant        text not null,
    -- dataset is the project or dataset name the versions count under.
    dataset       text not null,
    version       integer not null check (version > 0),
    file_name     text not null,
    -- source is the blob key (or path) the file was read from.
    source        text not null default '',
    content_hash  text not null,
    -- status: ready when the report's verdict passed, rejected when it failed (the
    -- accepted rows are kept for inspection); loading is seen only inside the
    -- loading transaction.
    status        text not null check (status in ('loading', 'ready', 'rejected')),
    rows_read     bigint not null default 0,
    rows_accepted bigint not null default 0,
    rows_rejected bigint not null default 0,
    rows_skipped  bigint not null default 0,
    report        jsonb not null default '{}',
    -- job_id is the files job that loaded the version ('' when loaded otherwise); a
    -- retried job finds its committed version by it instead of loading twice.
    job_id        text not null default '',
    created_at    timestamptz not null default now(),
    unique (tenant, dataset, version)
);

create unique index dataset_versions_job_id_idx on dataset_versions (job_id) where job_id <> '';
create index dataset_versions_tenant_created_idx on dataset_versions (tenant, created_at desc);

-- The row tables reference their version without a foreign key: a foreign key
-- costs a trigger call and an index probe per copied row, and rows are written only
-- by the loader inside their version's transaction. Delete a
-- version's rows with the version (see docs/ingestion.md). Versions only grow and
-- rows are appended in version order, so a BRIN index finds a version's rows at
-- almost no cost to the COPY.

create table dataset_facilities (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    name               text not null,
    lat                double precision,
    lon                double precision,
    zip                text,
    city               text,
    state              text,
    capacity           double precision,
    fixed_cost         double precision,
    kind               text,
    size_sqft          double precision,
    opening_cost       double precision,
    closing_cost       double precision,
    lease_end_year     integer,
    mandatory          boolean,
    allowed_years      text,
    place_lat          double precision,
    place_lon          double precision,
    place_state        text,
    place_region       text,
    place_method       text
);

create table dataset_destinations (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    name               text not null,
    lat                double precision,
    lon                double precision,
    zip                text,
    city               text,
    state              text,
    place_lat          double precision,
    place_lon          double precision,
    place_state        text,
    place_region       text,
    place_method       text
);

-- derived marks demand summed from the version's shipments (no demand sheet given).
create table dataset_demand (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    destination        text not null,
    units              double precision not null,
    year               integer,
    weight             double precision,
    derived            boolean not null default false
);

create table dataset_shipments (
    dataset_version_id       bigint not null,
    source_sheet             text,
    source_row               integer,
    ship_date                timestamp not null,
    origin_name              text,
    origin_zip               text,
    origin_city              text,
    origin_state             text,
    dest_name                text,
    dest_zip                 text,
    dest_city                text,
    dest_state               text,
    cost                     double precision not null,
    carrier                  text,
    mode                     text,
    weight                   double precision,
    units                    double precision,
    cube                     double precision,
    origin_place_lat         double precision,
    origin_place_lon         double precision,
    origin_place_state       text,
    origin_place_region      text,
    origin_place_method      text,
    destination_place_lat    double precision,
    destination_place_lon    double precision,
    destination_place_state  text,
    destination_place_region text,
    destination_place_method text
);

create table dataset_skus (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    sku                text not null,
    annual_units       double precision not null,
    units_per_case     double precision,
    cases_per_pallet   double precision,
    cube_per_unit      double precision,
    unit_cost          double precision,
    description        text
);

create table dataset_forecast (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    year               integer not null,
    units              double precision,
    growth_pct         double precision,
    dollars            double precision
);

create table dataset_lanes (
    dataset_version_id bigint not null,
    source_sheet       text,
    source_row         integer,
    facility           text not null,
    destination        text not null,
    cost_per_unit      double precision not null,
    mode               text
);

-- Derived from a version's shipments. origin and destination are the name, else the
-- ZIP, else "city, state" the file gives; region is the Census region of the place.

create table shipment_lanes (
    dataset_version_id bigint not null,
    origin             text not null,
    destination        text not null,
    mode               text,
    origin_region      text,
    destination_region text,
    shipments          bigint not null,
    units              double precision,
    weight             double precision,
    cost               double precision not null
);

create table freight_baseline (
    dataset_version_id bigint not null,
    month              date not null,
    mode               text,
    carrier            text,
    origin_region      text,
    destination_region text,
    shipments          bigint not null,
    units              double precision,
    weight             double precision,
    cost               double precision not null
);

create index dataset_facilities_version_idx on dataset_facilities using brin (dataset_version_id);
create index dataset_destinations_version_idx on dataset_destinations using brin (dataset_version_id);
create index dataset_demand_version_idx on dataset_demand using brin (dataset_version_id);
create index dataset_shipments_version_idx on dataset_shipments using brin (dataset_version_id);
create index dataset_skus_version_idx on dataset_skus using brin (dataset_version_id);
create index dataset_forecast_version_idx on dataset_forecast using brin (dataset_version_id);
create index dataset_lanes_version_idx on dataset_lanes using brin (dataset_version_id);
create index shipment_lanes_version_idx on shipment_lanes using brin (dataset_version_id);
create index freight_baseline_version_idx on freight_baseline using brin (dataset_version_id);

-- Header mappings learned per tenant: the normalized header text a column had and
-- the canonical field it was loaded as. confirmed counts the loads that used the
-- mapping since it last changed.
create table mapping_memory (
    tenant     text not null,
    kind       text not null,
    header     text not null,
    field      text not null,
    confirmed  integer not null default 1 check (confirmed > 0),
    updated_at timestamptz not null default now(),
    primary key (tenant, kind, header)
);
