package files

import (
	"github.com/jackc/pgx/v5"
)

// table is the PostgreSQL table of a dataset kind (storage migration
// 0003_datasets.sql): the version key, where the row was in the file, the
// schema's fields in order, then five columns per location group for the
// resolved place.
type table struct {
	kind Kind
	sch  *Schema
	name pgx.Identifier
	cols []string
}

// placeColumns are the columns of a resolved place, after the group's
// prefix ("place_" or "<group>_place_").
var placeColumns = []string{"lat", "lon", "state", "region", "method"}

// fixedColumns lead every row table.
var fixedColumns = []string{"dataset_version_id", "source_sheet", "source_row"}

func newTable(k Kind) *table {
	sch := SchemaOf(k)
	t := &table{kind: k, sch: sch, name: pgx.Identifier{"dataset_" + string(k)}}
	t.cols = append(t.cols, fixedColumns...)
	for _, f := range sch.Fields {
		t.cols = append(t.cols, f.Name)
	}
	for _, g := range sch.Locations {
		for _, c := range placeColumns {
			t.cols = append(t.cols, placePrefix(g)+c)
		}
	}
	return t
}

func placePrefix(g LocationGroup) string {
	if g.Name == "" {
		return "place_"
	}
	return g.Name + "_place_"
}

// tables builds the table of every kind.
func tables() map[Kind]*table {
	out := make(map[Kind]*table, len(kindOrder))
	for _, k := range kindOrder {
		out[k] = newTable(k)
	}
	return out
}

// batch holds up to its capacity of accepted rows of one sheet, copied out
// of the reused Record, waiting for COPY.
type batch struct {
	t      *table
	sheet  string
	n      int
	rows   []int32
	vals   []Value // n * len(fields)
	places []Place // n * len(locations)
}

func (b *batch) reset(t *table, sheet string) {
	b.t, b.sheet, b.n = t, sheet, 0
	b.rows = b.rows[:0]
	clear(b.vals) // drop the strings of the previous rows
	b.vals = b.vals[:0]
	b.places = b.places[:0]
}

func (b *batch) add(r *Record) {
	b.rows = append(b.rows, int32(r.Row))
	b.vals = append(b.vals, r.Values...)
	b.places = append(b.places, r.Places...)
	b.n++
}

// batchSource feeds a batch to pgx's CopyFrom. Values hands out pointers
// into the batch rather than the values themselves, so that no value is
// boxed (allocated) per cell; pgx encodes each row before asking for the
// next, so one reused slice serves every row.
type batchSource struct {
	b       *batch
	version int64
	i       int
	out     []any
}

func (s *batchSource) Next() bool {
	s.i++
	return s.i < s.b.n
}

func (s *batchSource) Values() ([]any, error) {
	t := s.b.t
	nf, nl := len(t.sch.Fields), len(t.sch.Locations)
	out := s.out[:0]
	out = append(out, &s.version, &s.b.sheet, &s.b.rows[s.i])
	vals := s.b.vals[s.i*nf : (s.i+1)*nf]
	for fi := range vals {
		v := &vals[fi]
		if !v.Set {
			out = append(out, nil)
			continue
		}
		switch t.sch.Fields[fi].Type {
		case Text, Enum, ZIP, State:
			out = append(out, &v.Text)
		case Date:
			out = append(out, &v.Time)
		case Bool:
			out = append(out, &v.Bool)
		default: // numbers; a Year's float encodes into its integer column
			out = append(out, &v.Num)
		}
	}
	places := s.b.places[s.i*nl : (s.i+1)*nl]
	for pi := range places {
		p := &places[pi]
		if !p.Set {
			out = append(out, nil, nil, nil, nil, nil)
			continue
		}
		out = append(out, &p.Lat, &p.Lon, textOrNil(&p.State), textOrNil(&p.Region), &p.Method)
	}
	s.out = out
	return out, nil
}

func (s *batchSource) Err() error { return nil }

// textOrNil is NULL for an empty string.
func textOrNil(s *string) any {
	if *s == "" {
		return nil
	}
	return s
}

var _ pgx.CopyFromSource = (*batchSource)(nil)
