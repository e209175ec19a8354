package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"networx/solver"
)

// solveOptions are the flags of networx solve.
type solveOptions struct {
	timeLimit string
	gap       float64
	threads   int
	seed      int64
	solution  string
	json      bool
	format    string
}

func newSolveCmd() *cobra.Command {
	var o solveOptions
	cmd := &cobra.Command{
		Use:   "solve FILE.mps|FILE.lp",
		Short: "Solve a MIP or LP model file with the built-in solver",
		Long: `solve reads a model in MPS (fixed or free) or CPLEX LP format, chosen by the file
extension (.mps or .lp, optionally gzipped as .mps.gz or .lp.gz, or by --format), solves it
with the built-in branch and bound and prints a summary: status, objective, bound, gap,
nodes, LP iterations and time. When stderr is a terminal a progress line is updated there
at most twice a second. Ctrl-C stops the search and reports the best solution found.

--json prints one JSON object instead: status (optimal, feasible, infeasible, unbounded,
cancelled or error), objective, bound, gap (null when there is none), nodes,
lp_iterations, seconds, threads, file, limit_reached and more (docs/solver.md).
"feasible" means a limit stopped the search with a solution; a limit reached before any
solution reports "cancelled" with limit_reached true.

Exit codes: 0 optimal, 1 error (bad flags or file), 2 infeasible, 3 unbounded,
4 time limit reached (with or without a solution), 5 cancelled (SIGINT/SIGTERM).`,
		Example: `  networx solve model.mps
  networx solve cap41.lp.gz --time-limit 60s --gap 1e-6 --solution cap41.sol
  networx solve model.mps --json --threads 2 --seed 7`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSolve(cmd.Context(), args[0], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.timeLimit, "time-limit", "", "stop the search after this long, e.g. 90s, 2m or 120 (seconds); default none")
	f.Float64Var(&o.gap, "gap", 0, fmt.Sprintf("relative optimality gap at which to stop; 0 = %g", solver.DefaultRelGap))
	f.IntVar(&o.threads, "threads", 0, "number of threads; 0 = number of CPUs")
	f.Int64Var(&o.seed, "seed", 0, "seed for the randomized choices of the heuristics")
	f.StringVar(&o.solution, "solution", "", "write the solution to this file: a header, then \"name value\" per nonzero")
	f.BoolVar(&o.json, "json", false, "print exactly one JSON object instead of the summary")
	f.StringVar(&o.format, "format", "auto", "file format: auto (by extension), mps, fixed-mps, free-mps or lp")
	return cmd
}

// solveReport is the --json output (documented in docs/solver.md).
type solveReport struct {
	Status       string   `json:"status"`
	SolverStatus string   `json:"solver_status,omitempty"`
	Objective    *float64 `json:"objective"`
	Bound        *float64 `json:"bound"`
	Gap          *float64 `json:"gap"`
	Nodes        int64    `json:"nodes"`
	LPIterations int64    `json:"lp_iterations"`
	Seconds      float64  `json:"seconds"`
	ReadSeconds  float64  `json:"read_seconds"`
	Threads      int      `json:"threads"`
	File         string   `json:"file"`
	Rows         int      `json:"rows"`
	Columns      int      `json:"columns"`
	Integers     int      `json:"integers"`
	Nonzeros     int      `json:"nonzeros"`
	LimitReached bool     `json:"limit_reached"`
	Error        string   `json:"error,omitempty"`
}

// finite returns &v, or nil when v is NaN or infinite (JSON has no such numbers).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func runSolve(ctx context.Context, path string, o solveOptions, stdout, stderr io.Writer) error {
	rep := solveReport{File: path}
	fail := func(err error) error {
		if o.json {
			rep.Status, rep.Error = "error", err.Error()
			if jerr := writeJSON(stdout, rep); jerr != nil {
				err = errors.Join(err, jerr)
			}
		}
		return &ExitError{Code: ExitFailure, Err: err}
	}
	limit, err := parseTimeLimit(o.timeLimit)
	if err != nil {
		return fail(err)
	}
	if o.gap < 0 || o.threads < 0 {
		return fail(fmt.Errorf("--gap and --threads must not be negative"))
	}

	readStart := time.Now()
	m, err := readModelFile(path, o.format)
	if err != nil {
		return fail(err)
	}
	rep.ReadSeconds = time.Since(readStart).Seconds()
	rep.Rows, rep.Columns = len(m.Rows), len(m.Cols)
	for _, c := range m.Cols {
		if c.Integer {
			rep.Integers++
		}
	}
	for _, r := range m.Rows {
		rep.Nonzeros += len(r.Ind)
	}
	if !o.json {
		fmt.Fprintf(stdout, "Read %s: %d rows, %d columns (%d integer), %d nonzeros in %.2f s\n",
			path, rep.Rows, rep.Columns, rep.Integers, rep.Nonzeros, rep.ReadSeconds)
	}

	settings := solver.Settings{TimeLimit: limit, RelGap: o.gap, Threads: o.threads, Seed: o.seed}
	progress := newProgressLine(stderr)
	if progress != nil {
		settings.Progress = progress.update
	}
	res, err := solver.Solve(ctx, m, settings)
	progress.finish()
	if res == nil {
		if err == nil {
			err = errors.New("solver returned no result")
		}
		return fail(fmt.Errorf("solve %s: %w", path, err))
	}

	status, code := classify(res.Status, ctx.Err() != nil)
	rep.Status = status
	rep.SolverStatus = res.Status.String()
	rep.LimitReached = code == ExitLimit
	rep.Objective, rep.Bound, rep.Gap = finite(res.Objective), finite(res.Bound), finite(res.Gap)
	if res.X == nil {
		rep.Objective, rep.Gap = nil, nil
	}
	rep.Nodes, rep.LPIterations = res.Stats.Nodes, res.Stats.LPIterations
	rep.Seconds, rep.Threads = res.Stats.Elapsed.Seconds(), res.Stats.Threads

	var outErr error
	if o.solution != "" {
		outErr = writeSolution(o.solution, path, m, res, status)
	}
	if o.json {
		outErr = errors.Join(outErr, writeJSON(stdout, rep))
	} else {
		outErr = errors.Join(outErr, writeSummary(stdout, rep))
	}
	if outErr != nil {
		return &ExitError{Code: ExitFailure, Err: outErr}
	}
	if code != ExitOK {
		return &ExitError{Code: code} // the outcome is already reported
	}
	return nil
}

// classify maps a solver status to the reported status and the exit code. A limit hit
// before any solution is "cancelled" (the search stopped without an answer) with exit
// code 4; an interrupted context always counts as cancelled.
func classify(s solver.Status, interrupted bool) (string, int) {
	switch {
	case interrupted && s != solver.StatusOptimal && s != solver.StatusInfeasible && s != solver.StatusUnbounded:
		return "cancelled", ExitCancelled
	case s == solver.StatusOptimal:
		return "optimal", ExitOK
	case s == solver.StatusFeasible:
		return "feasible", ExitLimit
	case s == solver.StatusInfeasible:
		return "infeasible", ExitInfeasible
	case s == solver.StatusUnbounded:
		return "unbounded", ExitUnbounded
	case s == solver.StatusLimit:
		return "cancelled", ExitLimit
	}
	return "cancelled", ExitCancelled
}

// parseTimeLimit accepts a Go duration ("90s", "2m") or a plain number of seconds.
func parseTimeLimit(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if v < 0 || math.IsNaN(v) || v > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("--time-limit %q is out of range", s)
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--time-limit %q: write a duration like 90s or 2m, or seconds", s)
	}
	return d, nil
}

// readModelFile reads an MPS or LP file, gunzipping names that end in .gz. format "auto"
// picks the reader from the extension.
func readModelFile(path, format string) (*solver.Model, error) {
	base := strings.ToLower(path)
	gz := strings.HasSuffix(base, ".gz")
	base = strings.TrimSuffix(base, ".gz")
	if format == "auto" || format == "" {
		switch filepath.Ext(base) {
		case ".mps":
			format = "mps"
		case ".lp":
			format = "lp"
		default:
			return nil, fmt.Errorf("cannot tell the format of %s: name it .mps or .lp (optionally .gz) or pass --format", path)
		}
	}
	read := map[string]func(io.Reader) (*solver.Model, error){
		"mps":      solver.ReadMPS,
		"free-mps": func(r io.Reader) (*solver.Model, error) { return solver.ReadMPSFormat(r, solver.MPSFree) },
		"fixed-mps": func(r io.Reader) (*solver.Model, error) {
			return solver.ReadMPSFormat(r, solver.MPSFixed)
		},
		"lp": solver.ReadLP,
	}[format]
	if read == nil {
		return nil, fmt.Errorf("unknown --format %q: want auto, mps, fixed-mps, free-mps or lp", format)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<16)
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	m, err := read(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return m, nil
}

func writeJSON(w io.Writer, rep solveReport) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// num formats an optional number for the summary.
func num(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 12, 64)
}

func writeSummary(w io.Writer, rep solveReport) error {
	gap := "-"
	if rep.Gap != nil {
		gap = fmt.Sprintf("%.4g %%", *rep.Gap*100)
	}
	status := rep.Status
	if rep.LimitReached {
		status += " (time limit reached)"
	}
	_, err := fmt.Fprintf(w, `Status:        %s
Objective:     %s
Bound:         %s
Gap:           %s
Nodes:         %d
LP iterations: %d
Time:          %.2f s (%d threads)
`, status, num(rep.Objective), num(rep.Bound), gap, rep.Nodes, rep.LPIterations, rep.Seconds, rep.Threads)
	return err
}

// writeSolution writes a header with the status and objective, then "name value" for
// every nonzero of the solution (none without one).
func writeSolution(out, file string, m *solver.Model, res *solver.Result, status string) error {
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("write solution: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# networx solution of %s\n# status %s\n", file, status)
	if res.X == nil {
		fmt.Fprintf(w, "# objective none\n")
	} else {
		fmt.Fprintf(w, "# objective %s\n", strconv.FormatFloat(res.Objective, 'g', -1, 64))
		for j, v := range res.X {
			if v == 0 || j >= len(m.Cols) {
				continue
			}
			name := m.Cols[j].Name
			if name == "" || strings.ContainsAny(name, " \t") {
				name = fmt.Sprintf("C%d", j+1)
			}
			fmt.Fprintf(w, "%s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write solution: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write solution: %w", err)
	}
	return nil
}

// progressLine redraws one status line on a terminal.
type progressLine struct {
	w     io.Writer
	last  time.Time
	drawn bool
}

// progressInterval is the fastest the line is redrawn ("at most twice a second").
const progressInterval = 500 * time.Millisecond

// newProgressLine returns nil unless w is a terminal.
func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressLine{w: w}
}

func (p *progressLine) update(pr solver.Progress) {
	now := time.Now()
	if p.drawn && now.Sub(p.last) < progressInterval {
		return
	}
	p.last, p.drawn = now, true
	inc, gap := "-", "-"
	if pr.HasIncumbent {
		inc = strconv.FormatFloat(pr.Incumbent, 'g', 10, 64)
		if !math.IsInf(pr.Gap, 0) {
			gap = fmt.Sprintf("%.3g%%", pr.Gap*100)
		}
	}
	// \r and "erase to end of line" redraw the line in place.
	fmt.Fprintf(p.w, "\r\x1b[K%7.1fs  nodes %d  lp iter %d  incumbent %s  bound %s  gap %s",
		pr.Elapsed.Seconds(), pr.Nodes, pr.LPIterations, inc, strconv.FormatFloat(pr.Bound, 'g', 10, 64), gap)
}

// rows draws the ingestion's progress: the rows read so far.
func (p *progressLine) rows(n int64) {
	now := time.Now()
	if p.drawn && now.Sub(p.last) < progressInterval {
		return
	}
	p.last, p.drawn = now, true
	fmt.Fprintf(p.w, "\r\x1b[Kreading input: %d rows", n)
}

func (p *progressLine) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
