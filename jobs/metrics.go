package jobs

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus metrics of the job system (networx_jobs_*).
type Metrics struct {
	transitions       *prometheus.CounterVec
	duration          *prometheus.HistogramVec
	queueMessages     *prometheus.GaugeVec
	oldestAge         *prometheus.GaugeVec
	inFlight          *prometheus.GaugeVec
	retries           *prometheus.CounterVec
	deadLetters       *prometheus.CounterVec
	cancelLatency     *prometheus.HistogramVec
	heartbeatFailures *prometheus.CounterVec
	receiveErrors     *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_jobs_transitions_total",
			Help: "Jobs entering a state in this worker, by queue, kind and state (running, succeeded, failed, cancelled, retrying, released, lease_lost).",
		}, []string{"queue", "kind", "state"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "networx_jobs_duration_seconds",
			Help:    "Run time of one attempt, by queue, kind and final state of the attempt.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 12), // 10 ms to about 30 min
		}, []string{"queue", "kind", "state"}),
		queueMessages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "networx_jobs_queue_messages",
			Help: "Messages in the queue by state (visible, inflight, delayed, dead).",
		}, []string{"queue", "state"}),
		oldestAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "networx_jobs_queue_oldest_message_age_seconds",
			Help: "Age of the oldest visible message (Redis driver; SQS reports it through CloudWatch).",
		}, []string{"queue"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "networx_jobs_in_flight",
			Help: "Jobs running in this worker.",
		}, []string{"queue", "kind"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_jobs_retries_total",
			Help: "Attempts that failed with a retryable error and were scheduled again.",
		}, []string{"queue", "kind"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_jobs_dead_letters_total",
			Help: "Messages this worker moved to the dead-letter queue.",
		}, []string{"queue", "kind"}),
		cancelLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "networx_jobs_cancel_latency_seconds",
			Help:    "Time from a cancel request to the job ending cancelled.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30},
		}, []string{"queue", "kind"}),
		heartbeatFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_jobs_heartbeat_failures_total",
			Help: "Failed lease extensions (target=lease) and record heartbeats (target=record).",
		}, []string{"queue", "kind", "target"}),
		receiveErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_jobs_receive_errors_total",
			Help: "Failed receives from the queue.",
		}, []string{"queue"}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.transitions, m.duration, m.queueMessages, m.oldestAge, m.inFlight,
		m.retries, m.deadLetters, m.cancelLatency, m.heartbeatFailures, m.receiveErrors} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}

// observeStats sets the queue gauges.
func (m *Metrics) observeStats(queue string, st QueueStats) {
	m.queueMessages.WithLabelValues(queue, "visible").Set(float64(st.Visible))
	m.queueMessages.WithLabelValues(queue, "inflight").Set(float64(st.InFlight))
	m.queueMessages.WithLabelValues(queue, "delayed").Set(float64(st.Delayed))
	m.queueMessages.WithLabelValues(queue, "dead").Set(float64(st.Dead))
	if st.HasOldestAge {
		m.oldestAge.WithLabelValues(queue).Set(st.OldestAge.Seconds())
	}
}
