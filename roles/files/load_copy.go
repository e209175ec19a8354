package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Rows are copied in PostgreSQL's binary COPY format, encoded here straight
// from the accepted Record into bytes. pgx's CopyFrom looks up an encode
// plan and boxes every value: on millions of shipments that was a quarter
// of the loader's CPU time, and the encoding below is a few appends a cell.

// pgType is the PostgreSQL type a column is copied as.
type pgType uint8

const (
	pgText pgType = iota + 1
	pgFloat8
	pgInt4
	pgInt8
	pgTimestamp // timestamp without time zone
	pgDate
	pgBool
)

// pgTypeNames are the types as information_schema.columns.data_type names
// them (TestTablesMatchMigration compares).
var pgTypeNames = map[pgType]string{
	pgText: "text", pgFloat8: "double precision", pgInt4: "integer", pgInt8: "bigint",
	pgTimestamp: "timestamp without time zone", pgDate: "date", pgBool: "boolean",
}

// fieldPGType is the column type of a field of a type.
func fieldPGType(t FieldType) pgType {
	switch t {
	case Text, Enum, ZIP, State:
		return pgText
	case Date:
		return pgTimestamp
	case Bool:
		return pgBool
	case Year:
		return pgInt4
	case Integer:
		return pgInt8
	default: // Number, Money, Lat, Lon, Percent
		return pgFloat8
	}
}

// columnTypes are the types of a table's columns, in t.cols order.
func columnTypes(t *table) []pgType {
	out := []pgType{pgInt8, pgText, pgInt4} // fixedColumns
	for _, f := range t.sch.Fields {
		out = append(out, fieldPGType(f.Type))
	}
	for range t.sch.Locations {
		out = append(out, pgFloat8, pgFloat8, pgText, pgText, pgText) // placeColumns
	}
	return out
}

// copyHeader starts binary COPY data: the signature, no flags, no header
// extension.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyTrailer ends binary COPY data (a field count of -1).
var copyTrailer = []byte{0xff, 0xff}

// Microseconds and days from the Unix epoch to PostgreSQL's, 2000-01-01.
const (
	pgEpochUnixSeconds = 946684800
	pgEpochUnixDays    = 10957
)

// copyBuffer accumulates rows in binary COPY format. Each row is
// beginRow, then one call per column.
type copyBuffer struct {
	buf  []byte
	rows int
}

// reset empties the buffer down to the header.
func (c *copyBuffer) reset() {
	c.buf = append(c.buf[:0], copyHeader...)
	c.rows = 0
}

func (c *copyBuffer) beginRow(columns int) {
	c.buf = binary.BigEndian.AppendUint16(c.buf, uint16(columns))
	c.rows++
}

func (c *copyBuffer) null() { c.buf = append(c.buf, 0xff, 0xff, 0xff, 0xff) }

func (c *copyBuffer) text(s string) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(len(s)))
	c.buf = append(c.buf, s...)
}

func (c *copyBuffer) float8(f float64) {
	c.buf = append(c.buf, 0, 0, 0, 8)
	c.buf = binary.BigEndian.AppendUint64(c.buf, math.Float64bits(f))
}

func (c *copyBuffer) int4(v int32) {
	c.buf = append(c.buf, 0, 0, 0, 4)
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(v))
}

func (c *copyBuffer) int8(v int64) {
	c.buf = append(c.buf, 0, 0, 0, 8)
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(v))
}

func (c *copyBuffer) bool(b bool) {
	v := byte(0)
	if b {
		v = 1
	}
	c.buf = append(c.buf, 0, 0, 0, 1, v)
}

// timestamp writes t's wall clock, its zone dropped, as pgx does for a
// timestamp without time zone.
func (c *copyBuffer) timestamp(t time.Time) {
	sec := t.Unix()
	if t.Location() != time.UTC {
		y, m, d := t.Date()
		h, mi, s := t.Clock()
		sec = time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
	}
	c.int8((sec-pgEpochUnixSeconds)*1_000_000 + int64(t.Nanosecond())/1000)
}

// monthDate writes the date of the first day of month ym (year*12 + month-1).
func (c *copyBuffer) monthDate(ym int32) {
	days := time.Date(int(ym/12), time.Month(ym%12+1), 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	c.int4(int32(days - pgEpochUnixDays))
}

// textOrNull writes NULL for an empty string.
func (c *copyBuffer) textOrNull(s string) {
	if s == "" {
		c.null()
		return
	}
	c.text(s)
}

// record writes an accepted row of table t (types from columnTypes(t)) of
// a version and sheet.
func (c *copyBuffer) record(types []pgType, version int64, sheet string, r *Record) error {
	c.beginRow(len(types))
	c.int8(version)
	c.text(sheet)
	c.int4(int32(r.Row))
	for i := range r.Values {
		v := &r.Values[i]
		if !v.Set {
			c.null()
			continue
		}
		switch types[len(fixedColumns)+i] {
		case pgText:
			c.text(v.Text)
		case pgTimestamp:
			c.timestamp(v.Time)
		case pgBool:
			c.bool(v.Bool)
		case pgInt4:
			if v.Num < math.MinInt32 || v.Num > math.MaxInt32 {
				return fmt.Errorf("row %d: %v does not fit an integer column", r.Row, v.Num)
			}
			c.int4(int32(v.Num))
		case pgInt8:
			if v.Num < math.MinInt64 || v.Num >= math.MaxInt64 {
				return fmt.Errorf("row %d: %v does not fit a bigint column", r.Row, v.Num)
			}
			c.int8(int64(v.Num))
		default:
			c.float8(v.Num)
		}
	}
	for i := range r.Places {
		p := &r.Places[i]
		if !p.Set {
			c.null()
			c.null()
			c.null()
			c.null()
			c.null()
			continue
		}
		c.float8(p.Lat)
		c.float8(p.Lon)
		c.textOrNull(p.State)
		c.textOrNull(p.Region)
		c.text(p.Method)
	}
	return nil
}

// copySQL is the COPY statement of binary rows into table name's columns.
func copySQL(name pgx.Identifier, cols []string) string {
	return "copy " + name.Sanitize() + " (" + columnList(cols) + ") from stdin (format binary)"
}

// columnList is cols quoted and comma-separated.
func columnList(cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(quoted, ", ")
}

// copyBytes copies data (binary COPY data, header and trailer included)
// into a table, on the transaction's connection, and returns the rows
// copied.
func copyBytes(ctx context.Context, tx pgx.Tx, sql string, data []byte) (int64, error) {
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), sql)
	return tag.RowsAffected(), err
}

// copyRows copies the rows next writes into a table, one COPY, with
// about 64 KB of rows encoded at a time: next appends one row to the
// buffer and returns false when there are no more (it then wrote none).
func copyRows(ctx context.Context, tx pgx.Tx, sql string, next func(*copyBuffer) (bool, error)) (int64, error) {
	r := &copyReader{next: next}
	r.cb.reset()
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, sql)
	if r.err != nil {
		return 0, r.err
	}
	return tag.RowsAffected(), err
}

// copyReader is the io.Reader of copyRows.
type copyReader struct {
	next func(*copyBuffer) (bool, error)
	cb   copyBuffer
	off  int
	done bool
	err  error
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off == len(r.cb.buf) {
		if r.done {
			return 0, io.EOF
		}
		r.cb.buf, r.off = r.cb.buf[:0], 0
	}
	for !r.done && len(r.cb.buf)-r.off < len(p) {
		more, err := r.next(&r.cb)
		if err != nil {
			r.err = err
			return 0, err // pgconn sends CopyFail
		}
		if !more {
			r.cb.buf = append(r.cb.buf, copyTrailer...)
			r.done = true
		}
	}
	n := copy(p, r.cb.buf[r.off:])
	r.off += n
	return n, nil
}
