package solver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// lpMaxLine bounds one line of an LP file. LP writers put long sums on one line (an
// objective with every column, say), so the bound is generous; it only stops a file
// without line breaks from being held whole.
const lpMaxLine = 64 << 20

// ReadLP reads a model in CPLEX LP format.
//
// What it accepts:
//   - Sections, recognized as the first word of a line and case-insensitive: the objective
//     (minimize, minimise, minimum, min, maximize, maximise, maximum, max) with an
//     optional name "obj:"; subject to, such that, st, s.t., st.; lazy constraints;
//     bounds (or bound); general, generals, gen; binary, binaries, bin; end (required).
//     Semi-continuous, SOS, user cuts and quadratic terms are rejected.
//   - Comments from '\' to the end of the line; a first comment "\ Problem name: X"
//     (as CPLEX and WriteLP write it) gives the model name. Sums may run over lines.
//   - Constraints "[name:] expr op rhs" with op one of <=, =<, <, >=, =>, >, =, and a
//     signed number (or inf/infinity) as rhs; constants inside expr move to the rhs and a
//     variable used twice has its coefficients added. Ranged constraints
//     "[name:] lo <= expr <= hi" (or with >= twice) and "rhs op expr" are accepted too.
//   - Bounds "x <= 5", "x >= -2", "-inf <= x <= inf", "2 <= x <= 5", "5 >= x", "x = 3",
//     "x free". Default bounds are [0, +inf). A negative upper bound leaves the default
//     lower bound 0 as it is (so "x <= -1" alone makes the file invalid); write
//     "-inf <= x <= -1".
//   - Binaries get bounds [0, 1] whatever the bounds section said.
//   - Variables are numbered in order of first appearance; one first named in the bounds,
//     general or binary section is added with a zero objective.
//   - The constant of the objective becomes ObjOffset. Numbers of magnitude >= 1e30 in a
//     right-hand side or bound mean infinity; inf and infinity are numbers, not names.
//
// Errors are *ParseError values naming the line. Every accepted model passes Validate.
func ReadLP(r io.Reader) (*Model, error) {
	p := &lpParser{
		lex:    lpLexer{br: bufio.NewReaderSize(r, 64<<10)},
		m:      &Model{},
		colIdx: make(map[string]int),
		rowIdx: make(map[string]bool),
	}
	if err := p.parse(); err != nil {
		// A lexer error ends the token stream early, which the parser then sees as a
		// premature end on the same line: report whichever problem comes first.
		var lexErr, parseErr *ParseError
		if errors.As(p.lex.err, &lexErr) && errors.As(err, &parseErr) && lexErr.Line <= parseErr.Line {
			return nil, lexErr
		}
		if p.lex.err != nil && !errors.As(p.lex.err, &lexErr) {
			return nil, fmt.Errorf("lp line %d: %w", p.lex.line, p.lex.err) // an I/O error
		}
		return nil, err
	}
	return p.finish()
}

type lpTokKind int

const (
	lpEOF lpTokKind = iota
	lpNum
	lpName
	lpOp // "<=", ">=" or "="
	lpPlus
	lpMinus
	lpColon
)

type lpToken struct {
	kind  lpTokKind
	text  string // name, operator or number as written
	num   float64
	line  int
	first bool // first token of its line
}

// lpLexer turns lines into tokens on demand, keeping a small look-ahead queue.
type lpLexer struct {
	br   *bufio.Reader
	buf  []byte
	line int
	q    []lpToken
	eof  bool
	err  error
	// name is the model name from a "\ Problem name: X" comment before any token.
	name    string
	started bool
}

// fill makes sure n tokens are queued (the last one may be lpEOF).
func (l *lpLexer) fill(n int) {
	for len(l.q) < n {
		if l.eof {
			l.q = append(l.q, lpToken{kind: lpEOF, line: l.line})
			continue
		}
		line, err := readLine(l.br, &l.buf, lpMaxLine)
		if err == io.EOF && line == nil {
			l.eof = true
			continue
		}
		l.line++
		if err != nil && err != io.EOF {
			l.err = err
			if errors.Is(err, errLineTooLong) {
				l.err = &ParseError{Format: "lp", Line: l.line, Msg: fmt.Sprintf("line longer than %d bytes", lpMaxLine)}
			}
			l.eof = true
			continue
		}
		if err == io.EOF {
			l.eof = true
		}
		if terr := l.tokenize(line); terr != nil {
			l.err = terr
			l.eof = true
		}
	}
}

func (l *lpLexer) peek(k int) lpToken {
	l.fill(k + 1)
	return l.q[k]
}

func (l *lpLexer) next() lpToken {
	l.fill(1)
	t := l.q[0]
	if t.kind != lpEOF {
		l.q = l.q[1:]
	}
	return t
}

// lpNameChar reports whether c may appear in an LP name (after its first byte): letters,
// digits, the punctuation CPLEX allows, and any non-ASCII byte.
func lpNameChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!\"#$%&()/,.;?@_`'{}|~", c) >= 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lpLexer) tokenize(s []byte) error {
	first := true
	add := func(t lpToken) {
		t.line, t.first = l.line, first
		first = false
		l.started = true
		l.q = append(l.q, t)
	}
	bad := func(format string, args ...any) error {
		return &ParseError{Format: "lp", Line: l.line, Msg: fmt.Sprintf(format, args...)}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if !l.started {
				text := strings.TrimSpace(string(s[i+1:]))
				if rest, ok := strings.CutPrefix(text, "Problem name:"); ok {
					l.name = strings.TrimSpace(rest)
				}
			}
			return nil
		case isBlank(c):
			i++
		case c == '<' || c == '>' || c == '=':
			op := string(c)
			i++
			if i < len(s) && (s[i] == '=' || s[i] == '<' || s[i] == '>') && s[i] != c {
				op += string(s[i])
				i++
			}
			switch op {
			case "<", "<=", "=<":
				op = "<="
			case ">", ">=", "=>":
				op = ">="
			case "=":
			default:
				return bad("unknown operator %q", op)
			}
			add(lpToken{kind: lpOp, text: op})
		case c == '+':
			add(lpToken{kind: lpPlus, text: "+"})
			i++
		case c == '-':
			add(lpToken{kind: lpMinus, text: "-"})
			i++
		case c == ':':
			add(lpToken{kind: lpColon, text: ":"})
			i++
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			j := i
			for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && isDigit(s[k]) {
					for k < len(s) && isDigit(s[k]) {
						k++
					}
					j = k
				}
			}
			text := string(s[i:j])
			v, err := strconv.ParseFloat(text, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return bad("bad number %q", truncate(text))
			}
			add(lpToken{kind: lpNum, text: text, num: v})
			i = j
		case lpNameChar(c) && c != '.':
			j := i
			for j < len(s) && lpNameChar(s[j]) {
				j++
			}
			text := string(s[i:j])
			if low := strings.ToLower(text); low == "inf" || low == "infinity" {
				add(lpToken{kind: lpNum, text: text, num: math.Inf(1)})
			} else {
				add(lpToken{kind: lpName, text: text})
			}
			i = j
		case c == '[' || c == '^' || c == '*':
			return bad("quadratic terms are not supported")
		default:
			return bad("unexpected character %q", c)
		}
	}
	return nil
}

// lpSection is a section keyword.
type lpSection int

const (
	lpNone lpSection = iota
	lpMin
	lpMax
	lpSubject
	lpLazy
	lpBounds
	lpGeneral
	lpBinary
	lpEnd
	lpUnsupported
)

type lpParser struct {
	lex     lpLexer
	m       *Model
	colIdx  map[string]int
	rowIdx  map[string]bool
	objSeen bool
	colLn   []int  // line of the last bound statement per column
	binary  []bool // column listed under binaries
	// stamp and at merge repeated variables within one expression: column j was seen in
	// the current expression (number gen) at position at[j]. Slices rather than a map
	// because clearing a large map for each of many short rows costs its capacity.
	stamp, at []int
	gen       int
}

func (p *lpParser) errAt(line int, format string, args ...any) error {
	return &ParseError{Format: "lp", Line: line, Msg: fmt.Sprintf(format, args...)}
}

// section reports whether the next tokens start a section, and how many tokens the
// keyword has. A keyword counts only as the first word of a line and not followed by ':'.
func (p *lpParser) section() (lpSection, int) {
	t := p.lex.peek(0)
	if t.kind != lpName || !t.first {
		return lpNone, 0
	}
	n1 := p.lex.peek(1)
	if n1.kind == lpColon {
		return lpNone, 0
	}
	second := func(word string) bool {
		return n1.kind == lpName && n1.line == t.line && strings.EqualFold(n1.text, word)
	}
	switch strings.ToLower(t.text) {
	case "minimize", "minimise", "minimum", "min":
		return lpMin, 1
	case "maximize", "maximise", "maximum", "max":
		return lpMax, 1
	case "st", "s.t.", "st.":
		return lpSubject, 1
	case "subject":
		if second("to") {
			return lpSubject, 2
		}
	case "such":
		if second("that") {
			return lpSubject, 2
		}
	case "lazy":
		if second("constraints") {
			return lpLazy, 2
		}
	case "user":
		if second("cuts") {
			return lpUnsupported, 2
		}
	case "bounds", "bound":
		return lpBounds, 1
	case "general", "generals", "gen":
		return lpGeneral, 1
	case "binary", "binaries", "bin":
		return lpBinary, 1
	case "semi", "semis", "sos":
		return lpUnsupported, 1
	case "end":
		return lpEnd, 1
	}
	return lpNone, 0
}

func (p *lpParser) parse() error {
	sec, n := p.section()
	if sec != lpMin && sec != lpMax {
		t := p.lex.peek(0)
		return p.errAt(t.line, "expected minimize or maximize at the start, got %s", describe(t))
	}
	for {
		t := p.lex.peek(0)
		if t.kind == lpEOF {
			return p.errAt(t.line, "missing End (file truncated?)")
		}
		if n == 0 {
			sec, n = p.section()
			if sec == lpNone {
				return p.errAt(t.line, "unexpected %s", describe(t))
			}
		}
		kw := p.lex.peek(0)
		for range n {
			p.lex.next()
		}
		n = 0
		var err error
		switch sec {
		case lpMin, lpMax:
			if p.objSeen {
				return p.errAt(kw.line, "second objective section")
			}
			p.objSeen = true
			if sec == lpMax {
				p.m.Sense = Maximize
			}
			err = p.objective()
		case lpSubject:
			err = p.constraints(false)
		case lpLazy:
			err = p.constraints(true)
		case lpBounds:
			err = p.bounds()
		case lpGeneral, lpBinary:
			err = p.integers(sec == lpBinary)
		case lpUnsupported:
			return p.errAt(kw.line, "section %q is not supported", kw.text)
		case lpEnd:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func describe(t lpToken) string {
	switch t.kind {
	case lpEOF:
		return "end of file"
	case lpName:
		return fmt.Sprintf("name %q", truncate(t.text))
	case lpNum:
		return fmt.Sprintf("number %s", truncate(t.text))
	}
	return fmt.Sprintf("%q", t.text)
}

// col returns the index of the named column, adding it if new.
func (p *lpParser) col(name string) int {
	j, ok := p.colIdx[name]
	if !ok {
		j = p.m.AddCol(name, 0, 0, math.Inf(1), false)
		p.colIdx[name] = j
		p.colLn = append(p.colLn, 0)
		p.binary = append(p.binary, false)
		p.stamp = append(p.stamp, 0)
		p.at = append(p.at, 0)
	}
	return j
}

// lpExpr is a parsed linear expression.
type lpExpr struct {
	ind   []int
	val   []float64
	konst float64
	line  int // line of its first token
}

// atSectionOrEnd reports whether the next token ends the current section.
func (p *lpParser) atSectionOrEnd() bool {
	if p.lex.peek(0).kind == lpEOF {
		return true
	}
	s, _ := p.section()
	return s != lpNone
}

// expr reads a sum of terms "[sign] [number] [name]" separated by + and -. It stops
// before anything that cannot continue the sum.
func (p *lpParser) expr() (lpExpr, error) {
	e := lpExpr{line: p.lex.peek(0).line}
	p.gen++
	for k := 0; ; k++ {
		if p.atSectionOrEnd() {
			return e, nil
		}
		t := p.lex.peek(0)
		sign, signed := 1.0, false
		for t.kind == lpPlus || t.kind == lpMinus {
			if t.kind == lpMinus {
				sign = -sign
			}
			signed = true
			p.lex.next()
			t = p.lex.peek(0)
		}
		if k > 0 && !signed {
			// Terms after the first need a sign: anything else ends the sum.
			return e, nil
		}
		coef := sign
		hasNum := false
		if t.kind == lpNum {
			p.lex.next()
			coef *= t.num
			hasNum = true
			t = p.lex.peek(0)
		}
		if t.kind == lpName && !p.atSectionOrEnd() && p.lex.peek(1).kind != lpColon {
			p.lex.next()
			if math.IsInf(coef, 0) {
				return e, p.errAt(t.line, "coefficient of %s is not finite", truncate(t.text))
			}
			j := p.col(t.text)
			if p.stamp[j] == p.gen {
				e.val[p.at[j]] += coef
				if math.IsInf(e.val[p.at[j]], 0) {
					return e, p.errAt(t.line, "coefficients of %s add up to infinity", truncate(t.text))
				}
				continue
			}
			p.stamp[j], p.at[j] = p.gen, len(e.ind)
			e.ind = append(e.ind, j)
			e.val = append(e.val, coef)
			continue
		}
		if hasNum {
			e.konst += coef
			continue
		}
		if signed {
			return e, p.errAt(t.line, "expected a term after the sign, got %s", describe(t))
		}
		return e, nil
	}
}

func (p *lpParser) objective() error {
	t := p.lex.peek(0)
	if t.kind == lpName && p.lex.peek(1).kind == lpColon && !p.atSectionOrEnd() {
		p.m.ObjName = t.text
		p.lex.next()
		p.lex.next()
	}
	e, err := p.expr()
	if err != nil {
		return err
	}
	for k, j := range e.ind {
		p.m.Cols[j].Obj = e.val[k]
	}
	if math.IsInf(e.konst, 0) || math.IsNaN(e.konst) {
		return p.errAt(e.line, "objective constant is not finite")
	}
	p.m.ObjOffset = e.konst
	if !p.atSectionOrEnd() {
		t := p.lex.peek(0)
		return p.errAt(t.line, "unexpected %s in the objective", describe(t))
	}
	return nil
}

// signedNum reads "[sign]* number".
func (p *lpParser) signedNum(what string) (float64, int, error) {
	t := p.lex.peek(0)
	sign := 1.0
	for t.kind == lpPlus || t.kind == lpMinus {
		if t.kind == lpMinus {
			sign = -sign
		}
		p.lex.next()
		t = p.lex.peek(0)
	}
	if t.kind != lpNum {
		return 0, t.line, p.errAt(t.line, "expected a number as %s, got %s", what, describe(t))
	}
	p.lex.next()
	v := sign * t.num
	if math.Abs(v) >= mpsInfinity {
		v = math.Copysign(math.Inf(1), v)
	}
	return v, t.line, nil
}

func (p *lpParser) op() (string, error) {
	t := p.lex.peek(0)
	if t.kind != lpOp {
		return "", p.errAt(t.line, "expected <=, >= or =, got %s", describe(t))
	}
	p.lex.next()
	return t.text, nil
}

// flip returns the operator with its sides swapped.
func flip(op string) string {
	switch op {
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// limits turns "expr op v" into row limits.
func limits(op string, v float64) (lo, hi float64) {
	switch op {
	case "<=":
		return math.Inf(-1), v
	case ">=":
		return v, math.Inf(1)
	}
	return v, v
}

func (p *lpParser) constraints(lazy bool) error {
	for !p.atSectionOrEnd() {
		start := p.lex.peek(0)
		name := ""
		if start.kind == lpName && p.lex.peek(1).kind == lpColon {
			name = start.text
			if p.rowIdx[name] {
				return p.errAt(start.line, "constraint name %s used twice", truncate(name))
			}
			p.lex.next()
			p.lex.next()
		}
		e, err := p.expr()
		if err != nil {
			return err
		}
		op1, err := p.op()
		if err != nil {
			return err
		}
		var lo, hi float64
		var last lpToken
		if len(e.ind) == 0 {
			// "c op expr [op c]": the constant comes first.
			c1 := e.konst
			if e2, err := p.expr(); err != nil {
				return err
			} else {
				e = e2
			}
			if len(e.ind) == 0 {
				return p.errAt(start.line, "constraint %s has no variables", truncate(name))
			}
			if math.IsInf(e.konst, 0) {
				return p.errAt(e.line, "constant in constraint %s is not finite", truncate(name))
			}
			if p.lex.peek(0).kind == lpOp {
				op2, _ := p.op()
				c2, _, err := p.signedNum("right-hand side")
				if err != nil {
					return err
				}
				last = p.lex.peek(0)
				switch {
				case op1 == "<=" && op2 == "<=":
					lo, hi = c1, c2
				case op1 == ">=" && op2 == ">=":
					lo, hi = c2, c1
				default:
					return p.errAt(start.line, "ranged constraint %s needs <= twice or >= twice", truncate(name))
				}
			} else {
				lo, hi = limits(flip(op1), c1)
			}
			if math.Abs(lo) >= mpsInfinity {
				lo = math.Copysign(math.Inf(1), lo)
			}
			if math.Abs(hi) >= mpsInfinity {
				hi = math.Copysign(math.Inf(1), hi)
			}
		} else {
			rhs, _, err := p.signedNum("right-hand side")
			if err != nil {
				return err
			}
			last = p.lex.peek(0)
			lo, hi = limits(op1, rhs)
		}
		if last.kind == lpName && !last.first && p.lex.peek(1).kind != lpColon {
			return p.errAt(last.line, "variable %s after the right-hand side (variables belong on the left)", truncate(last.text))
		}
		if math.IsInf(e.konst, 0) || math.IsNaN(e.konst) {
			return p.errAt(e.line, "constant in constraint %s is not finite", truncate(name))
		}
		lo -= e.konst
		hi -= e.konst
		// Keep the 1e30 convention after moving constants, so that what WriteLP writes
		// for this row reads back the same.
		if math.Abs(lo) >= mpsInfinity {
			lo = math.Copysign(math.Inf(1), lo)
		}
		if math.Abs(hi) >= mpsInfinity {
			hi = math.Copysign(math.Inf(1), hi)
		}
		if math.IsInf(lo, 1) || math.IsInf(hi, -1) || math.IsNaN(lo) || math.IsNaN(hi) || lo > hi {
			return p.errAt(start.line, "constraint %s has the empty range [%v, %v]", truncate(name), lo, hi)
		}
		if name != "" {
			p.rowIdx[name] = true
		}
		p.m.Rows = append(p.m.Rows, Row{Name: name, Lo: lo, Hi: hi, Ind: e.ind, Val: e.val, Lazy: lazy})
	}
	return nil
}

func (p *lpParser) bounds() error {
	for !p.atSectionOrEnd() {
		t := p.lex.peek(0)
		if t.kind == lpName {
			p.lex.next()
			j := p.col(t.text)
			c := &p.m.Cols[j]
			p.colLn[j] = t.line
			if n := p.lex.peek(0); n.kind == lpName && strings.EqualFold(n.text, "free") && !n.first {
				p.lex.next()
				c.Lo, c.Hi = math.Inf(-1), math.Inf(1)
				continue
			}
			op, err := p.op()
			if err != nil {
				return err
			}
			v, _, err := p.signedNum("bound of " + truncate(t.text))
			if err != nil {
				return err
			}
			switch op {
			case "<=":
				c.Hi = v
			case ">=":
				c.Lo = v
			default:
				c.Lo, c.Hi = v, v
			}
			continue
		}
		v1, line, err := p.signedNum("bound")
		if err != nil {
			return err
		}
		op1, err := p.op()
		if err != nil {
			return err
		}
		nt := p.lex.next()
		if nt.kind != lpName {
			return p.errAt(nt.line, "expected a variable name in bounds, got %s", describe(nt))
		}
		j := p.col(nt.text)
		c := &p.m.Cols[j]
		p.colLn[j] = line
		if p.lex.peek(0).kind != lpOp {
			switch op1 {
			case "<=":
				c.Lo = v1
			case ">=":
				c.Hi = v1
			default:
				c.Lo, c.Hi = v1, v1
			}
			continue
		}
		op2, _ := p.op()
		v2, _, err := p.signedNum("bound of " + truncate(nt.text))
		if err != nil {
			return err
		}
		switch {
		case op1 == "<=" && op2 == "<=":
			c.Lo, c.Hi = v1, v2
		case op1 == ">=" && op2 == ">=":
			c.Lo, c.Hi = v2, v1
		default:
			return p.errAt(line, "double bound on %s needs <= twice or >= twice", truncate(nt.text))
		}
	}
	return nil
}

func (p *lpParser) integers(binary bool) error {
	for !p.atSectionOrEnd() {
		t := p.lex.next()
		if t.kind != lpName {
			return p.errAt(t.line, "expected a variable name, got %s", describe(t))
		}
		j := p.col(t.text)
		c := &p.m.Cols[j]
		c.Integer = true
		if binary {
			p.binary[j] = true
		}
	}
	return nil
}

func (p *lpParser) finish() (*Model, error) {
	m := p.m
	m.Name = p.lex.name
	for j := range m.Cols {
		if p.binary[j] {
			m.Cols[j].Lo, m.Cols[j].Hi = 0, 1
		}
	}
	for j, c := range m.Cols {
		if math.IsInf(c.Lo, 1) || math.IsInf(c.Hi, -1) || c.Lo > c.Hi {
			return nil, p.errAt(p.colLn[j], "bounds [%v, %v] of %s are empty", c.Lo, c.Hi, truncate(c.Name))
		}
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("lp: %w", err)
	}
	return m, nil
}

// lpKeywords are words WriteLP does not use as names: section keywords (which could
// start a line) and the words that mean numbers or free bounds.
var lpKeywords = map[string]bool{
	"minimize": true, "minimise": true, "minimum": true, "min": true, "maximize": true,
	"maximise": true, "maximum": true, "max": true, "st": true, "s.t.": true, "st.": true,
	"subject": true, "such": true, "lazy": true, "user": true, "bounds": true, "bound": true,
	"general": true, "generals": true, "gen": true, "binary": true, "binaries": true,
	"bin": true, "semi": true, "semis": true, "sos": true, "end": true, "inf": true,
	"infinity": true, "free": true,
}

// cleanLPName makes s a valid LP name: bytes LP does not allow become '_', a name that
// starts with a digit or '.' or is a keyword gets a '_' in front.
func cleanLPName(s string) string {
	if s == "" {
		return ""
	}
	b := []byte(s)
	for i, c := range b {
		if !lpNameChar(c) {
			b[i] = '_'
		}
	}
	if isDigit(b[0]) || b[0] == '.' || lpKeywords[strings.ToLower(string(b))] {
		return "_" + string(b)
	}
	return string(b)
}

// WriteLP writes m in CPLEX LP format so that ReadLP gives back the same model; glpsol
// --lp and cbc read it too unless the model uses the features noted below. The model must
// pass Validate.
//
// What the written file looks like:
//   - The model name goes into a first comment "\ Problem name: X".
//   - Names LP does not allow are changed: bad bytes become '_', names starting with a
//     digit or '.' or equal to a keyword get a '_' in front, empty and repeated names are
//     generated (C12, R7). The objective row is named ObjName ("obj" when empty).
//   - The objective lists every column, zero coefficients included, so that columns read
//     back in their order. ObjOffset is written as a constant term (glpsol rejects it).
//   - A ranged row is written "lo <= expr <= hi" (glpsol rejects it), a row with no
//     limits as "expr >= -1e+30", and a row without entries gets the term "0 x" of the
//     first column, which reads back as an explicit zero. Lazy rows go to a "Lazy
//     Constraints" section and read back after the others.
//   - Bounds other than [0, +inf) are written; integer columns are listed as Generals.
//   - Numbers are written with strconv 'g' and precision -1, so they read back exactly;
//     finite limits of magnitude >= 1e30 read back as infinite.
func WriteLP(w io.Writer, m *Model) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("write lp: %w", err)
	}
	for _, r := range m.Rows {
		if len(r.Ind) == 0 && len(m.Cols) == 0 {
			return fmt.Errorf("write lp: row %s has no entries and the model no columns", r.Name)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	objName := cleanLPName(m.ObjName)
	if objName == "" {
		objName = "obj"
	}
	rowNames := uniqueNames(len(m.Rows), func(i int) string { return cleanLPName(m.Rows[i].Name) }, "R", map[string]bool{objName: true})
	colNames := uniqueNames(len(m.Cols), func(j int) string { return cleanLPName(m.Cols[j].Name) }, "C", nil)

	var num []byte
	f := func(v float64) []byte {
		num = strconv.AppendFloat(num[:0], v, 'g', -1, 64)
		return num
	}
	// termsPerLine keeps lines short enough for any reader.
	const termsPerLine = 8
	terms := func(ind []int, val []float64) {
		for k, j := range ind {
			v := val[k]
			switch {
			case k > 0 && k%termsPerLine == 0:
				bw.WriteString("\n   ")
			case k > 0:
				bw.WriteByte(' ')
			}
			if math.Signbit(v) {
				bw.WriteString("- ")
				v = -v
			} else if k > 0 {
				bw.WriteString("+ ")
			}
			bw.Write(f(v))
			bw.WriteByte(' ')
			bw.WriteString(colNames[j])
		}
	}

	bw.WriteString("\\ Problem name: ")
	for i := 0; i < len(m.Name); i++ { // bytes, so that any name reads back as it was
		if c := m.Name[i]; c < ' ' {
			bw.WriteByte(' ')
		} else {
			bw.WriteByte(c)
		}
	}
	bw.WriteByte('\n')
	if m.Sense == Maximize {
		bw.WriteString("Maximize\n")
	} else {
		bw.WriteString("Minimize\n")
	}
	bw.WriteString(" " + objName + ":")
	if len(m.Cols) > 0 {
		bw.WriteByte(' ')
	}
	ind := make([]int, len(m.Cols))
	obj := make([]float64, len(m.Cols))
	for j, c := range m.Cols {
		ind[j], obj[j] = j, c.Obj
	}
	terms(ind, obj)
	if m.ObjOffset != 0 {
		if m.ObjOffset < 0 {
			bw.WriteString(" - ")
		} else {
			bw.WriteString(" + ")
		}
		bw.Write(f(math.Abs(m.ObjOffset)))
	}
	bw.WriteByte('\n')

	row := func(i int, r Row) {
		bw.WriteString(" " + rowNames[i] + ": ")
		lo, hi := r.Lo, r.Hi
		ranged := lo != hi && !math.IsInf(lo, -1) && !math.IsInf(hi, 1)
		if ranged {
			bw.Write(f(lo))
			bw.WriteString(" <= ")
		}
		if len(r.Ind) == 0 {
			terms([]int{0}, []float64{0})
		} else {
			terms(r.Ind, r.Val)
		}
		switch {
		case ranged:
			bw.WriteString(" <= ")
			bw.Write(f(hi))
		case lo == hi:
			bw.WriteString(" = ")
			bw.Write(f(lo))
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			bw.WriteString(" >= -1e+30")
		case math.IsInf(lo, -1):
			bw.WriteString(" <= ")
			bw.Write(f(hi))
		default:
			bw.WriteString(" >= ")
			bw.Write(f(lo))
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("Subject To\n")
	hasLazy := false
	for i, r := range m.Rows {
		if r.Lazy {
			hasLazy = true
			continue
		}
		row(i, r)
	}
	if hasLazy {
		bw.WriteString("Lazy Constraints\n")
		for i, r := range m.Rows {
			if r.Lazy {
				row(i, r)
			}
		}
	}

	bw.WriteString("Bounds\n")
	bound := func(v float64) []byte {
		switch {
		case math.IsInf(v, 1):
			return []byte("+inf")
		case math.IsInf(v, -1):
			return []byte("-inf")
		}
		return f(v)
	}
	for j, c := range m.Cols {
		n := colNames[j]
		switch {
		case c.Lo == 0 && math.IsInf(c.Hi, 1):
		case c.Lo == c.Hi:
			bw.WriteString(" " + n + " = ")
			bw.Write(f(c.Lo))
			bw.WriteByte('\n')
		case math.IsInf(c.Lo, -1) && math.IsInf(c.Hi, 1):
			bw.WriteString(" " + n + " free\n")
		case math.IsInf(c.Hi, 1):
			bw.WriteString(" " + n + " >= ")
			bw.Write(f(c.Lo))
			bw.WriteByte('\n')
		case c.Lo == 0:
			bw.WriteString(" " + n + " <= ")
			bw.Write(f(c.Hi))
			bw.WriteByte('\n')
		default:
			bw.WriteByte(' ')
			bw.Write(bound(c.Lo))
			bw.WriteString(" <= " + n + " <= ")
			bw.Write(f(c.Hi))
			bw.WriteByte('\n')
		}
	}
	first := true
	for j, c := range m.Cols {
		if !c.Integer {
			continue
		}
		if first {
			bw.WriteString("Generals\n")
			first = false
		}
		bw.WriteString(" " + colNames[j] + "\n")
	}
	bw.WriteString("End\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write lp: %w", err)
	}
	return nil
}
