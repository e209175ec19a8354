package files

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Derived data is written in the load's transaction, so a committed
// version always has it. It is summed in Go while the shipments stream to
// COPY (aggregates, derive_aggregates.go) and copied; an aggregate given
// up for memory is computed by the SQL below over the version's copied
// shipments instead, which spills to disk rather than grow, so memory
// stays bounded whatever the number of lanes. Both compute the same
// groups and sums (TestDerivedGoMatchesSQL). Each place key is what the
// file gives: the name, else the ZIP, else "city, state"; a shipment row
// was accepted only with both locations, so the keys are never null.
const (
	originKey = `coalesce(origin_name, origin_zip, origin_city || ', ' || coalesce(origin_state, origin_place_state))`
	destKey   = `coalesce(dest_name, dest_zip, dest_city || ', ' || coalesce(dest_state, destination_place_state))`

	// selectDemand sums units by destination and year. Shipments without
	// units are left out (nothing is imputed); the report says how many.
	selectDemand = `select $1::bigint, ` + destKey + `, sum(units), extract(year from ship_date)::integer, sum(weight), true
		from dataset_shipments where dataset_version_id = $1 and units is not null
		group by 2, 4`

	selectLanes = `select $1::bigint, ` + originKey + `, ` + destKey + `, mode, origin_place_region, destination_place_region,
			count(*), sum(units), sum(weight), sum(cost)
		from dataset_shipments where dataset_version_id = $1
		group by 2, 3, 4, 5, 6`

	selectBaseline = `select $1::bigint, date_trunc('month', ship_date)::date, mode, carrier, origin_place_region, destination_place_region,
			count(*), sum(units), sum(weight), sum(cost)
		from dataset_shipments where dataset_version_id = $1
		group by 2, 3, 4, 5, 6`
)

// derivedTable is a table of derived rows: the columns written, in the
// order of the select above and of the rows copied.
type derivedTable struct {
	name  pgx.Identifier
	cols  []string
	types []pgType
}

var (
	demandTable = derivedTable{pgx.Identifier{"dataset_demand"},
		[]string{"dataset_version_id", "destination", "units", "year", "weight", "derived"},
		[]pgType{pgInt8, pgText, pgFloat8, pgInt4, pgFloat8, pgBool}}
	lanesTable = derivedTable{pgx.Identifier{"shipment_lanes"},
		[]string{"dataset_version_id", "origin", "destination", "mode", "origin_region", "destination_region", "shipments", "units", "weight", "cost"},
		[]pgType{pgInt8, pgText, pgText, pgText, pgText, pgText, pgInt8, pgFloat8, pgFloat8, pgFloat8}}
	baselineTable = derivedTable{pgx.Identifier{"freight_baseline"},
		[]string{"dataset_version_id", "month", "mode", "carrier", "origin_region", "destination_region", "shipments", "units", "weight", "cost"},
		[]pgType{pgInt8, pgDate, pgText, pgText, pgText, pgText, pgInt8, pgFloat8, pgFloat8, pgFloat8}}
)

// insertSQL is the insert of a select's rows into the table.
func (t derivedTable) insertSQL(sel string) string {
	return "insert into " + t.name.Sanitize() + " (" + columnList(t.cols) + ") " + sel
}

// derive writes the version's derived data and notes it in the report:
// demand from shipments when the file has shipments and no demand sheet,
// the shipment lanes and the freight baseline when it has shipments. agg
// summed the shipments copied.
func derive(ctx context.Context, tx pgx.Tx, version int64, loaded map[Kind]bool, agg *aggregates, rep *Report) (Derived, error) {
	var d Derived
	if !loaded[Shipments] {
		return d, nil
	}
	withDemand := !loaded[Demand]
	agg.settle()
	if agg.lanes == nil || agg.baseline == nil || (withDemand && agg.demand == nil) {
		// The planner has no statistics for the rows just copied (it
		// guesses a few hundred) and groups them by sorting on the text
		// keys; hashing is about twice as fast here (measured on 500,000
		// shipments), and a hash aggregate spills to disk beyond work_mem,
		// so memory stays bounded.
		if _, err := tx.Exec(ctx, "set local enable_sort = off"); err != nil {
			return d, fmt.Errorf("derive: %w", err)
		}
		defer func() { _, _ = tx.Exec(ctx, "set local enable_sort = on") }() // an error here is the next statement's too
	}
	var err error
	if d.Lanes, err = writeDerived(ctx, tx, version, "shipment lanes", lanesTable, selectLanes, agg.lanes, agg.laneRow); err != nil {
		return d, err
	}
	if d.Baseline, err = writeDerived(ctx, tx, version, "freight baseline", baselineTable, selectBaseline, agg.baseline, agg.baselineRow); err != nil {
		return d, err
	}
	rep.Notices = append(rep.Notices, fmt.Sprintf("derived from the shipments: %d lanes (origin, destination, mode) and %d freight baseline rows (month, mode, carrier, origin and destination region)", d.Lanes, d.Baseline))
	if !withDemand {
		return d, nil
	}
	if d.Demand, err = writeDerived(ctx, tx, version, "demand", demandTable, selectDemand, agg.demand, agg.demandRow); err != nil {
		return d, err
	}
	msg := fmt.Sprintf("no demand sheet: %d demand rows (destination, year) derived from the shipments' units", d.Demand)
	if agg.withoutUnits > 0 {
		msg += fmt.Sprintf("; %d shipments without units are not in it", agg.withoutUnits)
	}
	rep.Notices = append(rep.Notices, msg)
	return d, nil
}

// writeDerived copies an aggregate's groups into t, or, when the
// aggregate was given up (nil), inserts what sel computes in SQL. It
// returns the rows written.
func writeDerived[K laneKey | baselineKey | demandKey](ctx context.Context, tx pgx.Tx, version int64, what string, t derivedTable, sel string,
	g *groups[K], row func(c *copyBuffer, version int64, g *group[K]) error) (int64, error) {
	var n int64
	var err error
	if g == nil {
		var tag pgconn.CommandTag
		tag, err = tx.Exec(ctx, t.insertSQL(sel), version)
		n = tag.RowsAffected()
	} else {
		i := 0
		n, err = copyRows(ctx, tx, copySQL(t.name, t.cols), func(c *copyBuffer) (bool, error) {
			for ; i < len(g.slots); i++ {
				if g.slots[i].shipments > 0 {
					i++
					return true, row(c, version, &g.slots[i-1])
				}
			}
			return false, nil
		})
	}
	if err != nil {
		return 0, fmt.Errorf("derive %s: %w", what, err)
	}
	return n, nil
}
