package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"networx/storage/storagetest"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys["migrations/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		wantFiles []string
		wantErr   string
	}{
		{
			name:      "sorted by version, other files skipped",
			files:     map[string]string{"0010_b.sql": "", "0002_a_b.sql": "", "README.md": "", "0003_c.sql": ""},
			wantFiles: []string{"0002_a_b.sql", "0003_c.sql", "0010_b.sql"},
		},
		{name: "three-digit version", files: map[string]string{"001_x.sql": ""}, wantErr: "001_x.sql: name must look like"},
		{name: "upper-case name", files: map[string]string{"0001_Init.sql": ""}, wantErr: "0001_Init.sql"},
		{name: "no name", files: map[string]string{"0001.sql": ""}, wantErr: "0001.sql"},
		{name: "version zero", files: map[string]string{"0000_x.sql": ""}, wantErr: "versions start at 0001"},
		{name: "duplicate version", files: map[string]string{"0004_a.sql": "", "0004_b.sql": ""}, wantErr: "same version 0004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, err := loadMigrations(mapFS(tt.files))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadMigrations = %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.File)
			}
			if strings.Join(got, " ") != strings.Join(tt.wantFiles, " ") {
				t.Fatalf("files %v, want %v", got, tt.wantFiles)
			}
		})
	}
}

func TestEmbeddedMigrations(t *testing.T) {
	t.Parallel()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].File != "0001_foundation.sql" || len(ms[0].Checksum) != 64 {
		t.Fatalf("embedded migrations start with %+v, want 0001_foundation.sql", ms[0])
	}
}

// migrationRows returns schema_migrations as version -> applied_at.
func migrationRows(t *testing.T, db *DB) map[int]time.Time {
	t.Helper()
	rows := map[int]time.Time{}
	err := db.Do(t.Context(), func(ctx context.Context, q Querier) error {
		r, err := q.Query(ctx, "select version, applied_at from schema_migrations")
		if err != nil {
			return err
		}
		var v int
		var at time.Time
		_, err = pgx.ForEachRow(r, []any{&v, &at}, func() error {
			rows[v] = at
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func exec(t *testing.T, db *DB, sql string, args ...any) error {
	t.Helper()
	return db.Do(t.Context(), func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, sql, args...)
		return err
	})
}

func TestMigrateFreshDatabase(t *testing.T) {
	t.Parallel()
	db, _ := openTestDB(t, Config{}, nil)
	ctx := t.Context()
	want, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}

	states, err := MigrationStatus(ctx, db)
	if err != nil {
		t.Fatalf("status before migrating: %v", err)
	}
	if len(states) != len(want) {
		t.Fatalf("status lists %d migrations, want %d", len(states), len(want))
	}
	for _, s := range states {
		if s.Applied || !s.AppliedAt.IsZero() {
			t.Errorf("fresh database: %+v reported applied", s)
		}
	}

	applied, err := Migrate(ctx, db)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if len(applied) != len(want) {
		t.Fatalf("applied %d migrations, want %d", len(applied), len(want))
	}
	rows := migrationRows(t, db)
	if len(rows) != len(want) {
		t.Fatalf("schema_migrations has %d rows, want %d", len(rows), len(want))
	}

	// The foundation schema works as declared.
	if err := exec(t, db, "insert into tenants (id, name) values ('t1', 'Acme')"); err != nil {
		t.Fatalf("insert tenant: %v", err)
	}
	if err := exec(t, db, "insert into api_keys (id, tenant_id, name, prefix, hash) values ('k1', 't1', 'ci', 'nx_abc', 'h')"); err != nil {
		t.Fatalf("insert api key: %v", err)
	}
	err = exec(t, db, "insert into api_keys (id, tenant_id, name, prefix, hash) values ('k2', 'nobody', 'ci', 'nx_def', 'h')")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" {
		t.Fatalf("api key for a missing tenant: %v, want foreign_key_violation", err)
	}

	// Running again changes nothing.
	again, err := Migrate(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate: applied %d, err %v; want nothing", len(again), err)
	}
	rows2 := migrationRows(t, db)
	for v, at := range rows {
		if !rows2[v].Equal(at) {
			t.Errorf("version %d re-applied: %s then %s", v, at, rows2[v])
		}
	}

	states, err = MigrationStatus(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range states {
		if !s.Applied || s.AppliedAt.IsZero() || s.Modified || s.Unknown || s.Version != want[i].Version || s.Name != want[i].Name {
			t.Errorf("status %+v, want %s applied", s, want[i].File)
		}
	}

	// A version from a newer binary is listed as unknown.
	if err := exec(t, db, "insert into schema_migrations (version, name, checksum) values (9999, 'future', 'x')"); err != nil {
		t.Fatal(err)
	}
	states, err = MigrationStatus(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	last := states[len(states)-1]
	if len(states) != len(want)+1 || last.Version != 9999 || !last.Unknown || !last.Applied || last.Name != "future" {
		t.Fatalf("status with an unknown version ends with %+v", last)
	}
	if _, err := Migrate(ctx, db); err != nil {
		t.Fatalf("migrate with an unknown newer version: %v", err)
	}
}

// slowMigrations widen the race window: without the lock, two concurrent
// runs would both try to create the table and one would fail.
var slowMigrations = map[string]string{
	"0001_first.sql":  "create table first (id int primary key); select pg_sleep(0.2);",
	"0002_second.sql": "create table second (id int primary key); select pg_sleep(0.2);",
	"0003_third.sql":  "create table third (id int primary key);",
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fsys fs.FS
	}{
		{"embedded", migrationFiles},
		{"slow", mapFS(slowMigrations)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbURL := storagetest.NewDatabase(t)
			want, err := loadMigrations(tt.fsys)
			if err != nil {
				t.Fatal(err)
			}
			// Two pools, as two processes would have; each runs Migrate
			// twice at the same time.
			dbs := []*DB{}
			for range 2 {
				db, _ := openTestDB(t, Config{URL: dbURL}, nil)
				dbs = append(dbs, db)
			}
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				applied = map[int]int{}
			)
			for i := range 4 {
				wg.Go(func() {
					ms, err := migrate(t.Context(), dbs[i%2], tt.fsys)
					if err != nil {
						t.Errorf("migrate %d: %v", i, err)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, m := range ms {
						applied[m.Version]++
					}
				})
			}
			wg.Wait()
			for _, m := range want {
				if applied[m.Version] != 1 {
					t.Errorf("%s applied %d times, want once", m.File, applied[m.Version])
				}
			}
			if rows := migrationRows(t, dbs[0]); len(rows) != len(want) {
				t.Errorf("schema_migrations has %d rows, want %d", len(rows), len(want))
			}
		})
	}
}

func TestMigrateChecksumMismatch(t *testing.T) {
	t.Parallel()
	db, _ := openTestDB(t, Config{}, nil)
	ctx := t.Context()
	if _, err := migrate(ctx, db, mapFS(map[string]string{"0001_a.sql": "create table a (id int);"})); err != nil {
		t.Fatal(err)
	}
	edited := mapFS(map[string]string{
		"0001_a.sql": "create table a (id bigint);",
		"0002_b.sql": "create table b (id int);",
	})
	applied, err := migrate(ctx, db, edited)
	if err == nil || !strings.Contains(err.Error(), "migration 0001_a.sql") || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("migrate with an edited file: %v, want an error naming 0001_a.sql", err)
	}
	if len(applied) != 0 {
		t.Fatalf("applied %v despite the mismatch", applied)
	}
	if rows := migrationRows(t, db); len(rows) != 1 {
		t.Fatalf("schema_migrations has %d rows, want 1 (0002 must not run)", len(rows))
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	t.Parallel()
	db, _ := openTestDB(t, Config{}, nil)
	ctx := t.Context()
	fsys := mapFS(map[string]string{
		"0001_ok.sql":     "create table ok (id int);",
		"0002_broken.sql": "create table half (id int); select 1/0;",
		"0003_later.sql":  "create table later (id int);",
	})
	applied, err := migrate(ctx, db, fsys)
	if err == nil || !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Fatalf("migrate: %v, want an error naming 0002_broken.sql", err)
	}
	if len(applied) != 1 || applied[0].Version != 1 {
		t.Fatalf("applied %v, want only 0001", applied)
	}
	var half, later bool
	if err := db.Do(ctx, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, "select to_regclass('half') is not null, to_regclass('later') is not null").Scan(&half, &later)
	}); err != nil {
		t.Fatal(err)
	}
	if half || later {
		t.Fatalf("table half exists %t, later exists %t; want neither", half, later)
	}
	if rows := migrationRows(t, db); len(rows) != 1 {
		t.Fatalf("schema_migrations has %d rows, want 1", len(rows))
	}
}

func TestMigrateUsesSearchPath(t *testing.T) {
	t.Parallel()
	base := storagetest.NewDatabase(t)
	setup, _ := openTestDB(t, Config{URL: base}, nil)
	if err := exec(t, setup, "create schema tenant_a"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// %20, not +: pgx does not read + as a space.
	u.RawQuery += "&options=-c%20search_path%3Dtenant_a"
	db, _ := openTestDB(t, Config{URL: u.String()}, nil)
	if _, err := Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]bool{
		"tenant_a.tenants":           true,
		"tenant_a.schema_migrations": true,
		"public.tenants":             false,
		"public.schema_migrations":   false,
	} {
		var exists bool
		if err := setup.Do(t.Context(), func(ctx context.Context, q Querier) error {
			return q.QueryRow(ctx, fmt.Sprintf("select to_regclass('%s') is not null", table)).Scan(&exists)
		}); err != nil {
			t.Fatal(err)
		}
		if exists != want {
			t.Errorf("%s exists = %t, want %t", table, exists, want)
		}
	}
}
