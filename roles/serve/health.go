package serve

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// health is liveness: it touches nothing, so a slow database never gets the task killed.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ready probes every dependency concurrently, each within ReadyTimeout, and answers 503
// naming each one that failed.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	results := make(map[string]string, len(s.checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range s.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ReadyTimeout)
			defer cancel()
			status := "ok"
			if err := c.Probe(ctx); err != nil {
				status = err.Error()
			}
			mu.Lock()
			results[c.Name] = status
			mu.Unlock()
		}()
	}
	wg.Wait()

	var failed []string
	for name, status := range results {
		if status != "ok" {
			failed = append(failed, name)
		}
	}
	if len(failed) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "checks": results})
		return
	}
	sort.Strings(failed)
	s.logger.Warn("not ready", "failed", strings.Join(failed, ","), "request_id", requestID(r.Context()))
	writeError(w, r, http.StatusServiceUnavailable, "not_ready",
		"not ready: "+strings.Join(failed, ", ")+" unreachable; see checks for each error",
		map[string]any{"checks": results})
}
