package work

import (
	"context"
	"fmt"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/redis/go-redis/v9"

	"networx/config"
	"networx/jobs"
)

// Queues are the queue names networx knows.
var Queues = []string{jobs.QueueOptimization, jobs.QueueFiles, jobs.QueueCapacity}

// ValidQueue reports whether name is one of Queues.
func ValidQueue(name string) bool {
	for _, q := range Queues {
		if q == name {
			return true
		}
	}
	return false
}

// FIFO reports whether queue name is a FIFO queue: the optimization queue is, so that one
// tenant's optimizations run in order and a job id is enqueued once.
func FIFO(name string) bool { return name == jobs.QueueOptimization }

// receiveMargin is added to the maximum attempts to get the queue's maximum receives: a
// worker fails and dead-letters a job itself after its attempts, and a draining worker's
// release counts as a receive without costing an attempt, so the queue's own redrive is a
// backstop for messages that crash their worker before it can record anything.
const receiveMargin = 3

// OpenQueue opens queue name with the configured driver. rdb is used by the Redis driver.
func OpenQueue(ctx context.Context, cfg config.Config, name string, rdb redis.UniversalClient) (jobs.Queue, error) {
	if !ValidQueue(name) {
		return nil, fmt.Errorf("unknown queue %q (want optimization, files or capacity)", name)
	}
	fifo := FIFO(name)
	maxReceives := cfg.Queue.MaxAttempts + receiveMargin
	switch cfg.Queue.Driver {
	case "redis":
		return jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: name, FIFO: fifo, MaxReceives: maxReceives})
	case "sqs":
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws config: %w", err)
		}
		qn := cfg.Queue.NamePrefix + name
		if fifo {
			qn += ".fifo"
		}
		return jobs.NewSQSQueue(ctx, sqs.NewFromConfig(awsCfg), jobs.SQSQueueConfig{
			Name: name, QueueName: qn, FIFO: fifo, MaxReceives: maxReceives, Create: cfg.Queue.CreateQueues,
		})
	}
	return nil, fmt.Errorf("unknown queue driver %q", cfg.Queue.Driver)
}

// Timeouts returns the per-kind job timeouts of the configuration.
func Timeouts(cfg config.Jobs) map[string]time.Duration {
	return map[string]time.Duration{KindSolve: cfg.OptimizationTimeout, KindOptimize: cfg.OptimizationTimeout,
		KindSweep: cfg.OptimizationTimeout, KindCapacity: cfg.CapacityTimeout, KindFiles: cfg.FilesTimeout}
}
