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
