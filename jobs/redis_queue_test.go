package jobs_test

import (
	"testing"

	"networx/jobs"
	"networx/jobs/queuetest"
)

func TestRedisQueueConformance(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(t *testing.T, opts queuetest.Options) jobs.Queue {
		rdb, prefix := queuetest.Redis(t)
		q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{
			Name: queuetest.Name(t, "q"), FIFO: opts.FIFO, MaxReceives: opts.MaxReceives, KeyPrefix: prefix,
		})
		if err != nil {
			t.Fatal(err)
		}
		return q
	})
}
