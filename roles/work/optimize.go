package work

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"networx/jobs"
	"networx/roles/capacity"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
	"networx/roles/optimization/report"
	"networx/solver"
	"networx/storage/blob"
)

// The job kinds of the network models: optimize and sweep run on the optimization queue,
// capacity on the capacity queue.
const (
	KindOptimize = "optimize"
	KindSweep    = "sweep"
	KindCapacity = "capacity"
)

// ModelSettings are the settings of optimize, sweep and capacity jobs, stored as the
// record's settings. It is the one definition of that JSON: roles/serve writes it for the
// jobs submitted through the API.
type ModelSettings struct {
	// TimeLimit stops each solve with the best solution so far; zero means none (the job
	// timeout still applies).
	TimeLimit Duration `json:"time_limit,omitempty"`
	// RelGap is the relative gap that counts as optimal; zero means the solver's default.
	RelGap float64 `json:"rel_gap,omitempty"`
	// Threads for the solver; zero means 1, so that one worker slot uses one core.
	Threads int `json:"threads,omitempty"`
	// Seed seeds the solver's randomized choices.
	Seed int64 `json:"seed,omitempty"`
	// ExportMPS also writes the model in MPS format (model.mps) for audit.
	ExportMPS bool `json:"export_mps,omitempty"`
	// SweepMin..SweepMax is the range of open facilities of a sweep job (required there).
	SweepMin int `json:"sweep_min,omitempty"`
	SweepMax int `json:"sweep_max,omitempty"`
	// Scenario holds the settings the job's scenario sets. Its network settings go on top
	// of the input's settings dataset and its solver settings (time_limit, rel_gap,
	// node_limit, threads) on top of the fields above: the scenario wins.
	Scenario optimization.ScenarioSettings `json:"scenario,omitzero"`

	// ProjectID, ScenarioID, FileID and DatasetVersionID say what a job submitted through
	// the API was submitted for (DatasetVersionID 0: no version loaded yet).
	ProjectID        string `json:"project_id,omitempty"`
	ScenarioID       string `json:"scenario_id,omitempty"`
	FileID           string `json:"file_id,omitempty"`
	DatasetVersionID int64  `json:"dataset_version_id,omitempty"`
}

// Validate reports invalid settings for a job of kind.
func (s ModelSettings) Validate(kind string) error {
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
	if kind == KindSweep && (s.SweepMin < 1 || s.SweepMax < s.SweepMin) {
		errs = append(errs, fmt.Errorf("sweep range %d..%d: give 1 <= sweep_min <= sweep_max", s.SweepMin, s.SweepMax))
	}
	if kind != KindSweep && (s.SweepMin != 0 || s.SweepMax != 0) {
		errs = append(errs, fmt.Errorf("sweep_min and sweep_max apply to sweep jobs only"))
	}
	if err := s.Scenario.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", s.scenarioName(), err))
	}
	return errors.Join(errs...)
}

// scenarioName names the scenario in messages.
func (s ModelSettings) scenarioName() string {
	if s.ScenarioID != "" {
		return "scenario " + s.ScenarioID
	}
	return "scenario"
}

// solverSettings are the effective solver settings: the scenario's where it sets them.
// The scenario's settings are valid (Validate).
func (s ModelSettings) solverSettings() solver.Settings {
	set := solver.Settings{TimeLimit: time.Duration(s.TimeLimit), RelGap: s.RelGap, Threads: s.Threads, Seed: s.Seed}
	sc := s.Scenario
	if sc.TimeLimit != nil {
		set.TimeLimit, _ = time.ParseDuration(*sc.TimeLimit)
	}
	if sc.RelGap != nil {
		set.RelGap = *sc.RelGap
	}
	if sc.NodeLimit != nil {
		set.NodeLimit = *sc.NodeLimit
	}
	if sc.Threads != nil {
		set.Threads = *sc.Threads
	}
	if set.Threads == 0 {
		set.Threads = 1
	}
	return set
}

func (s ModelSettings) solver(job *jobs.Job, steps func() (done, total int)) solver.Settings {
	set := s.solverSettings()
	limit := set.TimeLimit
	set.Progress = func(p solver.Progress) {
		pr := solveProgress(p, limit)
		if steps != nil {
			done, total := steps()
			pr.Step = fmt.Sprintf("sweep point %d of %d", done+1, total)
			pr.Percent = math.Min(99, 100*float64(done)/float64(total))
		}
		job.Report(pr)
	}
	return set
}

// Output keys of a model job, under the job's folder of its tenant.
const (
	ResultsJSONName = "results.json"
	ResultsBookName = "results.xlsx"
	ModelMPSName    = "model.mps"
)

// ModelInputKey is the blob key of a model job's input: ext is .xlsx (a workbook, one
// sheet per canonical dataset) or .zip (canonical CSV files, docs/models.md).
func ModelInputKey(tenant, jobID, ext string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, "input"+ext)
}

// OutputKey is the blob key of output name of a job.
func OutputKey(tenant, jobID, name string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, name)
}

// maxInputBytes caps what a model job reads from the store or unpacks from a zip: an
// input larger than this is refused instead of filling the worker's disk.
const maxInputBytes = 4 << 30

// ModelJSON is the results JSON of optimize and sweep jobs: the network result with the
// sweep and the capacity plan (the `networx optimize --json` object).
type ModelJSON struct {
	*optimization.Result
	Sweep *optimization.SweepResult `json:"sweep,omitempty"`
	// Capacity is the capacity and inventory plan; CapacityNote says why there is none
	// (or why it failed: the job then fails with the results written).
	Capacity     *capacity.Result `json:"capacity,omitempty"`
	CapacityNote string           `json:"capacity_note,omitempty"`
	// ScenarioSettings are the settings the job's scenario set, applied on top of the
	// input's settings and the job's solver settings; every other network setting is the
	// input's (or its default). Absent when the scenario set none.
	ScenarioSettings *optimization.ScenarioSettings `json:"scenario_settings,omitempty"`
}

// OptimizeHandler returns the handler of optimize jobs: the network model, then the
// capacity and inventory plan when the input has SKUs.
func OptimizeHandler(store blob.Store) jobs.Handler { return modelHandler(store, KindOptimize) }

// SweepHandler returns the handler of sweep jobs: the network model for every number of
// open facilities in the settings' range; the best point is the result.
func SweepHandler(store blob.Store) jobs.Handler { return modelHandler(store, KindSweep) }

// CapacityHandler returns the handler of capacity jobs: the network-wide capacity and
// inventory plan of the input.
func CapacityHandler(store blob.Store) jobs.Handler { return modelHandler(store, KindCapacity) }

// modelHandler reads the input, runs the models of kind and writes the results JSON, the
// results workbook and, on request, the model as MPS. A cancelled or timed-out solve
// writes the best solution found and the job ends cancelled with it.
func modelHandler(store blob.Store, kind string) jobs.Handler {
	return func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
		var set ModelSettings
		if len(job.Settings) > 0 {
			if err := json.Unmarshal(job.Settings, &set); err != nil {
				return jobs.Result{}, jobs.Permanent(fmt.Errorf("%s settings: %w", kind, err))
			}
		}
		if err := set.Validate(kind); err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("%s settings: %w", kind, err))
		}
		dir, err := os.MkdirTemp("", "networx-job-")
		if err != nil {
			return jobs.Result{}, fmt.Errorf("job folder: %w", err)
		}
		defer os.RemoveAll(dir)
		job.Report(jobs.Progress{Step: "reading input"})
		path, err := fetchInput(ctx, store, job.InputRef, dir)
		if err != nil {
			return jobs.Result{}, err
		}
		in, err := canon.LoadWith(ctx, path, canon.LoadOptions{Progress: func(rows int64) {
			job.Report(jobs.Progress{Step: "reading input", Rows: rows})
		}})
		if err != nil {
			if ctx.Err() != nil {
				return jobs.Result{}, context.Cause(ctx)
			}
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("read input %s: %w", job.InputRef, err))
		}
		st, err := set.Scenario.Apply(in.Network.Settings)
		if err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("%s settings: %s: %w", kind, set.scenarioName(), err))
		}
		in.Network.Settings = st
		if keys := set.Scenario.NetworkKeys(); len(keys) > 0 {
			job.Log.Info("scenario settings applied", "scenario_id", set.ScenarioID, "keys", strings.Join(keys, ","))
		}
		out := outputs{store: store, job: job, dir: dir}
		switch kind {
		case KindCapacity:
			return out.capacity(ctx, in, set)
		default:
			return out.network(ctx, in, set, kind)
		}
	}
}

// outputs writes a job's result files.
type outputs struct {
	store blob.Store
	job   *jobs.Job
	dir   string
}

func (o outputs) network(ctx context.Context, in *canon.Input, set ModelSettings, kind string) (jobs.Result, error) {
	net := &in.Network
	var mps *solver.Model
	if set.ExportMPS {
		m, err := optimization.BuildModel(net, -1)
		if err != nil {
			return jobs.Result{}, jobs.Permanent(set.withScenario(fmt.Errorf("build model: %w", err)))
		}
		mps = m
	}
	o.job.Log.Info("optimizing", "input_ref", o.job.InputRef, "facilities", len(net.Facilities), "destinations", len(net.Destinations))
	var res *optimization.Result
	var sw *optimization.SweepResult
	var err error
	if kind == KindSweep {
		total := set.SweepMax - set.SweepMin + 1
		var done atomic.Int64
		steps := func() (int, int) { return int(done.Load()), total }
		sw, err = optimization.Sweep(ctx, net, optimization.SweepOptions{Options: optimization.Options{Solver: set.solver(o.job, steps)},
			MinOpen: set.SweepMin, MaxOpen: set.SweepMax, Point: func(optimization.SweepPoint) { done.Add(1) }})
		if sw != nil {
			res = sw.BestResult
		}
		if err == nil && res == nil && ctx.Err() == nil {
			err = fmt.Errorf("%w: no point of the sweep %d..%d has a solution", optimization.ErrInfeasible, set.SweepMin, set.SweepMax)
		}
	} else {
		res, err = optimization.Optimize(ctx, net, optimization.Options{Solver: set.solver(o.job, nil)})
	}
	switch {
	case res == nil && ctx.Err() != nil:
		return jobs.Result{Status: "cancelled"}, context.Cause(ctx)
	case res == nil && errors.Is(err, optimization.ErrInput):
		return jobs.Result{}, jobs.Permanent(set.withScenario(err))
	case res == nil && errors.Is(err, optimization.ErrInfeasible):
		// A sweep without any feasible point: the reasons are in the points.
		return o.write(ctx, jobs.Result{Status: "infeasible"}, ModelJSON{Result: &optimization.Result{Version: optimization.ResultVersion,
			Status: "infeasible", Objective: optimization.Num(math.NaN()), Bound: optimization.Num(math.NaN()), Gap: optimization.Num(math.NaN())},
			Sweep: sw, ScenarioSettings: set.scenarioRecord()}, nil, mps)
	case res == nil:
		return jobs.Result{}, jobs.Permanent(fmt.Errorf("optimize %s: %w", o.job.InputRef, err))
	case err != nil && !errors.Is(err, optimization.ErrInfeasible):
		return jobs.Result{}, jobs.Permanent(fmt.Errorf("optimize %s: %w", o.job.InputRef, err))
	}
	doc := ModelJSON{Result: res, Sweep: sw, ScenarioSettings: set.scenarioRecord()}
	var planErr error
	if ctx.Err() == nil {
		// The capacity plan follows a finished network solve only: a cancelled job stops.
		o.job.Report(jobs.Progress{Step: "capacity plan", Percent: 99})
		var perr error
		doc.Capacity, perr = capacity.PlanCanon(ctx, in, res, set.solver(o.job, nil))
		doc.CapacityNote, planErr = capacity.Outcome(perr)
	} else {
		doc.CapacityNote = "not planned: the job was cancelled"
	}
	book := &report.Book{Result: res, Sweep: sw, Capacity: doc.Capacity, CapacityNote: doc.CapacityNote, Input: in}
	r := jobs.Result{Status: res.Status, Objective: jobs.Float(float64(res.Objective)), Bound: jobs.Float(float64(res.Bound)), Gap: jobs.Float(float64(res.Gap))}
	r, err = o.write(ctx, r, doc, book, mps)
	if err == nil && planErr != nil && ctx.Err() == nil {
		// The network results are written; the job fails because the input asked for a
		// capacity plan (it has SKUs) that its data cannot make (docs/models.md).
		return r, jobs.Permanent(planErr)
	}
	return r, err
}

// withScenario adds to an input error the network settings the scenario set, when it set
// any: a bound from the scenario may be what the input cannot meet (a min_open above the
// number of facilities).
func (s ModelSettings) withScenario(err error) error {
	keys := s.Scenario.NetworkKeys()
	if len(keys) == 0 || !errors.Is(err, optimization.ErrInput) {
		return err
	}
	return fmt.Errorf("%w (the input's settings with %s's %s on top)", err, s.scenarioName(), strings.Join(keys, ", "))
}

// scenarioRecord returns the scenario's settings for the results JSON, nil when it sets
// none.
func (s ModelSettings) scenarioRecord() *optimization.ScenarioSettings {
	if s.Scenario == (optimization.ScenarioSettings{}) {
		return nil
	}
	sc := s.Scenario
	return &sc
}

func (o outputs) capacity(ctx context.Context, in *canon.Input, set ModelSettings) (jobs.Result, error) {
	cin, err := capacity.FromCanon(in, nil)
	if err != nil {
		return jobs.Result{}, jobs.Permanent(fmt.Errorf("capacity input %s: %w", o.job.InputRef, err))
	}
	var mps *solver.Model
	if set.ExportMPS {
		if mps, err = capacity.ExpansionModel(cin); err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("capacity input %s: %w", o.job.InputRef, err))
		}
	}
	plan, err := capacity.Plan(ctx, cin, set.solver(o.job, nil))
	switch {
	case plan == nil && ctx.Err() != nil:
		return jobs.Result{Status: "cancelled"}, context.Cause(ctx)
	case plan == nil:
		return jobs.Result{}, jobs.Permanent(fmt.Errorf("capacity plan %s: %w", o.job.InputRef, err))
	case err != nil && !errors.Is(err, capacity.ErrInfeasible):
		return jobs.Result{}, jobs.Permanent(fmt.Errorf("capacity plan %s: %w", o.job.InputRef, err))
	}
	r := jobs.Result{Status: plan.Status, Objective: jobs.Float(float64(plan.Objective)), Bound: jobs.Float(float64(plan.Bound)), Gap: jobs.Float(float64(plan.Gap))}
	return o.writeCapacity(ctx, r, plan, in, mps)
}

// write stores the results JSON, the workbook (book not nil) and the MPS (m not nil),
// even when the job was cancelled: they keep the incumbent. It returns r with Ref set to
// the results JSON, and the context's cause when the job was cancelled.
func (o outputs) write(ctx context.Context, r jobs.Result, doc ModelJSON, book *report.Book, m *solver.Model) (jobs.Result, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return r, jobs.Permanent(fmt.Errorf("encode results: %w", err))
	}
	var bookFn func(string) error
	if book != nil {
		bookFn = func(p string) error { return report.WriteFile(p, *book) }
	}
	return o.store3(ctx, r, b, bookFn, m)
}

func (o outputs) writeCapacity(ctx context.Context, r jobs.Result, plan *capacity.Result, in *canon.Input, m *solver.Model) (jobs.Result, error) {
	b, err := json.Marshal(plan)
	if err != nil {
		return r, jobs.Permanent(fmt.Errorf("encode results: %w", err))
	}
	return o.store3(ctx, r, b, func(p string) error { return report.WriteCapacityFile(p, plan, in) }, m)
}

func (o outputs) store3(ctx context.Context, r jobs.Result, resultsJSON []byte, book func(path string) error, m *solver.Model) (jobs.Result, error) {
	wctx := context.WithoutCancel(ctx)
	put := func(name, contentType string, body []byte) (string, error) {
		key, err := OutputKey(o.job.Tenant, o.job.ID, name)
		if err != nil {
			return "", jobs.Permanent(err)
		}
		if err := o.store.Put(wctx, key, bytes.NewReader(body), int64(len(body)), contentType); err != nil {
			return "", fmt.Errorf("write %s: %w", key, err) // transient: retried
		}
		return key, nil
	}
	if book != nil {
		p := filepath.Join(o.dir, ResultsBookName)
		if err := book(p); err != nil {
			return r, jobs.Permanent(err)
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return r, fmt.Errorf("read results workbook: %w", err)
		}
		if _, err := put(ResultsBookName, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body); err != nil {
			return r, err
		}
	}
	if m != nil {
		var buf bytes.Buffer
		if err := solver.WriteMPS(&buf, m.Portable()); err != nil {
			return r, jobs.Permanent(fmt.Errorf("export mps: %w", err))
		}
		if _, err := put(ModelMPSName, "text/plain", buf.Bytes()); err != nil {
			return r, err
		}
	}
	key, err := put(ResultsJSONName, "application/json", resultsJSON)
	if err != nil {
		return r, err
	}
	r.Ref = key
	if ctx.Err() != nil {
		return r, context.Cause(ctx)
	}
	return r, nil
}

// fetchInput copies the input blob into dir: a workbook as input.xlsx, a zip of CSV files
// unpacked into dir/input. It returns the path canon.LoadWith reads.
func fetchInput(ctx context.Context, store blob.Store, key, dir string) (string, error) {
	ext := strings.ToLower(filepath.Ext(key))
	if ext != ".xlsx" && ext != ".zip" {
		return "", jobs.Permanent(fmt.Errorf("input %s: want a workbook (.xlsx) or a zip of canonical CSV files (.zip)", key))
	}
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey) {
			return "", jobs.Permanent(fmt.Errorf("read input: %w", err))
		}
		return "", fmt.Errorf("read input: %w", err) // transient: retried
	}
	defer rc.Close()
	local := filepath.Join(dir, "input"+ext)
	f, err := os.Create(local)
	if err != nil {
		return "", fmt.Errorf("input copy: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(rc, maxInputBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("read input %s: %w", key, err)
	}
	if n > maxInputBytes {
		return "", jobs.Permanent(fmt.Errorf("input %s is larger than %d bytes", key, int64(maxInputBytes)))
	}
	if ext == ".xlsx" {
		return local, nil
	}
	folder := filepath.Join(dir, "input")
	if err := unzipCSV(local, folder); err != nil {
		return "", jobs.Permanent(fmt.Errorf("input %s: %w", key, err))
	}
	return folder, nil
}

// unzipCSV unpacks the .csv files of a zip into folder, flat: a file's folders inside the
// zip are dropped (a zip of a folder works as well as a zip of its files), names that
// appear twice are an error, and other files are ignored.
func unzipCSV(zipPath, folder string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("open zip: %w", err)
	}
	defer zr.Close()
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	seen := map[string]bool{}
	var total int64
	for _, f := range zr.File {
		name := filepath.Base(filepath.FromSlash(f.Name))
		if f.FileInfo().IsDir() || !strings.EqualFold(filepath.Ext(name), ".csv") || strings.HasPrefix(name, ".") {
			continue
		}
		name = strings.ToLower(name)
		if seen[name] {
			return fmt.Errorf("zip holds %s twice", name)
		}
		seen[name] = true
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("zip entry %s: %w", f.Name, err)
		}
		out, err := os.Create(filepath.Join(folder, name))
		if err != nil {
			rc.Close()
			return err
		}
		n, err := io.Copy(out, io.LimitReader(rc, maxInputBytes-total+1))
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("zip entry %s: %w", f.Name, err)
		}
		if total += n; total > maxInputBytes {
			return fmt.Errorf("zip unpacks to more than %d bytes", int64(maxInputBytes))
		}
	}
	if len(seen) == 0 {
		return errors.New("zip holds no .csv files")
	}
	return nil
}
