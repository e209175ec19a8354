package work_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"networx/cli/clitest"
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

// smallMPS is the shared test model; its optimum is 13.
var smallMPS = clitest.SmallMPS
