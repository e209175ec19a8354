// Package gen writes messy but realistic client workbooks for tests and
// benchmarks: logo and title rows above the header, merged two-row
// headers, blank columns, totals rows, mixed date formats, numbers stored
// as text, bad values of every kind, several sheets of different kinds.
// Output depends only on the seed.
package gen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// city is a real US place, so that locations resolve from the embedded
// tables.
type city struct {
	name, state, zip string
}

var cities = []city{
	{"Chicago", "IL", "60601"}, {"Dallas", "TX", "75201"}, {"Atlanta", "GA", "30303"}, {"Reno", "NV", "89501"},
	{"Newark", "NJ", "07102"}, {"Memphis", "TN", "38103"}, {"Columbus", "OH", "43215"}, {"Denver", "CO", "80202"},
	{"Littleton", "MA", "01460"}, {"Phoenix", "AZ", "85004"}, {"Seattle", "WA", "98101"}, {"Boston", "MA", "02108"},
}

var carriers = []string{"UPS", "FedEx", "XPO", "Old Dominion", "J.B. Hunt", "Estes"}
var modes = []string{"Parcel", "LTL", "TL", "ltl", "Truckload", "parcel"}

// MessyWorkbook writes a workbook with a shipments sheet ("Freight 2024")
// of rows shipments, a facilities sheet ("DCs"), a destinations sheet
// ("Customers") and a notes sheet. It returns the number of shipment rows
// written with a deliberate defect, so tests can check the rejections.
func MessyWorkbook(w io.Writer, seed uint64, rows int) (bad int, err error) {
	r := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	f := excelize.NewFile()
	defer f.Close()
	const ship = "Freight 2024"
	if err := f.SetSheetName("Sheet1", ship); err != nil {
		return 0, err
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	longDate, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd-mmm-yyyy")})
	money, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`"$"#,##0.00`)})
	set := func(sheet, cell string, v any) {
		if err == nil {
			err = f.SetCellValue(sheet, cell, v)
		}
	}
	// Logo and title rows, a blank row, a merged group header, the header.
	set(ship, "A1", "ACME LOGISTICS")
	set(ship, "A2", "Freight history, calendar 2024 (confidential)")
	set(ship, "B4", "Origin")
	set(ship, "E4", "Destination")
	f.MergeCell(ship, "B4", "D4")
	f.MergeCell(ship, "E4", "G4")
	f.MergeCell(ship, "A1", "D1")
	headers := []string{"Ship Date", "City", "State", "Zip", "City", "ST", "Zip", "Carrier", "Mode", "", "Weight (lbs)", "Freight Cost", "Units"}
	for i, h := range headers {
		if h != "" {
			cell, _ := excelize.CoordinatesToCellName(i+1, 5)
			set(ship, cell, h)
		}
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var sumCost float64
	row := 6
	for i := range rows {
		o, d := cities[r.IntN(len(cities))], cities[r.IntN(len(cities))]
		day := base.AddDate(0, 0, r.IntN(366))
		cost := float64(r.IntN(200000)) / 100
		weight := 1 + r.IntN(20000)
		units := 1 + r.IntN(500)
		cell := func(col int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
		// Mixed date formats: date cells in two styles, US text, ISO text,
		// and bare serial numbers whose date format was lost.
		switch i % 5 {
		case 0:
			set(ship, cell(1), day)
			f.SetCellStyle(ship, cell(1), cell(1), dateStyle)
		case 1:
			set(ship, cell(1), day)
			f.SetCellStyle(ship, cell(1), cell(1), longDate)
		case 2:
			set(ship, cell(1), day.Format("1/2/2006"))
		case 3:
			set(ship, cell(1), day.Format("2006-01-02"))
		case 4:
			set(ship, cell(1), int(day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours()/24))
		}
		set(ship, cell(2), o.name)
		set(ship, cell(3), o.state)
		if i%3 == 0 {
			// A ZIP stored as a number: Excel drops the leading zero.
			n, _ := strconv.Atoi(o.zip)
			set(ship, cell(4), n)
		} else {
			set(ship, cell(4), o.zip)
		}
		set(ship, cell(5), d.name)
		set(ship, cell(6), d.state)
		set(ship, cell(7), d.zip)
		set(ship, cell(8), carriers[r.IntN(len(carriers))])
		set(ship, cell(9), modes[r.IntN(len(modes))])
		set(ship, cell(11), weight)
		if i%4 == 0 {
			// A number stored as text, with currency and separators.
			set(ship, cell(12), fmt.Sprintf("$%s", commas(cost)))
		} else {
			set(ship, cell(12), cost)
			f.SetCellStyle(ship, cell(12), cell(12), money)
		}
		set(ship, cell(13), units)
		// Deliberate defects, one kind each, every 17th row.
		if i%17 == 16 {
			bad++
			switch (i / 17) % 5 {
			case 0:
				set(ship, cell(7), "ABCDE") // not a ZIP
			case 1:
				set(ship, cell(9), "Pigeon") // not a mode
			case 2:
				set(ship, cell(12), nil) // cost missing
			case 3:
				set(ship, cell(1), "sometime in May") // not a date
			case 4:
				set(ship, cell(6), "TX") // state disagrees with the ZIP
				if d.state == "TX" {
					set(ship, cell(6), "CA")
				}
			}
		} else {
			sumCost += cost
		}
		row++
	}
	// A totals row under the table.
	set(ship, fmt.Sprintf("A%d", row), "Grand Total")
	set(ship, fmt.Sprintf("L%d", row), sumCost)

	// Facilities: header on the first row, spelled the client's way.
	const dcs = "DCs"
	f.NewSheet(dcs)
	for i, h := range []string{"Facility Name", "Zip Code", "City", "ST", "Annual Capacity", "Fixed Cost ($/yr)", "Type"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(dcs, c, h)
	}
	for i, c := range cities[:6] {
		rr := i + 2
		set(dcs, fmt.Sprintf("A%d", rr), "DC "+c.name)
		set(dcs, fmt.Sprintf("B%d", rr), c.zip)
		set(dcs, fmt.Sprintf("C%d", rr), c.name)
		set(dcs, fmt.Sprintf("D%d", rr), c.state)
		set(dcs, fmt.Sprintf("E%d", rr), strings.TrimSuffix(commas(float64(500000+100000*i)), ".00")) // text with separators
		set(dcs, fmt.Sprintf("F%d", rr), 250000+50000*i)
		set(dcs, fmt.Sprintf("G%d", rr), []string{"Existing", "Candidate"}[i%2])
	}

	// Destinations by 3-digit ZIP and by city.
	const cust = "Customers"
	f.NewSheet(cust)
	set(cust, "A1", "Customer list")
	for i, h := range []string{"Customer", "Zip", "City", "State"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 3)
		set(cust, c, h)
	}
	for i, c := range cities {
		rr := i + 4
		set(cust, fmt.Sprintf("A%d", rr), "Customer "+c.name)
		if i%2 == 0 {
			set(cust, fmt.Sprintf("B%d", rr), c.zip[:3])
		}
		set(cust, fmt.Sprintf("C%d", rr), c.name)
		set(cust, fmt.Sprintf("D%d", rr), c.state)
	}

	// Notes: no table at all.
	f.NewSheet("Notes")
	set("Notes", "A1", "Data pulled from TMS on 2025-01-15 by J. Smith.")
	set("Notes", "A2", "Costs exclude fuel surcharge.")
	if err != nil {
		return 0, err
	}
	return bad, f.Write(w)
}

func commas(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var out []byte
	for i, c := range []byte(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	return string(out) + frac
}

func ptr[T any](v T) *T { return &v }
