package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"networx/config"
	"networx/jobs"
	"networx/roles/work"
)

func newWorkCmd() *cobra.Command {
	var queue, adminAddr string
	cmd := &cobra.Command{
		Use:   "work --queue=optimization|files|capacity",
		Short: "Run the jobs of one queue with bounded concurrency",
		Long: `work receives messages from one queue and runs their jobs: it extends each message's
lease at a third of the visibility timeout, stops a job within a second of a cancel
request, retries retryable errors with exponential backoff and jitter, fails a job and
dead-letters its message after queue.max_attempts, and writes every finished job to the
PostgreSQL run history. On SIGTERM it stops receiving, lets running jobs finish for
jobs.drain_timeout, then cancels them and hands their messages back at once.

With queue.create_queues (the local default) missing SQS queues are created.`,
		Example: `  networx work --queue=optimization --concurrency 2 --admin-addr 127.0.0.1:9090
  NETWORX_QUEUE_DRIVER=sqs networx work --queue=files`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !work.ValidQueue(queue) {
				return fmt.Errorf("--queue %q: want optimization, files or capacity", queue)
			}
			cfg, err := loadConfig(cmd, os.Environ(), map[string]string{"concurrency": "jobs.concurrency"})
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			logger := newLogger(cfg.Log, cmd.ErrOrStderr()).With("role", "work")
			reg := newRegistry()
			db, err := openDB(ctx, cfg.Database, logger, reg)
			if err != nil {
				return err
			}
			defer db.Close()
			rdb, err := openRedis(ctx, cfg.Redis)
			if err != nil {
				return err
			}
			defer rdb.Close()
			store, err := openBlob(ctx, cfg.Blob)
			if err != nil {
				return err
			}
			q, err := work.OpenQueue(ctx, cfg, queue, rdb)
			if err != nil {
				return err
			}
			return work.Run(ctx, work.Config{Worker: workerConfig(cfg, queue), AdminAddr: adminAddr}, work.Deps{
				Redis: rdb, Queue: q, History: jobs.NewPGHistory(db.Pool()), DB: db, Blob: store, Log: logger, Registry: reg,
			})
		},
	}
	cmd.Flags().StringVar(&queue, "queue", "", "queue to work: optimization, files or capacity (required)")
	cmd.Flags().Int("concurrency", 0, "jobs run at once (default jobs.concurrency)")
	cmd.Flags().StringVar(&adminAddr, "admin-addr", "", "listen address of /api/health and /metrics (default: none)")
	_ = cmd.MarkFlagRequired("queue")
	return cmd
}

// workerConfig maps the configuration to the worker's settings for queue.
func workerConfig(cfg config.Config, queue string) jobs.WorkerConfig {
	def := cfg.Jobs.OptimizationTimeout
	switch queue {
	case jobs.QueueFiles:
		def = cfg.Jobs.FilesTimeout
	case jobs.QueueCapacity:
		def = cfg.Jobs.CapacityTimeout
	}
	return jobs.WorkerConfig{
		Concurrency:    cfg.Jobs.Concurrency,
		Lease:          cfg.Jobs.VisibilityTimeout,
		DrainTimeout:   cfg.Jobs.DrainTimeout,
		MaxAttempts:    cfg.Queue.MaxAttempts,
		Timeouts:       work.Timeouts(cfg.Jobs),
		DefaultTimeout: def,
	}
}
