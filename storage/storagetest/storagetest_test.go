package storagetest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct{ admin, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/db1?sslmode=disable"},
		{"postgresql://u:p@h/", "postgresql://u:p@h/db1"},
		{"host=127.0.0.1 user=postgres", "host=127.0.0.1 user=postgres dbname=db1"},
	}
	for _, tt := range tests {
		if got := withDatabase(t, tt.admin, "db1"); got != tt.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tt.admin, got, tt.want)
		}
	}
}

func TestNewDatabaseIsFreshAndDropped(t *testing.T) {
	admin := AdminDatabaseURL(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		u := NewDatabase(t)
		conn, err := pgx.Connect(t.Context(), u)
		if err != nil {
			t.Fatalf("connect to the new database: %v", err)
		}
		defer conn.Close(context.Background())
		var tables int
		if err := conn.QueryRow(t.Context(),
			"select current_database(), (select count(*) from pg_tables where schemaname = 'public')").Scan(&name, &tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables", tables)
		}
	})
	if name == "" {
		t.Fatal("no database was created")
	}
	conn, err := pgx.Connect(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(t.Context(), "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after the test ended", name)
	}
}

func TestRedisURL(t *testing.T) {
	t.Parallel()
	if u := RedisURL(t); u == "" {
		t.Fatal("empty url")
	}
}
