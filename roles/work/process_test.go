package work_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"networx/cli/clitest"
	"networx/jobs"
	"networx/jobs/queuetest"
	"networx/storage/storagetest"
)

// The process tests start the real binary as separate processes (workers and the operator
// CLI) against a redis-server of their own (so they can stop and restart it), a database of
// their own and a blob folder of their own.

// binary returns the networx binary, built once per test process.
func binary(t *testing.T) string { return clitest.Binary(t) }

// stack is one isolated set of services and the environment pointing networx at them.
type stack struct {
	t         *testing.T
	bin       string
	dir       string
	redisPort int
	redisCmd  *exec.Cmd
	dbURL     string
	env       []string
	rdb       *redis.Client
	store     *jobs.Store
	queue     jobs.Queue
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newStack starts the services with the Redis queue driver. settings are extra NETWORX_*
// variables.
func newStack(t *testing.T, settings ...string) *stack {
	return newStackDriver(t, "redis", settings...)
}

// newStackDriver starts the services with the queue driver (redis or sqs: the SQS stand-in
// of NETWORX_TEST_SQS_ENDPOINT with queue names of the test's own).
func newStackDriver(t *testing.T, driver string, settings ...string) *stack {
	t.Helper()
	sqsEndpoint := os.Getenv(queuetest.EnvSQSEndpoint)
	if driver == "sqs" && sqsEndpoint == "" {
		t.Skipf("%s not set", queuetest.EnvSQSEndpoint)
	}
	if os.Getenv(queuetest.EnvRedisURL) == "" {
		t.Skipf("%s not set", queuetest.EnvRedisURL)
	}
	dbURL := storagetest.NewDatabase(t)
	s := &stack{t: t, bin: binary(t), dir: t.TempDir(), redisPort: freePort(t), dbURL: dbURL}
	s.startRedis()
	t.Cleanup(s.stopRedis)
	s.rdb = redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.redisPort), MaxRetries: -1})
	t.Cleanup(func() { s.rdb.Close() })
	var err error
	if s.store, err = jobs.NewStore(s.rdb, jobs.StoreConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETWORX_") {
			s.env = append(s.env, kv)
		}
	}
	if driver == "sqs" {
		prefix := "nxt-" + jobs.RandomID()[:8] + "-"
		s.env = append(s.env, "AWS_ENDPOINT_URL_SQS="+sqsEndpoint, "NETWORX_QUEUE_NAME_PREFIX="+prefix,
			"NETWORX_QUEUE_CREATE_QUEUES=true")
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			s.env = append(s.env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=testsecret")
		}
		if os.Getenv("AWS_REGION") == "" {
			s.env = append(s.env, "AWS_REGION=us-east-1")
		}
		ctx := context.Background()
		client, err := queuetest.NewSQSClient(ctx, sqsEndpoint)
		if err != nil {
			t.Fatal(err)
		}
		s.queue, err = jobs.NewSQSQueue(ctx, client, jobs.SQSQueueConfig{Name: jobs.QueueOptimization,
			QueueName: prefix + "optimization.fifo", FIFO: true, MaxReceives: 6, Create: true})
	} else {
		s.queue, err = jobs.NewRedisQueue(s.rdb, jobs.RedisQueueConfig{Name: jobs.QueueOptimization, FIFO: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	s.env = append(s.env,
		"NETWORX_DATABASE_URL="+dbURL,
		fmt.Sprintf("NETWORX_REDIS_URL=redis://127.0.0.1:%d/0", s.redisPort),
		"NETWORX_BLOB_URL=file://"+filepath.Join(s.dir, "blobs"),
		"NETWORX_QUEUE_DRIVER="+driver,
		"NETWORX_JOBS_VISIBILITY_TIMEOUT=6s",
		"NETWORX_JOBS_CONCURRENCY=2",
		"NETWORX_LOG_FORMAT=json",
	)
	s.env = append(s.env, settings...)
	if out, code := s.cli("migrate"); code != 0 {
		t.Fatalf("migrate: %s", out)
	}
	return s
}

// startRedis starts redis-server with an append-only file synced on every write, so a
// restart loses nothing.
func (s *stack) startRedis() {
	s.t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatalf("redis-server is needed by the process tests: %v", err)
	}
	dir := filepath.Join(s.dir, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Fatal(err)
	}
	log, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(s.redisPort), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.redisCmd = cmd
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.redisPort)})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.t.Fatal("redis-server did not answer")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopRedis shuts redis-server down (flushing its append-only file) and waits for it.
func (s *stack) stopRedis() {
	if s.redisCmd == nil {
		return
	}
	_ = s.redisCmd.Process.Signal(syscall.SIGTERM)
	_ = s.redisCmd.Wait()
	s.redisCmd = nil
}

// cli runs networx with args and returns its stdout and exit code; stderr is logged when
// the command fails.
func (s *stack) cli(args ...string) (string, int) {
	s.t.Helper()
	return clitest.Run(s.t, s.bin, s.env, args...)
}

// worker is one networx work process.
type worker struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func (s *stack) startWorker(name string, args ...string) *worker {
	s.t.Helper()
	logPath := filepath.Join(s.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, append([]string{"work", "--queue=optimization"}, args...)...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	w := &worker{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		f.Close()
		close(w.done)
	}()
	s.t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			_ = cmd.Process.Kill()
			<-w.done
		}
		if s.t.Failed() {
			b, _ := os.ReadFile(logPath)
			s.t.Logf("log of %s:\n%s", name, lastLines(string(b), 40))
		}
	})
	return w
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// owns reports whether the worker id belongs to w's process.
func (w *worker) owns(workerID string) bool {
	return strings.Contains(workerID, fmt.Sprintf("-%d-", w.cmd.Process.Pid))
}

// logLines returns the JSON log lines of w with message msg.
func (w *worker) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	f, err := os.Open(w.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// submit submits a solve job through the CLI and returns its id.
func (s *stack) submit(file, tenant, timeLimit string) string {
	s.t.Helper()
	out, code := s.cli("jobs", "submit", "solve", "--file", file, "--tenant", tenant, "--time-limit", timeLimit)
	if code != 0 {
		s.t.Fatalf("submit: %s", out)
	}
	return out
}

// records returns the records of ids.
func (s *stack) records(ids []string) []*jobs.Record {
	s.t.Helper()
	out := make([]*jobs.Record, 0, len(ids))
	for _, id := range ids {
		r, err := s.store.Get(context.Background(), id)
		if err != nil {
			s.t.Fatalf("job %s: %v", id, err)
		}
		out = append(out, r)
	}
	return out
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *stack) queueStats() jobs.QueueStats {
	s.t.Helper()
	st, err := s.queue.Stats(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// history returns job id to status of the run history in PostgreSQL.
func (s *stack) history() map[string]string {
	s.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "select id, status from job_runs")
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			s.t.Fatal(err)
		}
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}
