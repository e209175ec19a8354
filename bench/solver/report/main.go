// Command report turns the runs of bench/solver.sh into markdown tables and writes them into
// the "Solver" section of docs/benchmarks.md.
//
//	report -runs runs.csv -optima bench/orlib/capopt.txt -mode small [-limit 120] [-doc FILE|-]
//
// For each instance of the mode (the latest run of each instance and solver counts): the
// status, objective, relative error against the known optimum, CPU seconds (user+sys),
// peak RSS of every solver, and the CPU ratios networx/glpsol and networx/cbc; then totals
// per solver. The block for a mode sits between "<!-- solver:MODE:begin -->" and
// "<!-- solver:MODE:end -->" markers, replaced on each run; the rest of the file is kept.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"networx/solver/orlib"
)

// okRelErr is the relative error to the published optimum under which an objective
// counts as correct (the published values have 3 decimals on values near 1e6).
const okRelErr = 1e-6

// extraOptima are optima not in capopt.txt: synth-30x500 was proven by glpsol, cbc,
// lp_solve and HiGHS (shared/bench/PEERS.md; gensynth reproduces the instance exactly).
var extraOptima = map[string]float64{"synth-30x500": 6572784.251}

// solvers is the column order; ratios are networx against each peer.
var solvers = []string{"networx", "glpsol", "cbc"}

var titles = map[string]string{
	"small": "the 37 OR-Library instances cap41..cap134 (16x50 to 50x50)",
	"large": "OR-Library 100x1000 at the tightest published capacity",
	"synth": "seeded synthetic network-design instances (bench/solver/gensynth)",
}

type run struct {
	instance, solver, status string
	obj                      float64 // NaN without one
	wall, cpu, rssMB         float64
	load, date               string
}

func main() {
	runsPath := flag.String("runs", "", "runs.csv written by bench/solver.sh")
	optPath := flag.String("optima", "bench/orlib/capopt.txt", "published optima")
	mode := flag.String("mode", "small", "benchmark mode: small, large or synth")
	limit := flag.String("limit", "120", "time limit of the runs, in seconds (for the text)")
	doc := flag.String("doc", "docs/benchmarks.md", "markdown file to update; - prints only")
	nxFlags := flag.String("networx-flags", "", "extra flags networx ran with (for the text)")
	flag.Parse()
	if err := runReport(*runsPath, *optPath, *mode, *limit, *nxFlags, *doc); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func runReport(runsPath, optPath, mode, limit, nxFlags, doc string) error {
	runs, order, err := readRuns(runsPath, mode)
	if err != nil {
		return err
	}
	if len(order) == 0 {
		return fmt.Errorf("no runs of mode %s in %s", mode, runsPath)
	}
	optima := map[string]float64{}
	if f, err := os.Open(optPath); err == nil {
		optima, err = orlib.ReadOptima(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", optPath, err)
		}
	}
	for k, v := range extraOptima {
		optima[k] = v
	}
	block := render(mode, limit, nxFlags, runs, order, optima)
	fmt.Print(block)
	if doc == "-" {
		return nil
	}
	return splice(doc, mode, block)
}

// readRuns returns the latest run per instance and solver of a mode, and the instances in
// order of first appearance.
func readRuns(path, mode string) (map[string]map[string]run, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"mode", "instance", "solver", "status", "objective", "wall_s", "user_s", "sys_s", "maxrss_kb"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("%s: no column %s", path, need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	out := map[string]map[string]run{}
	var order []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if get(rec, "mode") != mode {
			continue
		}
		x := run{
			instance: get(rec, "instance"), solver: get(rec, "solver"), status: get(rec, "status"),
			obj: num(get(rec, "objective")), wall: num(get(rec, "wall_s")),
			cpu:   num(get(rec, "user_s")) + num(get(rec, "sys_s")),
			rssMB: num(get(rec, "maxrss_kb")) / 1024, load: get(rec, "loadavg"), date: get(rec, "date"),
		}
		if out[x.instance] == nil {
			out[x.instance] = map[string]run{}
			order = append(order, x.instance)
		}
		out[x.instance][x.solver] = x
	}
	return out, order, nil
}

// correct reports whether a run proved an optimum that matches the known one (any
// optimum counts when none is known).
func correct(x run, opt float64, known bool) bool {
	if x.status != "optimal" || math.IsNaN(x.obj) {
		return false
	}
	return !known || relErr(x.obj, opt) <= okRelErr
}

func relErr(obj, opt float64) float64 { return math.Abs(obj-opt) / math.Max(1, math.Abs(opt)) }

func cell(x run, ok bool, opt float64, known bool) string {
	if !ok {
		return "-"
	}
	s := x.status
	if !math.IsNaN(x.obj) {
		s += " " + strconv.FormatFloat(x.obj, 'f', -1, 64)
		if known {
			if e := relErr(x.obj, opt); e <= okRelErr {
				s += " (ok)"
			} else {
				s += fmt.Sprintf(" (err %.1e)", e)
			}
		}
	}
	return fmt.Sprintf("%s, %.2f s, %.0f MB", s, x.cpu, x.rssMB)
}

func render(mode, limit, nxFlags string, runs map[string]map[string]run, order []string, optima map[string]float64) string {
	var b strings.Builder
	title := titles[mode]
	if title == "" {
		title = mode
	}
	var loads []float64
	first, last := "", ""
	for _, inst := range order {
		for _, x := range runs[inst] {
			if v, err := strconv.ParseFloat(x.load, 64); err == nil {
				loads = append(loads, v)
			}
			if first == "" || x.date < first {
				first = x.date
			}
			if x.date > last {
				last = x.date
			}
		}
	}
	fmt.Fprintf(&b, "<!-- solver:%s:begin (written by bench/solver.sh; edits are overwritten) -->\n", mode)
	fmt.Fprintf(&b, "### %s: %s\n\n", mode, title)
	fmt.Fprintf(&b, "Runs %s to %s, time limit %s s, %d CPUs", first, last, limit, runtime.NumCPU())
	if len(loads) > 0 {
		fmt.Fprintf(&b, ", 1-minute load average %.1f to %.1f during the runs", slices.Min(loads), slices.Max(loads))
	}
	if nxFlags != "" {
		fmt.Fprintf(&b, ", networx flags `%s`", nxFlags)
	}
	b.WriteString(". Cell: status objective (ok = relative error <= 1e-6 against the known optimum), " +
		"CPU seconds (user+sys), peak RSS. Ratios are CPU seconds of networx over the peer's.\n\n")
	b.WriteString("| instance | optimum | networx | glpsol | cbc | CPU networx/glpsol | CPU networx/cbc |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	type total struct {
		n, correct     int
		cpu, maxCPU    float64
		logCPU, maxRSS float64
	}
	totals := map[string]*total{}
	for _, s := range solvers {
		totals[s] = &total{}
	}
	ratioLogs := map[string][]float64{}
	for _, inst := range order {
		opt, known := optima[inst]
		optText := "-"
		if known {
			optText = strconv.FormatFloat(opt, 'f', -1, 64)
		}
		fmt.Fprintf(&b, "| %s | %s |", inst, optText)
		for _, s := range solvers {
			x, ok := runs[inst][s]
			fmt.Fprintf(&b, " %s |", cell(x, ok, opt, known))
			if ok {
				t := totals[s]
				t.n++
				if correct(x, opt, known) {
					t.correct++
				}
				t.cpu += x.cpu
				t.maxCPU = math.Max(t.maxCPU, x.cpu)
				t.logCPU += math.Log(math.Max(x.cpu, 0.01))
				t.maxRSS = math.Max(t.maxRSS, x.rssMB)
			}
		}
		nx, hasNX := runs[inst]["networx"]
		for _, peer := range solvers[1:] {
			p, ok := runs[inst][peer]
			if !hasNX || !ok || p.cpu <= 0 {
				b.WriteString(" - |")
				continue
			}
			// 0.01 s is the resolution of /usr/bin/time: clamp both sides to it.
			ratio := math.Max(nx.cpu, 0.01) / math.Max(p.cpu, 0.01)
			ratioLogs[peer] = append(ratioLogs[peer], math.Log(ratio))
			fmt.Fprintf(&b, " %.2f |", ratio)
		}
		b.WriteByte('\n')
	}
	b.WriteString("\nTotals over these instances:\n\n")
	b.WriteString("| solver | correct & proven | sum CPU s | max CPU s | geo-mean CPU s | max RSS MB |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range solvers {
		t := totals[s]
		if t.n == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d/%d | %.2f | %.2f | %.3f | %.0f |\n", s, t.correct, t.n, t.cpu, t.maxCPU,
			math.Exp(t.logCPU/float64(t.n)), t.maxRSS)
	}
	for _, peer := range solvers[1:] {
		nx, p := totals["networx"], totals[peer]
		if nx.n == 0 || p.n == 0 || len(ratioLogs[peer]) == 0 {
			continue
		}
		var sum float64
		for _, l := range ratioLogs[peer] {
			sum += l
		}
		fmt.Fprintf(&b, "\nnetworx/%s: sum of CPU seconds %.2f, geometric mean of the per-instance ratios %.2f.",
			peer, nx.cpu/math.Max(p.cpu, 0.01), math.Exp(sum/float64(len(ratioLogs[peer]))))
	}
	fmt.Fprintf(&b, "\n<!-- solver:%s:end -->\n", mode)
	return b.String()
}

// splice puts block into the Solver section of the markdown file at path, replacing the
// previous block of the same mode, creating the section (or the file) when missing.
func splice(path, mode, block string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	begin := fmt.Sprintf("<!-- solver:%s:begin", mode)
	end := fmt.Sprintf("<!-- solver:%s:end -->\n", mode)
	switch i, j := strings.Index(text, begin), strings.Index(text, end); {
	case i >= 0 && j > i:
		text = text[:i] + block + text[j+len(end):]
	default:
		if text == "" {
			text = "# Benchmarks\n"
		}
		sec := strings.Index(text, "\n## Solver")
		if sec < 0 {
			text = strings.TrimRight(text, "\n") + "\n\n## Solver\n\n" +
				"networx solve against glpsol and cbc on the capacitated facility location models, " +
				"written by `bench/solver.sh [small|large|synth|all]` (see that script and docs/solver.md).\n\n" + block
			break
		}
		// Append at the end of the Solver section: before the next "## " heading.
		rest := text[sec+1:]
		next := strings.Index(rest, "\n## ")
		if next < 0 {
			text = strings.TrimRight(text, "\n") + "\n\n" + block
		} else {
			at := sec + 1 + next + 1
			text = text[:at] + block + "\n" + text[at:]
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
