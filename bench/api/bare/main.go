// Command bare is the baseline of bench/api.sh: a bare net/http server whose one handler
// answers GET /api/v1/jobs/{job} with a small JSON job status, the shape of networx's
// (id, kind, status, attempt, progress, result, created_at, started_at), encoded per
// request with encoding/json. No authentication, database, Redis, rate limiting or
// logging: it measures what the machine, the Go HTTP server and wrk cost by themselves.
//
//	go run ./bench/api/bare -addr 127.0.0.1:18081
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"
)

type progress struct {
	Percent float64 `json:"percent"`
	Step    string  `json:"step"`
	Nodes   int64   `json:"nodes"`
}

type status struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	Attempt   int       `json:"attempt"`
	Progress  progress  `json:"progress"`
	Result    struct{}  `json:"result"`
	CreatedAt time.Time `json:"created_at"`
	StartedAt time.Time `json:"started_at"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	started := time.Now().UTC()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/jobs/{job}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(status{
			ID: r.PathValue("job"), Kind: "solve", Status: "running", Attempt: 1,
			Progress:  progress{Percent: 42, Step: "branch and bound", Nodes: 1234},
			CreatedAt: started, StartedAt: started,
		})
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
