package cli

import (
	"context"
	"os"
	"testing"
)

func TestZZRunExample(t *testing.T) {
	err := runOptimize(context.Background(), os.Getenv("EX"), optimizeOptions{out: "/tmp/ex-results.xlsx", threads: 1}, os.Stdout, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
}
