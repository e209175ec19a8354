package solver

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteMPS writes m in free MPS format so that ReadMPS gives back the same model, and
// glpsol --freemps and cbc read it too. The model must pass Validate.
//
// What the written file looks like:
//   - The NAME line ends in FREE: cbc needs that to read free MPS, glpsol ignores it.
//     An empty model name is written as "networx".
//   - Names containing blanks or control characters have them replaced by '_'; empty or
//     repeated names are replaced by generated ones (C12, R7); the objective row keeps
//     ObjName ("obj" when empty). Only such names change in a round trip.
//   - Numbers are written with strconv 'g' and precision -1, so they read back exactly.
//   - A maximization gets an OBJSENSE MAX section (cbc reads it; glpsol does not and needs
//     its --max flag instead); ObjOffset is written as the objective row's RHS, -ObjOffset.
//   - Lazy rows go to a LAZYCONS section (CPLEX); a model without lazy rows has none. Lazy
//     rows therefore read back after the other rows, in their original order.
//   - A ranged row lo < hi is a G row with rhs lo and range R chosen so that lo+R == hi
//     exactly (or an L row with hi-R == lo). Such an R does not always exist (lo+R is
//     rounded to the spacing of the larger limit, so lo = -4, hi = 7e-8 has none); then
//     one limit reads back off by at most one ulp of the larger limit. MPS has no other
//     way to state a range; WriteLP keeps ranges exact. A row with no
//     limits is an L row with rhs 1e30, which readers take as infinite. Finite limits or
//     bounds of magnitude >= 1e30 read back as infinite.
//   - Integer columns sit between MARKER INTORG/INTEND lines and always carry an explicit
//     upper bound (PL when infinite), since old readers default them to [0, 1].
//   - Each column has at least one COLUMNS line (a zero objective entry if it has no
//     entries at all); zero coefficients stored in rows are kept.
func WriteMPS(w io.Writer, m *Model) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("write mps: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	objName := cleanMPSName(m.ObjName)
	if objName == "" {
		objName = "obj"
	}
	rowNames := uniqueNames(len(m.Rows), func(i int) string { return cleanMPSName(m.Rows[i].Name) }, "R", map[string]bool{objName: true})
	colNames := uniqueNames(len(m.Cols), func(j int) string { return cleanMPSName(m.Cols[j].Name) }, "C", nil)
	name := cleanMPSName(m.Name)
	if name == "" {
		name = "networx"
	}

	var num []byte
	f := func(v float64) []byte {
		num = strconv.AppendFloat(num[:0], v, 'g', -1, 64)
		return num
	}
	line := func(parts ...string) {
		for _, s := range parts {
			bw.WriteByte(' ')
			bw.WriteString(s)
		}
	}
	lineNum := func(v float64, parts ...string) {
		line(parts...)
		bw.WriteByte(' ')
		bw.Write(f(v))
		bw.WriteByte('\n')
	}

	fmt.Fprintf(bw, "NAME %s FREE\n", name)
	if m.Sense == Maximize {
		bw.WriteString("OBJSENSE\n    MAX\n")
	}

	forms := make([]mpsRowForm, len(m.Rows))
	for i, r := range m.Rows {
		forms[i] = newMPSRowForm(r.Lo, r.Hi)
	}
	bw.WriteString("ROWS\n")
	line("N", objName)
	bw.WriteByte('\n')
	hasLazy := false
	for i, r := range m.Rows {
		if r.Lazy {
			hasLazy = true
			continue
		}
		line(forms[i].typ, rowNames[i])
		bw.WriteByte('\n')
	}
	if hasLazy {
		bw.WriteString("LAZYCONS\n")
		for i, r := range m.Rows {
			if r.Lazy {
				line(forms[i].typ, rowNames[i])
				bw.WriteByte('\n')
			}
		}
	}

	// Transpose the rows into columns, keeping row order within each column.
	count := make([]int, len(m.Cols)+1)
	for _, r := range m.Rows {
		for _, j := range r.Ind {
			count[j+1]++
		}
	}
	for j := range m.Cols {
		count[j+1] += count[j]
	}
	start := append([]int(nil), count...)
	entRow := make([]int, count[len(m.Cols)])
	entVal := make([]float64, count[len(m.Cols)])
	for i, r := range m.Rows {
		for k, j := range r.Ind {
			entRow[start[j]] = i
			entVal[start[j]] = r.Val[k]
			start[j]++
		}
	}

	bw.WriteString("COLUMNS\n")
	inInt := false
	for j, c := range m.Cols {
		if c.Integer != inInt {
			if c.Integer {
				bw.WriteString(" MARKER 'MARKER' 'INTORG'\n")
			} else {
				bw.WriteString(" MARKER 'MARKER' 'INTEND'\n")
			}
			inInt = c.Integer
		}
		entries := count[j+1] - count[j]
		if c.Obj != 0 || entries == 0 {
			lineNum(c.Obj, colNames[j], objName)
		}
		for k := count[j]; k < count[j+1]; k++ {
			lineNum(entVal[k], colNames[j], rowNames[entRow[k]])
		}
	}
	if inInt {
		bw.WriteString(" MARKER 'MARKER' 'INTEND'\n")
	}

	bw.WriteString("RHS\n")
	if m.ObjOffset != 0 {
		lineNum(-m.ObjOffset, "RHS", objName)
	}
	for i, fm := range forms {
		if fm.rhs != 0 {
			lineNum(fm.rhs, "RHS", rowNames[i])
		}
	}
	hasRng := false
	for _, fm := range forms {
		hasRng = hasRng || fm.hasRng
	}
	if hasRng {
		bw.WriteString("RANGES\n")
		for i, fm := range forms {
			if fm.hasRng {
				lineNum(fm.rng, "RNG", rowNames[i])
			}
		}
	}

	bw.WriteString("BOUNDS\n")
	for j, c := range m.Cols {
		n := colNames[j]
		switch {
		case c.Lo == c.Hi:
			lineNum(c.Lo, "FX", "BND", n)
			continue
		case math.IsInf(c.Lo, -1) && math.IsInf(c.Hi, 1):
			line("FR", "BND", n)
			bw.WriteByte('\n')
			continue
		case math.IsInf(c.Lo, -1):
			line("MI", "BND", n)
			bw.WriteByte('\n')
		case c.Lo != 0:
			lineNum(c.Lo, "LO", "BND", n)
		}
		switch {
		case !math.IsInf(c.Hi, 1):
			lineNum(c.Hi, "UP", "BND", n)
		case c.Integer:
			line("PL", "BND", n)
			bw.WriteByte('\n')
		}
	}
	bw.WriteString("ENDATA\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write mps: %w", err)
	}
	return nil
}

// mpsRowForm is how one row is written: its type, right-hand side and optional range.
type mpsRowForm struct {
	typ      string
	rhs, rng float64
	hasRng   bool
}

// newMPSRowForm returns the MPS form of lo <= row <= hi.
func newMPSRowForm(lo, hi float64) (f mpsRowForm) {
	switch {
	case lo == hi:
		f.typ, f.rhs = "E", lo
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		f.typ, f.rhs = "L", mpsInfinity
	case math.IsInf(lo, -1):
		f.typ, f.rhs = "L", hi
	case math.IsInf(hi, 1):
		f.typ, f.rhs = "G", lo
	default:
		f.typ, f.rhs, f.rng, f.hasRng = "G", lo, exactRange(lo, hi), true
		if lo+f.rng != hi && hi-f.rng == lo {
			f.typ, f.rhs = "L", hi
		}
	}
	return f
}

// exactRange returns R > 0 with lo+R == hi or hi-R == lo in floating point, which is how
// ReadMPS rebuilds a ranged G or L row; hi-lo itself usually works, and a few ulps either
// side cover the rest. If none does (limits near the float range), it returns hi-lo.
func exactRange(lo, hi float64) float64 {
	// ulpSearch is how many neighbours of hi-lo on each side are tried.
	const ulpSearch = 8
	d := hi - lo
	up, down := d, d
	for range ulpSearch + 1 {
		for _, c := range [2]float64{up, down} {
			if c > 0 && c < mpsInfinity && (lo+c == hi || hi-c == lo) {
				return c
			}
		}
		up, down = math.Nextafter(up, math.Inf(1)), math.Nextafter(down, 0)
	}
	return d
}

// cleanMPSName replaces the bytes that would split an MPS field.
func cleanMPSName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if isBlank(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

// uniqueNames returns n distinct names: name(i) where it is non-empty and not taken
// (by an earlier index or reserved), a generated prefix+number otherwise.
func uniqueNames(n int, name func(int) string, prefix string, reserved map[string]bool) []string {
	used := make(map[string]bool, n+len(reserved))
	for k := range reserved {
		used[k] = true
	}
	out := make([]string, n)
	var pending []int
	for i := range n {
		s := name(i)
		if s == "" || used[s] {
			pending = append(pending, i)
			continue
		}
		used[s] = true
		out[i] = s
	}
	// Generated names come last so that they never take a name the model uses later.
	for _, i := range pending {
		base := prefix + strconv.Itoa(i+1)
		s := base
		for k := 2; used[s]; k++ {
			s = base + "_" + strconv.Itoa(k)
		}
		used[s] = true
		out[i] = s
	}
	return out
}
