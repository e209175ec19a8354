package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"networx/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or check the merged configuration",
		Example: `  networx config print
  NETWORX_QUEUE_DRIVER=sqs networx config verify --config prod.yaml`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "print",
		Short:   "Print the merged configuration as YAML, passwords redacted",
		Example: "  networx config print --config networx.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, os.Environ(), nil)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), config.Print(cfg))
			return err
		},
	}, &cobra.Command{
		Use:     "verify",
		Short:   "Validate the merged configuration; exit non-zero listing every problem",
		Example: "  networx config verify --config networx.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := loadConfig(cmd, os.Environ(), nil); err != nil {
				return err
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "configuration is valid")
			return err
		},
	})
	return cmd
}
