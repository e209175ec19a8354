package infra_test

import (
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"networx/cli/clitest"
	"networx/config"
	"networx/roles/work"
)

// repoRoot is the repository root, found from this file.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..")
}

// checkInvocation runs the networx binary with args plus --help: cobra parses the command
// path and every flag before printing help, so an unknown command or flag fails here.
func checkInvocation(t *testing.T, bin string, args []string) {
	t.Helper()
	out, err := exec.Command(bin, append(append([]string{}, args...), "--help")...).CombinedOutput()
	if err != nil {
		t.Errorf("networx %s is not a valid invocation: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestInvocationCheckRejects keeps checkInvocation honest: it must fail for a command or
// flag networx does not have.
func TestInvocationCheckRejects(t *testing.T) {
	bin := clitest.Binary(t)
	for _, args := range [][]string{
		{"serve", "--no-such-flag", "x"},
		{"wrok", "--queue=optimization"},
		{"work", "--queue=optimization", "--admin-address", "0.0.0.0:9090"},
	} {
		if err := exec.Command(bin, append(args, "--help")...).Run(); err == nil {
			t.Errorf("networx %s --help succeeded; the invocation check would not catch it", strings.Join(args, " "))
		}
	}
}

// requiredSettings are the settings every deployment must set: their defaults point at
// the local host of a developer (127.0.0.1, a folder under the user's home), which is
// never right for a service. Derived from config.Settings, so a new setting of that kind
// is required everywhere at once.
func requiredSettings(t *testing.T) []config.Setting {
	t.Helper()
	var out []config.Setting
	keys := map[string]bool{}
	for _, s := range config.Settings() {
		if strings.Contains(s.Default, "127.0.0.1") || strings.Contains(s.Default, "localhost") || strings.HasPrefix(s.Default, "file://") {
			out = append(out, s)
			keys[s.Key] = true
		}
	}
	// Guard the derivation itself: these three are the minimum a role cannot run without.
	for _, k := range []string{"database.url", "redis.url", "blob.url"} {
		if !keys[k] {
			t.Fatalf("requiredSettings no longer derives %s from config.Settings; update the rule", k)
		}
	}
	return out
}

// settingSatisfied reports whether setting s is given to a process started with args and
// environment env (NAME -> value): by its variable, or for http.addr by serve --addr.
// http.addr is only read by serve: a worker's listener is its --admin-addr flag.
func settingSatisfied(s config.Setting, args []string, env map[string]string) bool {
	if _, ok := env[s.Env]; ok {
		return true
	}
	if s.Key == "http.addr" {
		if len(args) == 0 || args[0] != "serve" {
			return true
		}
		_, ok := flagValue(args, "addr")
		return ok
	}
	return false
}

// flagValue returns the value of --name in args (--name=v or --name v).
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// checkWorkerQueue checks the --queue of a work invocation and returns it.
func checkWorkerQueue(t *testing.T, where string, args []string) string {
	t.Helper()
	q, ok := flagValue(args, "queue")
	if !ok || !work.ValidQueue(q) {
		t.Errorf("%s: work needs --queue with one of %v, got %v", where, work.Queues, args)
	}
	return q
}

// portOf returns the port of a host:port address.
func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return port
}
