package files

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Derived data is computed in SQL from the version's shipments, in the
// load's transaction: a committed version always has it, and memory stays
// bounded whatever the number of lanes. Each place key is what the file
// gives: the name, else the ZIP, else "city, state"; a shipment row was
// accepted only with both locations, so the keys are never null.
const (
	originKey = `coalesce(origin_name, origin_zip, origin_city || ', ' || coalesce(origin_state, origin_place_state))`
	destKey   = `coalesce(dest_name, dest_zip, dest_city || ', ' || coalesce(dest_state, destination_place_state))`

	// deriveDemand sums units by destination and year. Shipments without
	// units are left out (nothing is imputed); the report says how many.
	deriveDemand = `insert into dataset_demand (dataset_version_id, destination, units, year, weight, derived)
		select $1, ` + destKey + `, sum(units), extract(year from ship_date)::integer, sum(weight), true
		from dataset_shipments where dataset_version_id = $1 and units is not null
		group by 2, 4`

	deriveLanes = `insert into shipment_lanes (dataset_version_id, origin, destination, mode, origin_region,
			destination_region, shipments, units, weight, cost)
		select $1, ` + originKey + `, ` + destKey + `, mode, origin_place_region, destination_place_region,
			count(*), sum(units), sum(weight), sum(cost)
		from dataset_shipments where dataset_version_id = $1
		group by 2, 3, 4, 5, 6`

	deriveBaseline = `insert into freight_baseline (dataset_version_id, month, mode, carrier, origin_region,
			destination_region, shipments, units, weight, cost)
		select $1, date_trunc('month', ship_date)::date, mode, carrier, origin_place_region, destination_place_region,
			count(*), sum(units), sum(weight), sum(cost)
		from dataset_shipments where dataset_version_id = $1
		group by 2, 3, 4, 5, 6`
)

// derive writes the version's derived data and notes it in the report:
// demand from shipments when the file has shipments and no demand sheet,
// the shipment lanes and the freight baseline when it has shipments.
func derive(ctx context.Context, tx pgx.Tx, version int64, loaded map[Kind]bool, rep *Report) (Derived, error) {
	var d Derived
	if !loaded[Shipments] {
		return d, nil
	}
	// The planner has no statistics for the rows just copied (it guesses a
	// few hundred) and groups them by sorting on the text keys; hashing is
	// about twice as fast here (measured on 500,000 shipments), and a hash
	// aggregate spills to disk beyond work_mem, so memory stays bounded.
	if _, err := tx.Exec(ctx, "set local enable_sort = off"); err != nil {
		return d, fmt.Errorf("derive: %w", err)
	}
	defer func() { _, _ = tx.Exec(ctx, "set local enable_sort = on") }() // an error here is the next statement's too
	exec := func(what, sql string) (int64, error) {
		tag, err := tx.Exec(ctx, sql, version)
		if err != nil {
			return 0, fmt.Errorf("derive %s: %w", what, err)
		}
		return tag.RowsAffected(), nil
	}
	var err error
	if d.Lanes, err = exec("shipment lanes", deriveLanes); err != nil {
		return d, err
	}
	if d.Baseline, err = exec("freight baseline", deriveBaseline); err != nil {
		return d, err
	}
	rep.Notices = append(rep.Notices, fmt.Sprintf("derived from the shipments: %d lanes (origin, destination, mode) and %d freight baseline rows (month, mode, carrier, origin and destination region)", d.Lanes, d.Baseline))
	if loaded[Demand] {
		return d, nil
	}
	var withoutUnits int64
	if err := tx.QueryRow(ctx, `select count(*) from dataset_shipments where dataset_version_id = $1 and units is null`, version).Scan(&withoutUnits); err != nil {
		return d, fmt.Errorf("count shipments without units: %w", err)
	}
	if d.Demand, err = exec("demand", deriveDemand); err != nil {
		return d, err
	}
	msg := fmt.Sprintf("no demand sheet: %d demand rows (destination, year) derived from the shipments' units", d.Demand)
	if withoutUnits > 0 {
		msg += fmt.Sprintf("; %d shipments without units are not in it", withoutUnits)
	}
	rep.Notices = append(rep.Notices, msg)
	return d, nil
}
