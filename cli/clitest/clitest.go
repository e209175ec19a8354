// Package clitest builds the networx binary once per test process, for tests that run it
// as separate processes (serve, workers, migrate, the operator CLI).
package clitest

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvBinary names a prebuilt networx binary to test instead of building one.
const EnvBinary = "NETWORX_TEST_BINARY"

var build struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the path of the networx binary, built from this checkout once per test
// process (or the one NETWORX_TEST_BINARY names).
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		return p
	}
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "networx-bin-")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "networx")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", build.path, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// Run runs bin with args and env to the end (at most two minutes) and returns its trimmed
// stdout and exit code; stderr is logged when the command fails. A command that cannot be
// started fails the test.
func Run(t testing.TB, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run networx %v: %v", args, err)
	}
	if code != 0 && stderr.Len() > 0 {
		t.Logf("networx %v exited %d: %s", args, code, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), code
}

// SmallMPS is a MIP with a known optimum: maximize 5a + 4b + 3c subject to
// 2a + 3b + c <= 5, 4a + b + 2c <= 11, 3a + 4b + 2c <= 8, a, b, c integer >= 0.
// Optimum 13 at a=2, b=0, c=1.
//
// The text is testdata/small.mps, which scripts/restore-check.sh submits too.
//
//go:embed testdata/small.mps
var SmallMPS string

// SmallMPSOptimum is the optimal objective of SmallMPS.
const SmallMPSOptimum = 13.0
