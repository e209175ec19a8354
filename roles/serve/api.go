package serve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"networx/jobs"
	"networx/storage"
	"networx/storage/blob"
)

// Defaults of Limits.
const (
	// DefaultMaxUploadBytes caps one uploaded file: 2 GiB, forty times the old app's cap,
	// while a stuck or hostile client still cannot fill the bucket in one request.
	DefaultMaxUploadBytes = 2 << 30
	// DefaultMaxJSONBytes caps a JSON request body; the largest legitimate one, a mapping
	// override of a wide workbook, is a few kilobytes.
	DefaultMaxJSONBytes = 1 << 20
	// DefaultRateLimit and DefaultRateBurst shape each tenant's token bucket: 50 requests
	// a second sustained, bursts of 100 (a web page loading its panels at once).
	DefaultRateLimit = 50
	DefaultRateBurst = 100
	// DefaultAuthCacheTTL is how long a checked key is trusted without asking PostgreSQL
	// again; it is also the longest a revoked key keeps working on one serve process.
	DefaultAuthCacheTTL = 10 * time.Second
	// DefaultPresignTTL is the lifetime of a presigned upload URL.
	DefaultPresignTTL = 15 * time.Minute
)

// Limits bound what one request may cost. Zero values mean the defaults above.
type Limits struct {
	MaxUploadBytes int64
	MaxJSONBytes   int64
	// RateLimit is the sustained requests per second of one tenant on one serve process;
	// RateBurst the bucket size. A negative RateLimit switches rate limiting off.
	RateLimit    float64
	RateBurst    int
	AuthCacheTTL time.Duration
	PresignTTL   time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxUploadBytes == 0 {
		l.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if l.MaxJSONBytes == 0 {
		l.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if l.RateLimit == 0 {
		l.RateLimit = DefaultRateLimit
	}
	if l.RateBurst == 0 {
		l.RateBurst = DefaultRateBurst
	}
	if l.AuthCacheTTL == 0 {
		l.AuthCacheTTL = DefaultAuthCacheTTL
	}
	if l.PresignTTL == 0 {
		l.PresignTTL = DefaultPresignTTL
	}
	return l
}

// API is what the /api/v1 routes need. Without it (New without WithAPI) serve answers
// only health, readiness and metrics.
type API struct {
	DB    *storage.DB
	Redis redis.UniversalClient
	Blob  blob.Store
	Jobs  *jobs.Store
	// Queues maps a queue name (jobs.QueueOptimization, ...) to the queue jobs of that
	// queue are sent to.
	Queues map[string]jobs.Queue
	Limits Limits
	// Now is the clock of the rate limiter and the auth cache; nil means time.Now.
	Now func() time.Time
}

// Option configures New.
type Option func(*Server)

// WithAPI mounts the /api/v1 routes on the dependencies in api.
func WithAPI(api API) Option {
	return func(s *Server) { s.api = &api }
}

// route is one /api/v1 route: docs/openapi.yaml describes exactly these.
type route struct {
	method  string
	path    string
	handler http.HandlerFunc
}

// apiPrefix starts every route of the versioned API.
const apiPrefix = "/api/v1"

// routes lists the versioned API; every route requires a key.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/settings/scenario", s.scenarioSettingsCatalog},

		{"GET", "/projects", s.listProjects},
		{"POST", "/projects", s.createProject},
		{"GET", "/projects/{project}", s.getProject},
		{"PATCH", "/projects/{project}", s.updateProject},
		{"DELETE", "/projects/{project}", s.deleteProject},

		{"GET", "/projects/{project}/scenarios", s.listScenarios},
		{"POST", "/projects/{project}/scenarios", s.createScenario},
		{"GET", "/scenarios/{scenario}", s.getScenario},
		{"PUT", "/scenarios/{scenario}", s.replaceScenario},
		{"DELETE", "/scenarios/{scenario}", s.deleteScenario},

		{"GET", "/projects/{project}/files", s.listFiles},
		{"POST", "/projects/{project}/files", s.uploadFile},
		{"POST", "/projects/{project}/uploads", s.presignUpload},
		{"GET", "/files/{file}", s.getFile},
		{"POST", "/files/{file}/confirm", s.confirmUpload},
		{"GET", "/files/{file}/report", s.fileReport},
		{"GET", "/files/{file}/mapping", s.getMapping},
		{"PUT", "/files/{file}/mapping", s.putMapping},

		{"GET", "/projects/{project}/datasets", s.listDatasets},
		{"GET", "/datasets/{dataset}", s.getDataset},
		{"GET", "/datasets/{dataset}/preview", s.previewDataset},

		{"GET", "/jobs", s.listJobs},
		{"POST", "/jobs", s.submitJob},
		{"GET", "/jobs/{job}", s.getJob},
		{"GET", "/jobs/{job}/events", s.jobEvents},
		{"POST", "/jobs/{job}/cancel", s.cancelJob},
		{"GET", "/jobs/{job}/result", s.jobResult},
		{"GET", "/jobs/{job}/result/workbook", s.jobWorkbook},
		{"GET", "/jobs/{job}/result/model", s.jobModel},

		{"GET", "/runs", s.listRuns},
	}
}

// mountAPI registers the versioned routes behind authentication and rate limiting.
func (s *Server) mountAPI(mux *http.ServeMux) {
	s.limits = s.api.Limits.withDefaults()
	now := s.api.Now
	if now == nil {
		now = time.Now
	}
	s.auth = newAuthenticator(NewKeyStore(s.api.DB), s.limits.AuthCacheTTL, now)
	s.limiter = newRateLimiter(s.limits.RateLimit, s.limits.RateBurst, now)
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+apiPrefix+rt.path, s.authenticated(rt.handler))
	}
	// Unknown paths under /api/v1 also answer 401 first, so that a caller without a key
	// learns nothing about which paths exist.
	mux.Handle(apiPrefix+"/", s.authenticated(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found",
			fmt.Sprintf("no route for %s %s; docs/openapi.yaml lists them", r.Method, r.URL.Path), nil)
	}))
}

// tenantKey is the context key of the authenticated tenant.
const tenantKey ctxKey = 1

// tenantOf returns the tenant the request authenticated as.
func tenantOf(r *http.Request) string {
	t, _ := r.Context().Value(tenantKey).(string)
	return t
}

// authenticated checks the bearer key, then the tenant's rate limit, then runs h.
func (s *Server) authenticated(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="networx"`)
			writeError(w, r, http.StatusUnauthorized, "unauthorized",
				"missing API key: send Authorization: Bearer nx_... (networx keys create makes one)", nil)
			return
		}
		tenant, err := s.auth.authenticate(r.Context(), secret)
		if errors.Is(err, ErrKeyNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="networx", error="invalid_token"`)
			writeError(w, r, http.StatusUnauthorized, "unauthorized",
				"invalid or revoked API key: check the key, or ask for a new one (networx keys create)", nil)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if wait, ok := s.limiter.allow(tenant); !ok {
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, r, http.StatusTooManyRequests, "rate_limited",
				fmt.Sprintf("rate limit of %g requests per second for this tenant exceeded; retry after %d s", s.limits.RateLimit, secs),
				map[string]any{"retry_after_seconds": secs})
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), tenantKey, tenant)))
	})
}

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// serverError answers 503 for an unavailable dependency and 500 for anything else,
// logging the cause; the body never carries internal detail.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	id := requestID(r.Context())
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody reads the answer
	}
	if errors.Is(err, storage.ErrBreakerOpen) || storage.IsTransient(err) || errors.Is(err, redis.ErrClosed) || isNetErr(err) {
		s.logger.Warn("dependency unavailable", "request_id", id, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "unavailable",
			"a backing service is unavailable; retry in a few seconds (quote the request id if it persists)", nil)
		return
	}
	s.logger.Error("request failed", "request_id", id, "path", r.URL.Path, "err", err)
	writeError(w, r, http.StatusInternalServerError, "internal", "internal error; quote the request id when reporting it", nil)
}

func isNetErr(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne)
}

// notFound answers 404 naming the kind of resource and id, identically whether it does
// not exist or belongs to another tenant.
func notFound(w http.ResponseWriter, r *http.Request, what, id string) {
	writeError(w, r, http.StatusNotFound, "not_found",
		fmt.Sprintf("%s %q not found; list them with GET %s", what, id, listPathOf(what)), nil)
}

func listPathOf(what string) string {
	switch what {
	case "project":
		return apiPrefix + "/projects"
	case "job":
		return apiPrefix + "/jobs"
	default:
		return apiPrefix + "/projects/{project}/" + what + "s"
	}
}

func badRequest(w http.ResponseWriter, r *http.Request, msg string, details map[string]any) {
	writeError(w, r, http.StatusBadRequest, "invalid_request", msg, details)
}

// decodeJSON reads one JSON object of at most MaxJSONBytes into v, rejecting unknown
// fields and trailing data; it writes the error answer itself and returns false on failure.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("content type %q: send the body as application/json", ct), nil)
		return false
	}
	body := http.MaxBytesReader(w, r.Body, s.limits.MaxJSONBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	if err == nil {
		return true
	}
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		writeError(w, r, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("request body larger than %d bytes", mbe.Limit), nil)
	case errors.Is(err, io.EOF):
		badRequest(w, r, "empty body: send a JSON object", nil)
	case errors.As(err, &se):
		badRequest(w, r, fmt.Sprintf("body is not valid JSON at byte %d: %v", se.Offset, se), nil)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		badRequest(w, r, fmt.Sprintf("field %s: want %s, got JSON %s", field, te.Type, te.Value), map[string]any{"field": field})
	default:
		badRequest(w, r, "body: "+err.Error(), nil)
	}
	return false
}

// page is one page of a list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Page sizes of list routes.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// cursor is the position after the last item of a page: lists are ordered by (at, id)
// descending. It travels base64url-encoded JSON and is opaque to clients.
type cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// pageParams reads limit and cursor; it answers 400 itself and returns false on bad ones.
// A zero cursor (first page) has At in the far future.
func pageParams(w http.ResponseWriter, r *http.Request) (int, cursor, bool) {
	q := r.URL.Query()
	limit := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			badRequest(w, r, fmt.Sprintf("limit %q: want a whole number from 1 to %d", v, maxPageSize), nil)
			return 0, cursor{}, false
		}
		limit = n
	}
	c := cursor{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == "" {
			badRequest(w, r, "cursor is not one this API handed out: pass next_cursor of the previous page unchanged", nil)
			return 0, cursor{}, false
		}
	}
	return limit, c, true
}

// nextCursor returns the cursor after items when there were more than limit (the query
// asks for limit+1) and trims items to limit.
func nextCursor[T any](items []T, limit int, pos func(T) cursor) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	raw, _ := json.Marshal(pos(items[limit-1]))
	return items, base64.RawURLEncoding.EncodeToString(raw)
}

func (a *API) validate() error {
	var missing []string
	if a.DB == nil {
		missing = append(missing, "database")
	}
	if a.Redis == nil || a.Jobs == nil {
		missing = append(missing, "redis job store")
	}
	if a.Blob == nil {
		missing = append(missing, "blob store")
	}
	for _, q := range []string{jobs.QueueOptimization, jobs.QueueFiles, jobs.QueueCapacity} {
		if a.Queues[q] == nil {
			missing = append(missing, "queue "+q)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("serve api: missing %s", strings.Join(missing, ", "))
	}
	return nil
}
