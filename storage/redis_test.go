package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"networx/storage/storagetest"
)

func TestRedisConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         RedisConfig
		wantAddrs   []string
		wantDB      int
		wantCluster bool
		wantTLS     bool
		wantUser    string
		wantPass    string
		wantErr     []string // one substring per problem
	}{
		{name: "single", cfg: RedisConfig{URL: "redis://127.0.0.1:6379/2"}, wantAddrs: []string{"127.0.0.1:6379"}, wantDB: 2},
		{name: "single with credentials", cfg: RedisConfig{URL: "redis://u:p%40ss@cache:6380"}, wantAddrs: []string{"cache:6380"}, wantUser: "u", wantPass: "p@ss"},
		{name: "single tls", cfg: RedisConfig{URL: "rediss://cache.example:6379"}, wantAddrs: []string{"cache.example:6379"}, wantTLS: true},
		{
			name:      "cluster seeds",
			cfg:       RedisConfig{URL: "redis-cluster://u:p,w@h1:7000,h2:7001,h3"},
			wantAddrs: []string{"h1:7000", "h2:7001", "h3:6379"}, wantCluster: true, wantUser: "u", wantPass: "p,w",
		},
		{
			name:      "several addresses make a cluster",
			cfg:       RedisConfig{URL: "rediss://h1:7000,h2:7001/"},
			wantAddrs: []string{"h1:7000", "h2:7001"}, wantCluster: true, wantTLS: true,
		},
		{
			name:      "cluster configuration endpoint over tls",
			cfg:       RedisConfig{URL: "rediss-cluster://:token@clustercfg.example:6379"},
			wantAddrs: []string{"clustercfg.example:6379"}, wantCluster: true, wantTLS: true, wantPass: "token",
		},
		{name: "missing url", cfg: RedisConfig{}, wantErr: []string{"redis url is required"}},
		{name: "no scheme", cfg: RedisConfig{URL: "127.0.0.1:6379"}, wantErr: []string{"want redis://"}},
		{name: "unknown scheme", cfg: RedisConfig{URL: "http://u:sekret@h:1"}, wantErr: []string{`unknown scheme "http"`}},
		{name: "query parameters", cfg: RedisConfig{URL: "redis://:sekret@h:1?dial_timeout=3"}, wantErr: []string{"query parameters are not supported"}},
		{name: "cluster with database", cfg: RedisConfig{URL: "redis-cluster://:sekret@h1:1,h2:2/3"}, wantErr: []string{"no database number"}},
		{name: "several addresses with database", cfg: RedisConfig{URL: "redis://h1:1,h2:2/1"}, wantErr: []string{"no database number"}},
		{name: "cluster empty address", cfg: RedisConfig{URL: "redis-cluster://h1:1,,h2:2"}, wantErr: []string{"empty cluster address"}},
		{name: "bad database", cfg: RedisConfig{URL: "redis://:sekret@h:1/x"}, wantErr: []string{"redis url"}},
		{
			name:    "every problem reported together",
			cfg:     RedisConfig{DialTimeout: -1, ReadTimeout: -1, WriteTimeout: -1, PoolSize: -1},
			wantErr: []string{"url is required", "dial timeout", "read timeout", "write timeout", "pool size -1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Validate() = nil, want %v", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Validate() = %q, missing %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "sekret") {
					t.Errorf("error leaks the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			o, err := tt.cfg.options()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.Addrs, tt.wantAddrs) || o.DB != tt.wantDB || o.IsClusterMode != tt.wantCluster ||
				(o.TLSConfig != nil) != tt.wantTLS || o.Username != tt.wantUser || o.Password != tt.wantPass {
				t.Errorf("options: addrs %v db %d cluster %t tls %t user %q pass %q",
					o.Addrs, o.DB, o.IsClusterMode, o.TLSConfig != nil, o.Username, o.Password)
			}
		})
	}
}

func TestOpenRedis(t *testing.T) {
	t.Parallel()
	client, err := OpenRedis(t.Context(), RedisConfig{URL: storagetest.RedisURL(t)})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	defer client.Close()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	key := "networx:test:storage:" + hex.EncodeToString(suffix)
	// t.Context is already cancelled when cleanups run, and the client
	// closes at return: delete the key before that.
	defer func() {
		if err := client.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("delete %s: %v", key, err)
		}
	}()
	if err := client.Set(t.Context(), key, "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := client.Get(t.Context(), key).Result(); err != nil || got != "v" {
		t.Fatalf("get %s = %q, %v", key, got, err)
	}
}

func TestOpenRedisUnreachable(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	start := time.Now()
	client, err := OpenRedis(t.Context(), RedisConfig{URL: "redis://:sekret@" + addr, DialTimeout: 2 * time.Second})
	if err == nil {
		client.Close()
		t.Fatal("OpenRedis succeeded against a closed port")
	}
	for _, want := range []string{"redis " + addr + " unreachable", "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "sekret") {
		t.Errorf("error leaks the password: %q", err)
	}
	t.Logf("gave up after %s", time.Since(start))
}
