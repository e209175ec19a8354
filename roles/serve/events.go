package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"networx/jobs"
)

// SSE timing.
const (
	// eventsPoll re-reads the record so that a lost pub/sub message (Redis pub/sub is at
	// most once) delays an event by at most this much.
	eventsPoll = 2 * time.Second
	// eventsKeepAlive sends a comment line so proxies (the ALB's idle timeout is 60 s)
	// keep a quiet stream open.
	eventsKeepAlive = 15 * time.Second
)

// jobEvents streams a job's progress as server-sent events: a status event with the job
// at once, progress events while it runs, a status event on every change, and the stream
// ends after the status event of the terminal state.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.jobOf(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	ctx := r.Context()
	// Subscribe before the first read: a change between the read and the subscription
	// would otherwise be missed until the next poll.
	sub := s.api.Redis.Subscribe(ctx, s.api.Jobs.Keys().Events(rec.ID))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		s.serverError(w, r, fmt.Errorf("subscribe to events of job %s: %w", rec.ID, err))
		return
	}
	if now, found, err := s.lookupJob(ctx, tenantOf(r), rec.ID); err == nil && found {
		rec = now
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	seq := 0
	send := func(event string, v any) bool {
		data, err := json.Marshal(v)
		if err != nil {
			return false
		}
		seq++
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", seq, event, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	last := rec.Status
	if !send("status", newJobView(rec)) || rec.Status.Terminal() {
		return
	}
	// sendStatus re-reads the record and sends it when its status changed; it reports
	// whether the stream goes on.
	sendStatus := func(force bool) bool {
		now, found, err := s.lookupJob(ctx, tenantOf(r), rec.ID)
		if err != nil || !found {
			return err != nil // a Redis hiccup: keep streaming; a vanished job: end
		}
		if now.Status == last && !force {
			return true
		}
		last = now.Status
		return send("status", newJobView(now)) && !now.Status.Terminal()
	}

	msgs := sub.Channel()
	poll := time.NewTicker(eventsPoll)
	defer poll.Stop()
	keep := time.NewTicker(eventsKeepAlive)
	defer keep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			var ev jobs.Event
			if json.Unmarshal([]byte(m.Payload), &ev) != nil {
				continue
			}
			switch ev.Type {
			case "progress":
				if ev.Progress != nil && !send("progress", ev.Progress) {
					return
				}
			case "status":
				if !sendStatus(false) {
					return
				}
			}
		case <-poll.C:
			if !sendStatus(false) {
				return
			}
		case <-keep.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
