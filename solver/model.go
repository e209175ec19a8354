package solver

import (
	"errors"
	"fmt"
	"math"
)

// Inf is the bound value meaning "no bound". Use -Inf for a missing lower bound.
var Inf = math.Inf(1)

// Sense is the direction of optimization.
type Sense int

// The two senses. The zero value minimizes.
const (
	Minimize Sense = iota
	Maximize
)

func (s Sense) String() string {
	if s == Maximize {
		return "maximize"
	}
	return "minimize"
}

// Column is one variable: objective coefficient, bounds and integrality.
// Lo may be -Inf and Hi may be +Inf.
type Column struct {
	Name    string
	Obj     float64
	Lo, Hi  float64
	Integer bool
}

// Row is one constraint Lo <= sum_k Val[k]*x[Ind[k]] <= Hi. Lo may be -Inf and Hi +Inf;
// Lo == Hi is an equality. A lazy row is kept out of the LP until a candidate solution
// violates it (see the solver's lazy-row pool).
type Row struct {
	Name   string
	Lo, Hi float64
	Ind    []int
	Val    []float64
	Lazy   bool
}

// Model is a mixed-integer linear program. Build it with AddCol and AddRow; the zero value
// is an empty minimization problem.
type Model struct {
	Name string
	// Sense is the objective direction.
	Sense Sense
	// ObjName names the objective row (MPS "N" row); empty means "obj".
	ObjName string
	// ObjOffset is a constant added to the objective value.
	ObjOffset float64
	Cols      []Column
	Rows      []Row
}

// NumCols returns the number of columns.
func (m *Model) NumCols() int { return len(m.Cols) }

// NumRows returns the number of rows.
func (m *Model) NumRows() int { return len(m.Rows) }

// AddCol appends a column and returns its index.
func (m *Model) AddCol(name string, obj, lo, hi float64, integer bool) int {
	m.Cols = append(m.Cols, Column{Name: name, Obj: obj, Lo: lo, Hi: hi, Integer: integer})
	return len(m.Cols) - 1
}

// AddBinary appends a 0/1 integer column and returns its index.
func (m *Model) AddBinary(name string, obj float64) int {
	return m.AddCol(name, obj, 0, 1, true)
}

// AddRow appends the row lo <= sum val[k]*x[ind[k]] <= hi and returns its index.
// The slices are copied.
func (m *Model) AddRow(name string, lo, hi float64, ind []int, val []float64) int {
	m.Rows = append(m.Rows, Row{
		Name: name, Lo: lo, Hi: hi,
		Ind: append([]int(nil), ind...), Val: append([]float64(nil), val...),
	})
	return len(m.Rows) - 1
}

// AddLazyRow appends a row like AddRow but marks it lazy: it enters the LP only when a
// candidate solution violates it.
func (m *Model) AddLazyRow(name string, lo, hi float64, ind []int, val []float64) int {
	i := m.AddRow(name, lo, hi, ind, val)
	m.Rows[i].Lazy = true
	return i
}

// IsMIP reports whether any column is integer.
func (m *Model) IsMIP() bool {
	for _, c := range m.Cols {
		if c.Integer {
			return true
		}
	}
	return false
}

// ErrInvalidModel is wrapped by every error Validate returns.
var ErrInvalidModel = errors.New("solver: invalid model")

// Validate checks that the model is well formed: finite coefficients, consistent bounds,
// indices in range and no repeated column within a row. It returns every problem found,
// joined, each wrapping ErrInvalidModel; user data never causes a panic.
func (m *Model) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalidModel, fmt.Sprintf(format, args...)))
	}
	const maxReported = 20
	for j, c := range m.Cols {
		if len(errs) >= maxReported {
			break
		}
		if math.IsNaN(c.Obj) || math.IsInf(c.Obj, 0) {
			bad("column %d (%s): objective coefficient %v is not finite", j, c.Name, c.Obj)
		}
		if math.IsNaN(c.Lo) || math.IsNaN(c.Hi) || math.IsInf(c.Lo, 1) || math.IsInf(c.Hi, -1) {
			bad("column %d (%s): bounds [%v, %v] are not valid", j, c.Name, c.Lo, c.Hi)
		} else if c.Lo > c.Hi {
			bad("column %d (%s): lower bound %v exceeds upper bound %v", j, c.Name, c.Lo, c.Hi)
		}
	}
	seen := make(map[int]int)
	for i, r := range m.Rows {
		if len(errs) >= maxReported {
			break
		}
		if len(r.Ind) != len(r.Val) {
			bad("row %d (%s): %d indices but %d values", i, r.Name, len(r.Ind), len(r.Val))
			continue
		}
		if math.IsNaN(r.Lo) || math.IsNaN(r.Hi) || math.IsInf(r.Lo, 1) || math.IsInf(r.Hi, -1) {
			bad("row %d (%s): range [%v, %v] is not valid", i, r.Name, r.Lo, r.Hi)
		} else if r.Lo > r.Hi {
			bad("row %d (%s): lower limit %v exceeds upper limit %v", i, r.Name, r.Lo, r.Hi)
		}
		clear(seen)
		for k, j := range r.Ind {
			if j < 0 || j >= len(m.Cols) {
				bad("row %d (%s): column index %d out of range [0, %d)", i, r.Name, j, len(m.Cols))
				break
			}
			if v := r.Val[k]; math.IsNaN(v) || math.IsInf(v, 0) {
				bad("row %d (%s): coefficient of column %s is %v", i, r.Name, m.Cols[j].Name, v)
				break
			}
			if _, dup := seen[j]; dup {
				bad("row %d (%s): column %s appears twice", i, r.Name, m.Cols[j].Name)
				break
			}
			seen[j] = k
		}
	}
	return errors.Join(errs...)
}
