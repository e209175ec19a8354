// Package serve is the HTTP API role (networx serve). It validates, stores, enqueues and
// answers; it never runs a solver or parses a file inside a request.
package serve

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
)

// Config configures the HTTP server. Zero durations take the documented defaults.
type Config struct {
	// Addr is the listen address, like 127.0.0.1:8080.
	Addr string
	// ShutdownTimeout bounds the graceful shutdown after the context ends (default 20s).
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds reading request headers (default 10s).
	ReadHeaderTimeout time.Duration
	// ReadyTimeout bounds each dependency check of /api/ready (default 2s).
	ReadyTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 20 * time.Second
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = 2 * time.Second
	}
	return c
}

// Check is one dependency probed by /api/ready.
type Check struct {
	// Name identifies the dependency in the readiness answer: postgresql, redis, blob.
	Name string
	// Probe returns nil when the dependency answers.
	Probe func(ctx context.Context) error
}

// Server is the networx HTTP API.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	checks  []Check
	handler http.Handler

	// The versioned API, when mounted (WithAPI).
	api     *API
	limits  Limits
	auth    *authenticator
	limiter *rateLimiter
}

// New builds the server. Metrics are registered on reg and /metrics serves gatherer.
// Without WithAPI it serves health, readiness and metrics only.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer, gatherer prometheus.Gatherer, checks []Check, opts ...Option) (*Server, error) {
	s := &Server{cfg: cfg.withDefaults(), logger: logger, checks: checks}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	if s.api != nil {
		if err := s.api.validate(); err != nil {
			return nil, err
		}
		s.mountAPI(mux)
	}
	mux.HandleFunc("GET /api/health", s.health)
	mux.HandleFunc("GET /api/ready", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s; see docs/api.md", r.Method, r.URL.Path), nil)
	})
	mw, err := newMiddleware(logger, reg)
	if err != nil {
		return nil, err
	}
	s.handler = mw.wrap(mux)
	return s, nil
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// Run serves on ln until ctx ends, then shuts down gracefully within ShutdownTimeout: the
// listener closes at once, in-flight requests get the rest of the timeout.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.Info("http server listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("http server shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("http shutdown within %s: %w", s.cfg.ShutdownTimeout, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	s.logger.Info("http server stopped")
	return nil
}

// ListenAndRun listens on the configured address and runs the server.
func (s *Server) ListenAndRun(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another process using the port? set http.addr or --addr)", s.cfg.Addr, err)
	}
	return s.Run(ctx, ln)
}
