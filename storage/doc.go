// Package storage is networx's access to its durable stores: one PostgreSQL
// connection pool per process (pgx v5 pgxpool) wrapped with timeouts,
// retries for operations declared safe to retry, and a circuit breaker that
// fails fast while the database is unreachable; the schema migrations; and
// the Redis client used for job state.
//
// A process builds one *DB with Open at start-up, passes it down to whatever
// needs the database, and closes it last. Work runs through DB.Do (once),
// DB.Retry (retried on transient errors) or DB.InTx (a transaction, retried
// or not). Pool, breaker, retry and error metrics are registered against the
// prometheus.Registerer given to Open.
//
// The blob store (S3 or a local folder) lives in the sub-package storage/blob.
package storage
