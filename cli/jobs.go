package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"networx/config"
	"networx/jobs"
	"networx/roles/work"
	"networx/storage"
)

// Exit codes of networx jobs wait (and cancel --wait): ExitOK when the job succeeded,
// ExitFailure when it failed, ExitCancelled when it was cancelled, ExitLimit when the wait
// timed out first.

func newJobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Operate on jobs: submit, list, show, wait, cancel, retry",
		Long: `jobs is the operator's tool, with direct access to Redis (live job records), PostgreSQL
(run history of finished jobs) and the blob store. Job records live 24 h in Redis; show
falls back to the run history for older jobs.`,
		Example: `  networx jobs submit solve --file model.mps --time-limit 60s
  networx jobs list --status running
  networx jobs show 3f2a... --json
  networx jobs cancel 3f2a... --wait`,
	}
	cmd.AddCommand(newJobsSubmitCmd(), newJobsListCmd(), newJobsShowCmd(), newJobsWaitCmd(),
		newJobsCancelCmd(), newJobsRetryCmd())
	return cmd
}

// jobsEnv holds the connections of a jobs command, opened as needed.
type jobsEnv struct {
	cfg    config.Config
	log    *slog.Logger
	rdb    redis.UniversalClient
	store  *jobs.Store
	db     *storage.DB
	closer []func()
}

func openJobsEnv(cmd *cobra.Command) (*jobsEnv, error) {
	cfg, err := loadConfig(cmd, os.Environ(), nil)
	if err != nil {
		return nil, err
	}
	e := &jobsEnv{cfg: cfg, log: newLogger(cfg.Log, cmd.ErrOrStderr())}
	e.rdb, err = openRedis(cmd.Context(), cfg.Redis)
	if err != nil {
		return nil, err
	}
	e.closer = append(e.closer, func() { e.rdb.Close() })
	e.store, err = jobs.NewStore(e.rdb, jobs.StoreConfig{})
	if err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *jobsEnv) close() {
	for i := len(e.closer) - 1; i >= 0; i-- {
		e.closer[i]()
	}
}

func (e *jobsEnv) history(ctx context.Context) (*jobs.PGHistory, error) {
	if e.db == nil {
		db, err := openDB(ctx, e.cfg.Database, e.log, prometheus.NewRegistry())
		if err != nil {
			return nil, err
		}
		e.db = db
		e.closer = append(e.closer, db.Close)
	}
	return jobs.NewPGHistory(e.db.Pool()), nil
}

// get returns the live record of id, or its run history once Redis has forgotten it.
func (e *jobsEnv) get(ctx context.Context, id string) (*jobs.Record, error) {
	r, err := e.store.Get(ctx, id)
	if !errors.Is(err, jobs.ErrNotFound) {
		return r, err
	}
	h, herr := e.history(ctx)
	if herr != nil {
		return nil, err
	}
	return h.Get(ctx, id)
}

func newJobsSubmitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit KIND",
		Short: "Submit a job (kinds: solve) and print its id",
		Example: `  networx jobs submit solve --file model.mps --time-limit 2m
  networx jobs submit solve --file model.lp --tenant acme`,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{work.KindSolve},
	}
	file := cmd.Flags().String("file", "", "model file, .mps or .lp (required)")
	limit := cmd.Flags().Duration("time-limit", 0, "solver time limit (0: none; the job timeout still applies)")
	gap := cmd.Flags().Float64("rel-gap", 0, "relative gap that counts as optimal (0: solver default)")
	threads := cmd.Flags().Int("threads", 0, "solver threads (0: 1)")
	tenant := cmd.Flags().String("tenant", "local", "tenant the job belongs to (its FIFO group)")
	_ = cmd.MarkFlagRequired("file")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		ext := strings.ToLower(filepath.Ext(*file))
		if ext != ".mps" && ext != ".lp" {
			return fmt.Errorf("--file %s: want a .mps or .lp file", *file)
		}
		settings := work.SolveSettings{TimeLimit: work.Duration(*limit), RelGap: *gap, Threads: *threads}
		if err := settings.Validate(); err != nil {
			return err
		}
		rawSettings, err := json.Marshal(settings)
		if err != nil {
			return err
		}
		e, err := openJobsEnv(cmd)
		if err != nil {
			return err
		}
		defer e.close()
		blobs, err := openBlob(ctx, e.cfg.Blob)
		if err != nil {
			return err
		}
		q, err := work.OpenQueue(ctx, e.cfg, jobs.QueueOptimization, e.rdb)
		if err != nil {
			return err
		}
		id := e.store.NewID()
		key, err := work.InputKey(*tenant, id, ext)
		if err != nil {
			return err
		}
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if err := blobs.Put(ctx, key, f, st.Size(), "text/plain"); err != nil {
			return fmt.Errorf("upload %s: %w", *file, err)
		}
		rec, err := jobs.Enqueue(ctx, e.store, q, jobs.NewJob{ID: id, Kind: work.KindSolve,
			Queue: jobs.QueueOptimization, Tenant: *tenant, InputRef: key, Settings: rawSettings})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(cmd.OutOrStdout(), rec.ID)
		return err
	}
	return cmd
}

func newJobsListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List jobs, newest first (live records of the last 24 h)",
		Example: "  networx jobs list --status failed --queue optimization --limit 20",
		Args:    cobra.NoArgs,
	}
	status := cmd.Flags().String("status", "", "only jobs in this state: queued, running, cancelling, succeeded, failed, cancelled")
	queue := cmd.Flags().String("queue", "", "only jobs of this queue")
	limit := cmd.Flags().Int("limit", 50, "most jobs listed")
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *status != "" && !jobs.Status(*status).Valid() {
			return fmt.Errorf("--status %q is not a job state", *status)
		}
		e, err := openJobsEnv(cmd)
		if err != nil {
			return err
		}
		defer e.close()
		recs, err := e.store.List(cmd.Context(), jobs.ListFilter{Status: jobs.Status(*status), Queue: *queue, Limit: *limit})
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if *asJSON {
			views := make([]jobView, 0, len(recs))
			for _, r := range recs {
				views = append(views, newJobView(r))
			}
			return writeIndented(out, views)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tQUEUE\tSTATUS\tATTEMPT\tCREATED\tERROR")
		for _, r := range recs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Kind, r.Queue, r.Status, r.Attempt,
				r.CreatedAt.Format(time.RFC3339), oneLine(r.Error, 60))
		}
		return tw.Flush()
	}
	return cmd
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// jobView is the JSON of show and list: the record with the solve summary at the top.
type jobView struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Queue     string          `json:"queue"`
	Tenant    string          `json:"tenant"`
	Status    jobs.Status     `json:"status"`
	Attempt   int             `json:"attempt"`
	Progress  jobs.Progress   `json:"progress"`
	Error     string          `json:"error"`
	Objective *float64        `json:"objective,omitempty"`
	Bound     *float64        `json:"bound,omitempty"`
	Gap       *float64        `json:"gap,omitempty"`
	Result    jobs.Result     `json:"result"`
	InputRef  string          `json:"input_ref,omitempty"`
	Settings  json.RawMessage `json:"settings,omitempty"`
	WorkerID  string          `json:"worker_id,omitempty"`
	RetryOf   string          `json:"retry_of,omitempty"`
	Created   time.Time       `json:"created_at"`
	Started   time.Time       `json:"started_at,omitzero"`
	Finished  time.Time       `json:"finished_at,omitzero"`
	Heartbeat time.Time       `json:"heartbeat_at,omitzero"`
	CancelReq time.Time       `json:"cancel_requested_at,omitzero"`
}

func newJobView(r *jobs.Record) jobView {
	v := jobView{ID: r.ID, Kind: r.Kind, Queue: r.Queue, Tenant: r.Tenant, Status: r.Status, Attempt: r.Attempt,
		Progress: r.Progress, Error: r.Error, Result: r.Result, InputRef: r.InputRef, Settings: r.Settings,
		WorkerID: r.WorkerID, RetryOf: r.RetryOf, Created: r.CreatedAt, Started: r.StartedAt,
		Finished: r.FinishedAt, Heartbeat: r.HeartbeatAt, CancelReq: r.CancelRequestedAt}
	if r.Kind == work.KindSolve {
		v.Objective, v.Bound, v.Gap = r.Result.Objective, r.Result.Bound, r.Result.Gap
		if !r.Status.Terminal() {
			// While running, the summary is the live progress.
			v.Objective, v.Bound, v.Gap = r.Progress.Incumbent, r.Progress.Bound, r.Progress.Gap
		}
	}
	return v
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func fmtNum(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.6g", *p)
}

func newJobsShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one job",
		Example: "  networx jobs show 3f2a... --json",
		Args:    cobra.ExactArgs(1),
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		e, err := openJobsEnv(cmd)
		if err != nil {
			return err
		}
		defer e.close()
		r, err := e.get(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		v := newJobView(r)
		out := cmd.OutOrStdout()
		if *asJSON {
			return writeIndented(out, v)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		rows := [][2]string{
			{"id", v.ID}, {"kind", v.Kind}, {"queue", v.Queue}, {"tenant", v.Tenant}, {"status", string(v.Status)},
			{"attempt", fmt.Sprint(v.Attempt)},
			{"progress", fmt.Sprintf("%.0f%% %s nodes=%d incumbent=%s bound=%s gap=%s", v.Progress.Percent, v.Progress.Step,
				v.Progress.Nodes, fmtNum(v.Progress.Incumbent), fmtNum(v.Progress.Bound), fmtNum(v.Progress.Gap))},
			{"error", v.Error}, {"input", v.InputRef}, {"settings", string(v.Settings)},
			{"result", v.Result.Ref}, {"result status", v.Result.Status},
			{"objective", fmtNum(v.Objective)}, {"bound", fmtNum(v.Bound)}, {"gap", fmtNum(v.Gap)},
			{"worker", v.WorkerID}, {"retry of", v.RetryOf}, {"created", fmtTime(v.Created)},
			{"started", fmtTime(v.Started)}, {"finished", fmtTime(v.Finished)}, {"heartbeat", fmtTime(v.Heartbeat)},
		}
		for _, row := range rows {
			fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
		}
		return tw.Flush()
	}
	return cmd
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339Nano)
}

// waitFinal waits for the job to end (up to timeout, 0: forever), prints its final state
// and returns the exit error for it.
func waitFinal(ctx context.Context, e *jobsEnv, id string, timeout time.Duration, out io.Writer) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	r, err := e.store.Wait(ctx, id, time.Second)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			st := "unknown"
			if r != nil {
				st = string(r.Status)
			}
			fmt.Fprintln(out, st)
			return &ExitError{Code: ExitLimit, Err: fmt.Errorf("job %s still %s after %s", id, st, timeout)}
		}
		return err
	}
	fmt.Fprintln(out, r.Status)
	switch r.Status {
	case jobs.StatusSucceeded:
		return nil
	case jobs.StatusCancelled:
		return &ExitError{Code: ExitCancelled}
	default:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("job %s failed: %s", id, r.Error)}
	}
}

func newJobsWaitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wait ID",
		Short: "Wait for a job to end and print its final state",
		Long: `wait prints the job's final state and exits 0 if it succeeded, 1 if it failed,
5 if it was cancelled, and 4 if --timeout passed first.`,
		Example: "  networx jobs wait 3f2a... --timeout 10m",
		Args:    cobra.ExactArgs(1),
	}
	timeout := cmd.Flags().Duration("timeout", 0, "give up after this long (0: wait forever)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		e, err := openJobsEnv(cmd)
		if err != nil {
			return err
		}
		defer e.close()
		return waitFinal(cmd.Context(), e, args[0], *timeout, cmd.OutOrStdout())
	}
	return cmd
}

func newJobsCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a job and print its state (with --wait: its final state)",
		Long: `cancel ends a queued job at once and asks a running job's worker to stop it (state
cancelling until the worker confirms, within about a second). A cancelled solve keeps the
best solution found so far. With --wait it waits for the final state, with the exit codes
of jobs wait.`,
		Example: "  networx jobs cancel 3f2a... --wait",
		Args:    cobra.ExactArgs(1),
	}
	wait := cmd.Flags().Bool("wait", false, "wait until the job has ended")
	timeout := cmd.Flags().Duration("timeout", time.Minute, "with --wait, give up after this long")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		e, err := openJobsEnv(cmd)
		if err != nil {
			return err
		}
		defer e.close()
		st, err := e.store.Cancel(ctx, args[0])
		if err != nil && !errors.Is(err, jobs.ErrTerminal) {
			return err
		}
		if st == jobs.StatusCancelled && err == nil {
			// Ended here, not by a worker: write the run history now (the worker that later
			// receives the message writes it too, idempotently).
			if h, herr := e.history(ctx); herr == nil {
				if r, gerr := e.store.Get(ctx, args[0]); gerr == nil {
					if rerr := h.Record(ctx, r); rerr != nil {
						e.log.Warn("run history", "job_id", args[0], "err", rerr)
					}
				}
			}
		}
		if !*wait || st.Terminal() {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), st)
			return err
		}
		return waitFinal(ctx, e, args[0], *timeout, cmd.OutOrStdout())
	}
	return cmd
}

func newJobsRetryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "Submit a failed or cancelled job again, as a new job, and print the new id",
		Long: `retry creates a new job with the kind, tenant, input and settings of an ended job
(its retry_of names the original) and enqueues it: terminal states are final, so the
original keeps its record.`,
		Example: "  networx jobs retry 3f2a...",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, err := openJobsEnv(cmd)
			if err != nil {
				return err
			}
			defer e.close()
			r, err := e.get(ctx, args[0])
			if err != nil {
				return err
			}
			if r.Status != jobs.StatusFailed && r.Status != jobs.StatusCancelled {
				return fmt.Errorf("job %s is %s: only failed or cancelled jobs are retried", r.ID, r.Status)
			}
			q, err := work.OpenQueue(ctx, e.cfg, r.Queue, e.rdb)
			if err != nil {
				return err
			}
			rec, err := jobs.Enqueue(ctx, e.store, q, jobs.NewJob{Kind: r.Kind, Queue: r.Queue, Tenant: r.Tenant,
				InputRef: r.InputRef, Settings: r.Settings, RetryOf: r.ID})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), rec.ID)
			return err
		},
	}
}
