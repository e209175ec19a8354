package solver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// MPSFormat selects how ReadMPSFormat splits the data lines of an MPS file into fields.
type MPSFormat int

const (
	// MPSAuto reads free MPS (fields separated by blanks) and falls back to the fixed
	// column layout for a data line that only makes sense in fixed columns (a name
	// with a blank inside). A NAME line ending in the word FREE forces free format.
	MPSAuto MPSFormat = iota
	// MPSFree reads fields separated by blanks: names cannot contain blanks.
	MPSFree
	// MPSFixed reads fields from the fixed columns 2-3, 5-12, 15-22, 25-36, 40-47 and
	// 50-61 of the original IBM format: names may contain blanks.
	MPSFixed
)

// mpsInfinity is the magnitude from which a right-hand side, range or bound read from a
// file means "no limit". 1e30 is what cbc, CPLEX and HiGHS use, and what WriteMPS writes
// for a row with no limits at all.
const mpsInfinity = 1e30

// mpsMaxLine bounds the length of one MPS line. MPS lines hold at most six short fields,
// so a longer line is garbage rather than data; the bound keeps memory proportional to
// real content.
const mpsMaxLine = 1 << 20

// ParseError is the error ReadMPS and ReadLP return for a malformed file. Line is the
// 1-based line where the problem was found, or 0 when it concerns the file as a whole.
type ParseError struct {
	Format string // "mps" or "lp"
	Line   int
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Line <= 0 {
		return e.Format + ": " + e.Msg
	}
	return fmt.Sprintf("%s line %d: %s", e.Format, e.Line, e.Msg)
}

// ReadMPS reads a model in fixed or free MPS format, detected automatically (see
// MPSAuto). It is ReadMPSFormat(r, MPSAuto).
//
// Conventions (the common ones of cbc, CPLEX and HiGHS unless noted):
//   - Sections: NAME, OBJSENSE (MAX/MAXIMIZE/MIN/MINIMIZE on the same or the next line),
//     OBJNAME, ROWS, LAZYCONS (rows in ROWS format that become lazy rows), COLUMNS, RHS,
//     RANGES, BOUNDS, ENDATA. ENDATA is required, so a truncated file is an error.
//     Lines starting with '*' and blank lines are skipped.
//   - The first N row is the objective (or the one OBJNAME names); further N rows are
//     dropped together with their coefficients.
//   - A right-hand side on the objective row is minus the objective constant:
//     ObjOffset = -rhs (cbc, CPLEX, HiGHS; glpk takes the opposite sign).
//   - RANGES: for an L row [rhs-|R|, rhs], for a G row [rhs, rhs+|R|], for an E row
//     [rhs, rhs+R] if R > 0 and [rhs+R, rhs] if R < 0. Ranges on N rows are ignored.
//   - Integer columns (between MARKER INTORG and INTEND) get the default bounds
//     [0, +inf) like continuous ones (glpk and cbc; some old readers used [0, 1]).
//   - BOUNDS types UP, LO, FX, FR, MI, PL, BV, LI, UI. An UP or UI bound below zero on
//     a column whose lower bound was not set sets the lower bound to -inf (the IBM
//     convention, as CPLEX and HiGHS do). SC and other types are rejected.
//   - A right-hand side, range or bound of magnitude >= 1e30 means infinity.
//   - Only one RHS, RANGES and BOUNDS vector is allowed: a second set name is an error.
//   - A repeated row name, a column listed twice for the same row, or a column whose
//     entries are split by another column is an error.
//
// Errors are *ParseError values naming the line, like "mps line 17: unknown row R9 in
// COLUMNS". Every accepted model passes Validate.
func ReadMPS(r io.Reader) (*Model, error) {
	return ReadMPSFormat(r, MPSAuto)
}

// ReadMPSFormat reads a model in MPS format, splitting data lines as format says.
// See ReadMPS for the conventions.
func ReadMPSFormat(r io.Reader, format MPSFormat) (*Model, error) {
	if format < MPSAuto || format > MPSFixed {
		return nil, fmt.Errorf("mps: unknown format %d", format)
	}
	p := &mpsReader{
		format:  format,
		m:       &Model{},
		rowIdx:  make(map[string]int),
		colIdx:  make(map[string]int),
		seen:    make(map[string]bool),
		curCol:  -1,
		lastObj: -1,
	}
	if err := p.read(r); err != nil {
		return nil, err
	}
	return p.finish()
}

// Special values in mpsReader.rowIdx for N rows.
const (
	mpsObjRow     = -1 // the objective row
	mpsDroppedRow = -2 // a further N row, whose entries are dropped
)

type mpsRow struct {
	name     string
	typ      byte // 'L', 'G' or 'E'
	rhs, rng float64
	hasRHS   bool
	hasRng   bool
	lazy     bool
	line     int // line that last set rhs or range, for error messages
	lastCol  int // last column with an entry in this row, to find duplicates
	ind      []int
	val      []float64
}

type mpsCol struct {
	loSet bool // lower bound set explicitly by a BOUNDS line
	line  int  // line of the last BOUNDS entry for the column
}

type mpsReader struct {
	format  MPSFormat
	m       *Model
	rows    []mpsRow
	cols    []mpsCol
	rowIdx  map[string]int
	colIdx  map[string]int
	seen    map[string]bool // sections already read
	objName string
	objRHS  bool
	wantObj string // from OBJNAME

	line    int
	section string
	curCol  int
	lastObj int // column whose objective entry was read last
	inInt   bool
	ended   bool

	rhsSet, rngSet, bndSet       string
	hasRHSSet, hasRngSet, hasBnd bool
}

func (p *mpsReader) errf(format string, args ...any) error {
	return &ParseError{Format: "mps", Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// mpsSections lists the section keywords and whether the header line may carry
// arguments (NAME, OBJSENSE and OBJNAME do; the others stand alone).
var mpsSections = map[string]bool{
	"NAME": true, "OBJSENSE": true, "OBJSENCE": true, "OBJNAME": true, "ROWS": false,
	"LAZYCONS": false, "COLUMNS": false, "RHS": false, "RANGES": false, "BOUNDS": false,
	"ENDATA": false, "SOS": false, "QUADOBJ": false, "QSECTION": false, "QMATRIX": false,
	"QCMATRIX": false, "INDICATORS": false, "USERCUTS": false, "CSECTION": false,
}

func (p *mpsReader) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for !p.ended {
		line, err := readLine(br, &buf, mpsMaxLine)
		if err == io.EOF && line == nil {
			break
		}
		p.line++
		if errors.Is(err, errLineTooLong) {
			return p.errf("line longer than %d bytes", mpsMaxLine)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("mps line %d: %w", p.line, err)
		}
		if perr := p.handle(line); perr != nil {
			return perr
		}
		if err == io.EOF {
			break
		}
	}
	if !p.ended {
		return p.errf("missing ENDATA (file truncated?)")
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its end-of-line bytes. It returns (nil, io.EOF)
// at the end of input, and (line, io.EOF) for a last line without newline.
func readLine(br *bufio.Reader, buf *[]byte, max int) ([]byte, error) {
	*buf = (*buf)[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if len(*buf)+len(chunk) > max {
			return nil, errLineTooLong
		}
		*buf = append(*buf, chunk...)
		switch {
		case err == nil:
			return bytes.TrimRight(*buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if len(*buf) == 0 {
				return nil, io.EOF
			}
			return bytes.TrimRight(*buf, "\r\n"), io.EOF
		default:
			return nil, err
		}
	}
}

// isBlank reports whether b separates fields: every ASCII control byte and space.
func isBlank(b byte) bool { return b <= ' ' || b == 0x7f }

// fields splits a line at blanks.
func fields(line []byte) []string {
	var out []string
	i := 0
	for i < len(line) {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !isBlank(line[j]) {
			j++
		}
		if j > i {
			out = append(out, string(line[i:j]))
		}
		i = j
	}
	return out
}

func (p *mpsReader) handle(line []byte) error {
	if len(line) == 0 || line[0] == '*' {
		return nil
	}
	f := fields(line)
	if len(f) == 0 {
		return nil
	}
	if !isBlank(line[0]) {
		kw := strings.ToUpper(f[0])
		if args, ok := mpsSections[kw]; ok && (args || len(f) == 1) {
			return p.header(kw, f[1:])
		}
	}
	if p.section == "" {
		return p.errf("data line %q before any section", truncate(string(line)))
	}
	return p.data(line, f)
}

func truncate(s string) string {
	const max = 40
	s = strings.TrimSpace(s)
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func (p *mpsReader) header(kw string, args []string) error {
	if kw == "OBJSENCE" {
		kw = "OBJSENSE"
	}
	if p.seen[kw] {
		return p.errf("section %s appears twice", kw)
	}
	p.seen[kw] = true
	switch kw {
	case "SOS", "QUADOBJ", "QSECTION", "QMATRIX", "QCMATRIX", "INDICATORS", "USERCUTS", "CSECTION":
		return p.errf("section %s is not supported", kw)
	case "NAME":
		if len(args) > 0 && strings.EqualFold(args[len(args)-1], "FREE") {
			// "NAME model FREE" marks free format (cbc needs it to read free MPS).
			args = args[:len(args)-1]
			if p.format == MPSAuto {
				p.format = MPSFree
			}
		}
		p.m.Name = strings.Join(args, " ")
	case "OBJSENSE":
		if len(args) > 0 {
			if err := p.sense(args); err != nil {
				return err
			}
		}
	case "OBJNAME":
		if len(args) > 0 {
			if len(args) != 1 {
				return p.errf("OBJNAME takes one name, got %d fields", len(args))
			}
			p.wantObj = args[0]
		}
	case "ENDATA":
		p.ended = true
	}
	if kw == "COLUMNS" && p.inInt {
		p.inInt = false
	}
	p.section = kw
	return nil
}

func (p *mpsReader) sense(args []string) error {
	if len(args) != 1 {
		return p.errf("OBJSENSE takes one word, got %d", len(args))
	}
	switch strings.ToUpper(args[0]) {
	case "MAX", "MAXIMIZE", "MAXIMISE":
		p.m.Sense = Maximize
	case "MIN", "MINIMIZE", "MINIMISE":
		p.m.Sense = Minimize
	default:
		return p.errf("unknown objective sense %q", args[0])
	}
	return nil
}

// fixedFields splits a line by the fixed MPS columns. ok is false if the line has text
// outside the six fields, so that it cannot be a fixed-format line.
func fixedFields(line []byte) (f [6]string, ok bool) {
	spans := [6][2]int{{1, 3}, {4, 12}, {14, 22}, {24, 36}, {39, 47}, {49, 61}}
	pos := 0
	for k, s := range spans {
		for ; pos < s[0] && pos < len(line); pos++ {
			if !isBlank(line[pos]) {
				return f, false
			}
		}
		if s[0] >= len(line) {
			break
		}
		end := min(s[1], len(line))
		f[k] = strings.TrimFunc(string(line[s[0]:end]), func(r rune) bool { return r <= ' ' || r == 0x7f })
		pos = end
	}
	for ; pos < len(line); pos++ {
		if !isBlank(line[pos]) {
			return f, false
		}
	}
	return f, true
}

// data handles one data line: it tries the free layout and, in MPSAuto, falls back to
// the fixed layout when the free reading fails. Each apply step checks everything
// before it changes state, so a failed attempt leaves no trace.
func (p *mpsReader) data(line []byte, free []string) error {
	if p.format == MPSFixed {
		ff, ok := fixedFields(line)
		if !ok {
			return p.errf("text outside the fixed MPS fields")
		}
		return p.applyFixed(ff)
	}
	err := p.applyFree(free)
	if err == nil || p.format != MPSAuto {
		return err
	}
	if ff, ok := fixedFields(line); ok {
		if p.applyFixed(ff) == nil {
			return nil
		}
	}
	return err
}

// numeric reports whether s parses as a number.
func numeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (p *mpsReader) applyFree(f []string) error {
	switch p.section {
	case "OBJSENSE":
		return p.sense(f)
	case "OBJNAME":
		if len(f) != 1 || p.wantObj != "" {
			return p.errf("OBJNAME takes one name")
		}
		p.wantObj = f[0]
		return nil
	case "NAME":
		if p.m.Name != "" {
			return p.errf("unexpected data line in NAME section")
		}
		p.m.Name = strings.Join(f, " ")
		return nil
	case "ROWS", "LAZYCONS":
		if len(f) != 2 {
			return p.errf("%s line needs a type and a name, got %d fields", p.section, len(f))
		}
		return p.addRow(f[0], f[1])
	case "COLUMNS":
		if len(f) == 3 && isMarker(f[1]) {
			return p.marker(f[2])
		}
		if len(f) != 3 && len(f) != 5 {
			return p.errf("COLUMNS line needs 3 or 5 fields, got %d", len(f))
		}
		if len(f) == 3 {
			return p.entry(f[0], f[1], f[2], "", "")
		}
		return p.entry(f[0], f[1], f[2], f[3], f[4])
	case "RHS", "RANGES":
		switch len(f) {
		case 2:
			return p.vector("", f[0], f[1], "", "")
		case 3:
			return p.vector(f[0], f[1], f[2], "", "")
		case 4:
			return p.vector("", f[0], f[1], f[2], f[3])
		case 5:
			return p.vector(f[0], f[1], f[2], f[3], f[4])
		}
		return p.errf("%s line needs 2 to 5 fields, got %d", p.section, len(f))
	case "BOUNDS":
		if len(f) < 2 || len(f) > 4 {
			return p.errf("BOUNDS line needs 2 to 4 fields, got %d", len(f))
		}
		typ := strings.ToUpper(f[0])
		if boundNeedsValue(typ) {
			switch len(f) {
			case 3:
				return p.bound(typ, "", f[1], f[2])
			case 4:
				return p.bound(typ, f[1], f[2], f[3])
			}
			return p.errf("%s bound needs a column and a value", typ)
		}
		switch len(f) {
		case 2:
			return p.bound(typ, "", f[1], "")
		case 3:
			// "FR set col" or "FR col value": a value-less bound may still carry a value.
			_, isCol := p.colIdx[f[1]]
			_, lastIsCol := p.colIdx[f[2]]
			if isCol && !lastIsCol && numeric(f[2]) {
				return p.bound(typ, "", f[1], f[2])
			}
			return p.bound(typ, f[1], f[2], "")
		}
		return p.bound(typ, f[1], f[2], f[3])
	}
	return p.errf("unexpected data line in %s section", p.section)
}

func (p *mpsReader) applyFixed(f [6]string) error {
	switch p.section {
	case "OBJSENSE", "OBJNAME", "NAME":
		var words []string
		for _, s := range f {
			if s != "" {
				words = append(words, s)
			}
		}
		return p.applyFree(words)
	case "ROWS", "LAZYCONS":
		if f[0] == "" || f[1] == "" || f[2] != "" || f[3] != "" || f[4] != "" || f[5] != "" {
			return p.errf("%s line needs a type and a name", p.section)
		}
		return p.addRow(f[0], f[1])
	case "COLUMNS":
		if f[2] == "'MARKER'" {
			return p.marker(f[4])
		}
		if f[0] != "" || f[1] == "" || f[2] == "" || f[3] == "" {
			return p.errf("COLUMNS line needs a column, a row and a value")
		}
		return p.entry(f[1], f[2], f[3], f[4], f[5])
	case "RHS", "RANGES":
		if f[0] != "" || f[2] == "" || f[3] == "" {
			return p.errf("%s line needs a row and a value", p.section)
		}
		return p.vector(f[1], f[2], f[3], f[4], f[5])
	case "BOUNDS":
		if f[0] == "" || f[2] == "" || f[4] != "" || f[5] != "" {
			return p.errf("BOUNDS line needs a type and a column")
		}
		typ := strings.ToUpper(f[0])
		if boundNeedsValue(typ) && f[3] == "" {
			return p.errf("%s bound needs a value", typ)
		}
		return p.bound(typ, f[1], f[2], f[3])
	}
	return p.errf("unexpected data line in %s section", p.section)
}

func isMarker(s string) bool { return s == "'MARKER'" }

func (p *mpsReader) marker(kind string) error {
	switch strings.Trim(kind, "'") {
	case "INTORG":
		if p.inInt {
			return p.errf("INTORG marker inside an integer block")
		}
		p.inInt = true
	case "INTEND":
		if !p.inInt {
			return p.errf("INTEND marker without INTORG")
		}
		p.inInt = false
	default:
		return p.errf("unknown marker %s", kind)
	}
	p.curCol = -1 // a marker ends the current column
	return nil
}

func (p *mpsReader) addRow(typ, name string) error {
	t := strings.ToUpper(typ)
	if len(t) != 1 || !strings.Contains("NLGE", t) {
		return p.errf("unknown row type %q for row %s", typ, name)
	}
	if _, dup := p.rowIdx[name]; dup {
		return p.errf("row %s declared twice", name)
	}
	if t == "N" {
		if p.section == "LAZYCONS" {
			return p.errf("N row %s in LAZYCONS", name)
		}
		if p.objName == "" && (p.wantObj == "" || p.wantObj == name) {
			p.objName = name
			p.m.ObjName = name
			p.rowIdx[name] = mpsObjRow
		} else {
			p.rowIdx[name] = mpsDroppedRow
		}
		return nil
	}
	p.rowIdx[name] = len(p.rows)
	p.rows = append(p.rows, mpsRow{name: name, typ: t[0], lazy: p.section == "LAZYCONS", lastCol: -1})
	return nil
}

// value parses a number; NaN is rejected. A magnitude >= 1e30 becomes infinite when inf
// is set (right-hand sides, ranges and bounds) and is kept otherwise.
func (p *mpsReader) value(s, what string, inf bool) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, p.errf("bad number %q for %s", truncate(s), what)
	}
	if math.IsNaN(v) {
		return 0, p.errf("NaN for %s", what)
	}
	if inf && math.Abs(v) >= mpsInfinity {
		return math.Copysign(math.Inf(1), v), nil
	}
	return v, nil
}

// entry handles a COLUMNS line with one or two (row, value) pairs.
func (p *mpsReader) entry(col, row1, val1, row2, val2 string) error {
	type pair struct {
		row int
		v   float64
	}
	var pairs [2]pair
	n := 1
	if row2 != "" || val2 != "" {
		if row2 == "" || val2 == "" {
			return p.errf("COLUMNS line for %s has a row without value", col)
		}
		n = 2
	}
	j, exists := p.colIdx[col]
	newCol := !exists
	if exists && j != p.curCol {
		return p.errf("entries of column %s are not contiguous", col)
	}
	if newCol {
		j = len(p.m.Cols)
	}
	rows := [2]string{row1, row2}
	vals := [2]string{val1, val2}
	for k := range n {
		i, ok := p.rowIdx[rows[k]]
		if !ok {
			return p.errf("unknown row %s in COLUMNS", rows[k])
		}
		v, err := p.value(vals[k], "column "+col, false)
		if err != nil {
			return err
		}
		if math.IsInf(v, 0) {
			return p.errf("coefficient of column %s in row %s is not finite", col, rows[k])
		}
		dup := false
		switch {
		case i == mpsObjRow:
			dup = p.lastObj == j
		case i >= 0:
			dup = p.rows[i].lastCol == j
		}
		if dup || (k == 1 && i == pairs[0].row && i != mpsDroppedRow) {
			return p.errf("column %s has two entries for row %s", col, rows[k])
		}
		pairs[k] = pair{i, v}
	}
	if newCol {
		p.colIdx[col] = j
		p.m.AddCol(col, 0, 0, math.Inf(1), p.inInt)
		p.cols = append(p.cols, mpsCol{})
		p.curCol = j
	}
	for _, e := range pairs[:n] {
		switch {
		case e.row == mpsObjRow:
			p.m.Cols[j].Obj = e.v
			p.lastObj = j
		case e.row >= 0:
			r := &p.rows[e.row]
			r.ind = append(r.ind, j)
			r.val = append(r.val, e.v)
			r.lastCol = j
		}
	}
	return nil
}

// vector handles an RHS or RANGES line.
func (p *mpsReader) vector(set, row1, val1, row2, val2 string) error {
	rng := p.section == "RANGES"
	name, has := &p.rhsSet, &p.hasRHSSet
	if rng {
		name, has = &p.rngSet, &p.hasRngSet
	}
	if *has && set != *name {
		return p.errf("second %s vector %q (only %q is read)", p.section, set, *name)
	}
	if (row2 == "") != (val2 == "") {
		return p.errf("%s line has a row without value", p.section)
	}
	rows := []string{row1}
	vals := []string{val1}
	if row2 != "" {
		rows = append(rows, row2)
		vals = append(vals, val2)
		if row1 == row2 {
			return p.errf("row %s twice on one %s line", row1, p.section)
		}
	}
	idx := make([]int, len(rows))
	vs := make([]float64, len(rows))
	for k := range rows {
		i, ok := p.rowIdx[rows[k]]
		if !ok {
			return p.errf("unknown row %s in %s", rows[k], p.section)
		}
		v, err := p.value(vals[k], p.section+" of row "+rows[k], true)
		if err != nil {
			return err
		}
		switch {
		case i == mpsObjRow && !rng:
			if p.objRHS {
				return p.errf("second RHS for objective row %s", rows[k])
			}
			if math.IsInf(v, 0) {
				return p.errf("infinite RHS for objective row %s", rows[k])
			}
		case i >= 0 && !rng && p.rows[i].hasRHS:
			return p.errf("second RHS for row %s", rows[k])
		case i >= 0 && rng && p.rows[i].hasRng:
			return p.errf("second range for row %s", rows[k])
		}
		idx[k], vs[k] = i, v
	}
	*name, *has = set, true
	for k, i := range idx {
		switch {
		case i == mpsObjRow && !rng:
			p.m.ObjOffset = -vs[k]
			p.objRHS = true
		case i >= 0 && rng:
			p.rows[i].rng, p.rows[i].hasRng = vs[k], true
			p.rows[i].line = p.line
		case i >= 0:
			p.rows[i].rhs, p.rows[i].hasRHS = vs[k], true
			p.rows[i].line = p.line
		}
	}
	return nil
}

// boundNeedsValue reports whether a BOUNDS type carries a value.
func boundNeedsValue(typ string) bool {
	switch typ {
	case "UP", "LO", "FX", "LI", "UI":
		return true
	}
	return false
}

func (p *mpsReader) bound(typ, set, col, val string) error {
	if p.hasBnd && set != p.bndSet {
		return p.errf("second BOUNDS vector %q (only %q is read)", set, p.bndSet)
	}
	j, ok := p.colIdx[col]
	if !ok {
		return p.errf("unknown column %s in BOUNDS", col)
	}
	var v float64
	if boundNeedsValue(typ) {
		var err error
		if v, err = p.value(val, typ+" bound of "+col, true); err != nil {
			return err
		}
	} else if val != "" {
		if _, err := p.value(val, typ+" bound of "+col, true); err != nil {
			return err
		}
	}
	c := &p.m.Cols[j]
	info := &p.cols[j]
	switch typ {
	case "UP", "UI":
		if v < 0 && c.Lo == 0 && !info.loSet {
			c.Lo = math.Inf(-1)
		}
		c.Hi = v
	case "LO", "LI":
		c.Lo = v
		info.loSet = true
	case "FX":
		c.Lo, c.Hi = v, v
		info.loSet = true
	case "FR":
		c.Lo, c.Hi = math.Inf(-1), math.Inf(1)
		info.loSet = true
	case "MI":
		c.Lo = math.Inf(-1)
		info.loSet = true
	case "PL":
		c.Hi = math.Inf(1)
	case "BV":
		c.Lo, c.Hi = 0, 1
		info.loSet = true
	case "SC":
		return p.errf("SC (semi-continuous) bounds are not supported")
	default:
		return p.errf("unknown bound type %q", typ)
	}
	if typ == "LI" || typ == "UI" || typ == "BV" {
		c.Integer = true
	}
	p.bndSet, p.hasBnd = set, true
	info.line = p.line
	return nil
}

// finish turns the collected rows into model rows and checks the bounds.
func (p *mpsReader) finish() (*Model, error) {
	m := p.m
	m.Rows = make([]Row, 0, len(p.rows))
	for _, r := range p.rows {
		lo, hi := rowLimits(r.typ, r.rhs, r.rng, r.hasRng)
		if math.IsInf(lo, 1) || math.IsInf(hi, -1) || lo > hi {
			p.line = r.line
			return nil, p.errf("row %s: right-hand side and range give the empty range [%v, %v]", r.name, lo, hi)
		}
		m.Rows = append(m.Rows, Row{Name: r.name, Lo: lo, Hi: hi, Ind: r.ind, Val: r.val, Lazy: r.lazy})
	}
	for j, c := range m.Cols {
		if math.IsInf(c.Lo, 1) || math.IsInf(c.Hi, -1) || c.Lo > c.Hi {
			p.line = p.cols[j].line
			return nil, p.errf("column %s: bounds [%v, %v] are empty", c.Name, c.Lo, c.Hi)
		}
	}
	if p.wantObj != "" && p.objName != p.wantObj {
		p.line = 0
		return nil, p.errf("OBJNAME %s is not an N row", p.wantObj)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mps: %w", err)
	}
	return m, nil
}

// rowLimits applies the MPS RHS and RANGES rules to a row of type typ.
func rowLimits(typ byte, rhs, rng float64, hasRng bool) (lo, hi float64) {
	inf := math.Inf(1)
	switch typ {
	case 'L':
		lo, hi = -inf, rhs
		if hasRng {
			lo = rhs - math.Abs(rng)
		}
	case 'G':
		lo, hi = rhs, inf
		if hasRng {
			hi = rhs + math.Abs(rng)
		}
	default: // 'E'
		lo, hi = rhs, rhs
		if hasRng && rng > 0 {
			hi = rhs + rng
		} else if hasRng && rng < 0 {
			lo = rhs + rng
		}
	}
	// inf - inf: an infinite right-hand side with an infinite range leaves that side open.
	if math.IsNaN(lo) {
		lo = -inf
	}
	if math.IsNaN(hi) {
		hi = inf
	}
	return lo, hi
}
