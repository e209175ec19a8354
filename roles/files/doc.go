// Package files is the ingestion role: it reads client workbooks and CSV
// files row by row in bounded memory (packages xlsx and delim), finds each
// sheet's header row under title and logo rows, maps its columns to the
// canonical fields of a dataset kind (facilities, destinations, demand,
// shipments, skus, forecast, lanes) with a confidence and the evidence of
// the values, validates every row (types, ranges, enums, ZIP shapes,
// dates, required fields, locations resolved offline by package geo), and
// reports rows read, accepted and rejected with counts and examples per
// rule and a verdict. Nothing is imputed: a missing required value is an
// error naming the file, sheet, row, column and rule.
//
// Ingest is the entry point; a Sink receives accepted rows (the
// PostgreSQL loader, or nothing for `networx check`). Loader.Load writes a
// file as a new dataset version in one transaction: its rows by COPY, the
// data derived from shipments (demand, lanes, freight baseline), the
// report, and the tenant's mapping memory. docs/ingestion.md documents
// every canonical field and table.
package files
