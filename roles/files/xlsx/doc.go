// Package xlsx reads Office Open XML workbooks (.xlsx) one row at a time in
// bounded memory.
//
// It reads the archive with archive/zip and the sheet XML with a small
// hand-written tokenizer (see scanner) instead of encoding/xml, which
// allocates per token and is the bottleneck of every general-purpose
// library. Decompression runs in a goroutine of its own, a few chunks ahead
// of the tokenizer. Memory is bounded whatever the file: one row, a few
// decompression chunks, and a shared-strings table that spills to temporary
// files beyond its budget (Limits.SharedStringsMemory). Hostile input (zip
// bombs, oversized cells and rows, thousands of columns, encrypted or
// legacy workbooks, other files posing as .xlsx) ends in an error that says
// what was wrong, never a crash or unbounded memory.
//
// Values are returned as stored, typed by the cell's t attribute and its
// style: formulas are never evaluated, their cached results are returned
// and counted (Rows.Formulas).
package xlsx
