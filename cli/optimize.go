package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"networx/roles/capacity"
	"networx/roles/files"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/roles/optimization/report"
	"networx/solver"
)

// optimizeOptions are the flags of networx optimize.
type optimizeOptions struct {
	out       string
	json      bool
	timeLimit string
	gap       float64
	threads   int
	seed      int64
	exportMPS string
	sweep     string
	mapping   string
	dateOrder string
}

func newOptimizeCmd() *cobra.Command {
	var o optimizeOptions
	cmd := &cobra.Command{
		Use:   "optimize PATH",
		Short: "Run ingestion and the network models in-process and write the results",
		Long: `optimize reads PATH, a workbook (.xlsx, one sheet per canonical dataset) or a folder of
canonical CSV files (facilities.csv, destinations.csv, demand.csv and optionally lanes.csv,
shipments.csv, skus.csv, forecast.csv, settings.csv; docs/models.md), solves the
facility-location model (single period, fixed lease or rolling lease, chosen from the years
and the lease_years setting) with the built-in solver, and prints the optimality
certificate: status, objective, bound and gap. With a skus dataset it also plans space and
inventory; capacity data missing from such an input is an error (exit 1) reported after the
network results are written and printed. No service is needed.

--out writes the results workbook (sheets Summary, Facilities, Assignments, Yearly costs,
Sweep, Capacity, Inventory, Inputs and settings). --json prints one JSON object, the
versioned result (status, objective, bound, gap, open_facilities, kpis, ...).
--sweep MIN-MAX solves for every number of open facilities in the range and reports the
cost curve; the best point is the result. --export-mps writes the model for audit.

Column headers are mapped as ` + "`networx check`" + ` maps them (aliases, header rows under titles,
locations from ZIP or city and state); --mapping fixes what detection gets wrong. Any rejected
row fails the run before the models, naming its file, sheet, row and column.

Exit codes: 0 optimal, 1 error, 2 infeasible (the reasons are printed), 4 a limit stopped
the search (the best solution is reported with its gap), 5 interrupted.`,
		Example: `  networx optimize examples/example-network.xlsx --out results.xlsx
  networx optimize ./client-csv --json --time-limit 2m --gap 0.001
  networx optimize network.xlsx --sweep 2-8 --out sweep.xlsx`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOptimize(cmd.Context(), args[0], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "write the results workbook (.xlsx) to this file")
	f.BoolVar(&o.json, "json", false, "print exactly one JSON object (the versioned result) instead of the summary")
	f.StringVar(&o.timeLimit, "time-limit", "", "stop each solve after this long, e.g. 90s or 2m; default none")
	f.Float64Var(&o.gap, "gap", 0, fmt.Sprintf("relative optimality gap at which to stop; 0 = %g", solver.DefaultRelGap))
	f.IntVar(&o.threads, "threads", 0, "solver threads; 0 = number of CPUs")
	f.Int64Var(&o.seed, "seed", 0, "seed of the solver's randomized choices")
	f.StringVar(&o.exportMPS, "export-mps", "", "write the model in MPS format to this file for audit")
	f.StringVar(&o.sweep, "sweep", "", "node sweep MIN-MAX: solve for each number of open facilities")
	f.StringVar(&o.mapping, "mapping", "", "JSON mapping file of `networx check --mapping`: kind, header row and column -> field per sheet; overrides detection")
	f.StringVar(&o.dateOrder, "date-order", "MDY", "how slash dates such as 03/04/2024 read: MDY (US) or DMY")
	return cmd
}

// optimizeJSON is the --json output: the result, or an error.
type optimizeJSON struct {
	*optimization.Result
	Sweep *optimization.SweepResult `json:"sweep,omitempty"`
	// Capacity is the capacity and inventory plan; CapacityNote says why there is none.
	Capacity     *capacity.Result `json:"capacity,omitempty"`
	CapacityNote string           `json:"capacity_note,omitempty"`
	Error        string           `json:"error,omitempty"`
}

func runOptimize(ctx context.Context, path string, o optimizeOptions, stdout, stderr io.Writer) error {
	fail := func(err error) error {
		if o.json {
			b, _ := json.Marshal(map[string]string{"status": "error", "error": err.Error()})
			fmt.Fprintf(stdout, "%s\n", b)
		}
		return &ExitError{Code: ExitFailure, Err: err}
	}
	limit, err := parseTimeLimit(o.timeLimit)
	if err != nil {
		return fail(err)
	}
	if o.gap < 0 || o.threads < 0 {
		return fail(errors.New("--gap and --threads must not be negative"))
	}
	var sweepLo, sweepHi int
	if o.sweep != "" {
		a, b, ok := strings.Cut(o.sweep, "-")
		lo, err1 := strconv.Atoi(strings.TrimSpace(a))
		hi, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil || lo < 1 || hi < lo {
			return fail(fmt.Errorf("--sweep %q: write MIN-MAX with 1 <= MIN <= MAX, e.g. 2-8", o.sweep))
		}
		sweepLo, sweepHi = lo, hi
	}
	lopts := canon.LoadOptions{DateOrder: files.DateOrder(strings.ToUpper(o.dateOrder))}
	if o.mapping != "" {
		m, err := files.ReadUserMapping(o.mapping)
		if err != nil {
			return fail(err)
		}
		lopts.Mapping = m
	}
	progress := newProgressLine(stderr)
	if progress != nil {
		lopts.Progress = progress.rows
	}
	in, err := canon.LoadWith(ctx, path, lopts)
	progress.finish()
	if err != nil {
		return fail(err)
	}
	for _, n := range in.Notices {
		fmt.Fprintf(stderr, "networx: note: %s\n", n)
	}
	net := &in.Network
	if o.exportMPS != "" {
		m, err := optimization.BuildModel(net, -1)
		if err != nil {
			return fail(err)
		}
		if err := writeMPSFile(o.exportMPS, m); err != nil {
			return fail(err)
		}
	}
	settings := solver.Settings{TimeLimit: limit, RelGap: o.gap, Threads: o.threads, Seed: o.seed}
	if progress != nil {
		settings.Progress = progress.update
	}
	var res *optimization.Result
	var sw *optimization.SweepResult
	if o.sweep != "" {
		settings.Progress = nil // points run one after another; a per-point line would flicker
		sw, err = optimization.Sweep(ctx, net, optimization.SweepOptions{Options: optimization.Options{Solver: settings},
			MinOpen: sweepLo, MaxOpen: sweepHi, Point: func(p optimization.SweepPoint) {
				if progress != nil {
					fmt.Fprintf(stderr, "\r\x1b[Ksweep: %d open: %s %s\n", p.Open, p.Status, money(p.Objective))
				}
			}})
		if sw != nil {
			res = sw.BestResult
		}
		if err == nil && res == nil {
			err = fmt.Errorf("%w: no point of the sweep %s has a solution", optimization.ErrInfeasible, o.sweep)
		}
	} else {
		res, err = optimization.Optimize(ctx, net, optimization.Options{Solver: settings})
	}
	progress.finish()
	if res == nil {
		return fail(err)
	}
	settings.Progress = nil
	// The capacity plan follows a finished network solve, as in the optimize job: an
	// interrupted run stops.
	var plan *capacity.Result
	var note string
	var perr, planErr error
	if ctx.Err() == nil {
		plan, perr = capacity.PlanCanon(ctx, in, res, settings)
		note, planErr = capacity.Outcome(perr)
	} else {
		note = "not planned: interrupted"
	}
	if o.out != "" {
		if werr := report.WriteFile(o.out, report.Book{Result: res, Sweep: sw, Capacity: plan, CapacityNote: note, Input: in}); werr != nil {
			return fail(werr)
		}
	}
	code := exitCodeOf(res.Status, ctx.Err() != nil)
	if o.json {
		out := optimizeJSON{Result: res, Sweep: sw, Capacity: plan, CapacityNote: note}
		switch {
		case err != nil && !errors.Is(err, optimization.ErrInfeasible):
			out.Error = err.Error()
		case planErr != nil:
			out.Error = planErr.Error()
		case err != nil:
			out.Error = err.Error()
		}
		b, jerr := json.Marshal(out)
		if jerr != nil {
			return &ExitError{Code: ExitFailure, Err: jerr}
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		writeCertificate(stdout, res, sw, plan, note, o.out)
		if err != nil && res.Status == "infeasible" {
			fmt.Fprintf(stdout, "Why:\n")
			for _, r := range res.Reasons {
				fmt.Fprintf(stdout, "  - %s\n", r)
			}
		}
	}
	if err != nil && !errors.Is(err, optimization.ErrInfeasible) {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if planErr != nil {
		// The input asked for a capacity plan (it has SKUs) that its data cannot make: an
		// error whatever the network's status, after the network results are delivered
		// (the optimize job fails the same way; docs/models.md).
		return &ExitError{Code: ExitFailure, Err: planErr}
	}
	if errors.Is(perr, capacity.ErrInfeasible) && code == ExitOK {
		// No choice of space covers the requirement: an answer, with its reasons.
		return &ExitError{Code: ExitInfeasible, Err: fmt.Errorf("capacity plan: %w", perr)}
	}
	if code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

func exitCodeOf(status string, interrupted bool) int {
	switch {
	case status == "optimal":
		return ExitOK
	case status == "infeasible":
		return ExitInfeasible
	case interrupted:
		return ExitCancelled
	case status == "feasible", status == "limit":
		return ExitLimit
	}
	return ExitCancelled
}

func writeMPSFile(path string, m *solver.Model) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export mps: %w", err)
	}
	if err := solver.WriteMPS(f, m.Portable()); err != nil {
		f.Close()
		return fmt.Errorf("export mps %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export mps %s: %w", path, err)
	}
	return nil
}

func money(v optimization.Num) string {
	f := float64(v)
	if f != f {
		return "-"
	}
	return "$" + strconv.FormatFloat(f, 'f', 2, 64)
}

func peakSqft(p *capacity.Result) float64 {
	peak := 0.0
	for _, s := range p.Space {
		peak = max(peak, s.GrossSqft)
	}
	return peak
}

func writeCertificate(w io.Writer, res *optimization.Result, sw *optimization.SweepResult, plan *capacity.Result, note, out string) {
	if sw != nil {
		fmt.Fprintf(w, "Sweep (open facilities: total cost):\n")
		for _, p := range sw.Points {
			fmt.Fprintf(w, "  %3d: %-10s %s\n", p.Open, p.Status, money(p.Objective))
		}
		fmt.Fprintf(w, "Best: %d open\n", sw.Best)
	}
	gap := "-"
	if g := float64(res.Gap); g == g {
		gap = fmt.Sprintf("%.4g %%", g*100)
	}
	fmt.Fprintf(w, "Model:      %s, %d year(s), %d rows, %d columns (%d integer)\n", res.Mode, len(res.Years), res.Solver.Rows, res.Solver.Columns, res.Solver.Integers)
	fmt.Fprintf(w, "Open:       %s\n", strings.Join(res.OpenFacilities, ", "))
	fmt.Fprintf(w, "Status:     %s\nObjective:  %s\nBound:      %s\nGap:        %s\nNodes:      %d\nTime:       %.2f s\n",
		res.Status, money(res.Objective), money(res.Bound), gap, res.Solver.Nodes, res.Solver.Seconds)
	if mb := res.Baseline.Modeled; mb != nil {
		fmt.Fprintf(w, "Modeled baseline: %s (savings %s)\n", money(optimization.Num(mb.TotalCost)), money(res.Savings.VsModeled))
		if len(mb.Unmet) > 0 {
			fmt.Fprintf(w, "  today's network does not meet the model's requirements, so it can cost less:\n")
			for _, u := range mb.Unmet {
				fmt.Fprintf(w, "  - %s\n", u)
			}
		}
	}
	if ib := res.Baseline.Invoiced; ib != nil {
		fmt.Fprintf(w, "Invoiced freight: %s (first-year transport savings %s)\n", money(optimization.Num(ib.TotalCost)), money(res.Savings.VsInvoiced))
	}
	if plan != nil && plan.Expansion != nil {
		fmt.Fprintf(w, "Capacity:   %s, space cost %s (3PL %s, one-off %s), peak requirement %.0f sq ft\n", plan.Status, money(plan.Objective),
			money(optimization.Num(plan.Expansion.Costs.ThirdParty)), money(optimization.Num(plan.Expansion.Costs.OneOff)), peakSqft(plan))
	}
	if note != "" {
		fmt.Fprintf(w, "Capacity:   %s\n", note)
	}
	if out != "" {
		fmt.Fprintf(w, "Results:    %s\n", out)
	}
}
