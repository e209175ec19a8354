package storage

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Querier runs statements. DB.Do and DB.Retry hand their function a
// connection checked out of the pool for the duration of the call; code
// written against Querier also runs inside DB.InTx, since pgx.Tx implements
// it too. The function must not keep it after returning.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

var (
	_ Querier = (*pgxpool.Conn)(nil)
	_ Querier = (pgx.Tx)(nil)
	_ Querier = (*pgxpool.Pool)(nil)
)

// DB is the process's PostgreSQL pool with its circuit breaker, retry
// policy and metrics. It is safe for concurrent use.
type DB struct {
	pool    *pgxpool.Pool
	cfg     Config
	logger  *slog.Logger
	breaker *Breaker
	metrics *metrics

	randMu sync.Mutex
	rand   *rand.Rand
	// sleep waits between retries; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Open validates cfg and builds the pool. A process opens exactly one DB and
// shares it: every DB has its own pool, so a second one doubles the
// connections held against the server, and registering its metrics against
// the same Registerer fails.
//
// Open does not wait for the database to be reachable (connections are made
// on first use), so a process can start while PostgreSQL is down; call Ping
// to check readiness. logger nil discards logs; reg nil skips metrics; clock
// nil means the system clock.
func Open(ctx context.Context, cfg Config, logger *slog.Logger, reg prometheus.Registerer, clock Clock) (*DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("database config: %w", err)
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = systemClock{}
	}
	pc, err := cfg.poolConfig()
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("create database pool: %w", err)
	}
	m, err := newMetrics(reg, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	r := cfg.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	db := &DB{
		pool:    pool,
		cfg:     cfg,
		logger:  logger,
		metrics: m,
		rand:    r,
		sleep:   sleepContext,
	}
	db.breaker = NewBreaker(BreakerSettings{
		FailureThreshold: cfg.BreakerFailureThreshold,
		OpenTimeout:      cfg.BreakerOpenTimeout,
		Clock:            clock,
		Classify:         breakerOutcome,
		OnStateChange:    db.breakerStateChanged,
	})
	return db, nil
}

// Pool returns the underlying pool for work the wrappers do not cover (COPY
// streams, LISTEN). Calls made on it bypass the breaker and retries.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// BreakerState returns the circuit breaker's current state.
func (db *DB) BreakerState() State { return db.breaker.State() }

// Close closes every connection and unregisters the metrics. It waits for
// checked-out connections to be released.
func (db *DB) Close() {
	db.pool.Close()
	db.metrics.unregister()
}

// Ping checks, through the breaker, that a connection can be had and the
// server answers, giving up after the configured ConnectTimeout. It is the
// readiness check.
func (db *DB) Ping(ctx context.Context) error {
	err := db.breaker.Execute(ctx, func(ctx context.Context) error {
		// The timeout is set inside, so the breaker (which looks at the
		// caller's ctx) counts a hanging server as a failure.
		ctx, cancel := context.WithTimeout(ctx, db.cfg.ConnectTimeout)
		defer cancel()
		return db.pool.Ping(ctx)
	})
	if err != nil {
		db.countError(err)
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Do runs fn once, through the breaker, on a connection from the pool. It
// is for work that must not run twice, such as a non-idempotent write: an
// error that leaves unknown whether the work happened is returned, not
// retried. While the breaker is open Do returns ErrBreakerOpen at once.
func (db *DB) Do(ctx context.Context, fn func(ctx context.Context, q Querier) error) error {
	return db.run(ctx, false, func(ctx context.Context, c *pgxpool.Conn) error { return fn(ctx, c) })
}

// Retry runs fn like Do, and runs it again on a fresh connection when it
// fails with a transient error (see IsTransient), up to Config.RetryAttempts
// tries in all, waiting a jittered, exponentially growing delay between
// tries. Use it only for work that is safe to repeat: reads, idempotent
// writes, or writes whose effect is all-or-nothing and checked (a lost
// connection can hide a commit that did happen). Non-transient errors and
// ErrBreakerOpen are returned at once.
func (db *DB) Retry(ctx context.Context, fn func(ctx context.Context, q Querier) error) error {
	return db.run(ctx, true, func(ctx context.Context, c *pgxpool.Conn) error { return fn(ctx, c) })
}

// InTx runs fn in a transaction: committed if fn returns nil, rolled back
// otherwise. With retrySafe the whole transaction is run again on transient
// errors, serialization failures and deadlocks included, as Retry does;
// without it, it runs once as Do does.
func (db *DB) InTx(ctx context.Context, retrySafe bool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.run(ctx, retrySafe, func(ctx context.Context, c *pgxpool.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		if err := fn(ctx, tx); err != nil {
			// A failed rollback leaves the connection unusable; the pool
			// then discards it on release, so its error adds nothing.
			_ = tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit transaction: %w", err)
		}
		return nil
	})
}

// run is Do (retry false) and Retry (retry true).
func (db *DB) run(ctx context.Context, retry bool, fn func(ctx context.Context, c *pgxpool.Conn) error) error {
	attempts := 1
	if retry {
		attempts = db.cfg.RetryAttempts
	}
	var err error
	attempt := 1
	for ; ; attempt++ {
		err = db.once(ctx, fn)
		if err == nil || attempt >= attempts || !IsTransient(err) || ctx.Err() != nil {
			break
		}
		delay := db.backoff(attempt)
		db.metrics.retries.Inc()
		db.logger.LogAttrs(ctx, slog.LevelInfo, "retrying database operation after transient error",
			slog.Int("attempt", attempt), slog.Duration("delay", delay), slog.String("err", err.Error()))
		if db.sleep(ctx, delay) != nil {
			break // the caller gave up: report the database error that caused the wait
		}
	}
	if err == nil {
		return nil
	}
	db.countError(err)
	if attempt > 1 {
		return fmt.Errorf("database operation gave up after %d attempts: %w", attempt, err)
	}
	return err
}

// once acquires a connection through the breaker and runs fn on it.
func (db *DB) once(ctx context.Context, fn func(ctx context.Context, c *pgxpool.Conn) error) error {
	return db.breaker.Execute(ctx, func(ctx context.Context) error {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("acquire database connection: %w", err)
		}
		// Release returns the connection to the pool, or destroys it if it
		// is broken or was left inside a transaction.
		defer c.Release()
		return fn(ctx, c)
	})
}

// backoff is the delay after the given (1-based) failed attempt: base
// doubled per attempt, capped, then jittered uniformly into [d/2, d] so that
// many clients failing together do not retry in lockstep.
func (db *DB) backoff(attempt int) time.Duration {
	d := db.cfg.RetryBaseDelay
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	d = min(d, maxRetryDelay)
	half := d / 2
	db.randMu.Lock()
	defer db.randMu.Unlock()
	return half + time.Duration(db.rand.Int64N(int64(d-half)+1))
}

func (db *DB) countError(err error) {
	db.metrics.queryErrors.WithLabelValues(errorClass(err)).Inc()
}

func (db *DB) breakerStateChanged(from, to State) {
	db.metrics.breakerState.Set(float64(to))
	level := slog.LevelInfo
	if to != StateClosed {
		level = slog.LevelWarn
	}
	db.logger.LogAttrs(context.Background(), level, "database circuit breaker state changed",
		slog.String("from", from.String()), slog.String("to", to.String()),
		slog.Duration("open_timeout", db.cfg.BreakerOpenTimeout))
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
