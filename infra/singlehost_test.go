package infra_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"networx/cli/clitest"
	"networx/config"
	"networx/roles/work"
)

func singleHostDir(t *testing.T) string { return filepath.Join(repoRoot(t), "infra", "single-host") }

// readEnvFile reads KEY=VALUE lines (comments and blank lines skipped), as systemd's
// EnvironmentFile and compose's env_file do for these simple files.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(v, `"'$`) {
			t.Fatalf("%s: %q is not a plain KEY=VALUE line", path, line)
		}
		out[k] = v
	}
	return out
}

// checkSingleHostRole checks one networx process of the single-host deployment: a valid
// invocation, every required setting given, a configuration that validates with the Redis
// queue driver, and a stop timeout that covers the drain.
func checkSingleHostRole(t *testing.T, bin string, args []string, env map[string]string, stop time.Duration) config.Config {
	t.Helper()
	checkInvocation(t, bin, args)
	for _, s := range requiredSettings(t) {
		if !settingSatisfied(s, args, env) {
			t.Errorf("%s (%s) is not set; its default %q is a developer's", s.Env, s.Key, s.Default)
		}
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	flags := map[string]string{}
	if addr, ok := flagValue(args, "addr"); ok {
		flags["http.addr"] = addr
	}
	cfg, err := config.Load(config.Sources{Environ: environ, Flags: flags})
	if err != nil {
		t.Fatalf("settings do not validate:\n%v", err)
	}
	if cfg.Queue.Driver != "redis" {
		t.Errorf("queue.driver %q; one host uses redis", cfg.Queue.Driver)
	}
	switch args[0] {
	case "work":
		if stop < cfg.Jobs.DrainTimeout+10*time.Second {
			t.Errorf("stop timeout %s does not cover jobs.drain_timeout %s plus the release", stop, cfg.Jobs.DrainTimeout)
		}
	case "serve":
		if stop <= cfg.HTTP.ShutdownTimeout {
			t.Errorf("stop timeout %s does not cover http.shutdown_timeout %s", stop, cfg.HTTP.ShutdownTimeout)
		}
	}
	return cfg
}

// TestSystemdUnits checks every ExecStart of the systemd units against the binary and the
// shared EnvironmentFile against the configuration.
func TestSystemdUnits(t *testing.T) {
	dir := singleHostDir(t)
	bin := clitest.Binary(t)
	env := readEnvFile(t, filepath.Join(dir, "networx.env"))
	units, err := filepath.Glob(filepath.Join(dir, "systemd", "*.service"))
	if err != nil || len(units) == 0 {
		t.Fatalf("no units: %v", err)
	}
	queues := map[string]bool{}
	listeners := map[string]bool{}
	for _, path := range units {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			keys := map[string][]string{}
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
					keys[k] = append(keys[k], v)
				}
			}
			if len(keys["ExecStart"]) != 1 {
				t.Fatalf("want one ExecStart, got %q", keys["ExecStart"])
			}
			fields := strings.Fields(keys["ExecStart"][0])
			if fields[0] != "/usr/local/bin/networx" {
				t.Fatalf("ExecStart runs %s, not /usr/local/bin/networx", fields[0])
			}
			if !slices.Equal(keys["EnvironmentFile"], []string{"/etc/networx/networx.env"}) {
				t.Errorf("EnvironmentFile %q, want the shared /etc/networx/networx.env", keys["EnvironmentFile"])
			}
			stop := 90 * time.Second // systemd's DefaultTimeoutStopSec
			if v := keys["TimeoutStopSec"]; len(v) == 1 {
				if stop, err = time.ParseDuration(v[0]); err != nil {
					t.Fatalf("TimeoutStopSec %q: %v", v[0], err)
				}
			}
			args := fields[1:]
			checkSingleHostRole(t, bin, args, env, stop)
			switch args[0] {
			case "work":
				queues[checkWorkerQueue(t, name, args)] = true
				if a, ok := flagValue(args, "admin-addr"); ok {
					listeners[a] = true
				}
			case "serve":
				a, _ := flagValue(args, "addr")
				listeners[strings.Replace(a, "0.0.0.0", "127.0.0.1", 1)] = true
			}
		})
	}
	for _, q := range work.Queues {
		if !queues[q] {
			t.Errorf("no unit works queue %s", q)
		}
	}

	// The single-host Prometheus scrapes exactly those listeners under the job names the
	// alert rules expect.
	b, err := os.ReadFile(filepath.Join(dir, "prometheus.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatal(err)
	}
	scraped := map[string]bool{}
	for _, sc := range prom.ScrapeConfigs {
		if !strings.HasPrefix(sc.JobName, "networx") {
			continue
		}
		for _, s := range sc.StaticConfigs {
			for _, target := range s.Targets {
				scraped[target] = true
			}
		}
	}
	for l := range listeners {
		if !scraped[l] {
			t.Errorf("networx listener %s is not scraped by prometheus.yaml", l)
		}
	}
	for s := range scraped {
		if !listeners[s] {
			t.Errorf("prometheus.yaml scrapes %s, which no unit listens on", s)
		}
	}
}

// TestComposeFile checks every networx service of compose.yaml the same way.
func TestComposeFile(t *testing.T) {
	dir := singleHostDir(t)
	bin := clitest.Binary(t)
	b, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image           string            `yaml:"image"`
			Command         []string          `yaml:"command"`
			EnvFile         string            `yaml:"env_file"`
			Environment     map[string]string `yaml:"environment"`
			StopGracePeriod string            `yaml:"stop_grace_period"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	queues := map[string]bool{}
	for name, svc := range doc.Services {
		if !strings.HasPrefix(svc.Image, "networx") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if len(svc.Command) == 0 {
				t.Fatal("no command: the image's default would run")
			}
			env := map[string]string{}
			if svc.EnvFile != "" {
				env = readEnvFile(t, filepath.Join(dir, svc.EnvFile))
			}
			for k, v := range svc.Environment {
				env[k] = v
			}
			stop := 10 * time.Second // compose's default
			if svc.StopGracePeriod != "" {
				if stop, err = time.ParseDuration(svc.StopGracePeriod); err != nil {
					t.Fatal(err)
				}
			}
			checkSingleHostRole(t, bin, svc.Command, env, stop)
			if svc.Command[0] == "work" {
				queues[checkWorkerQueue(t, name, svc.Command)] = true
			}
		})
	}
	for _, q := range work.Queues {
		if !queues[q] {
			t.Errorf("no compose service works queue %s", q)
		}
	}
}
