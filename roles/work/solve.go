package work

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"networx/jobs"
	"networx/solver"
	"networx/storage/blob"
)

// KindSolve is the job kind that solves an MPS or LP file from the blob store.
const KindSolve = "solve"

// Duration is a time.Duration written in JSON as a Go duration string ("90s").
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// SolveSettings are the settings of a solve job, stored as the record's settings.
type SolveSettings struct {
	// TimeLimit stops the search with the best solution so far; zero means none (the job
	// timeout still applies).
	TimeLimit Duration `json:"time_limit,omitempty"`
	// RelGap is the relative gap that counts as optimal; zero means the solver's default.
	RelGap float64 `json:"rel_gap,omitempty"`
	// Threads for the solver; zero means 1, so that one worker slot uses one core.
	Threads int `json:"threads,omitempty"`
}

// Validate reports invalid settings.
func (s SolveSettings) Validate() error {
	var errs []error
	if s.TimeLimit < 0 {
		errs = append(errs, fmt.Errorf("time limit %s is negative", time.Duration(s.TimeLimit)))
	}
	if s.RelGap < 0 || math.IsNaN(s.RelGap) {
		errs = append(errs, fmt.Errorf("relative gap %v is negative", s.RelGap))
	}
	if s.Threads < 0 {
		errs = append(errs, fmt.Errorf("threads %d is negative", s.Threads))
	}
	return errors.Join(errs...)
}

// InputKey is the blob key of a solve job's model file; the extension (.mps or .lp) tells
// the format.
func InputKey(tenant, jobID, ext string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, "model"+ext)
}

// SolutionKey is the blob key of a solve job's solution file.
func SolutionKey(tenant, jobID string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, "solution.sol")
}

// SolveHandler returns the handler of solve jobs: it reads the model from store, solves
// it reporting nodes, incumbent, bound and gap, writes the solution to store and returns
// the summary. A cancelled or timed-out solve still writes its incumbent and returns it.
func SolveHandler(store blob.Store) jobs.Handler {
	return func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
		var set SolveSettings
		if len(job.Settings) > 0 {
			if err := json.Unmarshal(job.Settings, &set); err != nil {
				return jobs.Result{}, jobs.Permanent(fmt.Errorf("solve settings: %w", err))
			}
		}
		if err := set.Validate(); err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("solve settings: %w", err))
		}
		m, err := readModel(ctx, store, job.InputRef)
		if err != nil {
			return jobs.Result{}, err
		}
		threads := set.Threads
		if threads == 0 {
			threads = 1
		}
		limit := time.Duration(set.TimeLimit)
		settings := solver.Settings{TimeLimit: limit, RelGap: set.RelGap, Threads: threads,
			Progress: func(p solver.Progress) { job.Report(solveProgress(p, limit)) }}
		job.Log.Info("solving", "input_ref", job.InputRef, "cols", m.NumCols(), "rows", m.NumRows(), "time_limit", limit)
		res, err := solver.Solve(ctx, m, settings)
		switch {
		case errors.Is(err, solver.ErrInfeasible), errors.Is(err, solver.ErrUnbounded):
			// A proven answer about the model: the job did its work.
		case err != nil:
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("solve %s: %w", job.InputRef, err))
		}
		out := jobs.Result{Status: res.Status.String(), Objective: jobs.Float(res.Objective),
			Bound: jobs.Float(res.Bound), Gap: jobs.Float(res.Gap)}
		if res.X != nil {
			key, err := SolutionKey(job.Tenant, job.ID)
			if err != nil {
				return out, jobs.Permanent(err)
			}
			// The solution is written even when the job was cancelled: it keeps the incumbent.
			if err := writeSolution(context.WithoutCancel(ctx), store, key, job.InputRef, m, res); err != nil {
				return out, err
			}
			out.Ref = key
		}
		if ctx.Err() != nil {
			return out, context.Cause(ctx)
		}
		return out, nil
	}
}

func solveProgress(p solver.Progress, limit time.Duration) jobs.Progress {
	out := jobs.Progress{Step: "branch and bound", Nodes: p.Nodes, Bound: jobs.Float(p.Bound), Gap: jobs.Float(p.Gap)}
	if p.HasIncumbent {
		out.Incumbent = jobs.Float(p.Incumbent)
	}
	if limit > 0 {
		out.Percent = math.Min(99, 100*p.Elapsed.Seconds()/limit.Seconds())
	}
	return out
}

// readModel streams the model file from the store into the solver's reader.
func readModel(ctx context.Context, store blob.Store, key string) (*solver.Model, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey) {
			return nil, jobs.Permanent(fmt.Errorf("read model: %w", err))
		}
		return nil, fmt.Errorf("read model: %w", err) // transient: retried
	}
	defer rc.Close()
	var m *solver.Model
	if strings.HasSuffix(strings.ToLower(key), ".lp") {
		m, err = solver.ReadLP(rc)
	} else {
		m, err = solver.ReadMPS(rc)
	}
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("read model %s: %w", key, err))
	}
	return m, nil
}

// writeSolution stores a header (source, status, objective) and "name value" for every
// nonzero of the solution, the format of networx solve --solution.
func writeSolution(ctx context.Context, store blob.Store, key, source string, m *solver.Model, res *solver.Result) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# networx solution of %s\n# status %s\n# objective %s\n", source, res.Status,
		strconv.FormatFloat(res.Objective, 'g', -1, 64))
	for j, v := range res.X {
		if v == 0 || j >= len(m.Cols) {
			continue
		}
		name := m.Cols[j].Name
		if name == "" || strings.ContainsAny(name, " \t") {
			name = fmt.Sprintf("C%d", j+1)
		}
		fmt.Fprintf(&b, "%s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64))
	}
	if err := store.Put(ctx, key, &b, int64(b.Len()), "text/plain"); err != nil {
		return fmt.Errorf("write solution %s: %w", key, err)
	}
	return nil
}
