// Package orlib reads J.E. Beasley's OR-Library capacitated warehouse location instances
// (cap41..cap134, capa/capb/capc) and their published optima, and builds the multi-source
// capacitated facility location model whose optima are published:
//
//	min  sum_i f_i y_i + sum_ij c_ij x_ij
//	s.t. sum_i x_ij = 1                (every customer j)
//	     sum_j d_j x_ij <= s_i y_i     (every facility i)
//	     x_ij <= y_i                   (every i, j; the "strong" linking rows)
//	     0 <= x_ij <= 1, y_i binary.
//
// c_ij in the file is the cost of serving all of customer j's demand from facility i.
package orlib

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"networx/solver"
)

// Instance is one capacitated warehouse location instance.
type Instance struct {
	M, N      int         // facilities, customers
	Capacity  []float64   // s_i; zero when CapacityParam
	FixedCost []float64   // f_i
	Demand    []float64   // d_j
	Cost      [][]float64 // Cost[i][j] = c_ij, cost of serving all of j's demand from i
	// CapacityParam is true when the file has the literal word "capacity" instead of the
	// capacities (capa/capb/capc): the capacity is a parameter given to Model.
	CapacityParam bool
}

// ErrFormat is wrapped by every Parse and ReadOptima error.
var ErrFormat = errors.New("orlib: bad format")

type tokenizer struct {
	sc  *bufio.Scanner
	pos int // 1-based index of the last token returned
}

func (t *tokenizer) next(what string) (string, error) {
	if !t.sc.Scan() {
		if err := t.sc.Err(); err != nil {
			return "", fmt.Errorf("orlib: read token %d (%s): %w", t.pos+1, what, err)
		}
		return "", fmt.Errorf("%w: token %d (%s): unexpected end of input", ErrFormat, t.pos+1, what)
	}
	t.pos++
	return t.sc.Text(), nil
}

func (t *tokenizer) number(what string) (float64, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: token %d (%s): %q is not a number", ErrFormat, t.pos, what, s)
	}
	return v, nil
}

func (t *tokenizer) count(what string) (int, error) {
	v, err := t.number(what)
	if err != nil {
		return 0, err
	}
	if v < 1 || v != math.Trunc(v) || v > 1e7 {
		return 0, fmt.Errorf("%w: token %d (%s): %v is not a positive integer", ErrFormat, t.pos, what, v)
	}
	return int(v), nil
}

// Parse reads an instance. Tokens are separated by white space; line breaks carry no meaning.
// Errors name the 1-based position of the offending token.
func Parse(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	sc.Split(bufio.ScanWords)
	t := &tokenizer{sc: sc}
	m, err := t.count("number of facilities")
	if err != nil {
		return nil, err
	}
	n, err := t.count("number of customers")
	if err != nil {
		return nil, err
	}
	in := &Instance{M: m, N: n, Capacity: make([]float64, m), FixedCost: make([]float64, m),
		Demand: make([]float64, n), Cost: make([][]float64, m)}
	for i := range in.Cost {
		in.Cost[i] = make([]float64, n)
	}
	for i := 0; i < m; i++ {
		s, err := t.next(fmt.Sprintf("capacity of facility %d", i+1))
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(s, "capacity") {
			if i > 0 && !in.CapacityParam {
				return nil, fmt.Errorf("%w: token %d: %q after numeric capacities", ErrFormat, t.pos, s)
			}
			in.CapacityParam = true
		} else {
			if in.CapacityParam {
				return nil, fmt.Errorf("%w: token %d: numeric capacity %q after the word capacity", ErrFormat, t.pos, s)
			}
			v, perr := strconv.ParseFloat(s, 64)
			if perr != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fmt.Errorf("%w: token %d (capacity of facility %d): %q is not a non-negative number", ErrFormat, t.pos, i+1, s)
			}
			in.Capacity[i] = v
		}
		if in.FixedCost[i], err = t.number(fmt.Sprintf("fixed cost of facility %d", i+1)); err != nil {
			return nil, err
		}
	}
	for j := 0; j < n; j++ {
		if in.Demand[j], err = t.number(fmt.Sprintf("demand of customer %d", j+1)); err != nil {
			return nil, err
		}
		if in.Demand[j] < 0 {
			return nil, fmt.Errorf("%w: token %d: negative demand %v", ErrFormat, t.pos, in.Demand[j])
		}
		for i := 0; i < m; i++ {
			if in.Cost[i][j], err = t.number(fmt.Sprintf("cost of customer %d from facility %d", j+1, i+1)); err != nil {
				return nil, err
			}
		}
	}
	if t.sc.Scan() {
		return nil, fmt.Errorf("%w: token %d: unexpected %q after the last cost", ErrFormat, t.pos+1, t.sc.Text())
	}
	if err := t.sc.Err(); err != nil {
		return nil, fmt.Errorf("orlib: read: %w", err)
	}
	return in, nil
}

// ColY returns the model column of y_i; ColX that of x_ij (layout of Model).
func (in *Instance) ColY(i int) int { return i }

// ColX returns the model column of x_ij.
func (in *Instance) ColX(i, j int) int { return in.M + i*in.N + j }

// Model builds the capacitated facility location model. capacity replaces every s_i when
// the instance has CapacityParam (it is ignored otherwise). strong adds the x_ij <= y_i rows;
// they are plain rows (the solver pools rows of this variable-bound shape by itself on large
// models). Columns: y_0..y_{M-1}, then x_ij at M + i*N + j. Rows: N demand equalities
// ("d<j>"), M capacity rows ("c<i>"), then M*N linking rows ("l<i>_<j>") when strong.
func (in *Instance) Model(capacity float64, strong bool) *solver.Model {
	m := &solver.Model{}
	for i := 0; i < in.M; i++ {
		m.AddBinary(fmt.Sprintf("y%d", i+1), in.FixedCost[i])
	}
	for i := 0; i < in.M; i++ {
		for j := 0; j < in.N; j++ {
			m.AddCol(fmt.Sprintf("x%d_%d", i+1, j+1), in.Cost[i][j], 0, 1, false)
		}
	}
	ind := make([]int, in.M)
	val := make([]float64, in.M)
	for j := 0; j < in.N; j++ {
		for i := 0; i < in.M; i++ {
			ind[i], val[i] = in.ColX(i, j), 1
		}
		m.AddRow(fmt.Sprintf("d%d", j+1), 1, 1, ind, val)
	}
	for i := 0; i < in.M; i++ {
		s := in.Capacity[i]
		if in.CapacityParam {
			s = capacity
		}
		ind := []int{in.ColY(i)}
		val := []float64{-s}
		for j := 0; j < in.N; j++ {
			if in.Demand[j] != 0 {
				ind = append(ind, in.ColX(i, j))
				val = append(val, in.Demand[j])
			}
		}
		m.AddRow(fmt.Sprintf("c%d", i+1), math.Inf(-1), 0, ind, val)
	}
	if strong {
		for i := 0; i < in.M; i++ {
			for j := 0; j < in.N; j++ {
				m.AddRow(fmt.Sprintf("l%d_%d", i+1, j+1), math.Inf(-1), 0,
					[]int{in.ColX(i, j), in.ColY(i)}, []float64{1, -1})
			}
		}
	}
	return m
}

// ReadOptima reads capopt.txt: lines "cap41 1040444.375" and, for the parametric sets,
// "capa 19240822.449 (capacity 8000)" followed by continuation lines
// "18438046.543 (capacity 10000)". Keys are "cap41" and "capa-8000". Text after the table
// (a line that fits neither form) is ignored, as is the header line.
func ReadOptima(r io.Reader) (map[string]float64, error) {
	out := make(map[string]float64)
	sc := bufio.NewScanner(r)
	last := ""
	lineNo := 0
	for sc.Scan() {
		lineNo++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		name := ""
		if _, err := strconv.ParseFloat(f[0], 64); err != nil {
			name = f[0]
			f = f[1:]
		} else {
			name = last
		}
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			if len(out) > 0 {
				break // closing note
			}
			continue // header
		}
		if name == "" {
			return nil, fmt.Errorf("%w: line %d: value without an instance name", ErrFormat, lineNo)
		}
		last = name
		key := name
		if len(f) >= 3 && strings.TrimPrefix(f[1], "(") == "capacity" {
			key = name + "-" + strings.TrimSuffix(f[2], ")")
		}
		out[key] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("orlib: read optima: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no optima found", ErrFormat)
	}
	return out, nil
}
