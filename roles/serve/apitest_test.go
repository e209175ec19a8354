package serve

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"networx/cli/clitest"
	"networx/jobs"
	"networx/storage"
	"networx/storage/blob"
	"networx/storage/storagetest"
)

// apiEnv is a server with the whole API on a fresh PostgreSQL database, its own Redis key
// prefix and its own blob store (an S3 bucket when NETWORX_TEST_S3_ENDPOINT is set, a
// temporary folder otherwise).
type apiEnv struct {
	s      *Server
	ts     *httptest.Server
	db     *storage.DB
	rdb    redis.UniversalClient
	store  *jobs.Store
	queues map[string]jobs.Queue
	blob   blob.Store
	prefix string
	keys   *KeyStore
}

type envOptions struct {
	limits Limits
	s3     bool // require S3 (skip without NETWORX_TEST_S3_ENDPOINT)
}

func newAPIEnv(t testing.TB, o envOptions) *apiEnv {
	t.Helper()
	ctx := context.Background()
	dbURL := storagetest.NewDatabase(t)
	redisURL := storagetest.RedisURL(t)
	db, err := storage.Open(ctx, storage.Config{URL: dbURL}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	rdb, err := storage.OpenRedis(ctx, storage.RedisConfig{URL: redisURL})
	if err != nil {
		t.Fatal(err)
	}
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	prefix := "nxtest:serve:" + hex.EncodeToString(rb[:]) + ":"
	t.Cleanup(func() {
		defer rdb.Close()
		iter := rdb.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
	})
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	queues := map[string]jobs.Queue{}
	for _, name := range []string{jobs.QueueOptimization, jobs.QueueFiles, jobs.QueueCapacity} {
		q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: name, FIFO: name == jobs.QueueOptimization, KeyPrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		queues[name] = q
	}
	e := &apiEnv{db: db, rdb: rdb, store: store, queues: queues, prefix: prefix, keys: NewKeyStore(db)}
	e.blob = newTestBlob(t, o.s3)
	reg := prometheus.NewRegistry()
	e.s, err = New(Config{}, slog.New(slog.DiscardHandler), reg, reg, nil, WithAPI(API{
		DB: db, Redis: rdb, Blob: e.blob, Jobs: store, Queues: queues, Limits: o.limits,
	}))
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.s.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// newTestBlob returns an S3 store on a fresh bucket of NETWORX_TEST_S3_ENDPOINT, or a
// local folder when the variable is unset (skipping when S3 is required).
func newTestBlob(t testing.TB, requireS3 bool) blob.Store {
	t.Helper()
	endpoint := os.Getenv("NETWORX_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if requireS3 {
			t.Skip("NETWORX_TEST_S3_ENDPOINT not set (scripts/services.sh up starts a local S3)")
		}
		s, err := blob.NewLocal(t.TempDir(), blob.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(region))
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	var b [6]byte
	_, _ = rand.Read(b[:])
	bucket := "networx-serve-" + hex.EncodeToString(b[:])
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket %s at NETWORX_TEST_S3_ENDPOINT %s: %v", bucket, endpoint, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &bucket})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				break
			}
			for _, obj := range page.Contents {
				_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: obj.Key})
			}
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	})
	s, err := blob.OpenS3(context.Background(), bucket, "", blob.Config{S3Endpoint: endpoint, S3Region: region})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newKey creates a key for tenant and returns its secret.
func (e *apiEnv) newKey(t testing.TB, tenant string) string {
	t.Helper()
	k, err := e.keys.CreateKey(context.Background(), tenant, "test key")
	if err != nil {
		t.Fatal(err)
	}
	return k.Secret
}

// call makes one request; body may be nil, a []byte, a string or a value sent as JSON.
func (e *apiEnv) call(t testing.TB, key, method, path string, body any, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// mustJSON calls and decodes a JSON answer, failing unless the status is want.
func (e *apiEnv) mustJSON(t testing.TB, key, method, path string, body any, want int, out any) {
	t.Helper()
	resp, raw := e.call(t, key, method, path, body, nil)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// upload sends content as the multipart "file" part named name.
func (e *apiEnv) upload(t testing.TB, key, project, name, content string) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, err := http.NewRequest("POST", e.ts.URL+apiPrefix+"/projects/"+project+"/files", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// fixture is one tenant's set of resources, one of each kind.
type fixture struct {
	key, project, scenario, file, dataset, job string
}

// newFixture creates a project, a scenario, an uploaded model file, a dataset version
// (written as the files worker would) and a submitted solve job for tenant.
func (e *apiEnv) newFixture(t testing.TB, tenant string) fixture {
	t.Helper()
	f := fixture{key: e.newKey(t, tenant)}
	var p project
	e.mustJSON(t, f.key, "POST", apiPrefix+"/projects", map[string]any{"name": "network " + tenant}, 201, &p)
	f.project = p.ID
	var sc scenario
	e.mustJSON(t, f.key, "POST", apiPrefix+"/projects/"+p.ID+"/scenarios", map[string]any{"name": "base", "settings": map[string]any{"max_open": 3}}, 201, &sc)
	f.scenario = sc.ID
	resp, raw := e.upload(t, f.key, p.ID, "small.mps", smallMPS)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	var fv fileView
	if err := json.Unmarshal(raw, &fv); err != nil {
		t.Fatal(err)
	}
	f.file = fv.ID
	var id int64
	err := e.db.Pool().QueryRow(context.Background(), `insert into dataset_versions (tenant, dataset, version, file_name, content_hash, status, report)
values ($1, $2, 1, 'small.mps', 'x', 'ready', '{"sheets": []}') returning id`, tenant, p.ID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	f.dataset = fmt.Sprint(id)
	var jv jobView
	e.mustJSON(t, f.key, "POST", apiPrefix+"/jobs", map[string]any{"kind": "solve", "file_id": f.file}, 202, &jv)
	f.job = jv.ID
	return f
}

// smallMPS is the shared test model; its optimum is 13.
var smallMPS = clitest.SmallMPS

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
