package storage

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsTransient reports whether err is worth retrying on a fresh connection:
// the connection was lost or could not be made (EOF, broken pipe,
// connection reset or refused, SQLSTATE class 08), the server is shutting
// down or restarting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
// cannot_connect_now), or the transaction lost a conflict (40001
// serialization_failure, 40P01 deadlock_detected). Context cancellation,
// ErrBreakerOpen, statement timeouts and every other server error are not
// transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrBreakerOpen) || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return transientCode(pgErr.Code)
	}
	return isConnectionError(err)
}

// transientCode reports whether a SQLSTATE is one IsTransient retries.
func transientCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "40001", "40P01":
		return true
	}
	return len(code) == 5 && code[:2] == "08"
}

// isConnectionError reports whether err is a failure of the connection
// itself rather than an answer from the server.
func isConnectionError(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		// Includes a connect attempt that ran out of ConnectTimeout.
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// A context that ended mid-query: the caller's choice, not a
		// broken connection.
		return false
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	return false
}

// isUnhealthy reports whether err suggests the database itself is
// unhealthy: unreachable, refusing connections, shutting down, out of
// connection slots, or broken mid-conversation. Errors the database
// answers with about the statement (syntax, constraints, serialization
// conflicts, statement timeouts) do not.
func isUnhealthy(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		var connectErr *pgconn.ConnectError
		if errors.As(err, &connectErr) {
			// The server answered the connection attempt with an error:
			// bad credentials or a missing database make every call fail,
			// as does a server that is starting or out of slots.
			return true
		}
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return pgErr.Code[:2] == "08"
	}
	return isConnectionError(err)
}

// breakerOutcome is the DB's classifier for its circuit breaker.
func breakerOutcome(ctx context.Context, err error) Outcome {
	switch {
	case err == nil:
		return OutcomeSuccess
	case ctx.Err() != nil:
		// The caller cancelled or ran out of time: that says nothing
		// about the database.
		return OutcomeIgnored
	case errors.Is(err, context.Canceled):
		return OutcomeIgnored
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		// A deadline set inside the call (Ping's) passed while the caller
		// still waited: the database did not answer in time.
		return OutcomeFailure
	case isUnhealthy(err):
		return OutcomeFailure
	default:
		return OutcomeSuccess
	}
}

// errorClass buckets an error for the networx_db_query_errors_total
// metric. The set of classes is small and fixed.
func errorClass(err error) string {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, ErrBreakerOpen):
		return "breaker_open"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "40001" || pgErr.Code == "40P01":
			return "conflict"
		case pgErr.Code == "57014":
			return "timeout"
		case pgErr.Code[:2] == "23":
			return "constraint"
		case pgErr.Code[:2] == "42":
			return "syntax_or_access"
		case isUnhealthy(err):
			return "connection"
		}
		return "other"
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return "timeout"
	case isConnectionError(err):
		return "connection"
	}
	return "other"
}
