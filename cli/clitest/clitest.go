// Package clitest builds the networx binary once per test process, for tests that run it
// as separate processes (serve, workers, migrate, the operator CLI).
package clitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
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
