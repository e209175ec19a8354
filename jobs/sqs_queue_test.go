package jobs_test

import (
	"context"
	"testing"

	"networx/jobs"
	"networx/jobs/queuetest"
)

func TestSQSQueueConformance(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(t *testing.T, opts queuetest.Options) jobs.Queue {
		client := queuetest.SQS(t)
		q, err := jobs.NewSQSQueue(context.Background(), client, jobs.SQSQueueConfig{
			Name: queuetest.Name(t, "q"), FIFO: opts.FIFO, MaxReceives: opts.MaxReceives, Create: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return q
	})
}
