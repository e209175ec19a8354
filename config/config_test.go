package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the settings table in docs/configuration.md from the code")

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "networx.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	if err := Default().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestMergeOrder(t *testing.T) {
	t.Parallel()
	file := writeFile(t, `
http:
  addr: 127.0.0.1:9001
  shutdown_timeout: 7s
database:
  max_conns: 11
redis:
  url: redis://127.0.0.1:6380/1
`)
	tests := []struct {
		name     string
		src      Sources
		wantAddr string
		wantMax  int
		wantRed  string
		wantShut time.Duration
	}{
		{name: "defaults", src: Sources{}, wantAddr: "127.0.0.1:8080", wantMax: 20, wantRed: "redis://127.0.0.1:6379/0", wantShut: 20 * time.Second},
		{name: "file over defaults", src: Sources{File: file}, wantAddr: "127.0.0.1:9001", wantMax: 11, wantRed: "redis://127.0.0.1:6380/1", wantShut: 7 * time.Second},
		{
			name:     "environment over file",
			src:      Sources{File: file, Environ: []string{"NETWORX_HTTP_ADDR=127.0.0.1:9002", "NETWORX_DATABASE_MAX_CONNS=12", "NETWORX_TEST_DATABASE_URL=ignored", "PATH=/bin"}},
			wantAddr: "127.0.0.1:9002", wantMax: 12, wantRed: "redis://127.0.0.1:6380/1", wantShut: 7 * time.Second,
		},
		{
			name: "flags over environment",
			src: Sources{File: file, Environ: []string{"NETWORX_HTTP_ADDR=127.0.0.1:9002"},
				Flags: map[string]string{"http.addr": "127.0.0.1:9003", "redis.url": "redis://127.0.0.1:6381/2"}},
			wantAddr: "127.0.0.1:9003", wantMax: 11, wantRed: "redis://127.0.0.1:6381/2", wantShut: 7 * time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(tc.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.HTTP.Addr != tc.wantAddr || cfg.Database.MaxConns != tc.wantMax || cfg.Redis.URL != tc.wantRed || cfg.HTTP.ShutdownTimeout != tc.wantShut {
				t.Errorf("got addr=%s max_conns=%d redis=%s shutdown=%s; want %s %d %s %s",
					cfg.HTTP.Addr, cfg.Database.MaxConns, cfg.Redis.URL, cfg.HTTP.ShutdownTimeout,
					tc.wantAddr, tc.wantMax, tc.wantRed, tc.wantShut)
			}
		})
	}
}

func TestErrorsReportedTogether(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  Sources
		want []string
	}{
		{
			name: "unknown yaml key",
			src:  Sources{File: writeFile(t, "database:\n  urll: postgres://x\n")},
			want: []string{`unknown key "database.urll"`, "line 2"},
		},
		{
			name: "unknown yaml section",
			src:  Sources{File: writeFile(t, "databse:\n  url: postgres://x\n")},
			want: []string{`unknown section "databse"`},
		},
		{
			name: "several problems at once",
			src: Sources{
				File:    writeFile(t, "queue:\n  driver: kafka\nhttp:\n  shutdown_timeout: soon\n"),
				Environ: []string{"NETWORX_DATABASE_MAX_CONNS=many", "NETWORX_BLOB_URL=ftp://x/y"},
				Flags:   map[string]string{"log.level": "loud"},
			},
			want: []string{
				`queue.driver: must be redis or sqs, got "kafka"`,
				`http.shutdown_timeout: "soon" is not a duration`,
				`database.max_conns (from environment NETWORX_DATABASE_MAX_CONNS): "many" is not a whole number`,
				`blob.url: scheme "ftp"`,
				`log.level: must be debug, info, warn or error, got "loud"`,
			},
		},
		{
			name: "relative file blob path",
			src:  Sources{Environ: []string{"NETWORX_BLOB_URL=file://blobs"}},
			want: []string{"blob.url: a file URL needs an absolute path"},
		},
		{
			name: "missing file",
			src:  Sources{File: "/nonexistent/networx.yaml"},
			want: []string{"config file: open /nonexistent/networx.yaml"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.src)
			if err == nil {
				t.Fatal("Load succeeded, want errors")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://app:s3cret@db:5432/networx?sslmode=require", "postgres://app:REDACTED@db:5432/networx?sslmode=require"},
		{"redis://:pw@cache:6379/0", "redis://:REDACTED@cache:6379/0"},
		{"postgres://app@db/networx?password=s3cret", "postgres://app@db/networx?password=REDACTED"},
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	cfg := Default()
	cfg.Database.URL = "postgres://app:s3cret@db:5432/networx"
	if out := Print(cfg); strings.Contains(out, "s3cret") || !strings.Contains(out, "REDACTED") {
		t.Errorf("Print leaks or does not redact the password:\n%s", out)
	}
}

// TestDocumentationMatchesCode fails when docs/configuration.md and the code disagree on
// any setting: its key, environment variable, type or default. Run
// `go test ./config -run TestDocumentation -update` to rewrite the table.
func TestDocumentationMatchesCode(t *testing.T) {
	path := filepath.Join("..", "docs", "configuration.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	const begin, end = "<!-- settings:begin -->", "<!-- settings:end -->"
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %s ... %s markers", path, begin, end)
	}
	want := settingsTable()
	got := text[i+len(begin) : j]
	if *update {
		text = text[:i+len(begin)] + want + text[j:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("docs/configuration.md disagrees with the code; run go test ./config -run TestDocumentation -update.\nwant:\n%s\ngot:\n%s", want, got)
	}
}

func settingsTable() string {
	var b strings.Builder
	b.WriteString("\n| key | environment | type | default | meaning |\n|---|---|---|---|---|\n")
	for _, s := range Settings() {
		b.WriteString("| `" + s.Key + "` | `" + s.Env + "` | " + s.Type + " | `" + s.Default + "` | " + s.Doc + " |\n")
	}
	return b.String()
}
