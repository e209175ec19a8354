package serve

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func newTestServer(t *testing.T, checks []Check) (*Server, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&syncWriter{b: &logs}, nil))
	reg := prometheus.NewRegistry()
	s, err := New(Config{Addr: "127.0.0.1:0", ReadyTimeout: 500 * time.Millisecond}, logger, reg, reg, checks)
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

type syncWriter struct{ b *strings.Builder }

func (w *syncWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

func do(t *testing.T, h http.Handler, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

func TestRoutes(t *testing.T) {
	failing := errors.New("dial tcp 127.0.0.1:1: connection refused")
	tests := []struct {
		name     string
		checks   []Check
		path     string
		wantCode int
		wantBody []string
	}{
		{name: "health touches nothing", checks: []Check{{Name: "postgresql", Probe: func(context.Context) error { return failing }}},
			path: "/api/health", wantCode: 200, wantBody: []string{`"status":"ok"`}},
		{name: "ready when all answer", checks: []Check{{Name: "postgresql", Probe: func(context.Context) error { return nil }}, {Name: "redis", Probe: func(context.Context) error { return nil }}},
			path: "/api/ready", wantCode: 200, wantBody: []string{`"postgresql":"ok"`, `"redis":"ok"`}},
		{name: "not ready names the failure", checks: []Check{{Name: "postgresql", Probe: func(context.Context) error { return failing }}, {Name: "redis", Probe: func(context.Context) error { return nil }}},
			path: "/api/ready", wantCode: 503, wantBody: []string{`"code":"not_ready"`, `not ready: postgresql unreachable`, `connection refused`, `"redis":"ok"`}},
		{name: "slow check times out", checks: []Check{{Name: "blob", Probe: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}},
			path: "/api/ready", wantCode: 503, wantBody: []string{`blob unreachable`, `deadline exceeded`}},
		{name: "unknown route is a JSON 404", path: "/nope", wantCode: 404, wantBody: []string{`"code":"not_found"`, `"request_id"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestServer(t, tc.checks)
			resp, body := do(t, s.Handler(), "GET", tc.path, nil)
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.wantCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			for _, w := range tc.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %s", w, body)
				}
			}
		})
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	s, logs := newTestServer(t, nil)
	resp, _ := do(t, s.Handler(), "GET", "/api/health", map[string]string{"X-Request-Id": "abc-123"})
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("request id %q, want the caller's abc-123", got)
	}
	resp, _ = do(t, s.Handler(), "GET", "/api/health", map[string]string{"X-Request-Id": "bad id\n"})
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " \n") {
		t.Errorf("an invalid incoming id must be replaced, got %q", got)
	}
	var entry map[string]any
	line, _, _ := strings.Cut(logs.String(), "\n")
	if err := json.Unmarshal([]byte(line), &entry); err != nil {
		t.Fatalf("access log is not JSON: %q", line)
	}
	for _, k := range []string{"request_id", "method", "route", "status", "duration_ms"} {
		if _, ok := entry[k]; !ok {
			t.Errorf("access log lacks %s: %v", k, entry)
		}
	}
	if entry["route"] != "GET /api/health" || entry["request_id"] != "abc-123" {
		t.Errorf("access log route/request id wrong: %v", entry)
	}
}

func TestPanicBecomesJSON500WithoutStack(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&syncWriter{b: &logs}, nil))
	reg := prometheus.NewRegistry()
	mw, err := newMiddleware(logger, reg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("secret internal detail") })
	resp, body := do(t, mw.wrap(mux), "GET", "/boom", nil)
	if resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	if !strings.Contains(body, `"code":"internal"`) || strings.Contains(body, "goroutine") || strings.Contains(body, "secret internal detail") {
		t.Errorf("500 body must be the JSON error without stack or panic text: %s", body)
	}
	if !strings.Contains(logs.String(), "secret internal detail") {
		t.Errorf("the panic should be logged for operators: %s", logs.String())
	}
}

func TestMetricsExposeNetworxSeries(t *testing.T) {
	s, _ := newTestServer(t, nil)
	do(t, s.Handler(), "GET", "/api/health", nil)
	_, body := do(t, s.Handler(), "GET", "/metrics", nil)
	for _, w := range []string{`networx_http_requests_total{code="200",method="GET",route="GET /api/health"} 1`, "networx_http_request_duration_seconds_bucket"} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
}

func TestGracefulShutdown(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&syncWriter{b: &logs}, nil))
	reg := prometheus.NewRegistry()
	s, err := New(Config{ShutdownTimeout: 2 * time.Second}, logger, reg, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/api/health"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
