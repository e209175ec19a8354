package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"networx/solver"
)

// knapsackLP is max 5a + 4b + 3c s.t. 2a + 3b + c <= 5 over binaries; knapsackOptimum
// finds its optimum (9, at a = b = 1) by enumeration.
const knapsackLP = `\ Problem name: knap
Maximize
 value: 5 a + 4 b + 3 c
Subject To
 weight: 2 a + 3 b + c <= 5
Binaries
 a b c
End
`

const infeasibleLP = `Minimize
 obj: x
Subject To
 c1: x >= 3
 c2: x <= 1
End
`

const unboundedMPS = `NAME unb
ROWS
 N obj
 G c1
COLUMNS
 x obj -1 c1 1
RHS
 RHS c1 1
ENDATA
`

// knapsackOptimum enumerates the 8 binary points of knapsackLP.
func knapsackOptimum() float64 {
	best := -1.0
	for mask := range 8 {
		a, b, c := float64(mask&1), float64(mask>>1&1), float64(mask>>2&1)
		if 2*a+3*b+c <= 5 && 5*a+4*b+3*c > best {
			best = 5*a + 4*b + 3*c
		}
	}
	return best
}

// writeFile writes text to dir/name, gzipped when name ends in .gz.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	data := []byte(text)
	if strings.HasSuffix(name, ".gz") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

func TestRunSolveJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name       string
		file       string
		text       string
		opts       solveOptions
		cancelled  bool
		wantCode   int
		wantStatus string
		wantObj    *float64
		wantErr    string
	}{
		{name: "optimal lp", file: "k.lp", text: knapsackLP, wantCode: 0, wantStatus: "optimal", wantObj: ptr(knapsackOptimum())},
		{name: "optimal gzipped lp", file: "k.lp.gz", text: knapsackLP, wantCode: 0, wantStatus: "optimal", wantObj: ptr(knapsackOptimum())},
		{name: "infeasible", file: "inf.lp", text: infeasibleLP, wantCode: 2, wantStatus: "infeasible"},
		{name: "unbounded", file: "unb.mps", text: unboundedMPS, wantCode: 3, wantStatus: "unbounded"},
		{name: "malformed", file: "bad.mps", text: "NAME\nROWS\n N obj\nCOLUMNS\n x R9 1\nENDATA\n", wantCode: 1, wantStatus: "error", wantErr: "mps line 5: unknown row R9 in COLUMNS"},
		{name: "unknown extension", file: "k.txt", text: knapsackLP, wantCode: 1, wantStatus: "error", wantErr: "cannot tell the format"},
		{name: "format flag", file: "k.txt", text: knapsackLP, opts: solveOptions{format: "lp"}, wantCode: 0, wantStatus: "optimal", wantObj: ptr(knapsackOptimum())},
		{name: "bad time limit", file: "k.lp", text: knapsackLP, opts: solveOptions{timeLimit: "soon"}, wantCode: 1, wantStatus: "error", wantErr: "--time-limit"},
		{name: "interrupted", file: "k.lp", text: knapsackLP, cancelled: true, wantCode: 5, wantStatus: "cancelled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, sub, tc.file, tc.text)
			ctx := context.Background()
			if tc.cancelled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			o := tc.opts
			o.json = true
			var stdout, stderr bytes.Buffer
			err := runSolve(ctx, path, o, &stdout, &stderr)
			if got := exitCode(err); got != tc.wantCode {
				t.Fatalf("exit code %d (err %v), want %d", got, err, tc.wantCode)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("want exactly one JSON line, got %q", stdout.String())
			}
			var rep map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &rep); err != nil {
				t.Fatalf("bad JSON %q: %v", lines[0], err)
			}
			if rep["status"] != tc.wantStatus {
				t.Fatalf("status %v, want %s: %s", rep["status"], tc.wantStatus, lines[0])
			}
			for _, key := range []string{"objective", "bound", "gap", "nodes", "seconds", "lp_iterations", "threads", "file"} {
				if _, ok := rep[key]; !ok {
					t.Errorf("JSON lacks %q: %s", key, lines[0])
				}
			}
			if tc.wantObj != nil {
				obj, ok := rep["objective"].(float64)
				if !ok || obj < *tc.wantObj-1e-6 || obj > *tc.wantObj+1e-6 {
					t.Fatalf("objective %v, want %v", rep["objective"], *tc.wantObj)
				}
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

func TestRunSolveSummaryAndSolution(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeFile(t, dir, "k.lp", knapsackLP)
	sol := filepath.Join(dir, "k.sol")
	var stdout, stderr bytes.Buffer
	err := runSolve(context.Background(), path, solveOptions{solution: sol, timeLimit: "30"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"Read " + path + ": 1 rows, 3 columns (3 integer), 3 nonzeros", "Status:        optimal", "Objective:     9\n", "Nodes:", "LP iterations:", "Time:"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("progress written to a non-terminal: %q", stderr.String())
	}
	b, err := os.ReadFile(sol)
	if err != nil {
		t.Fatal(err)
	}
	// The optimum 9 is a = b = 1 (weight 5), the only point with value 9.
	want := "# networx solution of " + path + "\n# status optimal\n# objective 9\na 1\nb 1\n"
	if string(b) != want {
		t.Fatalf("solution file\n%s\nwant\n%s", b, want)
	}
	if knapsackOptimum() != 9 {
		t.Fatalf("brute force optimum %v, test expects 9", knapsackOptimum())
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status      solver.Status
		interrupted bool
		want        string
		code        int
	}{
		{solver.StatusOptimal, false, "optimal", 0},
		{solver.StatusFeasible, false, "feasible", 4},
		{solver.StatusLimit, false, "cancelled", 4},
		{solver.StatusInfeasible, false, "infeasible", 2},
		{solver.StatusUnbounded, false, "unbounded", 3},
		{solver.StatusCancelled, false, "cancelled", 5},
		{solver.StatusFeasible, true, "cancelled", 5},
		{solver.StatusLimit, true, "cancelled", 5},
		{solver.StatusOptimal, true, "optimal", 0},
	}
	for _, tc := range tests {
		got, code := classify(tc.status, tc.interrupted)
		if got != tc.want || code != tc.code {
			t.Errorf("classify(%v, %v) = %s, %d; want %s, %d", tc.status, tc.interrupted, got, code, tc.want, tc.code)
		}
	}
}

func TestParseTimeLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"", 0, false},
		{"90s", 90 * time.Second, false},
		{"2m", 2 * time.Minute, false},
		{"120", 120 * time.Second, false},
		{"0.5", 500 * time.Millisecond, false},
		{"-1", 0, true},
		{"-1s", 0, true},
		{"soon", 0, true},
		{"1e300", 0, true},
	}
	for _, tc := range tests {
		got, err := parseTimeLimit(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseTimeLimit(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSolveCmdHelp(t *testing.T) {
	t.Parallel()
	cmd := newSolveCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"networx solve model.mps", "Exit codes: 0 optimal, 1 error", "--time-limit", "--json", "--solution"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
