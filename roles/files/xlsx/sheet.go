package xlsx

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Type is the type of a cell's value.
type Type uint8

// Cell types. A cell's Value holds the text as stored in the file; the
// reader converts nothing it does not have to, so numbers keep their
// full precision and dates their serial.
const (
	// String is text: a shared string, an inline string or a formula's
	// string result.
	String Type = iota + 1
	// Number is a number as written in the file ("1234.5", "1E-3").
	Number
	// Bool is "0" or "1" ("true"/"false" from some writers).
	Bool
	// Date is a number whose cell style shows a date or time; Value is the
	// serial (see SerialTime and Workbook.Date1904), or ISO 8601 text for
	// cells of type t="d".
	Date
	// Error is an Excel error value such as "#N/A" or "#DIV/0!".
	Error
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "bool"
	case Date:
		return "date"
	case Error:
		return "error"
	}
	return "unknown"
}

// Cell is one non-empty cell.
type Cell struct {
	Col     int  // 0-based column: A is 0
	Type    Type // never zero
	Formula bool // the cell holds a formula; Value is its cached result
	// Value is the cell's text. It points into the reader's buffer and is
	// valid until the next call to Rows.Next.
	Value      []byte
	start, end int
}

// Row is one row with at least one value. Cells are in column order; empty
// cells are left out, so Cells[i].Col may skip columns.
type Row struct {
	Num   int // 1-based row number as in Excel
	Cells []Cell
}

// PositionError locates an error in a sheet.
type PositionError struct {
	Sheet string
	Row   int // 1-based; 0 when unknown
	Col   int // 0-based; -1 when unknown
	Err   error
}

func (e *PositionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sheet %q", e.Sheet)
	if e.Row > 0 {
		fmt.Fprintf(&b, " row %d", e.Row)
	}
	if e.Col >= 0 {
		fmt.Fprintf(&b, " column %s", ColumnName(e.Col))
	}
	return b.String() + ": " + e.Err.Error()
}

func (e *PositionError) Unwrap() error { return e.Err }

// ColumnName returns the column letters of a 0-based index: 0 is "A", 26 "AA".
func ColumnName(i int) string {
	if i < 0 {
		return "?"
	}
	var b [8]byte
	n := len(b)
	for i++; i > 0 && n > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return string(b[n:])
}

// Rows iterates over the rows of one sheet:
//
//	rows, err := wb.Rows(ctx, sheet)
//	...
//	defer rows.Close()
//	for rows.Next() {
//		row := rows.Row()
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	wb    *Workbook
	sheet string
	src   *prefetch
	sc    *scanner
	err   error
	done  bool

	row      Row
	buf      []byte // values of the current row
	vbuf     []byte // <v> text of the current cell
	isbuf    []byte // inline string text of the current cell
	lastRow  int
	formulas int64
	noValue  int64
}

// Rows starts reading a sheet. Reading stops with ctx.Err() when ctx is
// done, even in the middle of a long run of empty markup.
func (wb *Workbook) Rows(ctx context.Context, s Sheet) (*Rows, error) {
	f := wb.parts[strings.ToLower(s.part)]
	if f == nil {
		return nil, fmt.Errorf("sheet %q: part %s is missing", s.Name, s.part)
	}
	rc, err := wb.open(f)
	if err != nil {
		return nil, &PositionError{Sheet: s.Name, Col: -1, Err: err}
	}
	src := newPrefetch(ctx, rc)
	return &Rows{
		wb:    wb,
		sheet: s.Name,
		src:   src,
		sc:    newScanner(src, 64<<10, wb.limits.MaxCellBytes+tokenSlack),
	}, nil
}

// Row returns the current row; it and its cells' values are valid until
// the next call to Next.
func (r *Rows) Row() *Row { return &r.row }

// Err returns the error that ended the iteration, if any. Errors about the
// sheet's content are *PositionError.
func (r *Rows) Err() error { return r.err }

// Formulas returns the number of formula cells read so far. Their cached
// values are what Rows returns: formulas are never evaluated.
func (r *Rows) Formulas() int64 { return r.formulas }

// FormulasWithoutValue returns the number of formula cells that had no
// cached value (the workbook was saved without calculating); such cells
// read as empty.
func (r *Rows) FormulasWithoutValue() int64 { return r.noValue }

// Close stops reading and releases the sheet's resources.
func (r *Rows) Close() error {
	if r.src == nil {
		return nil
	}
	err := r.src.Close()
	r.src = nil
	return err
}

func (r *Rows) fail(row, col int, err error) bool {
	r.err = &PositionError{Sheet: r.sheet, Row: row, Col: col, Err: err}
	r.done = true
	return false
}

// cell parse states
type cellState struct {
	col      int
	typ      []byte // t attribute, copied
	style    int
	formula  bool
	hasV     bool
	hasIS    bool
	inV, inT bool
	inIS     bool
	rph      int
}

// Next advances to the next row with at least one value.
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	sc := r.sc
	lim := &r.wb.limits
	var (
		inData, inRow, inCell bool
		c                     cellState
		typBuf                [16]byte
		prevCol               = -1
	)
	// Resume inside sheetData after the first row.
	if r.lastRow > 0 {
		inData = true
	}
	for {
		switch sc.next() {
		case tokEOF:
			if sc.err != nil {
				return r.fail(r.lastRow, -1, sc.err)
			}
			if inRow || inCell {
				return r.fail(r.lastRow, -1, errors.New("sheet XML ends inside a row"))
			}
			r.done = true
			return false

		case tokStart:
			name := sc.name
			switch {
			case !inData:
				if string(name) == "sheetData" {
					if sc.selfClose {
						r.done = true
						return false
					}
					inData = true
				}
			case !inRow:
				if string(name) != "row" {
					continue
				}
				num := r.lastRow + 1
				for _, a := range sc.attrList {
					an, av := a.name, a.val
					if len(an) == 1 && an[0] == 'r' {
						n, err := strconv.Atoi(string(av))
						if err != nil || n < 1 || n > 1048576 {
							return r.fail(num, -1, fmt.Errorf("invalid row number %q", truncate(av, 20)))
						}
						num = n
					}
				}
				if num <= r.lastRow {
					return r.fail(num, -1, fmt.Errorf("row %d follows row %d: rows out of order", num, r.lastRow))
				}
				r.lastRow = num
				if sc.selfClose {
					continue
				}
				inRow = true
				prevCol = -1
				r.row.Num = num
				r.row.Cells = r.row.Cells[:0]
				r.buf = r.buf[:0]
			case !inCell:
				if string(name) != "c" {
					continue
				}
				c = cellState{col: prevCol + 1, typ: typBuf[:0]}
				for _, a := range sc.attrList {
					an, av := a.name, a.val
					if len(an) != 1 {
						continue
					}
					switch an[0] {
					case 'r':
						col, row, ok := parseRef(av)
						if !ok {
							return r.fail(r.lastRow, prevCol+1, fmt.Errorf("invalid cell reference %q", truncate(av, 20)))
						}
						if row != r.lastRow {
							return r.fail(r.lastRow, col, fmt.Errorf("cell %s is inside row %d", truncate(av, 20), r.lastRow))
						}
						c.col = col
					case 't':
						c.typ = append(typBuf[:0], av[:min(len(av), len(typBuf))]...)
					case 's':
						n, err := strconv.Atoi(string(av))
						if err != nil || n < 0 {
							return r.fail(r.lastRow, c.col, fmt.Errorf("invalid cell style %q", truncate(av, 20)))
						}
						c.style = n
					}
				}
				if c.col <= prevCol {
					return r.fail(r.lastRow, c.col, fmt.Errorf("cell %s comes after column %s: cells out of order", ColumnName(c.col), ColumnName(prevCol)))
				}
				prevCol = c.col
				if sc.selfClose {
					continue // a styled empty cell
				}
				inCell = true
				r.vbuf, r.isbuf = r.vbuf[:0], r.isbuf[:0]
			default:
				switch string(name) {
				case "v":
					c.hasV = true
					c.inV = !sc.selfClose
				case "f":
					c.formula = true
				case "is":
					c.hasIS = true
					c.inIS = !sc.selfClose
				case "t":
					c.inT = c.inIS && c.rph == 0 && !sc.selfClose
				case "rPh":
					if !sc.selfClose {
						c.rph++
					}
				}
			}

		case tokEnd:
			name := sc.name
			switch {
			case inCell:
				switch string(name) {
				case "v":
					c.inV = false
				case "t":
					c.inT = false
				case "is":
					c.inIS = false
				case "rPh":
					if c.rph > 0 {
						c.rph--
					}
				case "c":
					inCell = false
					if err := r.endCell(&c); err != nil {
						return r.fail(r.lastRow, c.col, err)
					}
				}
			case inRow:
				if string(name) == "row" {
					inRow = false
					if len(r.row.Cells) > 0 {
						for i := range r.row.Cells {
							cl := &r.row.Cells[i]
							cl.Value = r.buf[cl.start:cl.end:cl.end]
						}
						return true
					}
				}
			case inData:
				if string(name) == "sheetData" {
					r.done = true
					return false
				}
			}

		case tokText, tokCData:
			if !inCell || !(c.inV || c.inT) {
				continue
			}
			var err error
			dst := &r.vbuf
			if c.inT {
				dst = &r.isbuf
			}
			if sc.kind == tokCData {
				*dst = append(*dst, sc.text...)
			} else if *dst, err = appendText(*dst, sc.text); err != nil {
				return r.fail(r.lastRow, c.col, err)
			}
			if len(*dst) > lim.MaxCellBytes {
				return r.fail(r.lastRow, c.col, &LimitError{Limit: "cell size", Max: int64(lim.MaxCellBytes), Got: int64(len(*dst))})
			}
		}
	}
}

// endCell converts the finished cell and appends it to the row.
func (r *Rows) endCell(c *cellState) error {
	if c.formula {
		r.formulas++
	}
	var typ Type
	start := len(r.buf)
	switch string(c.typ) {
	case "s":
		if !c.hasV {
			break
		}
		idx, err := strconv.Atoi(string(r.vbuf))
		if err != nil {
			return fmt.Errorf("invalid shared string index %q", truncate(r.vbuf, 20))
		}
		if r.buf, err = r.wb.sst.appendString(r.buf, idx); err != nil {
			return err
		}
		typ = String
	case "inlineStr":
		switch {
		case c.hasIS:
			r.buf = append(r.buf, decodeXstring(r.isbuf)...)
		case c.hasV:
			r.buf = append(r.buf, r.vbuf...)
		default:
			break
		}
		if c.hasIS || c.hasV {
			typ = String
		}
	case "str":
		if c.hasV {
			r.buf = append(r.buf, decodeXstring(r.vbuf)...)
			typ = String
		}
	case "b":
		if c.hasV {
			r.buf = append(r.buf, r.vbuf...)
			typ = Bool
		}
	case "e":
		if c.hasV {
			r.buf = append(r.buf, r.vbuf...)
			typ = Error
		}
	case "d":
		if c.hasV {
			r.buf = append(r.buf, r.vbuf...)
			typ = Date
		}
	case "", "n":
		if c.hasV && len(r.vbuf) > 0 {
			r.buf = append(r.buf, r.vbuf...)
			typ = Number
			if c.style < len(r.wb.dateXF) && r.wb.dateXF[c.style] {
				typ = Date
			}
		}
	default:
		return fmt.Errorf("unknown cell type %q", truncate(c.typ, 16))
	}
	if typ == 0 {
		if c.formula {
			r.noValue++
		}
		return nil
	}
	if c.col >= r.wb.limits.MaxColumns {
		return &LimitError{Limit: "columns", Max: int64(r.wb.limits.MaxColumns), Got: int64(c.col + 1)}
	}
	if len(r.buf) > r.wb.limits.MaxRowBytes {
		return &LimitError{Limit: "row size", Max: int64(r.wb.limits.MaxRowBytes), Got: int64(len(r.buf))}
	}
	r.row.Cells = append(r.row.Cells, Cell{Col: c.col, Type: typ, Formula: c.formula, start: start, end: len(r.buf)})
	return nil
}

// parseRef parses a cell reference such as "AB12" into a 0-based column
// and a 1-based row.
func parseRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) && b[i] >= 'A' && b[i] <= 'Z' {
		col = col*26 + int(b[i]-'A'+1)
		i++
		if i > 3 {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(b) {
		return 0, 0, false
	}
	for ; i < len(b); i++ {
		if b[i] < '0' || b[i] > '9' {
			return 0, 0, false
		}
		row = row*10 + int(b[i]-'0')
		if row > 1048576 {
			return 0, 0, false
		}
	}
	if col > 16384 || row < 1 {
		return 0, 0, false
	}
	return col - 1, row, true
}
