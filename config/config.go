// Package config holds the settings of every networx role: typed defaults for one local
// host, an optional YAML file, NETWORX_* environment variables and command-line flags,
// merged once in that order and validated once, with every problem reported together.
//
// Each setting has one dotted key (database.url) that names it everywhere: in the YAML file
// as nested maps, in the environment as NETWORX_DATABASE_URL, and in docs/configuration.md.
// The keys, their types and documentation come from the struct tags below, so the code and
// the documentation page cannot drift apart without a test failing.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the merged configuration of a networx process.
type Config struct {
	Database Database `key:"database"`
	Redis    Redis    `key:"redis"`
	Blob     Blob     `key:"blob"`
	Queue    Queue    `key:"queue"`
	Jobs     Jobs     `key:"jobs"`
	HTTP     HTTP     `key:"http"`
	Log      Log      `key:"log"`
}

// Database configures the PostgreSQL pool (one per process).
type Database struct {
	URL                     string        `key:"url" secret:"true" doc:"PostgreSQL connection URL (the system of record)."`
	MaxConns                int           `key:"max_conns" doc:"Maximum connections in the process's one pool."`
	MinConns                int           `key:"min_conns" doc:"Connections kept open while idle."`
	ConnectTimeout          time.Duration `key:"connect_timeout" doc:"Time allowed to open one connection."`
	StatementTimeout        time.Duration `key:"statement_timeout" doc:"PostgreSQL statement_timeout for every session."`
	HealthCheckPeriod       time.Duration `key:"health_check_period" doc:"How often idle connections are checked."`
	MaxConnLifetime         time.Duration `key:"max_conn_lifetime" doc:"Age at which a connection is replaced (useful behind RDS Proxy or after a failover)."`
	RetryAttempts           int           `key:"retry_attempts" doc:"Tries in all, the first included, for operations declared safe to retry (transient errors only)."`
	RetryBaseDelay          time.Duration `key:"retry_base_delay" doc:"Backoff before the second try; doubles per try, capped at 2s, each jittered."`
	BreakerFailureThreshold int           `key:"breaker_failure_threshold" doc:"Consecutive connection failures that open the circuit breaker."`
	BreakerOpenTimeout      time.Duration `key:"breaker_open_timeout" doc:"Time the breaker stays open before one probe is let through."`
}

// Redis configures the Redis client used for job state, cancellation and progress.
type Redis struct {
	URL          string        `key:"url" secret:"true" doc:"Redis URL: redis://[user:password@]host:port/db, rediss:// for TLS; redis-cluster://host:port (or several comma-separated host:port pairs) selects a cluster client, as for an ElastiCache cluster-mode configuration endpoint."`
	DialTimeout  time.Duration `key:"dial_timeout" doc:"Time allowed to connect."`
	ReadTimeout  time.Duration `key:"read_timeout" doc:"Time allowed for one read."`
	WriteTimeout time.Duration `key:"write_timeout" doc:"Time allowed for one write."`
	PoolSize     int           `key:"pool_size" doc:"Connections per node; 0 means go-redis's default (10 per CPU)."`
}

// Blob configures the blob store for uploads and results.
type Blob struct {
	URL string `key:"url" doc:"Where files and results live: file:///absolute/path (a local folder) or s3://bucket/prefix." docdefault:"file://$XDG_DATA_HOME/networx/blobs (~/.local/share/networx/blobs)"`
}

// Queue configures the job queues.
type Queue struct {
	Driver       string `key:"driver" doc:"Queue driver: redis (one host) or sqs (AWS, or any SQS-compatible endpoint set by AWS_ENDPOINT_URL_SQS)."`
	NamePrefix   string `key:"name_prefix" doc:"Prefix of queue names (networx-optimization.fifo, networx-files, networx-capacity, and their -dlq queues)."`
	CreateQueues bool   `key:"create_queues" doc:"Create missing queues at start (local use; in production infra creates them)."`
	MaxAttempts  int    `key:"max_attempts" doc:"Deliveries of one job before it fails and its message is dead-lettered."`
}

// Jobs configures how workers run jobs.
type Jobs struct {
	OptimizationTimeout time.Duration `key:"optimization_timeout" doc:"Time limit of one optimization job attempt."`
	FilesTimeout        time.Duration `key:"files_timeout" doc:"Time limit of one files job attempt."`
	CapacityTimeout     time.Duration `key:"capacity_timeout" doc:"Time limit of one capacity job attempt."`
	VisibilityTimeout   time.Duration `key:"visibility_timeout" doc:"Lease on a received message; the worker renews it at a third of this."`
	DrainTimeout        time.Duration `key:"drain_timeout" doc:"On SIGTERM, time running jobs get to finish before they are cancelled and released (keep under ECS's 120 s stop timeout)."`
	Concurrency         int           `key:"concurrency" doc:"Jobs one worker runs at once."`
}

// HTTP configures the API server of networx serve and the admin listener of workers.
type HTTP struct {
	Addr              string        `key:"addr" doc:"Listen address of networx serve (also serve --addr)."`
	ShutdownTimeout   time.Duration `key:"shutdown_timeout" doc:"On SIGTERM, time in-flight requests get before the server closes."`
	ReadHeaderTimeout time.Duration `key:"read_header_timeout" doc:"Time allowed to read request headers."`
	ReadyTimeout      time.Duration `key:"ready_timeout" doc:"Time each dependency gets to answer /api/ready."`
	MaxUploadBytes    int           `key:"max_upload_bytes" doc:"Largest file accepted by an upload (multipart or presigned), in bytes."`
	RateLimit         int           `key:"rate_limit" doc:"Requests per second one tenant may make to one serve process (a token bucket per process; 0 switches it off)."`
	RateBurst         int           `key:"rate_burst" doc:"Requests one tenant may make at once above rate_limit (the bucket size)."`
	AuthCacheTTL      time.Duration `key:"auth_cache_ttl" doc:"How long a checked API key is trusted without asking PostgreSQL; also the longest a revoked key keeps working."`
}

// Log configures structured logging.
type Log struct {
	Level  string `key:"level" doc:"Minimum level: debug, info, warn or error."`
	Format string `key:"format" doc:"json (for log collectors) or text (for people)."`
}

// Default returns the typed defaults for one local host: PostgreSQL and Redis on
// 127.0.0.1, blobs in a local folder, the Redis queue driver.
func Default() Config {
	return Config{
		Database: Database{
			URL:                     "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			MaxConns:                20,
			ConnectTimeout:          5 * time.Second,
			StatementTimeout:        30 * time.Second,
			HealthCheckPeriod:       30 * time.Second,
			MaxConnLifetime:         time.Hour,
			RetryAttempts:           3,
			RetryBaseDelay:          50 * time.Millisecond,
			BreakerFailureThreshold: 5,
			BreakerOpenTimeout:      5 * time.Second,
		},
		Redis: Redis{
			URL:          "redis://127.0.0.1:6379/0",
			DialTimeout:  5 * time.Second,
			ReadTimeout:  3 * time.Second,
			WriteTimeout: 3 * time.Second,
		},
		Blob: Blob{URL: defaultBlobURL()},
		Queue: Queue{
			Driver:       "redis",
			NamePrefix:   "networx-",
			CreateQueues: true,
			MaxAttempts:  3,
		},
		Jobs: Jobs{
			OptimizationTimeout: 5 * time.Minute,
			FilesTimeout:        30 * time.Minute,
			CapacityTimeout:     10 * time.Minute,
			VisibilityTimeout:   60 * time.Second,
			DrainTimeout:        90 * time.Second,
			Concurrency:         1,
		},
		HTTP: HTTP{
			Addr:              "127.0.0.1:8080",
			ShutdownTimeout:   20 * time.Second,
			ReadHeaderTimeout: 10 * time.Second,
			ReadyTimeout:      2 * time.Second,
			MaxUploadBytes:    2 << 30,
			RateLimit:         50,
			RateBurst:         100,
			AuthCacheTTL:      10 * time.Second,
		},
		Log: Log{Level: "info", Format: "json"},
	}
}

// defaultBlobURL is a folder under the XDG data directory, so a default install never writes
// into the working directory.
func defaultBlobURL() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return "file://" + filepath.Join(dir, "networx", "blobs")
}

// Validate checks the merged configuration and returns every problem found, joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	checkURL := func(key, raw string, schemes ...string) *url.URL {
		if raw == "" {
			bad(key, "is required")
			return nil
		}
		u, err := url.Parse(raw)
		if err != nil {
			bad(key, "is not a URL: %v", redactErr(err))
			return nil
		}
		for _, s := range schemes {
			if u.Scheme == s {
				return u
			}
		}
		bad(key, "scheme %q is not one of %s", u.Scheme, strings.Join(schemes, ", "))
		return nil
	}
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			bad(key, "must be a positive duration, got %s", d)
		}
	}

	checkURL("database.url", c.Database.URL, "postgres", "postgresql")
	if c.Database.MaxConns < 1 {
		bad("database.max_conns", "must be at least 1, got %d", c.Database.MaxConns)
	}
	if c.Database.MinConns < 0 || c.Database.MinConns > c.Database.MaxConns {
		bad("database.min_conns", "must be between 0 and database.max_conns (%d), got %d", c.Database.MaxConns, c.Database.MinConns)
	}
	positive("database.connect_timeout", c.Database.ConnectTimeout)
	positive("database.statement_timeout", c.Database.StatementTimeout)
	positive("database.health_check_period", c.Database.HealthCheckPeriod)
	positive("database.max_conn_lifetime", c.Database.MaxConnLifetime)
	positive("database.retry_base_delay", c.Database.RetryBaseDelay)
	if c.Database.RetryAttempts < 1 {
		bad("database.retry_attempts", "must be at least 1, got %d", c.Database.RetryAttempts)
	}
	if c.Database.BreakerFailureThreshold < 1 {
		bad("database.breaker_failure_threshold", "must be at least 1, got %d", c.Database.BreakerFailureThreshold)
	}
	positive("database.breaker_open_timeout", c.Database.BreakerOpenTimeout)

	checkURL("redis.url", c.Redis.URL, "redis", "rediss", "redis-cluster", "rediss-cluster")
	positive("redis.dial_timeout", c.Redis.DialTimeout)
	positive("redis.read_timeout", c.Redis.ReadTimeout)
	positive("redis.write_timeout", c.Redis.WriteTimeout)
	if c.Redis.PoolSize < 0 {
		bad("redis.pool_size", "must not be negative, got %d", c.Redis.PoolSize)
	}

	if u := checkURL("blob.url", c.Blob.URL, "file", "s3"); u != nil {
		switch u.Scheme {
		case "file":
			if u.Host != "" || !filepath.IsAbs(u.Path) {
				bad("blob.url", "a file URL needs an absolute path, like file:///var/lib/networx/blobs, got %q", c.Blob.URL)
			}
		case "s3":
			if u.Host == "" {
				bad("blob.url", "an s3 URL needs a bucket, like s3://bucket/prefix, got %q", c.Blob.URL)
			}
		}
	}

	switch c.Queue.Driver {
	case "redis", "sqs":
	default:
		bad("queue.driver", "must be redis or sqs, got %q", c.Queue.Driver)
	}
	if c.Queue.MaxAttempts < 1 {
		bad("queue.max_attempts", "must be at least 1, got %d", c.Queue.MaxAttempts)
	}

	positive("jobs.optimization_timeout", c.Jobs.OptimizationTimeout)
	positive("jobs.files_timeout", c.Jobs.FilesTimeout)
	positive("jobs.capacity_timeout", c.Jobs.CapacityTimeout)
	positive("jobs.visibility_timeout", c.Jobs.VisibilityTimeout)
	if c.Jobs.VisibilityTimeout > 0 && c.Jobs.VisibilityTimeout < 3*time.Second {
		bad("jobs.visibility_timeout", "must be at least 3s so the heartbeat (a third of it) has room, got %s", c.Jobs.VisibilityTimeout)
	}
	positive("jobs.drain_timeout", c.Jobs.DrainTimeout)
	if c.Jobs.Concurrency < 1 {
		bad("jobs.concurrency", "must be at least 1, got %d", c.Jobs.Concurrency)
	}

	if c.HTTP.Addr == "" {
		bad("http.addr", "is required, like 127.0.0.1:8080")
	} else if _, _, err := splitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr", "%v", err)
	}
	positive("http.shutdown_timeout", c.HTTP.ShutdownTimeout)
	positive("http.read_header_timeout", c.HTTP.ReadHeaderTimeout)
	positive("http.ready_timeout", c.HTTP.ReadyTimeout)
	if c.HTTP.MaxUploadBytes < 1 {
		bad("http.max_upload_bytes", "must be at least 1, got %d", c.HTTP.MaxUploadBytes)
	}
	if c.HTTP.RateLimit < 0 {
		bad("http.rate_limit", "must be 0 (off) or more, got %d", c.HTTP.RateLimit)
	}
	if c.HTTP.RateBurst < 1 {
		bad("http.rate_burst", "must be at least 1, got %d", c.HTTP.RateBurst)
	}
	positive("http.auth_cache_ttl", c.HTTP.AuthCacheTTL)

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		bad("log.format", "must be json or text, got %q", c.Log.Format)
	}
	return errors.Join(errs...)
}

// redactErr keeps a URL parse error from echoing a password back into logs.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
