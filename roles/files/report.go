package files

import (
	"fmt"
	"sort"
)

// Issue is one problem, located as precisely as the input allows.
type Issue struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`    // 1-based, as the spreadsheet shows it
	Column  string `json:"column,omitempty"` // letters
	Header  string `json:"header,omitempty"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

func (i Issue) String() string {
	loc := i.File
	if i.Sheet != "" {
		loc += fmt.Sprintf(" sheet %q", i.Sheet)
	}
	if i.Row > 0 {
		loc += fmt.Sprintf(" row %d", i.Row)
	}
	if i.Column != "" {
		loc += " column " + i.Column
		if i.Header != "" {
			loc += fmt.Sprintf(" (%s)", i.Header)
		}
	}
	return fmt.Sprintf("%s: %s: %s", loc, i.Rule, i.Message)
}

// RuleCount is how often one rule failed, with the first examples.
type RuleCount struct {
	Rule     string  `json:"rule"`
	Count    int64   `json:"count"`
	Examples []Issue `json:"examples"`
}

// SheetReport is what happened to one sheet (or CSV file).
type SheetReport struct {
	File             string          `json:"file"`
	Name             string          `json:"name"`
	Hidden           bool            `json:"hidden,omitempty"`
	Kind             Kind            `json:"kind,omitempty"`
	KindConfidence   float64         `json:"kind_confidence,omitempty"`
	KindSource       string          `json:"kind_source,omitempty"` // user, option, detected, file name
	KindAlternatives []Candidate     `json:"kind_alternatives,omitempty"`
	HeaderRow        int             `json:"header_row,omitempty"`
	TitleRows        []int           `json:"title_rows,omitempty"` // non-empty rows above the header
	Mapping          []ColumnMapping `json:"mapping"`
	MissingFields    []string        `json:"missing_fields,omitempty"` // required fields without a column
	RowsRead         int64           `json:"rows_read"`
	RowsAccepted     int64           `json:"rows_accepted"`
	RowsRejected     int64           `json:"rows_rejected"`
	RowsSkipped      int64           `json:"rows_skipped"` // totals rows
	Formulas         int64           `json:"formulas,omitempty"`
	FormulasNoValue  int64           `json:"formulas_without_value,omitempty"`
	NumbersAsText    int64           `json:"numbers_stored_as_text,omitempty"`
	SerialDates      int64           `json:"dates_stored_as_numbers,omitempty"`
	Skipped          string          `json:"skipped,omitempty"` // why the sheet was not read
	Error            *Issue          `json:"error,omitempty"`   // what stopped the sheet
}

// Verdict is the report's conclusion against the thresholds.
type Verdict struct {
	Pass    bool     `json:"pass"`
	Reasons []string `json:"reasons,omitempty"`
}

// Thresholds decide the verdict. The zero value means the defaults.
type Thresholds struct {
	// MaxRejectedShare is the largest share of rows read that may be
	// rejected, 0..1. Default 0.01: one bad row in a hundred is worth a look
	// but not a stop; more means the mapping or the file is wrong. Set it
	// negative to allow none.
	MaxRejectedShare float64
	// MaxRejectedRows caps rejected rows in absolute terms; 0 is no cap.
	MaxRejectedRows int64
}

// DefaultMaxRejectedShare is Thresholds.MaxRejectedShare's default.
const DefaultMaxRejectedShare = 0.01

// Report is the result of reading, mapping and validating one input.
type Report struct {
	File         string         `json:"file"`
	Format       string         `json:"format"` // xlsx, csv, folder
	Encoding     string         `json:"encoding,omitempty"`
	Delimiter    string         `json:"delimiter,omitempty"`
	RowsRead     int64          `json:"rows_read"`
	RowsAccepted int64          `json:"rows_accepted"`
	RowsRejected int64          `json:"rows_rejected"`
	RowsSkipped  int64          `json:"rows_skipped"`
	Sheets       []*SheetReport `json:"sheets"`
	Rules        []RuleCount    `json:"rules"`
	Errors       []Issue        `json:"errors,omitempty"` // problems that stopped a file or sheet
	Notices      []string       `json:"notices,omitempty"`
	Verdict      Verdict        `json:"verdict"`

	maxExamples int
	rules       map[string]*RuleCount
}

func newReport(file, format string, maxExamples int) *Report {
	return &Report{File: file, Format: format, Sheets: []*SheetReport{}, Rules: []RuleCount{}, maxExamples: maxExamples, rules: map[string]*RuleCount{}}
}

// count records one failure of a rule.
func (r *Report) count(is Issue) {
	rc := r.rules[is.Rule]
	if rc == nil {
		rc = &RuleCount{Rule: is.Rule, Examples: []Issue{}}
		r.rules[is.Rule] = rc
	}
	rc.Count++
	if len(rc.Examples) < r.maxExamples {
		rc.Examples = append(rc.Examples, is)
	}
}

// fatal records a problem that stopped a file or sheet.
func (r *Report) fatal(is Issue) {
	r.Errors = append(r.Errors, is)
}

// finish totals the sheets and decides the verdict.
func (r *Report) finish(th Thresholds) {
	r.RowsRead, r.RowsAccepted, r.RowsRejected, r.RowsSkipped = 0, 0, 0, 0
	for _, s := range r.Sheets {
		r.RowsRead += s.RowsRead
		r.RowsAccepted += s.RowsAccepted
		r.RowsRejected += s.RowsRejected
		r.RowsSkipped += s.RowsSkipped
	}
	r.Rules = r.Rules[:0]
	for _, rc := range r.rules {
		r.Rules = append(r.Rules, *rc)
	}
	sort.Slice(r.Rules, func(i, j int) bool {
		if r.Rules[i].Count != r.Rules[j].Count {
			return r.Rules[i].Count > r.Rules[j].Count
		}
		return r.Rules[i].Rule < r.Rules[j].Rule
	})
	share := th.MaxRejectedShare
	if share == 0 {
		share = DefaultMaxRejectedShare
	}
	if share < 0 {
		share = 0
	}
	v := Verdict{Pass: true}
	if len(r.Errors) > 0 {
		v.Pass = false
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d file or sheet errors (see errors)", len(r.Errors)))
	}
	if r.RowsRead > 0 && float64(r.RowsRejected) > share*float64(r.RowsRead) {
		v.Pass = false
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d of %d rows rejected (%.2f%%), more than the %.2f%% allowed",
			r.RowsRejected, r.RowsRead, 100*float64(r.RowsRejected)/float64(r.RowsRead), 100*share))
	}
	if th.MaxRejectedRows > 0 && r.RowsRejected > th.MaxRejectedRows {
		v.Pass = false
		v.Reasons = append(v.Reasons, fmt.Sprintf("%d rows rejected, more than the %d allowed", r.RowsRejected, th.MaxRejectedRows))
	}
	if r.RowsAccepted == 0 && len(r.Errors) == 0 {
		v.Pass = false
		v.Reasons = append(v.Reasons, "no rows accepted")
	}
	r.Verdict = v
}
