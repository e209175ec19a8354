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

// SmallMPS is a MIP with a known optimum: maximize 5a + 4b + 3c subject to
// 2a + 3b + c <= 5, 4a + b + 2c <= 11, 3a + 4b + 2c <= 8, a, b, c integer >= 0.
// Optimum 13 at a=2, b=0, c=1.
const SmallMPS = `NAME          SMALL
OBJSENSE
    MAX
ROWS
 N  obj
 L  c1
 L  c2
 L  c3
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    a         obj       5.0   c1        2.0
    a         c2        4.0   c3        3.0
    b         obj       4.0   c1        3.0
    b         c2        1.0   c3        4.0
    c         obj       3.0   c1        1.0
    c         c2        2.0   c3        2.0
    MARKER                 'MARKER'                 'INTEND'
RHS
    rhs       c1        5.0   c2        11.0
    rhs       c3        8.0
BOUNDS
 UP bnd       a         10
 UP bnd       b         10
 UP bnd       c         10
ENDATA
`

// SmallMPSOptimum is the optimal objective of SmallMPS.
const SmallMPSOptimum = 13.0
