// Package canon reads the input of the network models (docs/models.md) from a workbook or
// from a folder of CSV files, and returns it as an optimization.Network with the SKUs,
// space options and settings that capacity planning needs.
//
// The seven datasets the ingestion role knows (facilities, destinations, demand, lanes,
// shipments, skus, forecast) are read through roles/files, the same reader, header
// mapping and validation as `networx check`: in a workbook each sheet's header row is
// found under title rows, its kind is detected and its columns are mapped by name, alias
// or similarity checked against the values; a folder's facilities.csv, destinations.csv,
// ... are read by field name or exact alias. Locations resolve offline: lat/lon, else ZIP
// (5 digits, then the 3-digit prefix's centroid), else city and state.
//
// The models never run on partial data: a rejected row, a sheet that stopped with an
// error, or a required field without a column fails Load with every problem located by
// file, sheet, row, column, value and rule. Nothing is imputed, and the ingestion role's
// verdict thresholds do not apply here.
//
// The settings and space_options datasets, which only the models read, keep a narrow
// reader: the sheet (named Settings, Space options) or file (settings.csv,
// space_options.csv) must have the canonical column names in its first row, case and
// surrounding spaces ignored. Ingestion leaves those sheets alone.
package canon
