package storage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// migrationFiles holds the schema migrations, named NNNN_name.sql.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationLockKey is the pg_advisory_lock key held while migrations run:
// the ASCII bytes of "networx" read as a big-endian integer. Any process
// migrating the same database waits on it, so each migration is applied
// once however many processes start together.
const MigrationLockKey int64 = 0x6e6574776f7278

// migrationName is the file name form: four-digit version, underscore,
// lower-case name.
var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// Migration is one schema migration file.
type Migration struct {
	Version  int    // from the file name, e.g. 1 for 0001_foundation.sql
	Name     string // from the file name, e.g. "foundation"
	File     string // the file name, e.g. "0001_foundation.sql"
	Checksum string // hex SHA-256 of the file's bytes
	sql      string
}

// MigrationState is a migration and whether it has been applied, for
// `networx migrate status`.
type MigrationState struct {
	Version   int
	Name      string
	Applied   bool
	AppliedAt time.Time // zero unless Applied
	// Modified is true when the migration was applied from a file whose
	// checksum differs from the embedded one (Migrate refuses to run then).
	Modified bool
	// Unknown is true for a version recorded in the database that this
	// binary has no file for (the database was migrated by a newer build).
	Unknown bool
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	return loadMigrations(migrationFiles)
}

// loadMigrations reads migrations/*.sql from fsys in version order.
func loadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		match := migrationName.FindStringSubmatch(e.Name())
		if match == nil {
			return nil, fmt.Errorf("migration %s: name must look like 0001_name.sql (lower-case letters, digits, underscores)", e.Name())
		}
		version, _ := strconv.Atoi(match[1]) // four digits always parse
		if version == 0 {
			return nil, fmt.Errorf("migration %s: versions start at 0001", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{
			Version:  version,
			Name:     match[2],
			File:     e.Name(),
			Checksum: hex.EncodeToString(sum[:]),
			sql:      string(b),
		})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s: same version %04d", ms[i-1].File, ms[i].File, ms[i].Version)
		}
	}
	return ms, nil
}

// Migrate applies, in version order, every embedded migration the database
// has not recorded yet, each in its own transaction together with its row in
// schema_migrations, and returns those it applied (none when the database
// is up to date). It runs on a dedicated connection holding the advisory
// lock MigrationLockKey for the whole run, so concurrent callers in any
// number of processes apply each migration once: the later ones wait, then
// find nothing left to do. Tables are created in the connection's
// search_path. An applied migration whose file has since changed is an
// error naming the file, and nothing is applied.
func Migrate(ctx context.Context, db *DB) ([]Migration, error) {
	return migrate(ctx, db, migrationFiles)
}

func migrate(ctx context.Context, db *DB, fsys fs.FS) ([]Migration, error) {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	err = db.breaker.Execute(ctx, func(ctx context.Context) error {
		// A connection of its own rather than one from the pool: its
		// session settings and the session-level lock die with it.
		conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		// Cleanup runs even if ctx is done, but no longer than a connect.
		cleanupCtx := func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.WithoutCancel(ctx), db.cfg.ConnectTimeout)
		}
		defer func() {
			cctx, cancel := cleanupCtx()
			defer cancel()
			_ = conn.Close(cctx) // the lock and session settings die with the session anyway
		}()
		// Waiting for the lock and running DDL may take longer than the
		// statement timeout meant for requests.
		if _, err := conn.Exec(ctx, "set statement_timeout = 0"); err != nil {
			return fmt.Errorf("disable statement timeout: %w", err)
		}
		if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", MigrationLockKey); err != nil {
			return fmt.Errorf("take migration lock %d: %w", MigrationLockKey, err)
		}
		applied, err = applyMigrations(ctx, conn, ms, db.logger)
		// Closing the connection would release the lock too; unlocking
		// explicitly releases it before the close handshake.
		cctx, cancel := cleanupCtx()
		defer cancel()
		if _, uerr := conn.Exec(cctx, "select pg_advisory_unlock($1)", MigrationLockKey); uerr != nil && err == nil {
			err = fmt.Errorf("release migration lock %d: %w", MigrationLockKey, uerr)
		}
		return err
	})
	if err != nil {
		return applied, fmt.Errorf("migrate database: %w", err)
	}
	return applied, nil
}

// applyMigrations does the work of migrate while the lock is held.
func applyMigrations(ctx context.Context, conn *pgx.Conn, ms []Migration, logger *slog.Logger) ([]Migration, error) {
	if _, err := conn.Exec(ctx, `create table if not exists schema_migrations (
		version    integer primary key,
		name       text not null,
		applied_at timestamptz not null default now(),
		checksum   text not null
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	// Check every applied migration before applying anything new.
	for _, m := range ms {
		if row, ok := done[m.Version]; ok && row.checksum != m.Checksum {
			return nil, fmt.Errorf("migration %s: file changed after it was applied (checksum %s, applied %s): "+
				"restore the file and put the change in a new migration", m.File, m.Checksum, row.checksum)
		}
	}
	var applied []Migration
	for _, m := range ms {
		if _, ok := done[m.Version]; ok {
			continue
		}
		start := time.Now()
		if err := applyMigration(ctx, conn, m); err != nil {
			return applied, err
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "applied database migration",
			slog.Int("version", m.Version), slog.String("name", m.Name),
			slog.Duration("duration", time.Since(start)))
		applied = append(applied, m)
	}
	return applied, nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, m Migration) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.File, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op after commit
	// Without arguments pgx uses the simple protocol, so a file may hold
	// several statements.
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.File, err)
	}
	if _, err := tx.Exec(ctx,
		"insert into schema_migrations (version, name, applied_at, checksum) values ($1, $2, now(), $3)",
		m.Version, m.Name, m.Checksum); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.File, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.File, err)
	}
	return nil
}

type appliedRow struct {
	name      string
	appliedAt time.Time
	checksum  string
}

// appliedMigrations reads schema_migrations, or returns an empty map when
// the table does not exist yet.
func appliedMigrations(ctx context.Context, q Querier) (map[int]appliedRow, error) {
	done := map[int]appliedRow{}
	var exists bool
	if err := q.QueryRow(ctx, "select to_regclass('schema_migrations') is not null").Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	if !exists {
		return done, nil
	}
	rows, err := q.Query(ctx, "select version, name, applied_at, checksum from schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	var (
		version int
		row     appliedRow
	)
	_, err = pgx.ForEachRow(rows, []any{&version, &row.name, &row.appliedAt, &row.checksum}, func() error {
		done[version] = row
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return done, nil
}

// MigrationStatus lists every embedded migration with whether it has been
// applied, followed by any version the database records that this binary
// does not know.
func MigrationStatus(ctx context.Context, db *DB) ([]MigrationState, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var done map[int]appliedRow
	err = db.Retry(ctx, func(ctx context.Context, q Querier) error {
		done, err = appliedMigrations(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	states := make([]MigrationState, 0, len(ms))
	for _, m := range ms {
		s := MigrationState{Version: m.Version, Name: m.Name}
		if row, ok := done[m.Version]; ok {
			s.Applied, s.AppliedAt, s.Modified = true, row.appliedAt, row.checksum != m.Checksum
			delete(done, m.Version)
		}
		states = append(states, s)
	}
	var unknown []MigrationState
	for v, row := range done {
		unknown = append(unknown, MigrationState{Version: v, Name: row.name, Applied: true, AppliedAt: row.appliedAt, Unknown: true})
	}
	slices.SortFunc(unknown, func(a, b MigrationState) int { return a.Version - b.Version })
	return append(states, unknown...), nil
}
