// Package cli is the networx command line: the cobra root and one constructor per command.
// Each command parses its flags, loads the merged configuration, builds what its role needs
// in dependency order and runs it; the work itself lives in roles/, jobs/, storage/ and solver/.
package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"networx/config"
)

// NewRoot returns the networx root command with every subcommand attached.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "networx",
		Short: "Network-strategy optimizer: ingestion, MIP models and job workers in one binary",
		Long: `networx answers network-design questions (how many warehouses, where, serving whom,
at what cost against today's baseline) with mixed-integer optimization and a proven
optimality gap. One binary runs every role: the HTTP API (serve), the workers (work),
the operator tools (jobs, migrate) and the standalone solver (solve).

Configuration: defaults, then --config FILE, then NETWORX_* environment variables, then
flags. See docs/configuration.md.`,
		Example: `  networx serve --addr 127.0.0.1:8080 --migrate
  networx config print
  networx solve model.mps --time-limit 60s`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "YAML configuration file (see docs/configuration.md)")
	root.PersistentFlags().StringArray("set", nil, "override one setting, key=value (repeatable), e.g. --set database.max_conns=40")
	root.AddCommand(
		newVersionCmd(),
		newConfigCmd(),
		newMigrateCmd(),
		newServeCmd(),
		newSolveCmd(),
		newWorkCmd(),
		newJobsCmd(),
		newCheckCmd(),
		newOptimizeCmd(),
		newKeysCmd(),
	)
	return root
}

// loadConfig merges the configuration for cmd. flagKeys maps the names of cmd's own flags
// to setting keys (for example "addr" to "http.addr"); only flags the user set count.
func loadConfig(cmd *cobra.Command, environ []string, flagKeys map[string]string) (config.Config, error) {
	file, err := cmd.Flags().GetString("config")
	if err != nil {
		return config.Config{}, err
	}
	sets, err := cmd.Flags().GetStringArray("set")
	if err != nil {
		return config.Config{}, err
	}
	flags := make(map[string]string)
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return config.Config{}, fmt.Errorf("--set %q: write it as key=value, e.g. --set http.addr=127.0.0.1:9000", kv)
		}
		flags[strings.TrimSpace(k)] = v
	}
	for name, key := range flagKeys {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			flags[key] = f.Value.String()
		}
	}
	cfg, err := config.Load(config.Sources{File: file, Environ: environ, Flags: flags})
	if err != nil {
		return cfg, fmt.Errorf("configuration is invalid (see docs/configuration.md):\n%w", err)
	}
	return cfg, nil
}

// newLogger builds the process logger from the log settings.
func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// newRegistry is the process's one Prometheus registry, with Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}
