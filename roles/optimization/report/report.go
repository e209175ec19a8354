// Package report writes the results workbook of a network optimization with
// tealeg/xlsx/v3: sheets Summary (with the optimality certificate), Facilities,
// Assignments, Yearly costs, Sweep, Capacity, Inventory and Inputs and settings. Numbers
// are stored as numbers with money and percent formats; text that a spreadsheet could
// read as a formula (beginning with = + - @) is neutralized with a leading apostrophe.
package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tealeg/xlsx/v3"

	"networx/roles/capacity"
	"networx/roles/optimization"
	"networx/roles/optimization/canon"
)

// Number formats of the workbook.
const (
	FormatMoney   = `"$"#,##0.00`
	FormatPercent = `0.00%`
	FormatUnits   = `#,##0`
	FormatMiles   = `#,##0.0`
	FormatRatio   = `0.0000`
)

// Book is what the workbook shows.
type Book struct {
	Result *optimization.Result
	// Sweep is the node sweep, nil when none ran.
	Sweep *optimization.SweepResult
	// Capacity is the capacity and inventory plan, nil when none was made.
	Capacity *capacity.Result
	// CapacityNote says why the Capacity and Inventory sheets are empty (Capacity nil).
	CapacityNote string
	// Input is the input that was read (for the Inputs and settings sheet).
	Input *canon.Input
}

// Neutralize returns s with a leading apostrophe when a spreadsheet would read it as a
// formula (it begins with = + - @, or with a tab or carriage return before one).
func Neutralize(s string) string {
	t := strings.TrimLeft(s, "\t\r ")
	if t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return "'" + s
	}
	if s != t && s != "" && strings.ContainsRune("\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type sheet struct{ sh *xlsx.Sheet }

func (s sheet) row(cells ...any) {
	r := s.sh.AddRow()
	for _, v := range cells {
		c := r.AddCell()
		switch v := v.(type) {
		case string:
			c.SetString(Neutralize(v))
		case int:
			c.SetInt(v)
		case float64:
			setNum(c, v, "")
		case optimization.Num:
			setNum(c, float64(v), "")
		case formatted:
			setNum(c, v.v, v.format)
		case nil:
		default:
			c.SetString(Neutralize(fmt.Sprint(v)))
		}
	}
}

// formatted is a number with a display format.
type formatted struct {
	v      float64
	format string
}

func money(v float64) formatted           { return formatted{v, FormatMoney} }
func pct(v float64) formatted             { return formatted{v, FormatPercent} }
func unitsF(v float64) formatted          { return formatted{v, FormatUnits} }
func miles(v float64) formatted           { return formatted{v, FormatMiles} }
func moneyN(v optimization.Num) formatted { return money(float64(v)) }
func pctN(v optimization.Num) formatted   { return pct(float64(v)) }
func milesN(v optimization.Num) formatted { return miles(float64(v)) }

func setNum(c *xlsx.Cell, v float64, format string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return // left empty: no value
	}
	if format == "" {
		c.SetFloat(v)
		return
	}
	c.SetFloatWithFormat(v, format)
}

// WriteFile writes the workbook to path.
func WriteFile(path string, b Book) error {
	f, err := build(b)
	if err != nil {
		return err
	}
	if err := f.Save(path); err != nil {
		return fmt.Errorf("write results workbook %s: %w", path, err)
	}
	return nil
}

func build(b Book) (*xlsx.File, error) {
	f := xlsx.NewFile()
	add := func(name string) (sheet, error) {
		sh, err := f.AddSheet(name)
		if err != nil {
			return sheet{}, fmt.Errorf("results workbook sheet %s: %w", name, err)
		}
		return sheet{sh}, nil
	}
	r := b.Result
	s, err := add("Summary")
	if err != nil {
		return nil, err
	}
	s.row("networx results", r.Version)
	s.row("Status", r.Status)
	s.row("Objective", moneyN(r.Objective))
	s.row("Bound", moneyN(r.Bound))
	s.row("Gap", pctN(r.Gap))
	for _, reason := range r.Reasons {
		s.row("Infeasible because", reason)
	}
	s.row("Model", string(r.Mode))
	s.row("Years", joinInts(r.Years))
	s.row("Open facilities", strings.Join(r.OpenFacilities, ", "))
	s.row("Total cost", money(r.KPIs.TotalCost))
	s.row("Fixed cost", money(r.KPIs.FixedCost))
	s.row("Transport cost", money(r.KPIs.TransportCost))
	s.row("Opening cost", money(r.KPIs.OpeningCost))
	s.row("Closing cost", money(r.KPIs.ClosingCost))
	s.row("Units", unitsF(r.KPIs.Units))
	s.row("Cost per unit", moneyN(r.KPIs.CostPerUnit))
	s.row("Average distance (mi)", milesN(r.KPIs.AvgDistance))
	s.row("Share within service radius", pctN(r.KPIs.ServiceShare))
	if mb := r.Baseline.Modeled; mb != nil {
		s.row("Modeled baseline total", money(mb.TotalCost))
		s.row("Savings vs modeled baseline", moneyN(r.Savings.VsModeled), pctN(r.Savings.VsModeledPct))
		for _, u := range mb.Unmet {
			s.row("Baseline does not meet", u)
		}
	} else {
		s.row("Modeled baseline", "not available: "+r.Baseline.ModeledNote)
	}
	if ib := r.Baseline.Invoiced; ib != nil {
		s.row("Invoiced freight (history)", money(ib.TotalCost))
		s.row("First-year transport savings vs invoiced", moneyN(r.Savings.VsInvoiced), pctN(r.Savings.VsInvoicedPct))
	}
	if cg := r.CentreOfGravity; cg != nil {
		s.row("Centre of gravity (lat, lon)", cg.Lat, cg.Lon)
	}
	s.row("Solver", r.Solver.Version)
	s.row("Nodes", int(r.Solver.Nodes))
	s.row("Solve seconds", r.Solver.Seconds)
	s.row("Input hash", r.InputHash)

	fs, err := add("Facilities")
	if err != nil {
		return nil, err
	}
	fs.row("Facility", "Kind", "Open years", "Destinations served", "Units", "Utilization", "Average distance (mi)",
		"Fixed cost", "Transport cost", "Opening cost", "Closing cost", "Total cost")
	for _, m := range r.Facilities {
		fs.row(m.Name, string(m.Kind), joinInts(m.OpenYears), m.DestinationsServed, unitsF(m.Units), pctN(m.Utilization),
			milesN(m.AvgDistance), money(m.FixedCost), money(m.TransportCost), money(m.OpeningCost), money(m.ClosingCost), money(m.TotalCost))
	}
	as, err := add("Assignments")
	if err != nil {
		return nil, err
	}
	as.row("Year", "Destination", "Facility", "Share", "Units", "Distance (mi)", "Cost per unit", "Cost", "Rate source")
	for _, a := range r.Assignments {
		as.row(a.Year, a.Destination, a.Facility, pct(a.Share), unitsF(a.Units), milesN(a.Distance), money(a.CostPerUnit), money(a.Cost), string(a.RateSource))
	}
	ys, err := add("Yearly costs")
	if err != nil {
		return nil, err
	}
	ys.row("Year", "Open", "Units", "Fixed cost", "Transport cost", "Opening cost", "Closing cost", "Total cost", "Cost per unit",
		"Average distance (mi)", "Service share", "Modeled baseline total")
	for t, y := range r.YearlyCosts {
		base := formatted{math.NaN(), ""}
		if mb := r.Baseline.Modeled; mb != nil && t < len(mb.YearlyCosts) {
			base = money(mb.YearlyCosts[t].TotalCost)
		}
		ys.row(y.Year, y.Open, unitsF(y.Units), money(y.FixedCost), money(y.TransportCost), money(y.OpeningCost), money(y.ClosingCost),
			money(y.TotalCost), moneyN(y.CostPerUnit), milesN(y.AvgDistance), pctN(y.ServiceShare), base)
	}
	sw, err := add("Sweep")
	if err != nil {
		return nil, err
	}
	if b.Sweep == nil {
		sw.row("No node sweep was run (networx optimize --sweep MIN-MAX runs one).")
	} else {
		sw.row("Open facilities", "Status", "Total cost", "Bound", "Gap", "Best")
		for _, p := range b.Sweep.Points {
			best := ""
			if p.Open == b.Sweep.Best {
				best = "best"
			}
			sw.row(p.Open, p.Status, moneyN(p.Objective), moneyN(p.Bound), pctN(p.Gap), best)
		}
	}
	cs, err := add("Capacity")
	if err != nil {
		return nil, err
	}
	invs, err := add("Inventory")
	if err != nil {
		return nil, err
	}
	if b.Capacity != nil {
		capacitySheets(cs, invs, b.Capacity)
	} else {
		cs.row("Not computed: " + b.CapacityNote)
		invs.row("Not computed: " + b.CapacityNote)
	}
	is, err := add("Inputs and settings")
	if err != nil {
		return nil, err
	}
	is.row("Item", "Value")
	if b.Input != nil {
		n := b.Input.Network
		is.row("Input", b.Input.Path)
		is.row("Facilities", len(n.Facilities))
		is.row("Destinations", len(n.Destinations))
		is.row("Demand rows", len(n.Demand))
		is.row("Lanes", len(n.Lanes))
		is.row("Shipments", len(n.Shipments))
		is.row("SKUs", len(b.Input.SKUs))
		is.row("Forecast years", len(n.Forecast))
		st := n.Settings
		is.row("base_year", st.BaseYear)
		is.row("circuity (0 = default 1.17)", st.Circuity)
		is.row("lease_years (0 = default 7)", st.LeaseYears)
		is.row("min_open", st.MinOpen)
		is.row("max_open", st.MaxOpen)
		is.row("service_radius_miles", st.ServiceRadius)
		is.row("service_share", pct(st.ServiceShare))
		is.row("single_source", fmt.Sprint(st.SingleSource))
		is.row("cost_per_unit_mile", money(st.CostPerUnitMile))
		is.row("fixed_cost_per_unit", money(st.FixedCostPerUnit))
		keys := make([]string, 0, len(b.Input.Settings))
		for k := range b.Input.Settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			is.row(k, b.Input.Settings[k].Value)
		}
	}
	is.row("Rates from lanes", r.Rates.Lanes)
	is.row("Rates fitted from history", r.Rates.Fitted)
	is.row("Rates per unit-mile", r.Rates.PerMile)
	if fit := r.Rates.Fit; fit != nil {
		is.row("Rate fit R^2", fit.R2)
		is.row("Rate fit held-out MAE ($/unit)", money(fit.MAE))
	}
	is.row("Solver time limit (s)", r.Solver.TimeLimitSec)
	is.row("Solver relative gap", r.Solver.RelGap)
	is.row("Solver absolute gap", r.Solver.AbsGap)
	is.row("Solver node limit", int(r.Solver.NodeLimit))
	is.row("Solver threads", r.Solver.Threads)
	is.row("Solver seed", int(r.Solver.Seed))
	is.row("Input hash", r.InputHash)
	return f, nil
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for k, x := range v {
		parts[k] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
