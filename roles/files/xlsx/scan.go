package xlsx

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// tokKind is the kind of one XML token.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokStart         // <name attrs> or <name attrs/>
	tokEnd           // </name>
	tokText          // character data, raw (entities not decoded)
	tokCData         // <![CDATA[...]]>, literal
)

// tokenSlack is what the scanner's buffer holds beyond the longest cell
// value: the markup around it.
const tokenSlack = 4096

// scanner is a minimal, allocation-free XML tokenizer for the parts of
// SpreadsheetML that are large (sheet XML and the shared-strings table).
// encoding/xml's Decoder allocates per token and per attribute and is several
// times slower; SpreadsheetML needs none of its generality (no DTDs, no
// namespaces beyond stripping prefixes, no custom entities).
//
// Token slices (name, attrs, text) point into the scanner's buffer and are
// valid only until the next call to next.
type scanner struct {
	src    io.Reader
	buf    []byte
	r, w   int // unread bytes are buf[r:w]
	eof    bool
	err    error
	maxBuf int   // the buffer never grows beyond this
	offset int64 // bytes consumed before buf[0], for error messages

	kind      tokKind
	name      []byte // local name (prefix stripped) for start and end tags
	attrList  []attr // attributes of a start tag
	selfClose bool
	text      []byte
}

// newScanner returns a scanner reading src with an initial buffer of
// initial bytes that may grow to maxBuf bytes for a single token.
func newScanner(src io.Reader, initial, maxBuf int) *scanner {
	if initial > maxBuf {
		initial = maxBuf
	}
	return &scanner{src: src, buf: make([]byte, initial), maxBuf: maxBuf}
}

// fill reads more input, compacting or growing the buffer as needed. It
// returns false at end of input or on error (s.err is set for errors).
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.r > 0 {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.offset += int64(s.r)
		s.r, s.w = 0, n
	}
	if s.w == len(s.buf) {
		if len(s.buf) >= s.maxBuf {
			s.err = fmt.Errorf("at byte %d: %w", s.offset, &LimitError{Limit: "cell size", Max: int64(s.maxBuf - tokenSlack), Got: int64(s.maxBuf)})
			return false
		}
		size := min(2*len(s.buf), s.maxBuf)
		nb := make([]byte, size)
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.src.Read(s.buf[s.w:])
		s.w += n
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// next advances to the next token and returns its kind; tokEOF at the end
// of input or on error (check s.err).
func (s *scanner) next() tokKind {
	for {
		if s.r == s.w && !s.fill() {
			s.kind = tokEOF
			return tokEOF
		}
		if s.buf[s.r] != '<' {
			return s.scanText()
		}
		// Markup: make sure the buffer holds at least a few bytes to classify it.
		for s.w-s.r < 9 && s.fill() {
		}
		b := s.buf[s.r:s.w]
		switch {
		case len(b) >= 2 && b[1] == '/':
			return s.scanEndTag()
		case len(b) >= 2 && b[1] == '?':
			if !s.skipPast([]byte("?>"), 2) {
				return s.fail("unterminated processing instruction")
			}
		case len(b) >= 4 && b[1] == '!' && b[2] == '-' && b[3] == '-':
			if !s.skipPast([]byte("-->"), 4) {
				return s.fail("unterminated comment")
			}
		case len(b) >= 9 && string(b[:9]) == "<![CDATA[":
			start := s.r + 9
			i := -1
			for {
				i = bytes.Index(s.buf[start:s.w], []byte("]]>"))
				if i >= 0 {
					break
				}
				r0 := s.r
				if !s.fill() {
					return s.fail("unterminated CDATA section")
				}
				start -= r0 - s.r
			}
			s.text = s.buf[start : start+i]
			s.r = start + i + 3
			s.kind = tokCData
			return tokCData
		case len(b) >= 2 && b[1] == '!':
			// DOCTYPE and other declarations: OOXML parts never carry them,
			// and refusing them rules out entity-expansion tricks.
			return s.fail("XML declarations such as DOCTYPE are not allowed in a workbook")
		default:
			return s.scanStartTag()
		}
	}
}

// attr is one attribute of a start tag: local name and raw value.
type attr struct {
	name, val []byte
}

// tag parse outcomes
const (
	tagDone = iota
	tagNeedMore
	tagMalformed
)

// scanStartTag reads a start tag at s.r and its attributes in one pass: the
// tag end is found while the attributes are parsed, so quotes are honoured
// without scanning the bytes twice.
func (s *scanner) scanStartTag() tokKind {
	for {
		switch s.tryStartTag() {
		case tagDone:
			s.kind = tokStart
			return tokStart
		case tagMalformed:
			return s.fail("malformed start tag")
		}
		r0 := s.w - s.r
		if !s.fill() || s.w-s.r == r0 {
			return s.fail("unterminated start tag")
		}
	}
}

func (s *scanner) tryStartTag() int {
	b := s.buf[s.r:s.w]
	i := 1
	for i < len(b) && !isNameEnd(b[i]) {
		i++
	}
	if i == len(b) {
		return tagNeedMore
	}
	if i == 1 {
		return tagMalformed
	}
	name := b[1:i]
	s.attrList = s.attrList[:0]
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return tagNeedMore
		}
		switch b[i] {
		case '>':
			s.name, s.selfClose = localName(name), false
			s.r += i + 1
			return tagDone
		case '/':
			if i+1 == len(b) {
				return tagNeedMore
			}
			if b[i+1] != '>' {
				return tagMalformed
			}
			s.name, s.selfClose = localName(name), true
			s.r += i + 2
			return tagDone
		}
		ns := i
		for i < len(b) && b[i] != '=' && !isNameEnd(b[i]) {
			i++
		}
		ne := i
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return tagNeedMore
		}
		if b[i] != '=' || ne == ns {
			return tagMalformed
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return tagNeedMore
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return tagMalformed
		}
		i++
		vs := i
		for i < len(b) && b[i] != q {
			if b[i] == '<' {
				return tagMalformed
			}
			i++
		}
		if i == len(b) {
			return tagNeedMore
		}
		s.attrList = append(s.attrList, attr{name: localName(b[ns:ne]), val: b[vs:i]})
		i++
	}
}

// scanEndTag reads an end tag at s.r.
func (s *scanner) scanEndTag() tokKind {
	for {
		b := s.buf[s.r:s.w]
		i := 2
		for i < len(b) && b[i] != '>' {
			if b[i] == '<' {
				return s.fail("malformed end tag")
			}
			i++
		}
		if i < len(b) {
			nm := b[2:i]
			for len(nm) > 0 && isSpace(nm[len(nm)-1]) {
				nm = nm[:len(nm)-1]
			}
			s.name = localName(nm)
			s.r += i + 1
			s.kind = tokEnd
			return tokEnd
		}
		r0 := s.w - s.r
		if !s.fill() || s.w-s.r == r0 {
			return s.fail("unterminated end tag")
		}
	}
}

func isNameEnd(c byte) bool {
	return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r'
}

// scanText reads character data up to the next '<'.
func (s *scanner) scanText() tokKind {
	// Cell values are short: a plain loop beats IndexByte's setup cost.
	b := s.buf[s.r:s.w]
	for i := 0; i < len(b) && i < 64; i++ {
		if b[i] == '<' {
			s.text = b[:i]
			s.r += i
			s.kind = tokText
			return tokText
		}
	}
	from := 0
	for {
		i := bytes.IndexByte(s.buf[s.r+from:s.w], '<')
		if i >= 0 {
			s.text = s.buf[s.r : s.r+from+i]
			s.r += from + i
			s.kind = tokText
			return tokText
		}
		from = s.w - s.r
		if !s.fill() {
			if s.err != nil {
				s.kind = tokEOF
				return tokEOF
			}
			s.text = s.buf[s.r:s.w]
			s.r = s.w
			s.kind = tokText
			return tokText
		}
	}
}

// skipPast consumes input up to and including the first occurrence of end
// at or after s.r+from.
func (s *scanner) skipPast(end []byte, from int) bool {
	for {
		if j := bytes.Index(s.buf[s.r+from:s.w], end); j >= 0 {
			s.r += from + j + len(end)
			return true
		}
		// Keep the last len(end)-1 bytes in case end straddles the refill.
		drop := max(s.w-s.r-len(end)+1, 0)
		s.r += drop
		from = max(from-drop, 0)
		if !s.fill() {
			return false
		}
	}
}

func (s *scanner) fail(msg string) tokKind {
	if s.err == nil {
		s.err = fmt.Errorf("malformed XML at byte %d: %s", s.offset+int64(s.r), msg)
	}
	s.kind = tokEOF
	return tokEOF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName strips a namespace prefix ("x:row" becomes "row").
func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// appendText appends raw XML character data to dst with entity references
// decoded and line ends normalized (CRLF and lone CR become LF, as an XML
// parser must). Unknown entities are an error: SpreadsheetML defines none.
func appendText(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := indexAmpCR(raw)
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		j := bytes.IndexByte(raw, ';')
		if j < 0 || j > 12 {
			return dst, fmt.Errorf("malformed XML entity reference %q", truncate(raw, 12))
		}
		ent := raw[1:j]
		raw = raw[j+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, fmt.Errorf("unknown XML entity &%s;", truncate(ent, 12))
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// charRef decodes "#123" and "#x1F" character references.
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base := 10
	digits := ent[1:]
	if digits[0] == 'x' {
		base = 16
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var v rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		v = v*rune(base) + d
		if v > utf8.MaxRune {
			return 0, false
		}
	}
	if !utf8.ValidRune(v) {
		return 0, false
	}
	return v, true
}

// decodeXstring decodes OOXML's _xHHHH_ escapes (ST_Xstring) in place:
// "_x000D_" is a carriage return and "_x005F_" escapes a literal underscore.
func decodeXstring(b []byte) []byte {
	if bytes.Index(b, []byte("_x")) < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); {
		if b[i] == '_' && i+6 < len(b) && b[i+1] == 'x' && b[i+6] == '_' {
			if v, ok := hex4(b[i+2 : i+6]); ok {
				out = utf8.AppendRune(out, rune(v))
				i += 7
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}

func hex4(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint16(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint16(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint16(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// indexAmpCR returns the index of the first '&' or '\r' in b, or -1.
func indexAmpCR(b []byte) int {
	i := bytes.IndexByte(b, '&')
	if j := bytes.IndexByte(b, '\r'); j >= 0 && (i < 0 || j < i) {
		return j
	}
	return i
}
