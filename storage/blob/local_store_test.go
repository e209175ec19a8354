package blob_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"networx/storage/blob"
	"networx/storage/blob/blobtest"
)

// testSecret signs local presigned URLs in tests.
var testSecret = bytes.Repeat([]byte("k"), blob.MinPresignSecret)

func TestLocalStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, _ := newLocal(t, blob.Config{})
		return s
	})
}

// newLocal returns a LocalStore in a fresh folder whose handler is mounted at /api/blob/
// of a test server, as the serve role mounts it. cfg's presign fields are filled in.
func newLocal(t *testing.T, cfg blob.Config) (*blob.LocalStore, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	cfg.PresignBaseURL = "http://" + srv.Listener.Addr().String() + "/api/blob"
	if cfg.PresignSecret == nil {
		cfg.PresignSecret = testSecret
	}
	s, err := blob.NewLocal(filepath.Join(t.TempDir(), "root"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/api/blob/", http.StripPrefix("/api/blob", s.Handler()))
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv
}

func TestLocalStoreStaysInRoot(t *testing.T) {
	t.Parallel()
	s, _ := newLocal(t, blob.Config{})
	ctx := t.Context()
	parent := filepath.Dir(s.Root())
	// Plant a target beside the root that escapes would reach.
	if err := os.WriteFile(filepath.Join(parent, "victim"), []byte("victim"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := []string{"../victim", "a/../../victim", "/" + filepath.ToSlash(filepath.Join(parent, "victim")),
		`..\victim`, ".blob-upload-x", "a/.blob-upload-1"}
	for _, k := range blobtest.BadKeys {
		keys = append(keys, k.Key)
	}
	for _, key := range keys {
		if err := s.Put(ctx, key, strings.NewReader("owned"), 5, ""); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) error = %v, want ErrInvalidKey", key, err)
		}
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "root,victim" {
		t.Errorf("folder around the root holds %q, want only root and victim", names)
	}
	if b, err := os.ReadFile(filepath.Join(parent, "victim")); err != nil || string(b) != "victim" {
		t.Errorf("victim = %q, %v; want it untouched", b, err)
	}
	if n := countFiles(t, s.Root()); n != 0 {
		t.Errorf("root holds %d files after rejected keys, want 0", n)
	}
}

func TestLocalStoreAtomicOverwrite(t *testing.T) {
	t.Parallel()
	s, _ := newLocal(t, blob.Config{})
	ctx := t.Context()
	const key = "atomic/x.bin"
	// Two versions of distinct single bytes: a reader of a partial or mixed file sees a
	// wrong length or both bytes.
	const size = 1 << 20
	versions := [][]byte{bytes.Repeat([]byte{'A'}, size), bytes.Repeat([]byte{'B'}, size)}
	if err := s.Put(ctx, key, bytes.NewReader(versions[0]), size, ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Put(ctx, key, bytes.NewReader(versions[i%2]), size, ""); err != nil {
				t.Errorf("Put: %v", err)
				return
			}
		}
	})
	// Reads enough to overlap many writes.
	const reads = 200
	for range reads {
		rc, _, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if len(b) != size || (!bytes.Equal(b, versions[0]) && !bytes.Equal(b, versions[1])) {
			t.Fatalf("read %d bytes that are neither version whole", len(b))
		}
	}
	close(stop)
	wg.Wait()
	if n := countFiles(t, s.Root()); n != 1 {
		t.Errorf("root holds %d files after overwrites, want 1 (no upload temporaries)", n)
	}
}

func TestLocalStoreFailedPutLeavesNoTemporary(t *testing.T) {
	t.Parallel()
	s, _ := newLocal(t, blob.Config{})
	err := s.Put(t.Context(), "t/x.bin", io.MultiReader(strings.NewReader("partial"), failReader{}), -1, "")
	if err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	if n := countFiles(t, s.Root()); n != 0 {
		t.Errorf("root holds %d files after a failed Put, want 0", n)
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("fail") }

func TestLocalPresign(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	s, srv := newLocal(t, blob.Config{Now: clock})
	ctx := t.Context()
	if err := s.Put(ctx, "p/x.txt", strings.NewReader("hello"), 5, ""); err != nil {
		t.Fatal(err)
	}
	getURL, err := s.PresignGet(ctx, "p/x.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(getURL, srv.URL+"/api/blob/p/x.txt?") {
		t.Errorf("presigned URL %s, want it below %s/api/blob/", getURL, srv.URL)
	}
	tests := []struct {
		name   string
		method string
		url    string
		wait   time.Duration // clock advance before the request
		want   int
	}{
		{name: "valid", method: http.MethodGet, url: getURL, want: http.StatusOK},
		{name: "HEAD", method: http.MethodHead, url: getURL, want: http.StatusOK},
		{name: "no signature", method: http.MethodGet, url: strings.Split(getURL, "?")[0], want: http.StatusForbidden},
		{name: "longer expiry", method: http.MethodGet, url: strings.Replace(getURL, "X-Blob-Expires=1", "X-Blob-Expires=2", 1), want: http.StatusForbidden},
		{name: "DELETE", method: http.MethodDelete, url: getURL, want: http.StatusMethodNotAllowed},
		{name: "at expiry", method: http.MethodGet, url: getURL, wait: time.Minute, want: http.StatusOK},
		{name: "expired", method: http.MethodGet, url: getURL, wait: time.Second, want: http.StatusForbidden},
	}
	for _, tt := range tests {
		advance(tt.wait)
		req, err := http.NewRequestWithContext(ctx, tt.method, tt.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %s status %d, want %d", tt.name, tt.method, resp.StatusCode, tt.want)
		}
	}
}

func TestLocalPresignOtherSecret(t *testing.T) {
	t.Parallel()
	s, _ := newLocal(t, blob.Config{})
	other, otherSrv := newLocal(t, blob.Config{PresignSecret: bytes.Repeat([]byte("o"), blob.MinPresignSecret)})
	ctx := t.Context()
	if err := other.Put(ctx, "x", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx, "x", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// The same path and query, served by a store with another secret.
	u = otherSrv.URL + u[strings.Index(u, "/api/blob/"):]
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("URL signed with another secret: status %d, want 403", resp.StatusCode)
	}
}

func TestLocalPresignUnconfigured(t *testing.T) {
	t.Parallel()
	s, err := blob.NewLocal(t.TempDir(), blob.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PresignGet(t.Context(), "x", time.Minute); !errors.Is(err, blob.ErrPresignUnsupported) {
		t.Errorf("PresignGet error = %v, want ErrPresignUnsupported", err)
	}
	if _, err := s.PresignPut(t.Context(), "x", time.Minute); !errors.Is(err, blob.ErrPresignUnsupported) {
		t.Errorf("PresignPut error = %v, want ErrPresignUnsupported", err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x?X-Blob-Expires=99999999999&X-Blob-Signature=AA", nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("handler of an unconfigured store: status %d, want 403", rec.Code)
	}
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
