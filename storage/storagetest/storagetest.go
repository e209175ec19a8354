// Package storagetest gives tests of any package an isolated PostgreSQL
// database and the Redis URL of the test environment. Tests skip when the
// environment variable is unset and fail when it is set but the service is
// unreachable: CI sets both, so nothing skips there.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// The environment variables naming the test services.
const (
	DatabaseURLEnv = "NETWORX_TEST_DATABASE_URL"
	RedisURLEnv    = "NETWORX_TEST_REDIS_URL"
)

// setupTimeout bounds each call to a test service made here.
const setupTimeout = 10 * time.Second

// maxIdentifier is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const maxIdentifier = 63

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// AdminDatabaseURL returns NETWORX_TEST_DATABASE_URL, skipping the test if
// it is unset.
func AdminDatabaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(DatabaseURLEnv)
	if u == "" {
		t.Skipf("%s is not set", DatabaseURLEnv)
	}
	return u
}

// NewDatabase creates a fresh, empty database on the server named by
// NETWORX_TEST_DATABASE_URL, returns a URL for it, and drops it (closing any
// connection left open to it) when the test ends. It skips the test if the
// variable is unset and fails it if the server is unreachable.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := AdminDatabaseURL(t)

	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix) // crypto/rand.Read never fails
	base := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name := "networx_test_"
	if room := maxIdentifier - len(name) - 1 - 2*len(suffix); len(base) > room {
		base = base[:room]
	}
	name += base + "_" + hex.EncodeToString(suffix)

	exec(t, admin, "create database "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() {
		exec(t, admin, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
	})
	return withDatabase(t, admin, name)
}

// exec runs one statement on a short-lived admin connection.
func exec(t testing.TB, adminURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", DatabaseURLEnv, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// withDatabase returns adminURL pointing at database name instead; it
// handles both the URL and the key=value forms.
func withDatabase(t testing.TB, adminURL, name string) string {
	t.Helper()
	if strings.HasPrefix(adminURL, "postgres://") || strings.HasPrefix(adminURL, "postgresql://") {
		u, err := url.Parse(adminURL)
		if err != nil {
			t.Fatalf("parse %s: %v", DatabaseURLEnv, err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String()
	}
	return adminURL + " dbname=" + name
}

// RedisURL returns NETWORX_TEST_REDIS_URL after checking that the server
// answers a PING. It skips the test if the variable is unset and fails it if
// the server is unreachable. Tests share the server, so each uses its own
// key prefix.
func RedisURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(RedisURLEnv)
	if raw == "" {
		t.Skipf("%s is not set", RedisURLEnv)
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", RedisURLEnv, err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s (%s) unreachable: %v", opts.Addr, RedisURLEnv, err)
	}
	return raw
}
