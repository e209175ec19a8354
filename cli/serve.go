package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"networx/config"
	"networx/jobs"
	"networx/roles/serve"
	"networx/roles/work"
	"networx/storage"
	"networx/storage/blob"
)

func newServeCmd() *cobra.Command {
	var migrate bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP API",
		Long: `serve runs the HTTP API: /api/v1 (docs/api.md, docs/openapi.yaml; bearer API keys
from networx keys), /api/health (liveness), /api/ready (PostgreSQL, Redis and the blob
store, each within http.ready_timeout), /metrics (Prometheus). On SIGTERM it stops
accepting connections and gives in-flight requests http.shutdown_timeout to finish.`,
		Example: "  networx serve --addr 127.0.0.1:8080 --migrate\n  NETWORX_QUEUE_DRIVER=sqs networx serve",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, os.Environ(), map[string]string{"addr": "http.addr"})
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			logger := newLogger(cfg.Log, cmd.ErrOrStderr())
			reg := newRegistry()

			// Dependencies are opened lazily enough that serve starts while one is down:
			// readiness reports it, and the breaker and clients reconnect when it is back.
			db, err := openDB(ctx, cfg.Database, logger, reg)
			if err != nil {
				return err
			}
			defer db.Close()
			if migrate {
				applied, err := storage.Migrate(ctx, db)
				if err != nil {
					return fmt.Errorf("serve --migrate: %w", err)
				}
				logger.Info("migrations applied", "count", len(applied))
			}
			rdb, err := openRedis(ctx, cfg.Redis)
			if err != nil {
				logger.Warn("redis not reachable at start; readiness will report it", "err", err)
				rdb = nil
			}
			if rdb != nil {
				defer rdb.Close()
			}
			blobs, err := openBlob(ctx, cfg.Blob)
			if err != nil {
				return err
			}

			checks := []serve.Check{
				{Name: "postgresql", Probe: db.Ping},
				{Name: "redis", Probe: func(ctx context.Context) error {
					if rdb == nil {
						return fmt.Errorf("redis at %s was unreachable at start; restart serve once it is up", cfg.Redis.URL)
					}
					return rdb.Ping(ctx).Err()
				}},
				{Name: "blob", Probe: func(ctx context.Context) error {
					_, err := blobs.Stat(ctx, ".ready-probe")
					if err == nil || isNotFound(err) {
						return nil
					}
					return err
				}},
			}
			var opts []serve.Option
			if rdb != nil {
				api, err := serveAPI(ctx, cfg, db, rdb, blobs)
				if err != nil {
					return err
				}
				opts = append(opts, serve.WithAPI(api))
			} else {
				logger.Warn("serving health, readiness and metrics only until a restart finds redis: /api/v1 is not mounted")
			}
			srv, err := serve.New(serve.Config{
				Addr:              cfg.HTTP.Addr,
				ShutdownTimeout:   cfg.HTTP.ShutdownTimeout,
				ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
				ReadyTimeout:      cfg.HTTP.ReadyTimeout,
			}, logger, reg, reg, checks, opts...)
			if err != nil {
				return err
			}
			return srv.ListenAndRun(ctx)
		},
	}
	cmd.Flags().String("addr", "", "listen address, host:port (sets http.addr; default 127.0.0.1:8080)")
	cmd.Flags().BoolVar(&migrate, "migrate", false, "apply database migrations before serving")
	return cmd
}

// serveAPI builds the dependencies of the /api/v1 routes: the job store and one queue of
// each name on the configured driver.
func serveAPI(ctx context.Context, cfg config.Config, db *storage.DB, rdb redis.UniversalClient, blobs blob.Store) (serve.API, error) {
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{})
	if err != nil {
		return serve.API{}, err
	}
	queues := make(map[string]jobs.Queue, len(work.Queues))
	for _, name := range work.Queues {
		q, err := work.OpenQueue(ctx, cfg, name, rdb)
		if err != nil {
			return serve.API{}, fmt.Errorf("open queue %s: %w", name, err)
		}
		queues[name] = q
	}
	rate := float64(cfg.HTTP.RateLimit)
	if rate == 0 {
		rate = -1 // off
	}
	return serve.API{DB: db, Redis: rdb, Blob: blobs, Jobs: store, Queues: queues, Limits: serve.Limits{
		MaxUploadBytes: int64(cfg.HTTP.MaxUploadBytes),
		RateLimit:      rate,
		RateBurst:      cfg.HTTP.RateBurst,
		AuthCacheTTL:   cfg.HTTP.AuthCacheTTL,
	}}, nil
}

func isNotFound(err error) bool { return errors.Is(err, blob.ErrNotFound) }
