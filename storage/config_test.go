package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	const url = "postgres://networx@127.0.0.1:5432/networx?sslmode=disable"
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings, one per expected problem; none means valid
	}{
		{name: "url only", cfg: Config{URL: url}},
		{name: "dsn form", cfg: Config{URL: "host=127.0.0.1 user=networx dbname=networx"}},
		{name: "everything set", cfg: Config{
			URL: url, MaxConns: 4, MinConns: 2, ConnectTimeout: time.Second, StatementTimeout: time.Minute,
			HealthCheckPeriod: time.Minute, MaxConnLifetime: time.Hour, RetryAttempts: 1, RetryBaseDelay: time.Millisecond,
			BreakerFailureThreshold: 1, BreakerOpenTimeout: time.Second,
		}},
		{name: "missing url", cfg: Config{}, want: []string{"database url is required"}},
		{name: "unparsable url", cfg: Config{URL: "postgres://u:sekret@host:notaport/db"}, want: []string{"database url"}},
		{name: "min above default max", cfg: Config{URL: url, MinConns: 21}, want: []string{"min conns 21: must not exceed max conns 20"}},
		{name: "min above max", cfg: Config{URL: url, MaxConns: 2, MinConns: 3}, want: []string{"must not exceed max conns 2"}},
		{name: "sub-millisecond statement timeout", cfg: Config{URL: url, StatementTimeout: time.Microsecond}, want: []string{"statement timeout"}},
		{
			name: "every problem reported together",
			cfg: Config{
				MaxConns: -1, MinConns: -1, ConnectTimeout: -1, StatementTimeout: -1, HealthCheckPeriod: -1,
				MaxConnLifetime: -1, RetryAttempts: -1, RetryBaseDelay: -1, BreakerFailureThreshold: -1, BreakerOpenTimeout: -1,
			},
			want: []string{
				"url is required", "max conns -1", "min conns -1", "connect timeout", "statement timeout",
				"health check period", "max conn lifetime", "retry attempts -1", "retry base delay",
				"breaker failure threshold -1", "breaker open timeout",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %d problems", len(tt.want))
			}
			var joined interface{ Unwrap() []error }
			if !errors.As(err, &joined) || len(joined.Unwrap()) != len(tt.want) {
				t.Fatalf("Validate() = %q, want %d problems", err, len(tt.want))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, missing %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "sekret") {
				t.Errorf("Validate() leaks the password: %q", err)
			}
		})
	}
}

func TestConfigDefaultsAndPoolConfig(t *testing.T) {
	t.Parallel()
	cfg := Config{URL: "postgres://networx@127.0.0.1:5432/networx?sslmode=disable&options=-c%20search_path%3Dx"}.withDefaults()
	want := Config{
		URL: cfg.URL, MaxConns: 20, ConnectTimeout: 5 * time.Second, StatementTimeout: 30 * time.Second,
		HealthCheckPeriod: 30 * time.Second, RetryAttempts: 3, RetryBaseDelay: 50 * time.Millisecond,
		BreakerFailureThreshold: 5, BreakerOpenTimeout: 5 * time.Second,
	}
	if cfg != want {
		t.Fatalf("withDefaults() = %+v, want %+v", cfg, want)
	}
	pc, err := cfg.poolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if got := pc.ConnConfig.RuntimeParams["statement_timeout"]; got != "30000" {
		t.Errorf("statement_timeout runtime param %q, want 30000", got)
	}
	if got := pc.ConnConfig.RuntimeParams["options"]; got != "-c search_path=x" {
		t.Errorf("options runtime param %q, want the URL's", got)
	}
	if pc.MaxConns != 20 || pc.ConnConfig.ConnectTimeout != 5*time.Second || pc.HealthCheckPeriod != 30*time.Second {
		t.Errorf("pool config max conns %d, connect timeout %s, health check %s",
			pc.MaxConns, pc.ConnConfig.ConnectTimeout, pc.HealthCheckPeriod)
	}
	if pc.MaxConnLifetime != time.Hour {
		t.Errorf("max conn lifetime %s, want pgxpool's default 1h", pc.MaxConnLifetime)
	}
}
