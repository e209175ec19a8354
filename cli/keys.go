package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"networx/roles/serve"
)

// newKeysCmd is the operator's tool for API keys; it talks to PostgreSQL directly.
func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage API keys: create, list, revoke",
		Long: `keys manages the bearer API keys of networx serve. A key is shown once, when it is
created; only its SHA-256 hash is stored, with a short prefix (nx_ and 8 characters) that
identifies it in listings and logs. Revoking takes effect within http.auth_cache_ttl on
every serve process.`,
		Example: `  networx keys create --tenant acme --name "web app"
  networx keys list --tenant acme
  networx keys revoke key_4fQ...`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newKeysCreateCmd(), newKeysListCmd(), newKeysRevokeCmd())
	return cmd
}

// openKeyStore opens the database named by the configuration for the keys commands.
func openKeyStore(cmd *cobra.Command) (*serve.KeyStore, func(), error) {
	cfg, err := loadConfig(cmd, os.Environ(), nil)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(cmd.Context(), cfg.Database, newLogger(cfg.Log, cmd.ErrOrStderr()), prometheus.NewRegistry())
	if err != nil {
		return nil, nil, err
	}
	return serve.NewKeyStore(db), db.Close, nil
}

func newKeysCreateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create an API key for a tenant (the tenant is created if missing) and print it once",
		Example: `  networx keys create --tenant acme --name "web app"`,
		Args:    cobra.NoArgs,
	}
	tenant := cmd.Flags().String("tenant", "", "tenant id: 1-64 letters, digits, '-' or '_' (required)")
	name := cmd.Flags().String("name", "", "what the key is for, e.g. \"web app\" (required)")
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("name")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ks, done, err := openKeyStore(cmd)
		if err != nil {
			return err
		}
		defer done()
		k, err := ks.CreateKey(cmd.Context(), *tenant, *name)
		if err != nil {
			return explainKeysErr(err)
		}
		out := cmd.OutOrStdout()
		if *asJSON {
			return json.NewEncoder(out).Encode(k)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "created key %s (%s) for tenant %s; it is shown once, store it now:\n", k.ID, k.Prefix, k.Tenant)
		_, err = fmt.Fprintln(out, k.Secret)
		return err
	}
	return cmd
}

func newKeysListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List API keys (never their secrets)",
		Example: "  networx keys list\n  networx keys list --tenant acme --json",
		Args:    cobra.NoArgs,
	}
	tenant := cmd.Flags().String("tenant", "", "only this tenant's keys")
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ks, done, err := openKeyStore(cmd)
		if err != nil {
			return err
		}
		defer done()
		keys, err := ks.ListKeys(cmd.Context(), *tenant)
		if err != nil {
			return explainKeysErr(err)
		}
		out := cmd.OutOrStdout()
		if *asJSON {
			if keys == nil {
				keys = []serve.KeyInfo{}
			}
			return json.NewEncoder(out).Encode(keys)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTENANT\tPREFIX\tNAME\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Tenant, k.Prefix, k.Name, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	}
	return cmd
}

func newKeysRevokeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke an API key by its id (see keys list)",
		Example: "  networx keys revoke key_4fQ...",
		Args:    cobra.ExactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ks, done, err := openKeyStore(cmd)
		if err != nil {
			return err
		}
		defer done()
		k, err := ks.RevokeKey(cmd.Context(), args[0])
		if err != nil {
			return explainKeysErr(err)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked %s (%s, tenant %s)\n", k.ID, k.Prefix, k.Tenant)
		return err
	}
	return cmd
}

// explainKeysErr adds what to do when the key tables are missing.
func explainKeysErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" {
		return fmt.Errorf("%w (the database is not migrated: run networx migrate)", err)
	}
	return err
}
