package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// connectError returns a real *pgconn.ConnectError by dialing a loopback
// port that nothing listens on.
func connectError(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, "postgres://networx@"+closedPort(t)+"/networx?sslmode=disable&connect_timeout=2")
	if err == nil {
		conn.Close(ctx)
		t.Fatal("connect to a closed port succeeded")
	}
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("connect error %T %v is not a *pgconn.ConnectError", err, err)
	}
	return err
}

// closedPort returns a loopback host:port that refuses connections: one
// that was listened on and closed again.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func pgErr(code string) error { return &pgconn.PgError{Severity: "ERROR", Code: code, Message: "test"} }

func TestIsTransient(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"admin shutdown 57P01", pgErr("57P01"), true},
		{"crash shutdown 57P02", pgErr("57P02"), true},
		{"cannot connect now 57P03", pgErr("57P03"), true},
		{"serialization failure 40001", pgErr("40001"), true},
		{"deadlock 40P01", pgErr("40P01"), true},
		{"connection failure 08006", pgErr("08006"), true},
		{"unable to connect 08001", pgErr("08001"), true},
		{"wrapped admin shutdown", fmt.Errorf("load tenant: %w", pgErr("57P01")), true},
		{"unique violation 23505", pgErr("23505"), false},
		{"syntax error 42601", pgErr("42601"), false},
		{"undefined table 42P01", pgErr("42P01"), false},
		{"statement timeout 57014", pgErr("57014"), false},
		{"bad password 28P01", pgErr("28P01"), false},
		{"too many connections 53300", pgErr("53300"), false},
		{"eof", io.EOF, true},
		{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"connection refused", refused, true},
		{"conn closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), true},
		{"connect error", connectError(t), true},
		{"context canceled", context.Canceled, false},
		{"context deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"breaker open", ErrBreakerOpen, false},
		{"plain error", errors.New("no rows"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsTransient(tt.err); got != tt.want {
				t.Errorf("IsTransient(%v) = %t, want %t", tt.err, got, tt.want)
			}
		})
	}
}

func TestBreakerOutcome(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	live := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want Outcome
	}{
		{"success", live, nil, OutcomeSuccess},
		{"syntax error", live, pgErr("42601"), OutcomeSuccess},
		{"constraint violation", live, pgErr("23505"), OutcomeSuccess},
		{"serialization failure", live, pgErr("40001"), OutcomeSuccess},
		{"statement timeout", live, pgErr("57014"), OutcomeSuccess},
		{"admin shutdown", live, pgErr("57P01"), OutcomeFailure},
		{"starting up", live, pgErr("57P03"), OutcomeFailure},
		{"too many connections", live, pgErr("53300"), OutcomeFailure},
		{"connection exception", live, pgErr("08006"), OutcomeFailure},
		{"connect error", live, connectError(t), OutcomeFailure},
		{"eof", live, io.ErrUnexpectedEOF, OutcomeFailure},
		{"inner deadline passed", live, fmt.Errorf("ping: %w", context.DeadlineExceeded), OutcomeFailure},
		{"caller cancelled", cancelled, fmt.Errorf("query: %w", context.Canceled), OutcomeIgnored},
		{"caller gone, connection error", cancelled, io.ErrUnexpectedEOF, OutcomeIgnored},
		{"cancelled by someone", live, context.Canceled, OutcomeIgnored},
		{"other client error", live, errors.New("cannot scan"), OutcomeSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := breakerOutcome(tt.ctx, tt.err); got != tt.want {
				t.Errorf("breakerOutcome(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{ErrBreakerOpen, "breaker_open"},
		{context.Canceled, "canceled"},
		{context.DeadlineExceeded, "timeout"},
		{pgErr("57014"), "timeout"},
		{pgErr("40001"), "conflict"},
		{pgErr("40P01"), "conflict"},
		{pgErr("23505"), "constraint"},
		{pgErr("42601"), "syntax_or_access"},
		{pgErr("57P01"), "connection"},
		{pgErr("08006"), "connection"},
		{pgErr("22012"), "other"},
		{io.EOF, "connection"},
		{errors.New("x"), "other"},
	}
	for _, tt := range tests {
		if got := errorClass(tt.err); got != tt.want {
			t.Errorf("errorClass(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
