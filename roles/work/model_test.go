package work_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"networx/solver"
)

// knapsackMPS writes a multi-dimensional 0/1 knapsack (n items, m capacity rows, seeded
// weights) as MPS. With n around 60 the solver cannot prove optimality within seconds but
// finds incumbents at once, so a time limit makes a solve last as long as the test needs
// and a cancel always has an incumbent to keep.
func knapsackMPS(t testing.TB, dir string, seed uint64, n, m int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	var model solver.Model
	model.Name = fmt.Sprintf("mknap%d", seed)
	model.Sense = solver.Maximize
	// Profits correlate with the weights (the sum of an item's weights plus noise): such
	// instances leave the LP bound loose and branch and bound slow.
	w := make([][]float64, m)
	for k := range w {
		w[k] = make([]float64, n)
		for i := range n {
			w[k][i] = float64(1 + r.IntN(1000))
		}
	}
	for i := range n {
		p := float64(r.IntN(100))
		for k := range m {
			p += w[k][i] / float64(m)
		}
		model.AddBinary(fmt.Sprintf("x%d", i), p)
	}
	ind := make([]int, n)
	for i := range ind {
		ind[i] = i
	}
	for k := range m {
		sum := 0.0
		for _, v := range w[k] {
			sum += v
		}
		model.AddRow(fmt.Sprintf("cap%d", k), -solver.Inf, sum/2, ind, w[k])
	}
	var b bytes.Buffer
	if err := solver.WriteMPS(&b, &model); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("mknap-%d.mps", seed))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallMPS is a MIP with a known optimum: maximize 5a + 4b + 3c subject to
// 2a + 3b + c <= 5, 4a + b + 2c <= 11, 3a + 4b + 2c <= 8, a, b, c integer >= 0.
// Optimum 13 at a=2, b=0, c=1.
const smallMPS = `NAME          SMALL
OBJSENSE
    MAX
ROWS
 N  obj
 L  c1
 L  c2
 L  c3
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    a         obj       5.0   c1        2.0
    a         c2        4.0   c3        3.0
    b         obj       4.0   c1        3.0
    b         c2        1.0   c3        4.0
    c         obj       3.0   c1        1.0
    c         c2        2.0   c3        2.0
    MARKER                 'MARKER'                 'INTEND'
RHS
    rhs       c1        5.0   c2        11.0
    rhs       c3        8.0
BOUNDS
 UP bnd       a         10
 UP bnd       b         10
 UP bnd       c         10
ENDATA
`
