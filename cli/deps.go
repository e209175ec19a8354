package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"networx/config"
	"networx/storage"
	"networx/storage/blob"
)

// openDB opens the process's one PostgreSQL pool from the database settings.
func openDB(ctx context.Context, cfg config.Database, logger *slog.Logger, reg prometheus.Registerer) (*storage.DB, error) {
	return storage.Open(ctx, storage.Config{
		URL:                     cfg.URL,
		MaxConns:                int32(cfg.MaxConns),
		MinConns:                int32(cfg.MinConns),
		ConnectTimeout:          cfg.ConnectTimeout,
		StatementTimeout:        cfg.StatementTimeout,
		HealthCheckPeriod:       cfg.HealthCheckPeriod,
		MaxConnLifetime:         cfg.MaxConnLifetime,
		RetryAttempts:           cfg.RetryAttempts,
		RetryBaseDelay:          cfg.RetryBaseDelay,
		BreakerFailureThreshold: cfg.BreakerFailureThreshold,
		BreakerOpenTimeout:      cfg.BreakerOpenTimeout,
	}, logger, reg, nil)
}

// openRedis opens the Redis client from the redis settings.
func openRedis(ctx context.Context, cfg config.Redis) (redis.UniversalClient, error) {
	return storage.OpenRedis(ctx, storage.RedisConfig{
		URL:          cfg.URL,
		DialTimeout:  cfg.DialTimeout,
		ReadTimeout:  cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout,
		PoolSize:     cfg.PoolSize,
	})
}

// openBlob opens the blob store named by the blob URL.
func openBlob(ctx context.Context, cfg config.Blob) (blob.Store, error) {
	s, err := blob.Open(ctx, cfg.URL, blob.Config{})
	if err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", cfg.URL, err)
	}
	return s, nil
}
