package infra_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"networx/cli/clitest"
	"networx/storage/storagetest"
)

// stack is an isolated set of services for the process tests: a fresh database on the
// server of NETWORX_TEST_DATABASE_URL, a redis-server of the test's own (networx has no
// Redis key prefix setting, and a worker must not take another test's jobs), a blob
// folder, and the environment pointing networx at them with the Redis queue driver.
type stack struct {
	t     *testing.T
	bin   string
	dir   string
	dbURL string
	env   []string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	storagetest.RedisURL(t) // skips without NETWORX_TEST_REDIS_URL, like every Redis test
	s := &stack{t: t, bin: clitest.Binary(t), dir: t.TempDir(), dbURL: storagetest.NewDatabase(t)}
	redisURL := s.startRedis()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETWORX_") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env,
		"NETWORX_DATABASE_URL="+s.dbURL,
		"NETWORX_REDIS_URL="+redisURL,
		"NETWORX_BLOB_URL=file://"+filepath.Join(s.dir, "blobs"),
		"NETWORX_QUEUE_DRIVER=redis",
		"NETWORX_LOG_FORMAT=json",
	)
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startRedis starts a redis-server without persistence for the test and returns its URL.
func (s *stack) startRedis() string {
	s.t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatalf("the process tests need redis-server on PATH: %v", err)
	}
	addr := freeAddr(s.t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on %s did not answer:\n%s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "redis://" + addr + "/0"
}

// run runs networx with args to the end and returns its stdout and exit code.
func (s *stack) run(args ...string) (string, int) {
	s.t.Helper()
	return clitest.Run(s.t, s.bin, s.env, args...)
}

// mustRun is run for a command that must succeed.
func (s *stack) mustRun(args ...string) string {
	s.t.Helper()
	out, code := s.run(args...)
	if code != 0 {
		s.t.Fatalf("networx %v exited %d", args, code)
	}
	return out
}

// start starts a long-running networx process; the test's cleanup stops it with SIGTERM
// (SIGKILL after 20 s) and prints its log if the test failed.
func (s *stack) start(name string, args ...string) {
	s.t.Helper()
	logPath := filepath.Join(s.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); f.Close(); close(done) }()
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if s.t.Failed() {
			b, _ := os.ReadFile(logPath)
			s.t.Logf("log of %s:\n%s", name, b)
		}
	})
}

// get fetches http://addr/path, waiting up to 30 s for the listener to come up.
func (s *stack) get(addr, path string) (int, string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + path)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("GET http://%s%s: %v", addr, path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// smallMPS is the shared test model; its optimum is 13.
var smallMPS = clitest.SmallMPS

// solveJobs submits n solve jobs of smallMPS and waits for each to succeed; a worker must
// be running.
func (s *stack) solveJobs(n int) []string {
	s.t.Helper()
	model := filepath.Join(s.dir, "small.mps")
	if err := os.WriteFile(model, []byte(smallMPS), 0o644); err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for i := range n {
		ids = append(ids, s.mustRun("jobs", "submit", "solve", "--file", model, "--tenant", "t"+strconv.Itoa(i%2)))
	}
	for _, id := range ids {
		if out, code := s.run("jobs", "wait", id, "--timeout", "90s"); code != 0 || out != "succeeded" {
			s.t.Fatalf("job %s ended %q (exit %d)", id, out, code)
		}
	}
	return ids
}

func (s *stack) String() string { return fmt.Sprintf("stack in %s", s.dir) }
