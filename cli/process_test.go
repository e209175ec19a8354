package cli_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/cli/clitest"
	"networx/storage"
	"networx/storage/storagetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeProcess starts `networx serve` as a process against a fresh database and the
// test Redis: health and readiness answer 200, /metrics has networx_ series, SIGTERM exits
// 0 within the shutdown timeout.
func TestServeProcess(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	redisURL := storagetest.RedisURL(t)
	bin := clitest.Binary(t)
	addr := freeAddr(t)

	cmd := exec.Command(bin, "serve", "--addr", addr, "--migrate", "--set", "http.shutdown_timeout=5s")
	cmd.Env = append(os.Environ(),
		"NETWORX_DATABASE_URL="+dbURL,
		"NETWORX_REDIS_URL="+redisURL,
		"NETWORX_BLOB_URL=file://"+t.TempDir(),
	)
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := get("/api/health"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer /api/health; logs:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get("/api/ready"); code != 200 || !strings.Contains(body, `"postgresql":"ok"`) || !strings.Contains(body, `"redis":"ok"`) || !strings.Contains(body, `"blob":"ok"`) {
		t.Errorf("/api/ready = %d %s", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "networx_http_requests_total") || !strings.Contains(body, "networx_db_breaker_state") || !strings.Contains(body, "networx_db_pool_max_connections") {
		t.Errorf("/metrics = %d, lacks networx_ series", code)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM; logs:\n%s", err, logs.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("serve still running %s after SIGTERM", time.Since(start))
	}
	if !strings.Contains(logs.String(), `"msg":"http server stopped"`) {
		t.Errorf("no orderly stop in logs:\n%s", logs.String())
	}
}

// TestConcurrentMigrateProcesses runs two `networx migrate` processes at once on a fresh
// database: each migration is applied exactly once, and a third run is a no-op.
func TestConcurrentMigrateProcesses(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	bin := clitest.Binary(t)
	run := func() (string, error) {
		cmd := exec.Command(bin, "migrate", "up")
		cmd.Env = append(os.Environ(), "NETWORX_DATABASE_URL="+dbURL)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { outs[i], errs[i] = run() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("migrate: %v\n%s\n%s", err, outs[0], outs[1])
	}
	all, err := storage.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	applied := len(regexp.MustCompile(`(?m)^applied \d{4} `).FindAllString(outs[0]+outs[1], -1))
	if applied != len(all) {
		t.Errorf("the two processes applied %d migrations in all, want %d exactly once each:\n%s\n%s", applied, len(all), outs[0], outs[1])
	}

	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, distinct int
	if err := conn.QueryRow(context.Background(), "select count(*), count(distinct version) from schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(all) || distinct != len(all) {
		t.Errorf("schema_migrations has %d rows (%d distinct), want %d", rows, distinct, len(all))
	}

	out, err := run()
	if err != nil || !strings.Contains(out, "database is up to date") {
		t.Errorf("re-run: %v %s", err, out)
	}
	cmd := exec.Command(bin, "migrate", "status")
	cmd.Env = append(os.Environ(), "NETWORX_DATABASE_URL="+dbURL)
	status, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(status), "pending") || !strings.Contains(string(status), fmt.Sprintf("%04d", all[0].Version)) {
		t.Errorf("migrate status: %v\n%s", err, status)
	}
}

// TestConfigCommands checks config verify and print through the binary: several errors at
// once, and a redacted password.
func TestConfigCommands(t *testing.T) {
	bin := clitest.Binary(t)
	cmd := exec.Command(bin, "config", "verify", "--set", "queue.driver=kafka")
	cmd.Env = append(os.Environ(), "NETWORX_DATABASE_MAX_CONNS=0", "NETWORX_LOG_LEVEL=loud")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("verify accepted a bad configuration:\n%s", out)
	}
	for _, want := range []string{"queue.driver", "database.max_conns", "log.level"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("verify output lacks %s:\n%s", want, out)
		}
	}
	cmd = exec.Command(bin, "config", "print")
	cmd.Env = append(os.Environ(), "NETWORX_DATABASE_URL=postgres://app:hunter2@db:5432/networx")
	out, err = cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "app:REDACTED@db") {
		t.Errorf("config print: %v\n%s", err, out)
	}
}
