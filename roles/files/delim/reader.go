// Package delim reads delimited text (CSV, TSV, semicolon- and pipe-separated
// files) one record at a time in bounded memory, detecting the delimiter
// and the encoding (UTF-8, UTF-8 with a byte-order mark, UTF-16 with a
// byte-order mark, Windows-1252) from the start of the file.
//
// Quoting follows RFC 4180: a field that starts with a double quote ends at
// the next lone double quote, "" inside it is a literal quote, and it may
// span lines. A quote inside an unquoted field is a literal character (the
// inch mark of `12" pipe`), as spreadsheet programs read it. Text after a
// closing quote is an error in that record only: reading goes on with the
// next line.
//
// encoding/csv is not used because it buffers a whole record however long
// it grows: an unterminated quote near the top of a 2 GB file would read
// the rest of the file into one field.
package delim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings the reader detects or accepts in Options.Encoding.
const (
	UTF8        = "utf-8"
	UTF8BOM     = "utf-8-bom"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
)

// ErrLimit is wrapped by every *LimitError.
var ErrLimit = errors.New("limit exceeded")

// LimitError reports input beyond one of the reader's limits.
type LimitError struct {
	Limit string
	Max   int64
	Got   int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s limit exceeded: %d, the maximum is %d", e.Limit, e.Got, e.Max)
}

// Unwrap makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Options configure a Reader. The zero value detects everything and uses
// the default limits.
type Options struct {
	// Delimiter is the field separator; 0 detects one of , ; TAB |.
	Delimiter byte
	// Encoding is one of the constants above; "" detects it.
	Encoding string
	// MaxFieldBytes caps one field. Default 131,072 (as the xlsx reader's
	// cell limit).
	MaxFieldBytes int
	// MaxRecordBytes caps one record. Default 4 MiB.
	MaxRecordBytes int
	// MaxFields caps the fields of one record. Default 1,024.
	MaxFields int
}

// Defaults of Options.
const (
	DefaultMaxFieldBytes  = 4 * 32767
	DefaultMaxRecordBytes = 4 << 20
	DefaultMaxFields      = 1024

	// sniffBytes is how much of the file detection looks at.
	sniffBytes = 64 << 10
	// sniffRecords is how many records delimiter detection parses.
	sniffRecords = 50
)

// Reader reads records. It is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	opts     Options
	delim    byte
	encoding string

	row      int // Excel-style row number of the current record
	line     int // physical lines consumed
	fields   [][]byte
	ends     []int
	buf      []byte
	recErr   error
	err      error
	done     bool
	utf8Only bool // validate UTF-8 while reading
}

// NewReader detects the encoding and delimiter from the first 64 KiB of r
// (unless opts fixes them) and returns a reader positioned at the first
// record.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.MaxFieldBytes <= 0 {
		opts.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if opts.MaxFields <= 0 {
		opts.MaxFields = DefaultMaxFields
	}
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read: %w", err)
	}
	enc := opts.Encoding
	if enc == "" {
		enc = detectEncoding(head)
	}
	var src io.Reader = br
	rd := &Reader{opts: opts, encoding: enc}
	switch enc {
	case UTF8:
		rd.utf8Only = true
	case UTF8BOM:
		if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
			br.Discard(3)
		}
		rd.utf8Only = true
	case UTF16LE, UTF16BE:
		order := unicode.LittleEndian
		if enc == UTF16BE {
			order = unicode.BigEndian
		}
		src = transform.NewReader(br, unicode.UTF16(order, unicode.ExpectBOM).NewDecoder())
	case Windows1252:
		src = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	default:
		return nil, fmt.Errorf("unknown encoding %q (use %s, %s, %s, %s or %s)", enc, UTF8, UTF8BOM, UTF16LE, UTF16BE, Windows1252)
	}
	if src != io.Reader(br) {
		br = bufio.NewReaderSize(src, sniffBytes)
	}
	rd.br = br
	rd.delim = opts.Delimiter
	if rd.delim == 0 {
		head, _ := br.Peek(sniffBytes)
		rd.delim = detectDelimiter(head)
	}
	if rd.delim == '"' || rd.delim == '\n' || rd.delim == '\r' {
		return nil, fmt.Errorf("delimiter %q is not allowed", rd.delim)
	}
	return rd, nil
}

// detectEncoding reads a byte-order mark, else takes UTF-8 when the sample
// is valid UTF-8 and Windows-1252 (what Excel on Windows writes for "CSV")
// when it is not.
func detectEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return UTF8BOM
	case bytes.HasPrefix(head, []byte("\xFF\xFE")):
		return UTF16LE
	case bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return UTF16BE
	}
	// The sample may end inside a multi-byte character.
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		if utf8.FullRune(head[max(len(head)-4, 0):]) {
			break
		}
		head = head[:len(head)-1]
	}
	if utf8.Valid(head) {
		return UTF8
	}
	return Windows1252
}

// detectDelimiter picks, among comma, semicolon, tab and pipe, the one
// that splits the sample's records into the same number (more than one) of
// fields most consistently; ties go to more fields, then to the order
// listed. A sample that none splits is one column: comma.
func detectDelimiter(head []byte) byte {
	best, bestScore, bestFields := byte(','), -1.0, 1
	for _, d := range []byte{',', ';', '\t', '|'} {
		counts := map[int]int{}
		total := 0
		p := &Reader{br: bufio.NewReader(bytes.NewReader(head)), delim: d,
			opts: Options{MaxFieldBytes: sniffBytes, MaxRecordBytes: sniffBytes, MaxFields: 1 << 16}}
		for total < sniffRecords && p.Next() {
			if len(p.fields) == 0 {
				continue
			}
			counts[len(p.fields)]++
			total++
		}
		if total == 0 {
			continue
		}
		mode, modeN := 0, 0
		for n, c := range counts {
			if c > modeN || c == modeN && n > mode {
				mode, modeN = n, c
			}
		}
		if mode < 2 {
			continue
		}
		score := float64(modeN) / float64(total)
		if score > bestScore || score == bestScore && mode > bestFields {
			best, bestScore, bestFields = d, score, mode
		}
	}
	return best
}

// Delimiter returns the field separator in use.
func (r *Reader) Delimiter() byte { return r.delim }

// Encoding returns the encoding in use.
func (r *Reader) Encoding() string { return r.encoding }

// Row returns the current record's row number as a spreadsheet program
// would show it: 1-based, blank lines counted, a record spanning lines
// counted once.
func (r *Reader) Row() int { return r.row }

// Fields returns the current record's fields. They point into the reader's
// buffer and are valid until the next call to Next. A blank line has none.
func (r *Reader) Fields() [][]byte { return r.fields }

// RecordErr returns the current record's syntax error (text after a
// closing quote), or nil. The record's fields are then incomplete; reading
// continues with the next line.
func (r *Reader) RecordErr() error { return r.recErr }

// Err returns the error that ended reading, if any.
func (r *Reader) Err() error { return r.err }

// readLine returns the next physical line without its line end; io.EOF
// when there is none.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A long line: collect it within the record limit.
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(long) > r.opts.MaxRecordBytes {
				return nil, &LimitError{Limit: "record size", Max: int64(r.opts.MaxRecordBytes), Got: int64(len(long))}
			}
			line, err = r.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(line) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	r.line++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if r.utf8Only && !utf8.Valid(line) {
		return nil, fmt.Errorf("line %d: invalid UTF-8 although the file started as UTF-8 (mixed encodings?); save it again as UTF-8", r.line)
	}
	return line, nil
}

// Next reads the next record; false at the end or on error.
func (r *Reader) Next() bool {
	if r.done {
		return false
	}
	r.fields, r.ends, r.buf, r.recErr = r.fields[:0], r.ends[:0], r.buf[:0], nil
	line, err := r.readLine()
	if err != nil {
		return r.stop(err)
	}
	r.row++
	startLine := r.line
	if len(line) == 0 {
		return true
	}
	pos := 0
	for {
		if len(r.ends) >= r.opts.MaxFields {
			return r.stop(fmt.Errorf("row %d: %w", r.row, &LimitError{Limit: "fields", Max: int64(r.opts.MaxFields), Got: int64(len(r.ends) + 1)}))
		}
		start := len(r.buf)
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					r.buf = append(r.buf, line[pos:]...)
					r.buf = append(r.buf, '\n')
					if len(r.buf)-start > r.opts.MaxFieldBytes {
						return r.stop(fmt.Errorf("row %d: %w (an unterminated quote?)", r.row, &LimitError{Limit: "field size", Max: int64(r.opts.MaxFieldBytes), Got: int64(len(r.buf) - start)}))
					}
					if line, err = r.readLine(); err != nil {
						if err == io.EOF {
							err = fmt.Errorf("row %d (line %d): quoted field never closed before the end of the file", r.row, startLine)
						}
						return r.stop(err)
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			if pos < len(line) && line[pos] != r.delim {
				if len(r.buf)-start > r.opts.MaxFieldBytes {
					return r.stop(fmt.Errorf("row %d column %d: %w", r.row, len(r.ends)+1, &LimitError{Limit: "field size", Max: int64(r.opts.MaxFieldBytes), Got: int64(len(r.buf) - start)}))
				}
				r.recErr = fmt.Errorf("row %d column %d: text %q after a closing quote", r.row, len(r.ends)+1, clip(line[pos:], 20))
				r.ends = append(r.ends, len(r.buf))
				r.finish()
				return true
			}
		} else {
			i := bytes.IndexByte(line[pos:], r.delim)
			if i < 0 {
				i = len(line) - pos
			}
			r.buf = append(r.buf, line[pos:pos+i]...)
			pos += i
		}
		if len(r.buf)-start > r.opts.MaxFieldBytes {
			return r.stop(fmt.Errorf("row %d column %d: %w", r.row, len(r.ends)+1, &LimitError{Limit: "field size", Max: int64(r.opts.MaxFieldBytes), Got: int64(len(r.buf) - start)}))
		}
		if len(r.buf) > r.opts.MaxRecordBytes {
			return r.stop(fmt.Errorf("row %d: %w", r.row, &LimitError{Limit: "record size", Max: int64(r.opts.MaxRecordBytes), Got: int64(len(r.buf))}))
		}
		r.ends = append(r.ends, len(r.buf))
		if pos >= len(line) {
			break
		}
		pos++                 // the delimiter
		if pos == len(line) { // a trailing empty field
			if len(r.ends) >= r.opts.MaxFields {
				return r.stop(fmt.Errorf("row %d: %w", r.row, &LimitError{Limit: "fields", Max: int64(r.opts.MaxFields), Got: int64(len(r.ends) + 1)}))
			}
			r.ends = append(r.ends, len(r.buf))
			break
		}
	}
	r.finish()
	return true
}

// finish slices the fields out of the record buffer.
func (r *Reader) finish() {
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, r.buf[start:e:e])
		start = e
	}
}

func (r *Reader) stop(err error) bool {
	r.done = true
	if err != io.EOF {
		r.err = err
	}
	r.fields = r.fields[:0]
	return false
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
