package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type ctxKey int

const requestIDKey ctxKey = 0

// requestID returns the id the middleware gave this request.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

type middleware struct {
	logger   *slog.Logger
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMiddleware(logger *slog.Logger, reg prometheus.Registerer) (*middleware, error) {
	m := &middleware{
		logger: logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "networx_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "networx_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register http metrics: %w", err)
		}
	}
	return m, nil
}

// wrap adds, outermost first: request id, access log and metrics, panic recovery.
func (m *middleware) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}

		func() {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					m.logger.Error("panic in handler", "request_id", id, "path", r.URL.Path,
						"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					if !rec.wrote {
						writeError(rec, r, http.StatusInternalServerError, "internal",
							"internal error; quote the request id when reporting it", nil)
					}
				}
			}()
			next.ServeHTTP(rec, r)
		}()

		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		code := strconv.Itoa(rec.code)
		elapsed := time.Since(start)
		m.requests.WithLabelValues(route, r.Method, code).Inc()
		m.duration.WithLabelValues(route, r.Method, code).Observe(elapsed.Seconds())
		m.logger.Info("http request", "request_id", id, "method", r.Method, "route", route,
			"path", r.URL.Path, "status", rec.code, "bytes", rec.bytes,
			"duration_ms", float64(elapsed.Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder remembers the status code and size of a response.
type recorder struct {
	http.ResponseWriter
	code  int
	bytes int
	wrote bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code = code
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string, details map[string]any) {
	if details == nil {
		details = map[string]any{}
	}
	details["request_id"] = requestID(r.Context())
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message, Details: details}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages say "a <= b", not "a \u003c= b"
	_ = enc.Encode(v)
}
