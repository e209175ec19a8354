package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"networx/storage/storagetest"
)

// failFast is the acceptance bound for a call turned away by an open
// breaker: it must not touch the network.
const failFast = 10 * time.Millisecond

// openTestDB opens cfg (URL defaulting to a fresh database) with its own
// registry, closing it when the test ends.
func openTestDB(t *testing.T, cfg Config, clock Clock) (*DB, *prometheus.Registry) {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = storagetest.NewDatabase(t)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	reg := prometheus.NewRegistry()
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := Open(t.Context(), cfg, logger, reg, clock)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(db.Close)
	return db, reg
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// metricValue returns the value of the unlabelled metric name, or of its
// series with label class=class.
func metricValue(t *testing.T, reg *prometheus.Registry, name, class string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if class != "" && !hasLabel(m, "class", class) {
				continue
			}
			switch {
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			}
		}
		return 0
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// terminateWhenSleeping terminates the backend pid as soon as it is seen
// running pg_sleep, from a separate admin connection.
func terminateWhenSleeping(ctx context.Context, adminURL string, pid uint32) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var sleeping bool
		err := conn.QueryRow(ctx, `select exists (select 1 from pg_stat_activity
			where pid = $1 and state = 'active' and query like '%pg_sleep%')`, int32(pid)).Scan(&sleeping)
		if err != nil {
			return err
		}
		if sleeping {
			var ok bool
			if err := conn.QueryRow(ctx, "select pg_terminate_backend($1)", int32(pid)).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("pg_terminate_backend(%d) returned false", pid)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond): // polling the server, not a timer we own
		}
	}
}

// killedOnFirstAttempt returns a function for Do/Retry that, on its first
// call, has its backend terminated while it sleeps in pg_sleep, and on later
// calls just answers. calls counts the calls, pids records each backend.
func killedOnFirstAttempt(t *testing.T, adminURL string, calls *atomic.Int32, pids *[]uint32) func(ctx context.Context, q Querier) error {
	return func(ctx context.Context, q Querier) error {
		n := calls.Add(1)
		var pid uint32
		if err := q.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
			return err
		}
		*pids = append(*pids, pid)
		if n > 1 {
			_, err := q.Exec(ctx, "select 1")
			return err
		}
		killed := make(chan error, 1)
		go func() { killed <- terminateWhenSleeping(ctx, adminURL, pid) }()
		_, err := q.Exec(ctx, "select pg_sleep(10)")
		if kerr := <-killed; kerr != nil {
			t.Errorf("terminate backend %d: %v", pid, kerr)
		}
		return err
	}
}

func TestRetrySurvivesTerminatedBackend(t *testing.T) {
	t.Parallel()
	admin := storagetest.AdminDatabaseURL(t)
	db, reg := openTestDB(t, Config{}, nil)
	var delays []time.Duration
	db.sleep = func(_ context.Context, d time.Duration) error {
		delays = append(delays, d)
		return nil
	}

	var calls atomic.Int32
	var pids []uint32
	if err := db.Retry(t.Context(), killedOnFirstAttempt(t, admin, &calls, &pids)); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if got := calls.Load(); got != 2 {
		t.Fatalf("fn ran %d times, want 2", got)
	}
	if pids[0] == pids[1] {
		t.Errorf("second attempt ran on the terminated backend %d", pids[0])
	}
	if len(delays) != 1 || delays[0] < DefaultRetryBaseDelay/2 || delays[0] > DefaultRetryBaseDelay {
		t.Errorf("backoff delays %v, want one in [%s, %s]", delays, DefaultRetryBaseDelay/2, DefaultRetryBaseDelay)
	}
	if got := metricValue(t, reg, "networx_db_retries_total", ""); got != 1 {
		t.Errorf("networx_db_retries_total = %v, want 1", got)
	}
	if got := db.BreakerState(); got != StateClosed {
		t.Errorf("breaker %s after one failure, want closed", got)
	}
}

func TestDoDoesNotRetryTerminatedBackend(t *testing.T) {
	t.Parallel()
	admin := storagetest.AdminDatabaseURL(t)
	db, reg := openTestDB(t, Config{}, nil)
	db.sleep = func(context.Context, time.Duration) error {
		t.Error("Do waited to retry")
		return nil
	}

	var calls atomic.Int32
	var pids []uint32
	err := db.Do(t.Context(), killedOnFirstAttempt(t, admin, &calls, &pids))
	if err == nil {
		t.Fatal("Do succeeded although its backend was terminated")
	}
	if !IsTransient(err) {
		t.Errorf("error %v is not transient", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code != "57P01" {
		t.Errorf("SQLSTATE %s, want 57P01 admin_shutdown", pgErr.Code)
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("fn ran %d times, want 1", got)
	}
	if got := metricValue(t, reg, "networx_db_query_errors_total", "connection"); got != 1 {
		t.Errorf("connection errors = %v, want 1", got)
	}
	// The pool replaced the dead connection: the next call works.
	if err := db.Do(t.Context(), func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, "select 1")
		return err
	}); err != nil {
		t.Fatalf("Do after the terminated backend: %v", err)
	}
}

func TestRetryReturnsNonTransientErrorsAtOnce(t *testing.T) {
	t.Parallel()
	db, reg := openTestDB(t, Config{BreakerFailureThreshold: 2}, nil)
	db.sleep = func(context.Context, time.Duration) error {
		t.Error("Retry waited after a non-transient error")
		return nil
	}
	for i := range 5 {
		var calls int
		err := db.Retry(t.Context(), func(ctx context.Context, q Querier) error {
			calls++
			_, err := q.Exec(ctx, "select * from no_such_table")
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
			t.Fatalf("call %d: %v, want undefined_table", i, err)
		}
		if calls != 1 {
			t.Fatalf("call %d: fn ran %d times, want 1", i, calls)
		}
	}
	// Five SQL errors past a threshold of two: the database answered every
	// time, so the breaker must stay closed.
	if got := db.BreakerState(); got != StateClosed {
		t.Errorf("breaker %s after SQL errors, want closed", got)
	}
	if got := metricValue(t, reg, "networx_db_query_errors_total", "syntax_or_access"); got != 5 {
		t.Errorf("syntax_or_access errors = %v, want 5", got)
	}
}

func TestRetryGivesUpAfterRetryAttempts(t *testing.T) {
	t.Parallel()
	db, reg := openTestDB(t, Config{RetryAttempts: 4, RetryBaseDelay: 10 * time.Millisecond}, nil)
	var delays []time.Duration
	db.sleep = func(_ context.Context, d time.Duration) error {
		delays = append(delays, d)
		return nil
	}
	var calls int
	err := db.Retry(t.Context(), func(ctx context.Context, q Querier) error {
		calls++
		return pgErr("40001")
	})
	if calls != 4 || !IsTransient(err) {
		t.Fatalf("fn ran %d times, error %v; want 4 runs and the serialization failure", calls, err)
	}
	// Jittered exponential: attempt n waits within [base*2^(n-1)/2, base*2^(n-1)].
	if len(delays) != 3 {
		t.Fatalf("delays %v, want 3", delays)
	}
	for i, d := range delays {
		hi := 10 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("delay %d = %s, want in [%s, %s]", i, d, hi/2, hi)
		}
	}
	if got := metricValue(t, reg, "networx_db_retries_total", ""); got != 3 {
		t.Errorf("retries = %v, want 3", got)
	}
}

func TestInTx(t *testing.T) {
	t.Parallel()
	db, _ := openTestDB(t, Config{}, nil)
	ctx := t.Context()
	if err := db.Do(ctx, func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, "create table things (id int primary key)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	insert := func(id int) func(ctx context.Context, tx pgx.Tx) error {
		return func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into things (id) values ($1)", id)
			return err
		}
	}
	count := func() int {
		var n int
		if err := db.Do(ctx, func(ctx context.Context, q Querier) error {
			return q.QueryRow(ctx, "select count(*) from things").Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := db.InTx(ctx, false, insert(1)); err != nil {
		t.Fatalf("commit: %v", err)
	}
	errRollback := errors.New("changed my mind")
	err := db.InTx(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		if err := insert(2)(ctx, tx); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	if got := count(); got != 1 {
		t.Fatalf("%d rows after commit and rollback, want 1", got)
	}

	// Retry-safe: a serialization failure on the first run rolls back
	// that run's insert and runs the transaction again.
	db.sleep = func(context.Context, time.Duration) error { return nil }
	runs := 0
	err = db.InTx(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		runs++
		if err := insert(3)(ctx, tx); err != nil {
			return err
		}
		if runs == 1 {
			return pgErr("40001")
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Fatalf("retry-safe InTx: err %v after %d runs, want success on run 2", err, runs)
	}
	if got := count(); got != 2 {
		t.Fatalf("%d rows, want 2", got)
	}

	// Not retry-safe: the same failure is returned after one run.
	runs = 0
	err = db.InTx(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		runs++
		return pgErr("40001")
	})
	if !IsTransient(err) || runs != 1 {
		t.Fatalf("InTx(retrySafe=false): err %v after %d runs, want the failure after 1", err, runs)
	}
}

func TestPoolMetrics(t *testing.T) {
	t.Parallel()
	db, reg := openTestDB(t, Config{MaxConns: 7}, nil)
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"networx_db_pool_max_connections":   7,
		"networx_db_pool_total_connections": 1,
		"networx_db_pool_idle_connections":  1,
		"networx_db_breaker_state":          0,
	} {
		if got := metricValue(t, reg, name, ""); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{"networx_db_pool_acquires_total", "networx_db_pool_acquire_duration_seconds_total"} {
		if got := metricValue(t, reg, name, ""); got <= 0 {
			t.Errorf("%s = %v, want > 0", name, got)
		}
	}
	for _, name := range []string{"networx_db_pool_acquired_connections", "networx_db_pool_canceled_acquires_total", "networx_db_pool_empty_acquires_total"} {
		metricValue(t, reg, name, "") // registered
	}

	// A second DB against the same registry is refused; after Close the
	// metrics are gone and the registry can take a new DB.
	if _, err := Open(t.Context(), Config{URL: db.cfg.URL}, nil, reg, nil); err == nil {
		t.Error("a second DB registered its metrics against the same registry")
	}
	db.Close()
	db2, err := Open(t.Context(), Config{URL: db.cfg.URL}, nil, reg, nil)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	db2.Close()
}

// assertFailsFast checks that calls are turned away by the open breaker
// without running, each within failFast.
func assertFailsFast(t *testing.T, db *DB) {
	t.Helper()
	for i := range 20 {
		start := time.Now()
		err := db.Do(t.Context(), func(context.Context, Querier) error {
			t.Fatal("fn ran while the breaker was open")
			return nil
		})
		elapsed := time.Since(start)
		if !errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("call %d while open: %v, want ErrBreakerOpen", i, err)
		}
		if elapsed >= failFast {
			t.Fatalf("call %d while open took %s, want under %s", i, elapsed, failFast)
		}
	}
	start := time.Now()
	err := db.Ping(t.Context())
	if elapsed := time.Since(start); !errors.Is(err, ErrBreakerOpen) || elapsed >= failFast {
		t.Fatalf("Ping while open: %v after %s, want ErrBreakerOpen under %s", err, elapsed, failFast)
	}
}

func TestBreakerOpensOnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	db, reg := openTestDB(t, Config{
		URL:                     "postgres://networx@" + closedPort(t) + "/networx?sslmode=disable",
		BreakerFailureThreshold: 3,
		RetryAttempts:           2,
	}, clock)
	db.sleep = func(context.Context, time.Duration) error { return nil }

	// Retry counts each attempt: two failures here, one more trips it.
	err := db.Retry(t.Context(), func(context.Context, Querier) error { return nil })
	if err == nil || errors.Is(err, ErrBreakerOpen) || !IsTransient(err) {
		t.Fatalf("Retry against a closed port: %v, want a transient connection error", err)
	}
	if got := db.BreakerState(); got != StateClosed {
		t.Fatalf("breaker %s after 2 failures, want closed", got)
	}
	if err := db.Ping(t.Context()); err == nil || errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("Ping against a closed port: %v, want a connection error", err)
	}
	if got := db.BreakerState(); got != StateOpen {
		t.Fatalf("breaker %s after 3 failures, want open", got)
	}
	if got := metricValue(t, reg, "networx_db_breaker_state", ""); got != 2 {
		t.Errorf("networx_db_breaker_state = %v, want 2", got)
	}
	assertFailsFast(t, db)
	if got := metricValue(t, reg, "networx_db_query_errors_total", "breaker_open"); got != 21 {
		t.Errorf("breaker_open errors = %v, want 21", got)
	}
}

func TestBreakerClosesWhenDatabaseReturns(t *testing.T) {
	t.Parallel()
	dbURL, err := url.Parse(storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	p := storagetest.NewProxy(t, dbURL.Host)
	dbURL.Host = p.Addr()

	clock := newFakeClock()
	db, reg := openTestDB(t, Config{URL: dbURL.String(), BreakerFailureThreshold: 3, BreakerOpenTimeout: 5 * time.Second}, clock)
	ctx := t.Context()
	query := func(ctx context.Context, q Querier) error {
		var one int
		return q.QueryRow(ctx, "select 1").Scan(&one)
	}
	if err := db.Do(ctx, query); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}

	// The database goes away: the pooled connection breaks, new ones are
	// refused; three failures open the breaker.
	p.SetDown(true)
	for i := range 3 {
		if err := db.Do(ctx, query); err == nil || errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("call %d with the database down: %v, want a connection error", i, err)
		}
	}
	if got := db.BreakerState(); got != StateOpen {
		t.Fatalf("breaker %s, want open", got)
	}
	assertFailsFast(t, db)

	// Still down when the timeout passes: the probe fails and re-opens it.
	clock.Advance(5 * time.Second)
	if got := metricValue(t, reg, "networx_db_breaker_state", ""); got != 2 {
		t.Fatalf("gauge %v before anyone looked, want 2", got)
	}
	if got := db.BreakerState(); got != StateHalfOpen {
		t.Fatalf("breaker %s after the open timeout, want half-open", got)
	}
	if got := metricValue(t, reg, "networx_db_breaker_state", ""); got != 1 {
		t.Errorf("networx_db_breaker_state = %v, want 1", got)
	}
	if err := db.Do(ctx, query); err == nil || errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("probe with the database down: %v, want a connection error", err)
	}
	if got := db.BreakerState(); got != StateOpen {
		t.Fatalf("breaker %s after a failed probe, want open", got)
	}
	assertFailsFast(t, db)

	// The database is back: after the timeout the probe succeeds and the
	// breaker closes.
	p.SetDown(false)
	clock.Advance(4 * time.Second)
	assertFailsFast(t, db)
	clock.Advance(time.Second)
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("probe with the database back: %v", err)
	}
	if got := db.BreakerState(); got != StateClosed {
		t.Fatalf("breaker %s after a successful probe, want closed", got)
	}
	if got := metricValue(t, reg, "networx_db_breaker_state", ""); got != 0 {
		t.Errorf("networx_db_breaker_state = %v, want 0", got)
	}
	for i := range 5 {
		if err := db.Do(ctx, query); err != nil {
			t.Fatalf("call %d after recovery: %v", i, err)
		}
	}
}
