package work

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"networx/jobs"
	"networx/roles/files"
	"networx/storage"
	"networx/storage/blob"
)

// Deps are what a worker process needs, built by the caller in dependency order.
type Deps struct {
	Redis redis.UniversalClient
	Queue jobs.Queue
	// History is the PostgreSQL run history (nil: none).
	History jobs.History
	// DB is the PostgreSQL database files jobs load into (nil: files jobs fail).
	DB   *storage.DB
	Blob blob.Store
	Log  *slog.Logger
	// Registry is the process's Prometheus registry; metrics register with it and the admin
	// listener serves it.
	Registry *prometheus.Registry
}

// Config configures a worker process.
type Config struct {
	// Worker configures the job loop.
	Worker jobs.WorkerConfig
	// AdminAddr is the listen address of /api/health and /metrics; empty means none.
	AdminAddr string
}

// Handlers returns the job kinds run on queue with their handlers.
func Handlers(queue string, d Deps) map[string]jobs.Handler {
	switch queue {
	case jobs.QueueOptimization:
		return map[string]jobs.Handler{KindSolve: SolveHandler(d.Blob), KindOptimize: OptimizeHandler(d.Blob), KindSweep: SweepHandler(d.Blob)}
	case jobs.QueueCapacity:
		return map[string]jobs.Handler{KindCapacity: CapacityHandler(d.Blob)}
	case jobs.QueueFiles:
		fd := FilesDeps{Blob: d.Blob}
		if d.DB != nil {
			// The zero config is valid, so NewLoader cannot fail here.
			fd.Loader, _ = files.NewLoader(d.DB, files.LoaderConfig{})
		}
		return map[string]jobs.Handler{KindFiles: FilesHandler(fd)}
	}
	return nil
}

// Run runs the worker of d.Queue until ctx is cancelled, then drains it (see
// jobs.Worker.Run), serving the admin endpoints meanwhile.
func Run(ctx context.Context, cfg Config, d Deps) error {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	handlers := Handlers(d.Queue.Name(), d)
	if len(handlers) == 0 {
		return fmt.Errorf("no job kinds run on queue %s in this build", d.Queue.Name())
	}
	store, err := jobs.NewStore(d.Redis, jobs.StoreConfig{})
	if err != nil {
		return err
	}
	metrics, err := jobs.NewMetrics(d.Registry)
	if err != nil {
		return fmt.Errorf("register job metrics: %w", err)
	}
	w, err := jobs.NewWorker(cfg.Worker, jobs.WorkerDeps{Queue: d.Queue, Store: store, Redis: d.Redis,
		History: d.History, Handlers: handlers, Log: d.Log, Metrics: metrics})
	if err != nil {
		return err
	}
	if cfg.AdminAddr != "" {
		stop, err := serveAdmin(cfg.AdminAddr, d.Registry, d.Log)
		if err != nil {
			return err
		}
		defer stop()
	}
	return w.Run(ctx)
}

// serveAdmin starts the admin listener and returns its shutdown.
func serveAdmin(addr string, reg *prometheus.Registry, log *slog.Logger) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	if reg != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener", "err", err)
		}
	}()
	log.Info("admin listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
