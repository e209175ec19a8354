package storage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults applied by Config for fields left at their zero value.
const (
	DefaultMaxConns                = 20
	DefaultConnectTimeout          = 5 * time.Second
	DefaultStatementTimeout        = 30 * time.Second
	DefaultHealthCheckPeriod       = 30 * time.Second
	DefaultRetryAttempts           = 3
	DefaultRetryBaseDelay          = 50 * time.Millisecond
	DefaultBreakerFailureThreshold = 5
	DefaultBreakerOpenTimeout      = 5 * time.Second
)

// maxRetryDelay caps the exponential backoff so that a large RetryAttempts
// cannot make one operation sleep for minutes between tries.
const maxRetryDelay = 2 * time.Second

// Config configures the PostgreSQL pool. Every field but URL has a default
// used when the field is left at its zero value, so Config{URL: u} is a
// complete configuration.
type Config struct {
	// URL is the PostgreSQL connection string, a postgres:// URL or a
	// key=value DSN as accepted by pgx. Required. Runtime parameters can be
	// passed in it, e.g. options=-c%20search_path%3Dmyschema.
	URL string

	// MaxConns is the largest number of connections the pool opens.
	// Default 20.
	MaxConns int32

	// MinConns is the number of connections the pool keeps open even when
	// idle. Default 0.
	MinConns int32

	// ConnectTimeout bounds establishing one connection (TCP, TLS and
	// authentication). Default 5s.
	ConnectTimeout time.Duration

	// StatementTimeout is set as the session's statement_timeout on every
	// connection, so a runaway statement is cancelled by the server.
	// Default 30s.
	StatementTimeout time.Duration

	// HealthCheckPeriod is how often the pool checks its idle connections.
	// Default 30s.
	HealthCheckPeriod time.Duration

	// MaxConnLifetime is how long a connection is used before the pool
	// replaces it (useful behind RDS Proxy or after a failover). Zero keeps
	// pgxpool's default of one hour.
	MaxConnLifetime time.Duration

	// RetryAttempts is how many times DB.Retry tries an operation in all,
	// the first try included. 1 disables retries. Default 3.
	RetryAttempts int

	// RetryBaseDelay is the backoff before the second try; it doubles for
	// each further try (capped at 2s), and each delay is jittered to a
	// random value between half and all of it. Default 50ms.
	RetryBaseDelay time.Duration

	// BreakerFailureThreshold is the number of consecutive failures that
	// indicate an unhealthy database (connection errors, connect timeouts)
	// after which the circuit breaker opens. Default 5.
	BreakerFailureThreshold int

	// BreakerOpenTimeout is how long the breaker stays open, failing every
	// call at once, before it lets one probe through. Default 5s.
	BreakerOpenTimeout time.Duration

	// Rand is the source of the retry jitter. Nil means a generator seeded
	// at random. It is not settable from configuration files; tests set it
	// to get a reproducible backoff. It is used under the DB's own lock.
	Rand *rand.Rand
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.StatementTimeout == 0 {
		c.StatementTimeout = DefaultStatementTimeout
	}
	if c.HealthCheckPeriod == 0 {
		c.HealthCheckPeriod = DefaultHealthCheckPeriod
	}
	if c.RetryAttempts == 0 {
		c.RetryAttempts = DefaultRetryAttempts
	}
	if c.RetryBaseDelay == 0 {
		c.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if c.BreakerFailureThreshold == 0 {
		c.BreakerFailureThreshold = DefaultBreakerFailureThreshold
	}
	if c.BreakerOpenTimeout == 0 {
		c.BreakerOpenTimeout = DefaultBreakerOpenTimeout
	}
	return c
}

// Validate reports every problem in c at once (joined with errors.Join), or
// nil. Zero values are valid: they mean the documented defaults.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("database url is required"))
	} else if _, err := pgxpool.ParseConfig(c.URL); err != nil {
		// pgx redacts passwords from its parse errors.
		errs = append(errs, fmt.Errorf("database url: %w", err))
	}
	d := c.withDefaults()
	if c.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("database max conns %d: must not be negative", c.MaxConns))
	}
	if c.MinConns < 0 {
		errs = append(errs, fmt.Errorf("database min conns %d: must not be negative", c.MinConns))
	}
	if c.MinConns > 0 && c.MaxConns >= 0 && c.MinConns > d.MaxConns {
		errs = append(errs, fmt.Errorf("database min conns %d: must not exceed max conns %d", c.MinConns, d.MaxConns))
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"connect timeout", c.ConnectTimeout},
		{"statement timeout", c.StatementTimeout},
		{"health check period", c.HealthCheckPeriod},
		{"max conn lifetime", c.MaxConnLifetime},
		{"retry base delay", c.RetryBaseDelay},
		{"breaker open timeout", c.BreakerOpenTimeout},
	} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("database %s %s: must not be negative", f.name, f.v))
		}
	}
	if c.StatementTimeout > 0 && c.StatementTimeout < time.Millisecond {
		errs = append(errs, fmt.Errorf("database statement timeout %s: must be at least 1ms", c.StatementTimeout))
	}
	if c.RetryAttempts < 0 {
		errs = append(errs, fmt.Errorf("database retry attempts %d: must not be negative", c.RetryAttempts))
	}
	if c.BreakerFailureThreshold < 0 {
		errs = append(errs, fmt.Errorf("database breaker failure threshold %d: must not be negative", c.BreakerFailureThreshold))
	}
	return errors.Join(errs...)
}

// poolConfig builds the pgxpool configuration from a validated, defaulted c.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(c.URL)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	pc.MaxConns = c.MaxConns
	pc.MinConns = c.MinConns
	pc.HealthCheckPeriod = c.HealthCheckPeriod
	if c.MaxConnLifetime > 0 {
		pc.MaxConnLifetime = c.MaxConnLifetime
	}
	pc.ConnConfig.ConnectTimeout = c.ConnectTimeout
	// statement_timeout is sent as a startup parameter, so it is the
	// session default of every connection and RESET returns to it.
	pc.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(c.StatementTimeout.Milliseconds())
	return pc, nil
}
