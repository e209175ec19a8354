// Package blobtest is the conformance suite every blob.Store implementation passes. Each
// implementation's tests call Run with a constructor for a fresh, empty store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"networx/storage/blob"
)

const (
	// largeSize is the streamed upload size: well above any part size and above the
	// memory bound, so a store that buffers whole bodies cannot pass.
	largeSize = 50 << 20
	// maxHeapGrowth bounds the heap in use during the large upload, above its level
	// before. An S3 upload holds UploadConcurrency+1 parts (24 MiB by default); the rest
	// is slack for the SDK, the HTTP stack and garbage not yet collected.
	maxHeapGrowth = 40 << 20
	// largeGCPercent makes the collector run often during the large upload, so the heap
	// measures what the store holds rather than how lazily garbage is collected: with
	// GOGC=20 the heap overshoots the live set by about 20%.
	largeGCPercent = 20
	// heapSampleEvery is how often the heap is sampled during the large upload.
	heapSampleEvery = 2 * time.Millisecond
	// listKeys is the number of keys in the listing test; S3 runs use a page size well
	// below it to exercise paging.
	listKeys = 30
	// presignTTL is the lifetime of URLs the presign tests use at once.
	presignTTL = 5 * time.Minute
	// clockSlack bounds the distance between a reported ModTime and the test's clock;
	// generous because the store may run on another machine.
	clockSlack = time.Hour
)

// Run runs the suite. newStore returns a fresh, empty store, registers its own cleanup,
// and hands out presigned URLs that work with a plain net/http client.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Helper()
	// First and alone: it measures the heap, which parallel subtests would disturb. The
	// parallel subtests below start only after Run's caller returns.
	t.Run("LargeStream", func(t *testing.T) { testLargeStream(t, newStore(t)) })
	tests := []struct {
		name string
		fn   func(*testing.T, blob.Store)
	}{
		{"PutGet", testPutGet},
		{"GetRange", testGetRange},
		{"Stat", testStat},
		{"List", testList},
		{"Delete", testDelete},
		{"Overwrite", testOverwrite},
		{"NotFound", testNotFound},
		{"FailedPut", testFailedPut},
		{"Presign", testPresign},
		{"InvalidKeys", testInvalidKeys},
		{"Tenants", testTenants},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func testPutGet(t *testing.T, s blob.Store) {
	tests := []struct {
		name        string
		key         string
		data        []byte
		size        int64 // declared size; -1 unknown
		contentType string
		checkType   bool // both stores agree on the type for this key's extension
	}{
		{name: "empty", key: "pg/empty.bin", data: nil, size: 0},
		{name: "small", key: "pg/a/b/c.txt", data: []byte("hello"), size: 5, contentType: "text/plain"},
		{name: "json type", key: "pg/doc.json", data: []byte(`{"a":1}`), size: 7, contentType: "application/json", checkType: true},
		{name: "unknown size", key: "pg/unknown.bin", data: generate(1, 1<<20), size: -1},
		{name: "odd characters", key: "pg/données/a b+c=d,e;f(1)~%25.bin", data: []byte("odd"), size: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(t.Context(), tt.key, bytes.NewReader(tt.data), tt.size, tt.contentType); err != nil {
				t.Fatalf("Put: %v", err)
			}
			rc, info, err := s.Get(t.Context(), tt.key)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			got := readAll(t, rc)
			if !bytes.Equal(got, tt.data) {
				t.Errorf("Get returned %d bytes, want %d bytes as put", len(got), len(tt.data))
			}
			if info.Key != tt.key || info.Size != int64(len(tt.data)) {
				t.Errorf("Get info = %+v, want key %q size %d", info, tt.key, len(tt.data))
			}
			if tt.checkType && info.ContentType != tt.contentType {
				t.Errorf("Get content type = %q, want %q", info.ContentType, tt.contentType)
			}
		})
	}
}

func testGetRange(t *testing.T, s blob.Store) {
	const key = "range/data.bin"
	data := generate(2, 1000)
	put(t, s, key, data)
	tests := []struct {
		name           string
		offset, length int64
		want           []byte
		wantErr        error
	}{
		{name: "first byte", offset: 0, length: 1, want: data[:1]},
		{name: "middle", offset: 100, length: 50, want: data[100:150]},
		{name: "last byte", offset: 999, length: 1, want: data[999:]},
		{name: "to end", offset: 990, length: -1, want: data[990:]},
		{name: "whole", offset: 0, length: -1, want: data},
		{name: "past end is cut", offset: 990, length: 100, want: data[990:]},
		{name: "offset at end", offset: 1000, length: 1, wantErr: blob.ErrInvalidRange},
		{name: "offset beyond end", offset: 5000, length: -1, wantErr: blob.ErrInvalidRange},
		{name: "negative offset", offset: -1, length: 1, wantErr: blob.ErrInvalidRange},
		{name: "zero length", offset: 10, length: 0, wantErr: blob.ErrInvalidRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := s.GetRange(t.Context(), key, tt.offset, tt.length)
			if tt.wantErr != nil {
				if err == nil {
					rc.Close()
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("GetRange(%d, %d) error = %v, want %v", tt.offset, tt.length, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetRange(%d, %d): %v", tt.offset, tt.length, err)
			}
			if got := readAll(t, rc); !bytes.Equal(got, tt.want) {
				t.Errorf("GetRange(%d, %d) returned %d bytes, want %d", tt.offset, tt.length, len(got), len(tt.want))
			}
		})
	}
}

func testStat(t *testing.T, s blob.Store) {
	before := time.Now()
	if err := s.Put(t.Context(), "stat/x.json", strings.NewReader(`[1]`), 3, "application/json"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	put(t, s, "stat/dir/inner.bin", []byte("inner"))
	info, err := s.Stat(t.Context(), "stat/x.json")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.Key != "stat/x.json" || info.Size != 3 || info.ContentType != "application/json" {
		t.Errorf("Stat = %+v, want key stat/x.json, size 3, type application/json", info)
	}
	if info.ModTime.Before(before.Add(-clockSlack)) || info.ModTime.After(time.Now().Add(clockSlack)) {
		t.Errorf("Stat ModTime = %v, want about %v", info.ModTime, before)
	}
	// A prefix of other keys is not itself an object.
	if _, err := s.Stat(t.Context(), "stat/dir"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(prefix of keys) error = %v, want ErrNotFound", err)
	}
}

func testList(t *testing.T, s blob.Store) {
	sizes := map[string]int64{}
	add := func(key string, size int) {
		put(t, s, key, generate(uint64(size), size))
		sizes[key] = int64(size)
	}
	for i := range listKeys {
		add(fmt.Sprintf("list/k%02d", i), i)
	}
	add("list/sub/deep.bin", 7)
	add("list-sibling", 3) // '-' sorts before '/': ordering across folder boundaries
	add("list.dot", 4)
	add("lisx", 2)
	add("other/y", 1)

	keysWith := func(prefix string) []string {
		var keys []string
		for k := range sizes {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		return keys
	}
	tests := []struct {
		name   string
		prefix string
	}{
		{name: "folder", prefix: "list/"},
		{name: "partial segment", prefix: "list/k1"},
		{name: "across folders", prefix: "list"},
		{name: "everything", prefix: ""},
		{name: "deep", prefix: "list/sub/"},
		{name: "nothing", prefix: "nothing/"},
		{name: "exact key", prefix: "other/y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := s.List(t.Context(), tt.prefix, func(info blob.Info) error {
				got = append(got, info.Key)
				if want, ok := sizes[info.Key]; !ok || info.Size != want {
					t.Errorf("List info %+v, want size %d", info, want)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			if want := keysWith(tt.prefix); !slices.Equal(got, want) {
				t.Errorf("List(%q) =\n%q\nwant\n%q", tt.prefix, got, want)
			}
		})
	}
	t.Run("stop early", func(t *testing.T) {
		errStop := errors.New("stop")
		n := 0
		err := s.List(t.Context(), "list/", func(blob.Info) error {
			n++
			if n == 5 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) || n != 5 {
			t.Errorf("List stopping at 5: error %v after %d calls, want errStop after 5", err, n)
		}
	})
}

func testDelete(t *testing.T, s blob.Store) {
	put(t, s, "del/x", []byte("x"))
	put(t, s, "del/dir/kept", []byte("kept"))
	tests := []struct {
		name string
		key  string
	}{
		{name: "existing", key: "del/x"},
		{name: "again", key: "del/x"},
		{name: "never existed", key: "del/never"},
		{name: "prefix of a key", key: "del/dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Delete(t.Context(), tt.key); err != nil {
				t.Fatalf("Delete(%q): %v", tt.key, err)
			}
			if _, err := s.Stat(t.Context(), tt.key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Stat after Delete: error %v, want ErrNotFound", err)
			}
		})
	}
	if got := get(t, s, "del/dir/kept"); string(got) != "kept" {
		t.Errorf("del/dir/kept = %q after deleting its prefix, want kept", got)
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	put(t, s, "ow/o.bin", []byte("first version, the longer one"))
	put(t, s, "ow/o.bin", []byte("second"))
	if got := get(t, s, "ow/o.bin"); string(got) != "second" {
		t.Errorf("after overwrite Get = %q, want second", got)
	}
	if info, err := s.Stat(t.Context(), "ow/o.bin"); err != nil || info.Size != 6 {
		t.Errorf("after overwrite Stat = %+v, %v; want size 6", info, err)
	}
	if keys := list(t, s, "ow/"); !slices.Equal(keys, []string{"ow/o.bin"}) {
		t.Errorf("after overwrite List = %q, want one key", keys)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	const key = "nf/missing.bin"
	tests := []struct {
		name string
		op   func() error
	}{
		{"Get", func() error {
			rc, _, err := s.Get(t.Context(), key)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"GetRange", func() error {
			rc, err := s.GetRange(t.Context(), key, 0, 1)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"Stat", func() error {
			_, err := s.Stat(t.Context(), key)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("%s(missing) error = %v, want ErrNotFound", tt.name, err)
			}
		})
	}
}

// errBoom is the failure failingReader injects.
var errBoom = errors.New("boom")

func testFailedPut(t *testing.T, s blob.Store) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		key     string
		ctx     context.Context
		body    io.Reader
		size    int64
		wantErr error // checked with errors.Is when set
		old     []byte
	}{
		{name: "reader fails early", key: "fail/early", body: failingReader(3, 1<<20), size: -1, wantErr: errBoom},
		{name: "reader fails after parts", key: "fail/late", body: failingReader(4, 20<<20), size: -1, wantErr: errBoom},
		{name: "failed overwrite keeps old", key: "fail/old", body: failingReader(5, 1<<20), size: -1, wantErr: errBoom, old: []byte("old")},
		{name: "body shorter than size", key: "fail/short", body: bytes.NewReader(make([]byte, 10)), size: 11, wantErr: blob.ErrSizeMismatch},
		{name: "body longer than size", key: "fail/long", body: bytes.NewReader(make([]byte, 10)), size: 9, wantErr: blob.ErrSizeMismatch},
		{name: "cancelled context", key: "fail/cancelled", ctx: cancelled, body: bytes.NewReader(make([]byte, 10)), size: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.old != nil {
				put(t, s, tt.key, tt.old)
			}
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			err := s.Put(ctx, tt.key, tt.body, tt.size, "")
			if err == nil {
				t.Fatal("Put succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Put error = %v, want %v", err, tt.wantErr)
			}
			if tt.old != nil {
				if got := get(t, s, tt.key); !bytes.Equal(got, tt.old) {
					t.Errorf("after failed overwrite Get = %q, want %q", got, tt.old)
				}
				return
			}
			if _, err := s.Stat(t.Context(), tt.key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("after failed Put Stat error = %v, want ErrNotFound", err)
			}
		})
	}
	if keys := list(t, s, "fail/"); !slices.Equal(keys, []string{"fail/old"}) {
		t.Errorf("after failed puts List = %q, want only fail/old", keys)
	}
}

func testLargeStream(t *testing.T, s blob.Store) {
	const key = "large/stream.bin"
	gen := &generator{rng: rand.NewChaCha8(seed(6)), left: largeSize}
	sum := sha256.New()
	body := io.TeeReader(gen, sum)

	defer debug.SetGCPercent(debug.SetGCPercent(largeGCPercent))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, allocBase := ms.HeapInuse, ms.TotalAlloc

	var (
		peak uint64
		wg   sync.WaitGroup
	)
	stop := make(chan struct{})
	wg.Go(func() {
		tick := time.NewTicker(heapSampleEvery)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	err := s.Put(t.Context(), key, body, -1, "application/octet-stream")
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	runtime.ReadMemStats(&ms)
	growth := int64(peak) - int64(base)
	t.Logf("streamed %d MiB: peak heap in use %.1f MiB above the %.1f MiB before, %.1f MiB allocated in total",
		largeSize>>20, mib(growth), mib(int64(base)), mib(int64(ms.TotalAlloc-allocBase)))
	if growth > maxHeapGrowth {
		t.Errorf("heap grew by %.1f MiB during a %d MiB upload, want at most %d MiB",
			mib(growth), largeSize>>20, maxHeapGrowth>>20)
	}

	info, err := s.Stat(t.Context(), key)
	if err != nil || info.Size != largeSize {
		t.Fatalf("Stat = %+v, %v; want size %d", info, err, largeSize)
	}
	rc, _, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer rc.Close()
	got := sha256.New()
	n, err := io.Copy(got, rc)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if n != largeSize || !bytes.Equal(got.Sum(nil), sum.Sum(nil)) {
		t.Errorf("read back %d bytes with SHA-256 %x, want %d bytes with %x", n, got.Sum(nil), largeSize, sum.Sum(nil))
	}
}

func testPresign(t *testing.T, s blob.Store) {
	ctx := t.Context()
	keys := []struct {
		name string
		key  string
	}{
		{name: "plain", key: "ps/up.bin"},
		{name: "odd characters", key: "ps/données/a b+c=d.txt"},
	}
	for _, tt := range keys {
		t.Run(tt.name, func(t *testing.T) {
			data := generate(7, 4096)
			putURL, err := s.PresignPut(ctx, tt.key, presignTTL)
			if err != nil {
				t.Fatalf("PresignPut: %v", err)
			}
			if code, body := do(t, http.MethodPut, putURL, data, nil); code != http.StatusOK {
				t.Fatalf("PUT presigned URL: %d %s", code, body)
			}
			if got := get(t, s, tt.key); !bytes.Equal(got, data) {
				t.Fatalf("Get after presigned PUT: %d bytes, want %d", len(got), len(data))
			}
			getURL, err := s.PresignGet(ctx, tt.key, presignTTL)
			if err != nil {
				t.Fatalf("PresignGet: %v", err)
			}
			if code, body := do(t, http.MethodGet, getURL, nil, nil); code != http.StatusOK || !bytes.Equal(body, data) {
				t.Errorf("GET presigned URL: %d with %d bytes, want 200 with %d", code, len(body), len(data))
			}
			rng := http.Header{"Range": {"bytes=2-5"}}
			if code, body := do(t, http.MethodGet, getURL, nil, rng); code != http.StatusPartialContent || !bytes.Equal(body, data[2:6]) {
				t.Errorf("ranged GET presigned URL: %d with %q, want 206 with %q", code, body, data[2:6])
			}
		})
	}

	t.Run("rejected", func(t *testing.T) {
		put(t, s, "ps/other.bin", []byte("other"))
		getURL, err := s.PresignGet(ctx, "ps/up.bin", presignTTL)
		if err != nil {
			t.Fatalf("PresignGet: %v", err)
		}
		putURL, err := s.PresignPut(ctx, "ps/up.bin", presignTTL)
		if err != nil {
			t.Fatalf("PresignPut: %v", err)
		}
		if !strings.Contains(getURL, "ps/up.bin") {
			t.Fatalf("presigned URL %s does not contain the key path", getURL)
		}
		tests := []struct {
			name, method, url string
		}{
			{"other key", http.MethodGet, strings.Replace(getURL, "ps/up.bin", "ps/other.bin", 1)},
			{"PUT with GET URL", http.MethodPut, getURL},
			{"GET with PUT URL", http.MethodGet, putURL},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if code, body := do(t, tt.method, tt.url, []byte("intruder"), nil); code != http.StatusForbidden {
					t.Errorf("%s: status %d %s, want 403", tt.method, code, body)
				}
			})
		}
		if got := get(t, s, "ps/other.bin"); string(got) != "other" {
			t.Errorf("ps/other.bin = %q after rejected requests, want other", got)
		}
	})

	t.Run("ttl", func(t *testing.T) {
		for _, ttl := range []time.Duration{0, -time.Second, blob.MaxPresignTTL + time.Second} {
			if _, err := s.PresignGet(ctx, "ps/up.bin", ttl); err == nil {
				t.Errorf("PresignGet with ttl %s succeeded, want an error", ttl)
			}
			if _, err := s.PresignPut(ctx, "ps/up.bin", ttl); err == nil {
				t.Errorf("PresignPut with ttl %s succeeded, want an error", ttl)
			}
		}
	})
}

// BadKeys are keys every store must reject with ErrInvalidKey: each is a way out of a
// folder or a tenant's prefix, or a name some backend cannot hold.
var BadKeys = []struct {
	Name string
	Key  string
}{
	{"empty", ""},
	{"absolute", "/etc/passwd"},
	{"root", "/"},
	{"parent", ".."},
	{"parent first", "../x"},
	{"parent climbing", "a/../../x"},
	{"parent last", "a/.."},
	{"current", "."},
	{"current first", "./a"},
	{"current inside", "a/./b"},
	{"doubled slash", "a//b"},
	{"trailing slash", "a/"},
	{"backslash", `a\b`},
	{"backslash parent", `..\x`},
	{"NUL", "a\x00b"},
	{"newline", "a\nb"},
	{"DEL", "a\x7fb"},
	{"C1 control", "a\u0085b"},
	{"invalid UTF-8", "a\xffb"},
	{"too long", strings.Repeat("a/", blob.MaxKeyLen/2) + "a"},
	{"segment too long", "a/" + strings.Repeat("s", blob.MaxSegmentLen+1)},
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	ops := []struct {
		name string
		op   func(key string) error
	}{
		{"Put", func(key string) error { return s.Put(ctx, key, strings.NewReader("x"), 1, "") }},
		{"Get", func(key string) error {
			rc, _, err := s.Get(ctx, key)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"GetRange", func(key string) error {
			rc, err := s.GetRange(ctx, key, 0, 1)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"Stat", func(key string) error { _, err := s.Stat(ctx, key); return err }},
		{"Delete", func(key string) error { return s.Delete(ctx, key) }},
		{"PresignPut", func(key string) error { _, err := s.PresignPut(ctx, key, presignTTL); return err }},
		{"PresignGet", func(key string) error { _, err := s.PresignGet(ctx, key, presignTTL); return err }},
	}
	for _, k := range BadKeys {
		for _, op := range ops {
			t.Run(k.Name+"/"+op.name, func(t *testing.T) {
				if err := op.op(k.Key); !errors.Is(err, blob.ErrInvalidKey) {
					t.Errorf("%s(%q) error = %v, want ErrInvalidKey", op.name, k.Key, err)
				}
			})
		}
	}
	for _, prefix := range []string{"../", "/", "a//", `a\`, "a/../", "\x00"} {
		t.Run(fmt.Sprintf("List(%q)", prefix), func(t *testing.T) {
			err := s.List(ctx, prefix, func(blob.Info) error { return nil })
			if !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("List(%q) error = %v, want ErrInvalidKey", prefix, err)
			}
		})
	}
	if keys := list(t, s, ""); len(keys) != 0 {
		t.Errorf("after rejected keys the store holds %q, want nothing", keys)
	}
}

func testTenants(t *testing.T, s blob.Store) {
	ctx := t.Context()
	acme, err := blob.ForTenant(s, "acme")
	if err != nil {
		t.Fatal(err)
	}
	acme2, err := blob.ForTenant(s, "acme2")
	if err != nil {
		t.Fatal(err)
	}
	put(t, acme, "x.txt", []byte("acme"))
	put(t, acme2, "x.txt", []byte("acme2"))
	put(t, s, "tenantless.txt", []byte("none"))

	if got := get(t, acme, "x.txt"); string(got) != "acme" {
		t.Errorf("acme x.txt = %q, want acme", got)
	}
	key, err := blob.Key("acme", "x.txt")
	if err != nil || key != "tenants/acme/x.txt" {
		t.Fatalf(`Key("acme", "x.txt") = %q, %v; want tenants/acme/x.txt`, key, err)
	}
	if got := get(t, s, key); string(got) != "acme" {
		t.Errorf("%s through the shared store = %q, want acme", key, got)
	}
	if keys := list(t, acme, ""); !slices.Equal(keys, []string{"x.txt"}) {
		t.Errorf("acme List = %q, want only its own x.txt", keys)
	}
	if info, err := acme.Stat(ctx, "x.txt"); err != nil || info.Key != "x.txt" {
		t.Errorf("acme Stat = %+v, %v; want key relative to the tenant", info, err)
	}

	escapes := []string{"../acme2/x.txt", "../../tenantless.txt", "/tenants/acme2/x.txt", `..\acme2\x.txt`}
	for _, key := range escapes {
		t.Run("escape "+key, func(t *testing.T) {
			if err := acme.Put(ctx, key, strings.NewReader("owned"), 5, ""); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("acme Put(%q) error = %v, want ErrInvalidKey", key, err)
			}
			if _, err := acme.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("acme Stat(%q) error = %v, want ErrInvalidKey", key, err)
			}
			if err := acme.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("acme Delete(%q) error = %v, want ErrInvalidKey", key, err)
			}
		})
	}
	if got := get(t, acme2, "x.txt"); string(got) != "acme2" {
		t.Errorf("acme2 x.txt = %q after escape attempts, want acme2", got)
	}

	badTenants := []string{"", "..", "../acme2", "a/b", "a.b", "ü", `a\b`, strings.Repeat("t", 65)}
	for _, tenant := range badTenants {
		t.Run(fmt.Sprintf("tenant %q", tenant), func(t *testing.T) {
			if _, err := blob.ForTenant(s, tenant); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("ForTenant(%q) error = %v, want ErrInvalidKey", tenant, err)
			}
			if _, err := blob.Key(tenant, "x"); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Key(%q, x) error = %v, want ErrInvalidKey", tenant, err)
			}
		})
	}
	for _, parts := range [][]string{{"../acme2", "x"}, {"a", "", "b"}, {}, {"a/"}, {"/a"}} {
		if _, err := blob.Key("acme", parts...); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Key(acme, %q) error = %v, want ErrInvalidKey", parts, err)
		}
	}
}

// generator produces left pseudo-random bytes without holding them.
type generator struct {
	rng  *rand.ChaCha8
	left int64
}

// Read implements io.Reader.
func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, _ := g.rng.Read(p) // never fails
	g.left -= int64(n)
	return n, nil
}

func seed(n uint64) [32]byte {
	var s [32]byte
	s[0] = byte(n)
	return s
}

// generate returns n pseudo-random bytes determined by s.
func generate(s uint64, n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(seed(s)).Read(b)
	return b
}

// failingReader yields n generated bytes, then errBoom.
func failingReader(s uint64, n int64) io.Reader {
	return io.MultiReader(&generator{rng: rand.NewChaCha8(seed(s)), left: n}, errReader{})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }

func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), ""); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func get(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, _, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return readAll(t, rc)
}

func list(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(t.Context(), prefix, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b
}

// do sends one plain net/http request, as a browser or curl holding a presigned URL would.
func do(t *testing.T, method, url string, body []byte, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("request %s %s: %v", method, url, err)
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, b
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
