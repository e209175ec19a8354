package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"networx/roles/files"
	"networx/roles/files/geo"
	"networx/roles/optimization/canon"
)

// errCheckFailed is returned when the report's verdict fails, so the exit
// code tells scripts the file is not fit to load.
var errCheckFailed = errors.New("check failed: the file does not meet the thresholds (see the report)")

// newCheckCmd is `networx check PATH`: the ingestion pipeline (reader,
// header mapping, validation) run locally without any service.
func newCheckCmd() *cobra.Command {
	var (
		kind, mappingFile, dateOrder string
		asJSON, about                bool
		maxRejectedShare             float64
		maxExamples                  int
	)
	cmd := &cobra.Command{
		Use:   "check PATH",
		Short: "Read, map and validate a workbook, CSV file or canonical CSV folder, and print the report",
		Long: `check runs the file-ingestion pipeline locally, with no database or queue: it streams
the workbook or CSV file, finds each sheet's header row, maps the columns to the canonical
fields of a dataset (facilities, destinations, demand, shipments, skus, forecast, lanes),
validates every row, and prints rows read, accepted and rejected, the mapping of each sheet
with confidence and alternatives, counts and examples per rule, and a verdict.

PATH may be an .xlsx file, a .csv/.tsv file, or a folder of canonical CSV files
(facilities.csv, destinations.csv, ...) that are read without any mapping step.
The exit code is non-zero when the verdict fails. See docs/ingestion.md.`,
		Example: `  networx check freight-2024.xlsx
  networx check shipments.csv --kind shipments --json
  networx check client.xlsx --mapping mapping.json
  networx check --about`,
		Args: func(cmd *cobra.Command, args []string) error {
			if about {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if about {
				fmt.Fprintln(out, "networx ships offline geodata for resolving ZIP codes and cities:")
				fmt.Fprintln(out)
				fmt.Fprintln(out, geo.Attribution)
				fmt.Fprintln(out)
				fmt.Fprintln(out, "The full notices are in the NOTICE file.")
				return nil
			}
			opts := files.Options{
				DateOrder:   files.DateOrder(strings.ToUpper(dateOrder)),
				MaxExamples: maxExamples,
				Thresholds:  files.Thresholds{MaxRejectedShare: maxRejectedShare},
				// A model workbook's Settings and Space options sheets are not datasets of
				// this pipeline; networx optimize reads them with its own reader.
				SkipSheet: canon.SkipSheet,
			}
			if kind != "" {
				k, err := files.ParseKind(kind)
				if err != nil {
					return err
				}
				opts.Kind = k
			}
			if mappingFile != "" {
				m, err := files.ReadUserMapping(mappingFile)
				if err != nil {
					return err
				}
				opts.Mapping = m
			}
			rep, err := files.IngestPath(cmd.Context(), args[0], opts, nil)
			if err != nil {
				return fmt.Errorf("check %s: %w", args[0], err)
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printReport(out, rep)
			}
			if !rep.Verdict.Pass {
				return errCheckFailed
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "dataset kind of every sheet: facilities, destinations, demand, shipments, skus, forecast or lanes (default: detected per sheet)")
	f.StringVar(&mappingFile, "mapping", "", "JSON mapping file: kind, header row and column -> field per sheet; overrides detection (see docs/ingestion.md)")
	f.BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	f.BoolVar(&about, "about", false, "print the attribution of the embedded geodata and exit")
	f.StringVar(&dateOrder, "date-order", "MDY", "how slash dates such as 03/04/2024 read: MDY (US) or DMY")
	f.Float64Var(&maxRejectedShare, "max-rejected-share", files.DefaultMaxRejectedShare, "largest share of rejected rows (0..1) for a passing verdict; negative allows none")
	f.IntVar(&maxExamples, "examples", files.DefaultMaxExamples, "examples shown per rule")
	return cmd
}

// printReport writes the report for a reader.
func printReport(w io.Writer, r *files.Report) {
	fmt.Fprintf(w, "%s (%s", r.File, r.Format)
	if r.Encoding != "" {
		fmt.Fprintf(w, ", %s, delimiter %q", r.Encoding, r.Delimiter)
	}
	fmt.Fprintf(w, ")\nrows read %d, accepted %d, rejected %d, skipped %d\n", r.RowsRead, r.RowsAccepted, r.RowsRejected, r.RowsSkipped)
	for _, s := range r.Sheets {
		fmt.Fprintf(w, "\n== sheet %q", s.Name)
		if s.Hidden {
			fmt.Fprint(w, " (hidden)")
		}
		fmt.Fprintln(w)
		if s.Skipped != "" {
			fmt.Fprintf(w, "   skipped: %s\n", s.Skipped)
			continue
		}
		if s.Kind != "" {
			fmt.Fprintf(w, "   kind %s (%s, confidence %.2f", s.Kind, s.KindSource, s.KindConfidence)
			for _, a := range s.KindAlternatives {
				fmt.Fprintf(w, "; else %s %.2f", a.Field, a.Confidence)
			}
			fmt.Fprintln(w, ")")
		}
		if s.HeaderRow > 0 {
			fmt.Fprintf(w, "   header row %d", s.HeaderRow)
			if len(s.TitleRows) > 0 {
				fmt.Fprintf(w, " (rows above skipped as titles: %v)", s.TitleRows)
			}
			fmt.Fprintln(w)
		}
		if len(s.Mapping) > 0 {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "   column\theader\tfield\tconfidence\tsource\tevidence / note\talternatives")
			for _, m := range s.Mapping {
				var alts []string
				for _, a := range m.Alternatives {
					alts = append(alts, fmt.Sprintf("%s %.2f", a.Field, a.Confidence))
				}
				field := m.Field
				if field == "" {
					field = "-"
				}
				note := m.Evidence
				if m.Note != "" {
					note = m.Note
				}
				fmt.Fprintf(tw, "   %s\t%s\t%s\t%.2f\t%s\t%s\t%s\n", m.Column, m.Header, field, m.Confidence, m.Source, note, strings.Join(alts, ", "))
			}
			tw.Flush()
		}
		fmt.Fprintf(w, "   rows read %d, accepted %d, rejected %d, skipped %d\n", s.RowsRead, s.RowsAccepted, s.RowsRejected, s.RowsSkipped)
		if s.NumbersAsText > 0 {
			fmt.Fprintf(w, "   %d numbers were stored as text (read as numbers)\n", s.NumbersAsText)
		}
		if s.SerialDates > 0 {
			fmt.Fprintf(w, "   %d dates were plain numbers (read as Excel date serials)\n", s.SerialDates)
		}
	}
	if len(r.Rules) > 0 {
		fmt.Fprintln(w, "\n== rules")
		for _, rc := range r.Rules {
			fmt.Fprintf(w, "%s: %d\n", rc.Rule, rc.Count)
			for _, is := range rc.Examples {
				v := ""
				if is.Value != "" {
					v = fmt.Sprintf(" [%s]", is.Value)
				}
				fmt.Fprintf(w, "   sheet %q row %d column %s%s: %s\n", is.Sheet, is.Row, is.Column, v, is.Message)
			}
		}
	}
	if len(r.Notices) > 0 {
		fmt.Fprintln(w, "\n== notices")
		for _, n := range r.Notices {
			fmt.Fprintln(w, "- "+n)
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\n== errors")
		for _, e := range r.Errors {
			fmt.Fprintln(w, "- "+e.String())
		}
	}
	verdict := "PASS"
	if !r.Verdict.Pass {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\nverdict: %s\n", verdict)
	for _, reason := range r.Verdict.Reasons {
		fmt.Fprintln(w, "- "+reason)
	}
}
