package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"networx/roles/files/delim"
	"networx/roles/files/geo"
	"networx/roles/files/xlsx"
)

// Options configure Ingest. The zero value detects everything and uses the
// documented defaults; Geo is loaded when nil.
type Options struct {
	// Kind forces the dataset kind of every sheet; "" detects it per sheet.
	Kind Kind
	// Mapping is the user's mapping; it overrides everything else.
	Mapping *UserMapping
	// Learned returns the tenant's remembered header mappings for a kind
	// (normalized header -> field); nil for none. Loader.Load sets it
	// from the tenant's mapping memory (Loader.LearnedMappings).
	Learned func(k Kind) map[string]string
	// Thresholds decide the verdict.
	Thresholds Thresholds
	// DateOrder reads slash dates; "" is MDY (US).
	DateOrder DateOrder
	// MaxExamples is how many examples the report keeps per rule; default 5.
	MaxExamples int
	// HeaderScanRows is how many rows the header row is looked for in;
	// default 30.
	HeaderScanRows int
	// SampleRows is how many data rows feed the value evidence of the
	// mapping; default 200.
	SampleRows int
	// XLSX and CSV bound the readers (see their Limits); zero values are
	// the defaults.
	XLSX xlsx.Limits
	CSV  delim.Options
	// TempDir is where a large shared-strings table spills.
	TempDir string
	// Sink receives every accepted row; nil only validates.
	Sink Sink
	// SkipSheet, if not nil, is asked about each sheet of a workbook before
	// it is read: a non-empty answer skips the sheet, with that answer as
	// the reason in its report and a notice, not an error. A caller that
	// reads some sheets itself names them here (`networx optimize` reads
	// its settings and space_options sheets with their own reader).
	SkipSheet func(sheet string) (reason string)
	// Geo resolves locations; nil loads the embedded table.
	Geo    *geo.Table
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultMaxExamples    = 5
	DefaultHeaderScanRows = 30
	DefaultSampleRows     = 200
	// sampleBudget bounds the bytes of rows held for header detection and
	// sampling, whatever their width.
	sampleBudget = 8 << 20
	// progressEvery is how many rows pass between progress calls.
	progressEvery = 10000
)

// Place is a resolved location of a row.
type Place struct {
	Set    bool
	Lat    float64
	Lon    float64
	State  string // USPS code; "" when given only as lat/lon
	Region string // Census region of State
	Method string // latlon, zip5, zip3, city
}

// Record is one accepted row, in canonical fields.
type Record struct {
	Kind   Kind
	File   string
	Sheet  string
	Row    int
	Values []Value // by index of SchemaOf(Kind).Fields
	Places []Place // by index of SchemaOf(Kind).Locations
}

// Sink receives accepted rows, sheet by sheet. A Sink error stops Ingest.
type Sink interface {
	BeginSheet(ctx context.Context, s *SheetReport) error
	Row(ctx context.Context, r *Record) error
	EndSheet(ctx context.Context, s *SheetReport) error
}

// Input is a file to ingest: its name (the extension picks the reader)
// and its bytes.
type Input struct {
	Name string
	R    io.ReaderAt
	Size int64
}

func (o *Options) defaults() error {
	if o.MaxExamples <= 0 {
		o.MaxExamples = DefaultMaxExamples
	}
	if o.HeaderScanRows <= 0 {
		o.HeaderScanRows = DefaultHeaderScanRows
	}
	if o.SampleRows <= 0 {
		o.SampleRows = DefaultSampleRows
	}
	if o.DateOrder == "" {
		o.DateOrder = MDY
	}
	if o.DateOrder != MDY && o.DateOrder != DMY {
		return fmt.Errorf("date order %q: use MDY or DMY", o.DateOrder)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Geo == nil {
		g, err := geo.Load()
		if err != nil {
			return err
		}
		o.Geo = g
	}
	return nil
}

// IngestPath ingests a file, or a folder of canonical CSV files
// (facilities.csv, destinations.csv, ...; see docs/ingestion.md).
func IngestPath(ctx context.Context, path string, opts Options, progress func(rowsRead int64)) (*Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return ingestFolder(ctx, path, opts, progress)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Ingest(ctx, Input{Name: path, R: f, Size: st.Size()}, opts, progress)
}

// Ingest reads, maps and validates one file, sending accepted rows to
// opts.Sink. Problems with the file itself (not a workbook, a zip bomb, a
// sheet without a header) are in the report with a failing verdict, not
// the error; the error is for cancellation (ctx.Err()), I/O and the sink.
// progress, if not nil, is called with the rows read so far.
func Ingest(ctx context.Context, in Input, opts Options, progress func(rowsRead int64)) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	ing := &ingester{opts: opts, progress: progress}
	var rep *Report
	var err error
	switch format := formatOf(in); format {
	case "xlsx":
		rep = newReport(in.Name, format, opts.MaxExamples)
		err = ing.xlsxFile(ctx, rep, in)
	default:
		rep = newReport(in.Name, format, opts.MaxExamples)
		err = ing.csvFile(ctx, rep, in, "", format == "tsv")
	}
	rep.finish(opts.Thresholds)
	return rep, err
}

// formatOf picks the reader from the extension, or from the first bytes
// when the extension says nothing.
func formatOf(in Input) string {
	switch strings.ToLower(filepath.Ext(in.Name)) {
	case ".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx":
		return "xlsx" // .xls and .xlsb are refused by the xlsx reader with their own message
	case ".csv", ".txt":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	}
	head := make([]byte, 8)
	n, _ := in.R.ReadAt(head, 0)
	if n >= 2 && head[0] == 'P' && head[1] == 'K' || n >= 4 && bytes.Equal(head[:4], []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return "xlsx"
	}
	return "csv"
}

// ingestFolder reads the canonical CSV files of a folder.
func ingestFolder(ctx context.Context, dir string, opts Options, progress func(int64)) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	rep := newReport(dir, "folder", opts.MaxExamples)
	ing := &ingester{opts: opts, progress: progress, canonical: true}
	found := 0
	for _, k := range kindOrder {
		path := filepath.Join(dir, string(k)+".csv")
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return rep, err
		}
		found++
		st, err := f.Stat()
		if err == nil {
			err = ing.csvFile(ctx, rep, Input{Name: path, R: f, Size: st.Size()}, k, false)
		}
		f.Close()
		if err != nil {
			rep.finish(opts.Thresholds)
			return rep, err
		}
	}
	if found == 0 {
		rep.fatal(Issue{File: dir, Rule: "no_datasets", Message: "the folder holds none of facilities.csv, destinations.csv, demand.csv, shipments.csv, skus.csv, forecast.csv, lanes.csv"})
	}
	rep.finish(opts.Thresholds)
	return rep, nil
}

// ingester carries one Ingest call's state.
type ingester struct {
	opts      Options
	progress  func(int64)
	canonical bool // canonical CSV folder: exact field names only
	rowsRead  int64
}

// rawCell is a cell as either reader returns it: the xlsx reader's own
// cells, so that a sheet's rows pass to the validator without a copy; a CSV
// field is a String cell.
type rawCell = xlsx.Cell

type rawRow struct {
	num   int
	cells []rawCell
}

// rowSource is a sheet or CSV file, row by row.
type rowSource interface {
	next() bool
	row() *rawRow // valid until the next call
	err() error
}

type xlsxSource struct {
	rows *xlsx.Rows
	cur  rawRow
}

func (s *xlsxSource) next() bool {
	if !s.rows.Next() {
		return false
	}
	r := s.rows.Row()
	s.cur.num = r.Num
	s.cur.cells = r.Cells
	return true
}
func (s *xlsxSource) row() *rawRow { return &s.cur }
func (s *xlsxSource) err() error   { return s.rows.Err() }

type csvSource struct {
	r         *delim.Reader
	cur       rawRow
	recordErr error
}

func (s *csvSource) next() bool {
	for s.r.Next() {
		s.cur.num = s.r.Row()
		s.cur.cells = s.cur.cells[:0]
		s.recordErr = s.r.RecordErr()
		for i, f := range s.r.Fields() {
			if len(bytes.TrimSpace(f)) > 0 {
				s.cur.cells = append(s.cur.cells, rawCell{Col: i, Type: xlsx.String, Value: f})
			}
		}
		if len(s.cur.cells) == 0 && s.recordErr == nil {
			continue // a blank line
		}
		return true
	}
	return false
}
func (s *csvSource) row() *rawRow { return &s.cur }
func (s *csvSource) err() error   { return s.r.Err() }

// readerError turns a reader's error into a report issue.
func readerError(file, sheet string, err error) Issue {
	is := Issue{File: file, Sheet: sheet, Rule: "unreadable", Message: err.Error()}
	var pe *xlsx.PositionError
	if errors.As(err, &pe) {
		is.Sheet, is.Row = pe.Sheet, pe.Row
		if pe.Col >= 0 {
			is.Column = xlsx.ColumnName(pe.Col)
		}
		is.Message = pe.Err.Error()
	}
	switch {
	case errors.Is(err, xlsx.ErrLimit), errors.Is(err, delim.ErrLimit):
		is.Rule = "limit"
	case errors.Is(err, xlsx.ErrEncrypted):
		is.Rule = "encrypted"
	case errors.Is(err, xlsx.ErrLegacyXLS), errors.Is(err, xlsx.ErrBinaryXLSB):
		is.Rule = "unsupported_format"
	case errors.Is(err, xlsx.ErrNotXLSX):
		is.Rule = "not_xlsx"
	}
	return is
}

func (ing *ingester) xlsxFile(ctx context.Context, rep *Report, in Input) error {
	wb, err := xlsx.Open(ctx, in.R, in.Size, xlsx.Options{Limits: ing.opts.XLSX, TempDir: ing.opts.TempDir})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.fatal(readerError(in.Name, "", err))
		return nil
	}
	defer wb.Close()
	if wb.SharedStringsSpilled() {
		rep.Notices = append(rep.Notices, fmt.Sprintf("the shared-strings table (%d strings) exceeded its memory budget and was read from a temporary file", wb.SharedStrings()))
	}
	for _, name := range wb.Skipped() {
		rep.Notices = append(rep.Notices, fmt.Sprintf("sheet %q is a chart or dialog sheet without cells: skipped", name))
	}
	p := &parser{date1904: wb.Date1904(), order: ing.opts.DateOrder, strs: newInterner()}
	for _, s := range wb.Sheets() {
		sr := &SheetReport{File: in.Name, Name: s.Name, Hidden: s.Hidden, Mapping: []ColumnMapping{}}
		rep.Sheets = append(rep.Sheets, sr)
		if ing.opts.SkipSheet != nil {
			if why := ing.opts.SkipSheet(s.Name); why != "" {
				sr.Skipped = why
				rep.Notices = append(rep.Notices, fmt.Sprintf("sheet %q skipped: %s", s.Name, why))
				continue
			}
		}
		rows, err := wb.Rows(ctx, s)
		if err != nil {
			rep.fatal(readerError(in.Name, s.Name, err))
			continue
		}
		src := &xlsxSource{rows: rows}
		err = ing.sheet(ctx, rep, sr, src, p, "")
		rows.Close()
		sr.Formulas, sr.FormulasNoValue = rows.Formulas(), rows.FormulasWithoutValue()
		if err != nil {
			return err
		}
		if sr.Formulas > 0 {
			rep.Notices = append(rep.Notices, fmt.Sprintf("sheet %q: %d cells hold formulas; their values as last calculated by Excel were read, the formulas were not evaluated", s.Name, sr.Formulas))
		}
		if sr.FormulasNoValue > 0 {
			rep.Notices = append(rep.Notices, fmt.Sprintf("sheet %q: %d formula cells have no calculated value (the workbook was saved without calculating) and read as empty; open and save it in Excel", s.Name, sr.FormulasNoValue))
		}
	}
	return nil
}

func (ing *ingester) csvFile(ctx context.Context, rep *Report, in Input, kind Kind, tsv bool) error {
	opts := ing.opts.CSV
	if tsv && opts.Delimiter == 0 {
		opts.Delimiter = '\t'
	}
	r, err := delim.NewReader(io.NewSectionReader(in.R, 0, in.Size), opts)
	if err != nil {
		rep.fatal(readerError(in.Name, "", err))
		return nil
	}
	rep.Encoding = r.Encoding()
	rep.Delimiter = string(r.Delimiter())
	name := filepath.Base(in.Name)
	sr := &SheetReport{File: in.Name, Name: name, Mapping: []ColumnMapping{}}
	rep.Sheets = append(rep.Sheets, sr)
	return ing.sheet(ctx, rep, sr, &csvSource{r: r}, &parser{order: ing.opts.DateOrder, strs: newInterner()}, kind)
}

// totalsRow matches the label of a totals row, in lower case (see
// isTotalsLabel).
var totalsRow = regexp.MustCompile(`^(grand |sub ?)?totals?\b|^sum\b`)

// sheet maps, validates and sends one sheet's rows.
func (ing *ingester) sheet(ctx context.Context, rep *Report, sr *SheetReport, src rowSource, p *parser, fileKind Kind) error {
	opts := &ing.opts
	user, hasUser := opts.Mapping.forSheet(sr.Name)

	// Buffer the first rows: the header is among them.
	var buf []rawRow
	bufBytes := 0
	for len(buf) < opts.HeaderScanRows && bufBytes < sampleBudget && src.next() {
		buf = append(buf, cloneRow(src.row()))
		bufBytes += rowBytes(src.row())
	}
	if err := src.err(); err != nil && len(buf) == 0 {
		return ing.sheetError(ctx, rep, sr, err)
	}
	if len(buf) == 0 {
		sr.Skipped = "empty sheet"
		return nil
	}

	// Header row.
	hIdx := -1
	switch {
	case hasUser && user.HeaderRow > 0:
		for i, r := range buf {
			if r.num == user.HeaderRow {
				hIdx = i
			}
		}
		if hIdx < 0 {
			rep.fatal(Issue{File: sr.File, Sheet: sr.Name, Row: user.HeaderRow, Rule: "header_row", Message: fmt.Sprintf("the mapping's header row %d is empty or beyond the first %d rows", user.HeaderRow, opts.HeaderScanRows)})
			sr.Error = &rep.Errors[len(rep.Errors)-1]
			return nil
		}
	case ing.canonical:
		hIdx = 0
	default:
		forced := opts.Kind
		if hasUser && user.Kind != "" {
			forced = user.Kind
		}
		best := 0
		for i, r := range buf {
			texts := rowTexts(&r, nil)
			n, _ := headerRowScore(texts, forced)
			if i > 0 {
				if m, _ := headerRowScore(combineParent(&buf[i-1], &r), forced); m > n {
					n = m
				}
			}
			if n > best {
				best, hIdx = n, i
			}
		}
		// minHeaderMatches: a header names at least two fields (one for a
		// one-column sheet); fewer is a sheet of notes or a pivot table.
		minHeaderMatches := 2
		if hIdx >= 0 && len(buf[hIdx].cells) == 1 {
			minHeaderMatches = 1
		}
		if best < minHeaderMatches {
			// A notes or pivot sheet is common in client workbooks: it is
			// skipped and said so, not an error; the report shows it.
			sr.Skipped = fmt.Sprintf("no header row in the first %d rows (no row names at least two fields of any dataset); if the sheet holds data, give its header_row and columns in a mapping file", len(buf))
			rep.Notices = append(rep.Notices, fmt.Sprintf("sheet %q skipped: %s", sr.Name, sr.Skipped))
			return nil
		}
	}
	header := &buf[hIdx]
	sr.HeaderRow = header.num
	for _, r := range buf[:hIdx] {
		sr.TitleRows = append(sr.TitleRows, r.num)
	}
	texts := rowTexts(header, nil)
	var combined []string
	if hIdx > 0 && !ing.canonical {
		combined = combineParent(&buf[hIdx-1], header)
	}

	// Kind.
	switch {
	case fileKind != "":
		sr.Kind, sr.KindConfidence, sr.KindSource = fileKind, 1, "file name"
	case hasUser && user.Kind != "":
		sr.Kind, sr.KindConfidence, sr.KindSource = user.Kind, 1, SourceUser
	case opts.Kind != "":
		sr.Kind, sr.KindConfidence, sr.KindSource = opts.Kind, 1, "option"
	default:
		k, conf, alts := detectKind(sr.Name, append(slices.Clone(texts), combined...))
		if k == "" {
			rep.fatal(Issue{File: sr.File, Sheet: sr.Name, Row: header.num, Rule: "kind", Message: "cannot tell which dataset the sheet holds; give --kind or a mapping file"})
			sr.Error = &rep.Errors[len(rep.Errors)-1]
			return nil
		}
		sr.Kind, sr.KindConfidence, sr.KindSource, sr.KindAlternatives = k, conf, "detected", alts
	}
	sch := schemas[sr.Kind]
	if combined != nil {
		texts = preferCombined(sch, texts, combined)
	}

	// Sample data rows for value evidence.
	for len(buf)-hIdx-1 < opts.SampleRows && bufBytes < sampleBudget && src.next() {
		buf = append(buf, cloneRow(src.row()))
		bufBytes += rowBytes(src.row())
	}
	var cols []int
	var headers []string
	for c, t := range texts {
		if t != "" || hasValues(buf[hIdx+1:], c) {
			cols = append(cols, c)
			headers = append(headers, t)
		}
	}
	samples := make([][]sampleValue, len(cols))
	for i, c := range cols {
		for _, r := range buf[hIdx+1:] {
			if cell := cellAt(&r, c); cell != nil {
				samples[i] = append(samples[i], sampleValue{typ: cell.Type, text: string(cell.Value)})
			}
		}
	}
	var userCols map[string]string
	if hasUser {
		userCols = user.Columns
	}
	var learned map[string]string
	if opts.Learned != nil && !ing.canonical {
		learned = opts.Learned(sr.Kind)
	}
	sp := &parser{date1904: p.date1904, order: p.order}
	var mapping []ColumnMapping
	var err error
	if ing.canonical {
		mapping = canonicalMapping(sch, cols, headers)
	} else if mapping, err = mapColumns(sr.Kind, cols, headers, samples, userCols, learned, sp); err != nil {
		rep.fatal(Issue{File: sr.File, Sheet: sr.Name, Row: header.num, Rule: "mapping", Message: err.Error()})
		sr.Error = &rep.Errors[len(rep.Errors)-1]
		return nil
	}
	sr.Mapping = mapping

	// Required columns.
	v := newValidator(sch, mapping, sr, opts.Geo, p)
	for _, f := range sch.Fields {
		if f.Required && v.fieldCol[sch.field(f.Name)] < 0 {
			sr.MissingFields = append(sr.MissingFields, f.Name)
		}
	}
	for _, g := range v.requiredGroupsMissing() {
		sr.MissingFields = append(sr.MissingFields, g)
	}
	if len(sr.MissingFields) > 0 {
		rep.fatal(Issue{File: sr.File, Sheet: sr.Name, Row: header.num, Rule: "required_column",
			Message: fmt.Sprintf("no column for required %s: the sheet (read as %s) is not loaded; map the columns with a mapping file", strings.Join(sr.MissingFields, ", "), sr.Kind)})
		sr.Error = &rep.Errors[len(rep.Errors)-1]
		return nil
	}

	if opts.Sink != nil {
		if err := opts.Sink.BeginSheet(ctx, sr); err != nil {
			return err
		}
	}
	rec := &Record{Kind: sr.Kind, File: sr.File, Sheet: sr.Name, Values: make([]Value, len(sch.Fields)), Places: make([]Place, len(sch.Locations))}
	handle := func(r *rawRow, recordErr error) error {
		sr.RowsRead++
		ing.rowsRead++
		if ing.rowsRead%progressEvery == 0 {
			if ing.progress != nil {
				ing.progress(ing.rowsRead)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if recordErr != nil {
			sr.RowsRejected++
			rep.count(Issue{File: sr.File, Sheet: sr.Name, Row: r.num, Rule: RuleMalformedRecord, Message: recordErr.Error()})
			return nil
		}
		if !sch.Entities && isTotalsRow(r) {
			sr.RowsSkipped++
			rep.count(Issue{File: sr.File, Sheet: sr.Name, Row: r.num, Rule: RuleTotalsRow, Value: firstText(r), Message: "a totals row: skipped, not loaded"})
			return nil
		}
		if !v.row(r, rec, rep) {
			sr.RowsRejected++
			return nil
		}
		sr.RowsAccepted++
		if opts.Sink != nil {
			rec.Row = r.num
			return opts.Sink.Row(ctx, rec)
		}
		return nil
	}
	for i := range buf[hIdx+1:] {
		r := &buf[hIdx+1+i]
		if err := handle(r, nil); err != nil {
			return err
		}
	}
	csvSrc, isCSV := src.(*csvSource)
	for src.next() {
		var recErr error
		if isCSV {
			recErr = csvSrc.recordErr
		}
		if err := handle(src.row(), recErr); err != nil {
			return err
		}
	}
	if err := src.err(); err != nil {
		if err := ing.sheetError(ctx, rep, sr, err); err != nil {
			return err
		}
	}
	if !isCSV {
		sr.NumbersAsText, sr.SerialDates = p.numbersAsText, p.serialDates
	} else {
		sr.SerialDates = p.serialDates
	}
	p.numbersAsText, p.serialDates = 0, 0
	if ing.progress != nil {
		ing.progress(ing.rowsRead)
	}
	if opts.Sink != nil {
		return opts.Sink.EndSheet(ctx, sr)
	}
	return nil
}

// sheetError records a reader error that stopped a sheet; cancellation is
// returned instead.
func (ing *ingester) sheetError(ctx context.Context, rep *Report, sr *SheetReport, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	is := readerError(sr.File, sr.Name, err)
	rep.fatal(is)
	sr.Error = &rep.Errors[len(rep.Errors)-1]
	return nil
}

func cloneRow(r *rawRow) rawRow {
	out := rawRow{num: r.num, cells: make([]rawCell, len(r.cells))}
	for i, c := range r.cells {
		out.cells[i] = rawCell{Col: c.Col, Type: c.Type, Value: bytes.Clone(c.Value)}
	}
	return out
}

func rowBytes(r *rawRow) int {
	n := 32 * len(r.cells)
	for _, c := range r.cells {
		n += len(c.Value)
	}
	return n
}

// rowTexts returns the row's cell texts by column (trimmed), up to its last
// cell; extra cells of into are reused.
func rowTexts(r *rawRow, into []string) []string {
	into = into[:0]
	for _, c := range r.cells {
		for len(into) < c.Col {
			into = append(into, "")
		}
		into = append(into, strings.TrimSpace(string(c.Value)))
	}
	return into
}

// combineParent reads a two-row header: a group row above (its labels in
// merged cells, so only in the group's first column) and the header row.
// Each group label carries right until the next label, and is put before
// the header text below it: "Origin" over "City" reads "Origin City".
func combineParent(parent, header *rawRow) []string {
	pt := rowTexts(parent, nil)
	ht := rowTexts(header, nil)
	if len(parent.cells) == 0 || len(parent.cells) >= len(header.cells) {
		return ht
	}
	out := make([]string, len(ht))
	label := ""
	for c := range ht {
		if c < len(pt) && pt[c] != "" {
			label = pt[c]
		}
		out[c] = ht[c]
		if label != "" && ht[c] != "" {
			out[c] = label + " " + ht[c]
		}
	}
	return out
}

// preferCombined takes, column by column, the combined two-row header text
// when it names a field of the sheet's schema better than the header text
// alone ("Origin City" over "City" in a shipments sheet).
func preferCombined(sch *Schema, texts, combined []string) []string {
	out := slices.Clone(texts)
	for c := range texts {
		if c < len(combined) && combined[c] != texts[c] && bestNameScore(sch, combined[c]) > bestNameScore(sch, texts[c]) {
			out[c] = combined[c]
		}
	}
	return out
}

func bestNameScore(sch *Schema, h string) float64 {
	hf := newHeaderForm(normalizeHeader(h))
	best := 0.0
	for fi := range sch.Fields {
		if s, _ := nameScore(hf, &sch.Fields[fi]); s > best {
			best = s
		}
	}
	return best
}

func hasValues(rows []rawRow, col int) bool {
	for i := range rows {
		if cellAt(&rows[i], col) != nil {
			return true
		}
	}
	return false
}

func cellAt(r *rawRow, col int) *rawCell {
	for i := range r.cells {
		if r.cells[i].Col == col {
			return &r.cells[i]
		}
		if r.cells[i].Col > col {
			break
		}
	}
	return nil
}

func firstText(r *rawRow) string {
	for _, c := range r.cells {
		if c.Type == xlsx.String {
			if t := strings.TrimSpace(string(c.Value)); t != "" {
				return t
			}
		}
	}
	return ""
}

// isTotalsRow reports a row whose first text says "Total", "Grand total",
// "Subtotal" or "Sum": spreadsheets put such rows under tables, and
// loading one would count its figures twice.
func isTotalsRow(r *rawRow) bool {
	for _, c := range r.cells {
		if c.Type != xlsx.String {
			continue
		}
		t := strings.TrimSpace(view(c.Value))
		if t == "" {
			continue
		}
		return len(t) < 40 && isTotalsLabel(t)
	}
	return false
}

// isTotalsLabel reports whether totalsRow matches strings.ToLower(t). Every
// row asks, so the common case is decided by hand: when the first
// totalsLabelSpan bytes are ASCII, lower-casing leaves them ASCII and in
// place, and the pattern looks at no byte beyond them ("grand totals" and
// the byte after it). Other texts go to the regular expression.
func isTotalsLabel(t string) bool {
	const totalsLabelSpan = len("grand totals") + 1
	for i := 0; i < len(t) && i < totalsLabelSpan; i++ {
		if t[i] >= utf8.RuneSelf {
			return totalsRow.MatchString(strings.ToLower(t))
		}
	}
	if hasPrefixFoldASCII(t, "sum") && wordEnds(t, 3) {
		return true
	}
	for _, lead := range [...]string{"", "grand ", "sub ", "sub"} {
		if !hasPrefixFoldASCII(t, lead) || !hasPrefixFoldASCII(t[len(lead):], "total") {
			continue
		}
		end := len(lead) + len("total")
		if wordEnds(t, end) || end < len(t) && (t[end] == 's' || t[end] == 'S') && wordEnds(t, end+1) {
			return true
		}
	}
	return false
}

// hasPrefixFoldASCII reports whether s starts with the lower-case ASCII
// prefix, in any case.
func hasPrefixFoldASCII(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// wordEnds reports a regexp \b after a word character at s[i-1]: s ends
// at i or s[i] is not an ASCII word character.
func wordEnds(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	c := s[i]
	return !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_')
}

// canonicalMapping maps a canonical CSV file: a header names a field by
// its name or one of its aliases, exactly (case and punctuation aside:
// "Fixed Cost" is fixed_cost, "origin" is origin_name), never by
// similarity. A field name wins over an alias; other columns, and a second
// column for a field, are ignored and said so.
func canonicalMapping(sch *Schema, cols []int, headers []string) []ColumnMapping {
	out := make([]ColumnMapping, len(cols))
	taken := make([]bool, len(sch.Fields))
	for i, c := range cols {
		out[i] = ColumnMapping{Column: xlsx.ColumnName(c), Header: headers[i], col: c}
	}
	for _, want := range []string{SourceCanonical, SourceAlias} {
		for i := range out {
			hn := normalizeHeader(headers[i])
			if out[i].Field != "" || hn == "" {
				continue
			}
			hf := newHeaderForm(hn)
			for fi := range sch.Fields {
				if s, src := nameScore(hf, &sch.Fields[fi]); s == 1 && src == want && !taken[fi] {
					taken[fi] = true
					out[i].Field, out[i].Confidence, out[i].Source = sch.Fields[fi].Name, 1, src
					break
				}
			}
		}
	}
	for i := range out {
		if out[i].Field == "" {
			out[i].Note = fmt.Sprintf("not a field of %s.csv (nor one of its aliases): the column is ignored", sch.Kind)
		}
	}
	return out
}
