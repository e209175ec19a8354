package solver

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
)

// TestPortable writes a model with a lazy row and an objective constant as a portable MPS
// file: it has no LAZYCONS section, the constant is a fixed column, and it solves to the
// same objective as the original; the original is left as it was.
func TestPortable(t *testing.T) {
	m := &Model{ObjOffset: 100}
	x := m.AddCol("x", -1, 0, 10, true)
	y := m.AddCol("y", -2, 0, 10, true)
	m.AddRow("cap", math.Inf(-1), 7, []int{x, y}, []float64{1, 2})
	m.AddLazyRow("lazy", math.Inf(-1), 2, []int{y}, []float64{1})
	want, err := Solve(context.Background(), m, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	p := m.Portable()
	if !m.Rows[1].Lazy || m.ObjOffset != 100 || len(m.Cols) != 2 {
		t.Fatalf("Portable changed the original model: %+v", m)
	}
	var buf bytes.Buffer
	if err := WriteMPS(&buf, p); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); strings.Contains(s, "LAZYCONS") || !strings.Contains(s, PortableConstantName) {
		t.Fatalf("portable MPS has a LAZYCONS section or lacks the constant column:\n%s", s)
	}
	back, err := ReadMPS(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Solve(context.Background(), back, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Status != StatusOptimal || got.Status != StatusOptimal || math.Abs(got.Objective-want.Objective) > 1e-9 {
		t.Fatalf("portable model: %v %v, original: %v %v", got.Status, got.Objective, want.Status, want.Objective)
	}
}
