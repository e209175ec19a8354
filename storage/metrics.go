package storage

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the DB's Prometheus metrics. They are registered against the
// Registerer given to Open and unregistered by Close.
type metrics struct {
	reg          prometheus.Registerer
	breakerState prometheus.Gauge
	retries      prometheus.Counter
	queryErrors  *prometheus.CounterVec
	pool         *poolCollector
}

func newMetrics(reg prometheus.Registerer, pool *pgxpool.Pool) (*metrics, error) {
	m := &metrics{
		reg: reg,
		breakerState: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "networx_db_breaker_state",
			Help: "State of the database circuit breaker: 0 closed, 1 half-open, 2 open.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "networx_db_retries_total",
			Help: "Retries of retry-safe database operations after a transient error.",
		}),
		queryErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_db_query_errors_total",
			Help: "Database operations that returned an error, by class " +
				"(connection, conflict, timeout, constraint, syntax_or_access, canceled, breaker_open, other).",
		}, []string{"class"}),
		pool: newPoolCollector(pool),
	}
	if reg == nil {
		return m, nil
	}
	var registered []prometheus.Collector
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			for _, r := range registered {
				reg.Unregister(r)
			}
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, fmt.Errorf("register database metrics (one DB per process and registry): %w", err)
			}
			return nil, fmt.Errorf("register database metrics: %w", err)
		}
		registered = append(registered, c)
	}
	return m, nil
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.breakerState, m.retries, m.queryErrors, m.pool}
}

func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors() {
		m.reg.Unregister(c)
	}
}

// poolCollector reads pool.Stat() at scrape time.
type poolCollector struct {
	pool *pgxpool.Pool

	acquiredConns   *prometheus.Desc
	idleConns       *prometheus.Desc
	totalConns      *prometheus.Desc
	maxConns        *prometheus.Desc
	acquires        *prometheus.Desc
	acquireDuration *prometheus.Desc
	canceledAcquire *prometheus.Desc
	emptyAcquire    *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("networx_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:            pool,
		acquiredConns:   d("acquired_connections", "Connections currently checked out of the pool."),
		idleConns:       d("idle_connections", "Idle connections in the pool."),
		totalConns:      d("total_connections", "Connections in the pool: acquired, idle and being opened."),
		maxConns:        d("max_connections", "Largest number of connections the pool opens."),
		acquires:        d("acquires_total", "Successful acquisitions of a connection from the pool."),
		acquireDuration: d("acquire_duration_seconds_total", "Total time spent acquiring connections from the pool."),
		canceledAcquire: d("canceled_acquires_total", "Acquisitions cancelled by their context."),
		emptyAcquire:    d("empty_acquires_total", "Successful acquisitions that had to wait because no connection was idle."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquiredConns, c.idleConns, c.totalConns, c.maxConns,
		c.acquires, c.acquireDuration, c.canceledAcquire, c.emptyAcquire} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.acquiredConns, float64(s.AcquiredConns()))
	gauge(c.idleConns, float64(s.IdleConns()))
	gauge(c.totalConns, float64(s.TotalConns()))
	gauge(c.maxConns, float64(s.MaxConns()))
	counter(c.acquires, float64(s.AcquireCount()))
	counter(c.acquireDuration, s.AcquireDuration().Seconds())
	counter(c.canceledAcquire, float64(s.CanceledAcquireCount()))
	counter(c.emptyAcquire, float64(s.EmptyAcquireCount()))
}
