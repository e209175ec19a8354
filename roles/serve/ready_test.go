package serve

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"networx/storage"
	"networx/storage/storagetest"
)

// TestReadyFollowsPostgreSQL runs readiness against a real PostgreSQL behind a proxy that
// the test switches off and on: 503 naming postgresql while it is unreachable, 200 once it
// is back (after the breaker's open timeout lets a probe through).
func TestReadyFollowsPostgreSQL(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := storagetest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()

	db, err := storage.Open(t.Context(), storage.Config{
		URL:                     u.String(),
		ConnectTimeout:          300 * time.Millisecond,
		BreakerFailureThreshold: 2,
		BreakerOpenTimeout:      200 * time.Millisecond,
	}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ := newTestServer(t, []Check{{Name: "postgresql", Probe: db.Ping}})

	waitFor := func(wantCode int, wantBody string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, body := do(t, s.Handler(), "GET", "/api/ready", nil)
			if resp.StatusCode == wantCode && strings.Contains(body, wantBody) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/api/ready: %d %s; want %d containing %q", resp.StatusCode, body, wantCode, wantBody)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(200, `"postgresql":"ok"`)
	proxy.SetDown(true)
	waitFor(503, "not ready: postgresql unreachable")
	proxy.SetDown(false)
	waitFor(200, `"postgresql":"ok"`)
}
