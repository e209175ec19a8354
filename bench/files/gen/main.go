// Command gen writes the file ingestion benchmark's inputs (bench/files.sh): a
// shipments workbook of -rows rows x 12 columns (ship date, origin city/state/ZIP,
// destination city/state/ZIP, carrier, mode, weight, cost, units), split over as many
// sheets as Excel's 1,048,576-row limit needs, plus a small facilities sheet, in two
// layouts: text as inline strings, as streaming writers produce (shipments_inline.xlsx),
// and text in a shared-strings table, as Excel saves (shipments_sst.xlsx); and the
// same rows as CSV (shipments.csv, plus facilities.csv). The SpreadsheetML is written
// directly with archive/zip, for speed. Output depends only on -seed and -rows.
//
// Places are real: ZIPs drawn from the embedded geo table with their postal city and
// state, so that every row resolves and validates.
package main

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"networx/roles/files/geo"
)

// excelMaxRows is the row limit of a worksheet; the header takes one.
const excelMaxRows = 1048576

// Pool sizes: a shipper ships from a few dozen warehouses to thousands of ZIPs.
const (
	origins      = 40
	destinations = 3000
)

var (
	carriers = []string{"UPS", "FedEx", "XPO Logistics", "Old Dominion", "J.B. Hunt", "Estes", "Saia", "R+L Carriers", "Schneider", "Werner"}
	modes    = []string{"Parcel", "LTL", "TL", "Intermodal"}
	header   = []string{"Ship Date", "Origin City", "Origin State", "Origin Zip", "Destination City", "Destination State",
		"Destination Zip", "Carrier", "Mode", "Weight (lbs)", "Freight Cost", "Units"}
	facilityHeader = []string{"Facility", "City", "State", "Zip", "Capacity", "Fixed Cost"}
)

type place struct{ city, state, zip string }

type shipment struct {
	day         int // Excel serial date
	orig, dest  *place
	carrier     string
	mode        string
	weight      int
	cost, units float64
}

func main() {
	rows := flag.Int("rows", 2500000, "shipment rows")
	seed := flag.Uint64("seed", 1, "random seed")
	dir := flag.String("dir", ".", "output folder")
	flag.Parse()
	if err := run(*dir, *rows, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string, rows int, seed uint64) error {
	g, err := geo.Load()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5DEECE66D))
	pick := func(n int) []place {
		seen := map[int]bool{}
		var out []place
		for len(out) < n {
			z := 1000 + r.IntN(99000)
			p, ok := g.ZIP5(z)
			if !ok || seen[z] || p.City == "" {
				continue
			}
			seen[z] = true
			out = append(out, place{city: p.City, state: p.State, zip: fmt.Sprintf("%05d", z)})
		}
		return out
	}
	orig, dest := pick(origins), pick(destinations)
	gen := func(i int, s *shipment) {
		// One generator per output, reseeded, so every file holds the same rows.
		if i == 0 {
			r = rand.New(rand.NewPCG(seed+1, seed))
		}
		s.day = 45292 + r.IntN(366) // 2024
		s.orig, s.dest = &orig[r.IntN(len(orig))], &dest[r.IntN(len(dest))]
		s.carrier, s.mode = carriers[r.IntN(len(carriers))], modes[r.IntN(len(modes))]
		s.weight = 1 + r.IntN(40000)
		s.cost = float64(500+r.IntN(500000)) / 100
		s.units = float64(1 + r.IntN(400))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sst := range []bool{false, true} {
		name := "shipments_inline.xlsx"
		if sst {
			name = "shipments_sst.xlsx"
		}
		if err := writeXLSX(filepath.Join(dir, name), rows, sst, orig, dest, gen); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return writeCSV(dir, rows, orig, gen)
}

// strs is the shared-strings table: every string a cell can hold, indexed.
type strs struct {
	list  []string
	index map[string]int
	refs  int
}

func (s *strs) add(v string) {
	if _, ok := s.index[v]; !ok {
		s.index[v] = len(s.list)
		s.list = append(s.list, v)
	}
}

// sheetWriter writes the cells of one worksheet.
type sheetWriter struct {
	w   *bufio.Writer
	sst *strs // nil: inline strings
	row int
	buf []byte
}

func colName(i int) string { return string(rune('A' + i)) }

func (sw *sheetWriter) start() {
	sw.w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
}

func (sw *sheetWriter) end() {
	sw.w.WriteString(`</sheetData></worksheet>`)
}

func (sw *sheetWriter) beginRow() {
	sw.row++
	sw.buf = append(sw.buf[:0], `<row r="`...)
	sw.buf = strconv.AppendInt(sw.buf, int64(sw.row), 10)
	sw.buf = append(sw.buf, `">`...)
}

func (sw *sheetWriter) ref(col int) {
	sw.buf = append(sw.buf, `<c r="`...)
	sw.buf = append(sw.buf, colName(col)...)
	sw.buf = strconv.AppendInt(sw.buf, int64(sw.row), 10)
	sw.buf = append(sw.buf, '"')
}

func (sw *sheetWriter) text(col int, v string) {
	sw.ref(col)
	if sw.sst != nil {
		sw.sst.refs++
		sw.buf = append(sw.buf, ` t="s"><v>`...)
		sw.buf = strconv.AppendInt(sw.buf, int64(sw.sst.index[v]), 10)
		sw.buf = append(sw.buf, `</v></c>`...)
		return
	}
	sw.buf = append(sw.buf, ` t="inlineStr"><is><t>`...)
	sw.buf = appendEscaped(sw.buf, v)
	sw.buf = append(sw.buf, `</t></is></c>`...)
}

func (sw *sheetWriter) num(col int, v float64, style int) {
	sw.ref(col)
	if style > 0 {
		sw.buf = append(sw.buf, ` s="`...)
		sw.buf = strconv.AppendInt(sw.buf, int64(style), 10)
		sw.buf = append(sw.buf, '"')
	}
	sw.buf = append(sw.buf, `><v>`...)
	sw.buf = strconv.AppendFloat(sw.buf, v, 'f', -1, 64)
	sw.buf = append(sw.buf, `</v></c>`...)
}

func (sw *sheetWriter) endRow() {
	sw.buf = append(sw.buf, `</row>`...)
	sw.w.Write(sw.buf)
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func writeXLSX(path string, rows int, useSST bool, orig, dest []place, gen func(int, *shipment)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	// Level 1: generation is not measured, and reading costs about the same.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	var sst *strs
	if useSST {
		sst = &strs{index: map[string]int{}}
		for _, h := range append(header, facilityHeader...) {
			sst.add(h)
		}
		for _, ps := range [][]place{orig, dest} {
			for _, p := range ps {
				sst.add(p.city)
				sst.add(p.state)
				sst.add(p.zip)
			}
		}
		for i := range orig {
			sst.add(fmt.Sprintf("DC %02d", i+1))
		}
		for _, v := range append(carriers, modes...) {
			sst.add(v)
		}
	}
	perSheet := excelMaxRows - 1
	nSheets := max(1, (rows+perSheet-1)/perSheet)
	var s shipment
	done := 0
	for si := range nSheets {
		w, err := zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", si+1))
		if err != nil {
			return err
		}
		sw := &sheetWriter{w: bufio.NewWriterSize(w, 1<<16), sst: sst}
		sw.start()
		sw.beginRow()
		for c, h := range header {
			sw.text(c, h)
		}
		sw.endRow()
		for n := 0; n < perSheet && done < rows; n++ {
			gen(done, &s)
			done++
			sw.beginRow()
			sw.num(0, float64(s.day), 1)
			sw.text(1, s.orig.city)
			sw.text(2, s.orig.state)
			sw.text(3, s.orig.zip)
			sw.text(4, s.dest.city)
			sw.text(5, s.dest.state)
			sw.text(6, s.dest.zip)
			sw.text(7, s.carrier)
			sw.text(8, s.mode)
			sw.num(9, float64(s.weight), 0)
			sw.num(10, s.cost, 2)
			sw.num(11, s.units, 0)
			sw.endRow()
		}
		sw.end()
		if err := sw.w.Flush(); err != nil {
			return err
		}
	}
	// The facilities sheet.
	w, err := zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", nSheets+1))
	if err != nil {
		return err
	}
	sw := &sheetWriter{w: bufio.NewWriterSize(w, 1<<16), sst: sst}
	sw.start()
	sw.beginRow()
	for c, h := range facilityHeader {
		sw.text(c, h)
	}
	sw.endRow()
	for i, p := range orig {
		sw.beginRow()
		sw.text(0, fmt.Sprintf("DC %02d", i+1))
		sw.text(1, p.city)
		sw.text(2, p.state)
		sw.text(3, p.zip)
		sw.num(4, float64(100000*(1+i%5)), 0)
		sw.num(5, float64(250000+10000*i), 2)
		sw.endRow()
	}
	sw.end()
	if err := sw.w.Flush(); err != nil {
		return err
	}

	names := make([]string, 0, nSheets+1)
	for i := range nSheets {
		names = append(names, fmt.Sprintf("Shipments %d", i+1))
	}
	names = append(names, "Facilities")
	if sst != nil {
		w, err := zw.Create("xl/sharedStrings.xml")
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
			`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, sst.refs, len(sst.list))
		for _, v := range sst.list {
			bw.WriteString("<si><t>")
			bw.Write(appendEscaped(nil, v))
			bw.WriteString("</t></si>")
		}
		bw.WriteString("</sst>")
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	parts := map[string]string{
		"[Content_Types].xml": contentTypes(nSheets+1, sst != nil),
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            workbookXML(names),
		"xl/_rels/workbook.xml.rels": workbookRels(len(names), sst != nil),
		"xl/styles.xml":              stylesXML,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, parts[name]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// stylesXML: style 1 is a date (built-in format 14), style 2 money.
const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;$&quot;#,##0.00"/></numFmts>` +
	`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="1"><fill><patternFill patternType="none"/></fill></fills>` +
	`<borders count="1"><border/></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
	`</styleSheet>`

func contentTypes(sheets int, sst bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	if sst {
		b.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
	}
	for i := 1; i <= sheets; i++ {
		fmt.Fprintf(&b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i)
	}
	b.WriteString(`</Types>`)
	return b.String()
}

func workbookXML(names []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	for i, n := range names {
		fmt.Fprintf(&b, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, n, i+1, i+1)
	}
	b.WriteString(`</sheets></workbook>`)
	return b.String()
}

func workbookRels(sheets int, sst bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i := 1; i <= sheets; i++ {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, sheets+1)
	if sst {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, sheets+2)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

// writeCSV writes the same shipments as shipments.csv (dates as ISO text, as an
// export would) and the facilities as facilities.csv.
func writeCSV(dir string, rows int, orig []place, gen func(int, *shipment)) error {
	f, err := os.Create(filepath.Join(dir, "shipments.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	w.WriteString(strings.Join(header, ",") + "\n")
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	var s shipment
	var buf []byte
	q := func(b []byte, v string) []byte {
		if strings.ContainsAny(v, ",\"") {
			return append(b, strconv.Quote(v)...)
		}
		return append(b, v...)
	}
	for i := range rows {
		gen(i, &s)
		buf = epoch.AddDate(0, 0, s.day).AppendFormat(buf[:0], "2006-01-02")
		for _, v := range []string{s.orig.city, s.orig.state, s.orig.zip, s.dest.city, s.dest.state, s.dest.zip, s.carrier, s.mode} {
			buf = append(buf, ',')
			buf = q(buf, v)
		}
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(s.weight), 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, s.cost, 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, s.units, 'f', -1, 64)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	var fb strings.Builder
	fb.WriteString(strings.Join(facilityHeader, ",") + "\n")
	for i, p := range orig {
		fmt.Fprintf(&fb, "DC %02d,%s,%s,%s,%d,%d\n", i+1, p.city, p.state, p.zip, 100000*(1+i%5), 250000+10000*i)
	}
	return os.WriteFile(filepath.Join(dir, "facilities.csv"), []byte(fb.String()), 0o644)
}
