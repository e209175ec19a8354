package jobs_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"networx/jobs"
	"networx/jobs/queuetest"
)

// BenchmarkJobLatency measures, on each queue driver, the enqueue-to-start latency of short
// jobs and the cancel latency (cancel request to the record reading cancelled) of running
// jobs, over NETWORX_BENCH_JOBS jobs each (default 1000), with a worker of 4 slots and 4
// submitters so that the queue never backs up. Run it with -benchtime 1x (bench/jobs.sh).
func BenchmarkJobLatency(b *testing.B) {
	n := 1000
	if v := os.Getenv("NETWORX_BENCH_JOBS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	drivers := []struct {
		name  string
		queue func(b *testing.B, prefix string) jobs.Queue
	}{
		{"redis", func(b *testing.B, prefix string) jobs.Queue {
			rdb, _ := queuetest.Redis(b)
			q, err := jobs.NewRedisQueue(rdb, jobs.RedisQueueConfig{Name: "optimization", FIFO: true, KeyPrefix: prefix})
			if err != nil {
				b.Fatal(err)
			}
			return q
		}},
		{"sqs", func(b *testing.B, _ string) jobs.Queue {
			q, err := jobs.NewSQSQueue(context.Background(), queuetest.SQS(b), jobs.SQSQueueConfig{
				Name: "optimization", QueueName: queuetest.Name(b, "bench") + ".fifo", FIFO: true, Create: true})
			if err != nil {
				b.Fatal(err)
			}
			return q
		}},
	}
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			for range b.N {
				benchLatency(b, n, d.queue)
			}
		})
	}
}

func benchLatency(b *testing.B, n int, newQueue func(*testing.B, string) jobs.Queue) {
	rdb, prefix := queuetest.Redis(b)
	q := newQueue(b, prefix)
	store, err := jobs.NewStore(rdb, jobs.StoreConfig{KeyPrefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	started := map[string]chan time.Time{}
	startedCh := func(id string) chan time.Time {
		mu.Lock()
		defer mu.Unlock()
		ch, ok := started[id]
		if !ok {
			ch = make(chan time.Time, 1)
			started[id] = ch
		}
		return ch
	}
	const slots = 4
	w, err := jobs.NewWorker(jobs.WorkerConfig{Concurrency: slots, ReceiveWait: 5 * time.Second}, jobs.WorkerDeps{
		Queue: q, Store: store, Redis: rdb,
		Handlers: map[string]jobs.Handler{
			"short": func(_ context.Context, job *jobs.Job) (jobs.Result, error) {
				startedCh(job.ID) <- time.Now()
				return jobs.Result{}, nil
			},
			"block": func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
				startedCh(job.ID) <- time.Now()
				<-ctx.Done()
				return jobs.Result{}, context.Cause(ctx)
			},
		}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	run := func(kind string, measure func(id string, enqueued time.Time) time.Duration) []time.Duration {
		var lat []time.Duration
		var lmu sync.Mutex
		var wg sync.WaitGroup
		for s := range slots {
			wg.Go(func() {
				for i := s; i < n; i += slots {
					at := time.Now()
					rec, err := jobs.Enqueue(ctx, store, q, jobs.NewJob{Kind: kind, Queue: "optimization", Tenant: fmt.Sprintf("t%d", s)})
					if err != nil {
						b.Error(err)
						return
					}
					d := measure(rec.ID, at)
					lmu.Lock()
					lat = append(lat, d)
					lmu.Unlock()
				}
			})
		}
		wg.Wait()
		return lat
	}
	b.ResetTimer()
	startLat := run("short", func(id string, at time.Time) time.Duration {
		return (<-startedCh(id)).Sub(at)
	})
	cancelLat := run("block", func(id string, _ time.Time) time.Duration {
		<-startedCh(id)
		asked := time.Now()
		if _, err := store.Cancel(ctx, id); err != nil {
			b.Error(err)
			return 0
		}
		if _, err := store.Wait(ctx, id, 20*time.Millisecond); err != nil {
			b.Error(err)
		}
		return time.Since(asked)
	})
	b.StopTimer()
	report := func(name string, lat []time.Duration) {
		slices.Sort(lat)
		if len(lat) == 0 {
			return
		}
		p := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(p(0.50), name+"-p50-ms")
		b.ReportMetric(p(0.99), name+"-p99-ms")
	}
	report("start", startLat)
	report("cancel", cancelLat)
	b.ReportMetric(float64(len(startLat)), "jobs")
}
