package blob

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{name: "simple", key: "a", ok: true},
		{name: "nested", key: "tenants/acme/scenarios/1/input.xlsx", ok: true},
		{name: "hidden file", key: "a/.hidden", ok: true},
		{name: "dots inside", key: "a/..b/c..", ok: true},
		{name: "three dots", key: "...", ok: true},
		{name: "spaces and unicode", key: "données/a b+c=d.txt", ok: true},
		{name: "longest", key: strings.Repeat("a/", MaxKeyLen/2-1) + "aa", ok: true},
		{name: "longest segment", key: strings.Repeat("s", MaxSegmentLen), ok: true},
		{name: "empty", key: ""},
		{name: "absolute", key: "/a"},
		{name: "parent", key: "a/../b"},
		{name: "current", key: "a/./b"},
		{name: "trailing slash", key: "a/"},
		{name: "backslash", key: `a\b`},
		{name: "NUL", key: "a\x00"},
		{name: "tab", key: "a\tb"},
		{name: "invalid UTF-8", key: "\xc3"},
		{name: "too long", key: strings.Repeat("a", MaxKeyLen+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateKey(tt.key)
			if tt.ok && err != nil {
				t.Errorf("ValidateKey(%q) = %v, want nil", tt.key, err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", tt.key, err)
			}
		})
	}
}

// TestLocalWithin checks the second lock, the filepath.Rel check, on paths ValidateKey
// would never let through.
func TestLocalWithin(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "root")
	s, err := NewLocal(root, Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		ok   bool
	}{
		{name: "below", path: filepath.Join(root, "a", "b"), ok: true},
		{name: "root itself", path: root},
		{name: "parent", path: filepath.Dir(root)},
		{name: "sibling", path: filepath.Join(filepath.Dir(root), "other")},
		{name: "sibling sharing the name prefix", path: root + "2" + string(filepath.Separator) + "x"},
		{name: "climbing", path: filepath.Join(root, "..", "..", "etc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.within(tt.path, "k")
			if tt.ok && err != nil {
				t.Errorf("within(%s) = %v, want nil", tt.path, err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("within(%s) = %v, want ErrInvalidKey", tt.path, err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	secret := []byte(strings.Repeat("k", MinPresignSecret))
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{name: "zero", cfg: Config{}},
		{name: "local presign", cfg: Config{PresignBaseURL: "http://127.0.0.1:8080/api/blob", PresignSecret: secret}},
		{name: "s3 tuned", cfg: Config{ListPageSize: 7, PartSize: 16 << 20, UploadConcurrency: 4}},
		{name: "presign without secret", cfg: Config{PresignBaseURL: "http://h/api/blob"}, want: []string{"presign secret"}},
		{name: "relative presign URL", cfg: Config{PresignBaseURL: "/api/blob", PresignSecret: secret}, want: []string{"absolute"}},
		{
			name: "every problem at once",
			cfg:  Config{PresignBaseURL: "ftp://h", PresignSecret: []byte("short"), ListPageSize: 1001, PartSize: 1 << 20, UploadConcurrency: -1},
			want: []string{"absolute", "presign secret", "page size", "part size", "concurrency"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors about %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name   string
		url    string
		wantS3 bool
		ok     bool
	}{
		{name: "file", url: "file://" + filepath.ToSlash(dir) + "/blobs", ok: true},
		{name: "file localhost", url: "file://localhost" + filepath.ToSlash(dir) + "/blobs", ok: true},
		{name: "s3 bucket", url: "s3://bucket", wantS3: true, ok: true},
		{name: "s3 prefix", url: "s3://bucket/some/prefix/", wantS3: true, ok: true},
		{name: "file relative", url: "file:blobs"},
		{name: "file with host", url: "file://host/blobs"},
		{name: "s3 without bucket", url: "s3:///prefix"},
		{name: "s3 escaping prefix", url: "s3://bucket/a/../b"},
		{name: "unknown scheme", url: "gs://bucket"},
		{name: "no scheme", url: "/var/blobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(t.Context(), tt.url, Config{S3Region: "us-east-1"})
			if !tt.ok {
				if err == nil {
					t.Errorf("Open(%q) succeeded, want an error", tt.url)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.url, err)
			}
			if _, isS3 := s.(*S3Store); isS3 != tt.wantS3 {
				t.Errorf("Open(%q) = %T, want S3Store: %v", tt.url, s, tt.wantS3)
			}
		})
	}
}
