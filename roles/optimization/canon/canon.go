package canon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"networx/roles/files"
	"networx/roles/files/geo"
	"networx/roles/optimization"
)

// SKU is one item of skus.csv.
type SKU struct {
	SKU            string
	AnnualUnits    float64
	UnitsPerCase   float64
	CasesPerPallet float64
	Cube           float64
	UnitCost       float64
	Source         string
}

// SpaceOption is one row of space_options.csv: an expansion tier of an existing facility
// (Facility set) or a new facility (Facility empty) that capacity planning may take.
// EarliestYear 0 means the first planning year; Tier 0 means 1.
type SpaceOption struct {
	Option          string
	Facility        string
	Sqft            float64
	OneOffCost      float64
	CostPerSqftYear float64
	LeaseYears      int
	EarliestYear    int
	Tier            int
	Source          string
}

// Input is everything a run reads.
type Input struct {
	Network optimization.Network
	SKUs    []SKU
	// SizeSqft is the size_sqft of the facilities rows that give one, by facility name.
	SizeSqft map[string]float64
	// SpaceOptions are the rows of the space_options dataset (capacity planning).
	SpaceOptions []SpaceOption
	// Settings holds the settings rows not used by the network model (capacity and
	// inventory parameters), by key, with their sources.
	Settings map[string]Setting
	// Path is what was read.
	Path string
	// Ingestion is the report of the ingestion role on the seven datasets it reads: the
	// mapping of every sheet's columns, rows read and accepted, and notices.
	Ingestion *files.Report
	// Notices are what a user should know about an input that loaded: sheets skipped
	// (notes, the settings sheets read by this package), totals rows left out, formulas
	// read as their cached values.
	Notices []string
}

// Setting is one key/value row of the settings dataset.
type Setting struct {
	Value  string
	Source string
}

// ErrInput is wrapped by every error about the input files.
var ErrInput = errors.New("input")

// maxErrors caps the problems reported from one load.
const maxErrors = 50

// LoadOptions adjust LoadWith. The zero value is Load.
type LoadOptions struct {
	// Mapping is the user's header mapping (the file of `networx check --mapping`): kind,
	// header row and columns per sheet; it overrides detection for the sheets it names.
	Mapping *files.UserMapping
	// DateOrder reads slash dates such as 03/04/2024; "" is month first (files.MDY).
	DateOrder files.DateOrder
	// Geo resolves ZIPs and cities; nil loads the table embedded in the binary (about
	// 20 ms). Callers that load often share one.
	Geo *geo.Table
	// Progress, if not nil, is called with the rows read so far by ingestion.
	Progress func(rowsRead int64)
}

// Load reads a folder of canonical CSV files or an .xlsx workbook.
func Load(ctx context.Context, path string) (*Input, error) {
	return LoadWith(ctx, path, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(ctx context.Context, path string, opts LoadOptions) (*Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	var src source
	if st.IsDir() {
		src = &folder{dir: path}
	} else {
		if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return nil, fmt.Errorf("%w: %s is neither a folder of canonical CSV files nor an .xlsx workbook", ErrInput, path)
		}
		wb, err := openWorkbook(ctx, path)
		if err != nil {
			return nil, err
		}
		defer wb.close()
		src = wb
	}
	l := &loader{ctx: ctx, src: src, in: &Input{Path: path, Settings: map[string]Setting{}, SizeSqft: map[string]float64{}}}
	settings := l.settings()
	l.networkSettings(settings)
	if err := l.ingest(path, !st.IsDir(), opts); err != nil {
		return nil, err
	}
	l.spaceOptions()
	for k, v := range settings {
		if _, used := networkKeys[k]; !used {
			l.in.Settings[k] = v
		}
	}
	if err := l.err(path); err != nil {
		return nil, err
	}
	return l.in, nil
}

// SkipSheet tells the ingestion role which sheets of a workbook this package reads itself
// (Settings, Space options): it fits files.Options.SkipSheet, so that `networx check`
// can report a model workbook as `networx optimize` reads it.
func SkipSheet(name string) string {
	if ds := datasetOfSheet(name); ds != "" {
		return fmt.Sprintf("the %s dataset of the network models, read by `networx optimize` with its own column names (docs/models.md)", ds)
	}
	return ""
}

// exactDatasets are the datasets read by the exact-header reader, not by ingestion.
var exactDatasets = []string{"settings", "space_options"}

// datasetOfSheet returns the exact-header dataset a sheet holds ("Space options" is
// space_options), or "".
func datasetOfSheet(name string) string {
	n := strings.ReplaceAll(strings.TrimSpace(name), " ", "_")
	for _, ds := range exactDatasets {
		if strings.EqualFold(n, ds) {
			return ds
		}
	}
	return ""
}

// loader reads the datasets of one input; problems collects what is wrong with it.
type loader struct {
	ctx      context.Context
	src      source
	in       *Input
	problems []string
	// more counts problems not kept in problems (beyond maxErrors).
	more int
}

// fail records one problem.
func (l *loader) fail(format string, args ...any) {
	if len(l.problems) >= maxErrors {
		l.more++
		return
	}
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// err is the error of the problems found, with what to do, or nil.
func (l *loader) err(path string) error {
	if len(l.problems) == 0 {
		return nil
	}
	errs := make([]error, 0, len(l.problems)+2)
	for _, p := range l.problems {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInput, p))
	}
	if l.more > 0 {
		errs = append(errs, fmt.Errorf("%w: %d more problems not shown", ErrInput, l.more))
	}
	errs = append(errs, fmt.Errorf("%w: the models run only on complete, valid input and nothing is imputed: correct or remove the rows above and run again; `networx check %s` shows the full report with the column mapping of every sheet", ErrInput, path))
	return errors.Join(errs...)
}
