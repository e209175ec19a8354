package cli

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"networx/storage"
)

func newMigrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate [up|status]",
		Short: "Apply the embedded database migrations, or show which are applied",
		Long: `migrate up (the default) applies every embedded migration not yet applied, in order,
each in its own transaction, under an advisory lock so concurrent runs apply each once.
migrate status lists every migration and when it was applied.`,
		Example:   "  networx migrate\n  networx migrate status\n  NETWORX_DATABASE_URL=postgres://... networx migrate up",
		Args:      cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"up", "status"},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, os.Environ(), nil)
			if err != nil {
				return err
			}
			logger := newLogger(cfg.Log, cmd.ErrOrStderr())
			ctx := cmd.Context()
			db, err := openDB(ctx, cfg.Database, logger, prometheus.NewRegistry())
			if err != nil {
				return err
			}
			defer db.Close()
			out := cmd.OutOrStdout()
			if len(args) == 1 && args[0] == "status" {
				states, err := storage.MigrationStatus(ctx, db)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
				for _, s := range states {
					applied := "pending"
					if s.Applied {
						applied = s.AppliedAt.Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%04d\t%s\t%s\n", s.Version, s.Name, applied)
				}
				return tw.Flush()
			}
			applied, err := storage.Migrate(ctx, db)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				_, err = fmt.Fprintln(out, "database is up to date")
				return err
			}
			for _, m := range applied {
				fmt.Fprintf(out, "applied %04d %s\n", m.Version, m.Name)
			}
			return nil
		},
	}
	return cmd
}
