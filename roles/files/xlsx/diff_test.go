package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// grid is a sheet as row number -> cell values, trailing empty cells trimmed
// and empty rows left out: the form both readers are compared in.
type grid map[int][]string

func trimRow(vals []string) []string {
	for len(vals) > 0 && vals[len(vals)-1] == "" {
		vals = vals[:len(vals)-1]
	}
	return vals
}

// readOurs reads every sheet with this package.
func readOurs(t testing.TB, data []byte, opts Options) (map[string]grid, *Workbook) {
	t.Helper()
	wb, err := Open(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { wb.Close() })
	out := map[string]grid{}
	for _, s := range wb.Sheets() {
		g := grid{}
		rows, err := wb.Rows(context.Background(), s)
		if err != nil {
			t.Fatalf("Rows(%s): %v", s.Name, err)
		}
		for rows.Next() {
			row := rows.Row()
			var vals []string
			for _, c := range row.Cells {
				for len(vals) < c.Col {
					vals = append(vals, "")
				}
				vals = append(vals, string(c.Value))
			}
			if vals = trimRow(vals); len(vals) > 0 {
				g[row.Num] = vals
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("sheet %s: %v", s.Name, err)
		}
		rows.Close()
		out[s.Name] = g
	}
	return out, wb
}

// readExcelize reads every sheet with excelize's row iterator, raw values.
func readExcelize(t testing.TB, data []byte) map[string]grid {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize open: %v", err)
	}
	defer f.Close()
	out := map[string]grid{}
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			// excelize lists chart sheets too; they have no rows.
			continue
		}
		g := grid{}
		for n := 1; rows.Next(); n++ {
			vals, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatalf("excelize %s row %d: %v", name, n, err)
			}
			if vals = trimRow(vals); len(vals) > 0 {
				g[n] = vals
			}
		}
		if err := rows.Error(); err != nil {
			t.Fatalf("excelize %s: %v", name, err)
		}
		rows.Close()
		out[name] = g
	}
	return out
}

func compareGrids(t *testing.T, ours, theirs map[string]grid) {
	t.Helper()
	for name, tg := range theirs {
		og, ok := ours[name]
		if !ok {
			t.Errorf("sheet %q: missing from our reader", name)
			continue
		}
		var nums []int
		for n := range tg {
			nums = append(nums, n)
		}
		for n := range og {
			if _, ok := tg[n]; !ok {
				nums = append(nums, n)
			}
		}
		slices.Sort(nums)
		bad := 0
		for _, n := range nums {
			if !slices.Equal(og[n], tg[n]) {
				if bad++; bad <= 5 {
					t.Errorf("sheet %q row %d:\n ours    %q\n excelize %q", name, n, og[n], tg[n])
				}
			}
		}
	}
	for name := range ours {
		if _, ok := theirs[name]; !ok {
			t.Errorf("sheet %q: only in our reader", name)
		}
	}
}

func saveExcelize(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatalf("excelize write: %v", err)
	}
	return buf.Bytes()
}

// randomText returns awkward text: XML specials, non-ASCII, whitespace,
// things that look like escapes.
func randomText(r *rand.Rand) string {
	parts := []string{"Chicago", "São Paulo", "A&B <Co>", `"quoted"`, "it's", " lead", "trail ", "tab\there",
		"line\nbreak", "😀", "Ünïcødé", "_x000D_ literal?", "]]>", "1,234.50", "007", "=1+1", "東京", "", "x"}
	n := 1 + r.IntN(3)
	var b strings.Builder
	for range n {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	s := b.String()
	if s == "" {
		s = "e"
	}
	return s
}

// corpus builds the differential corpus: excelize-written workbooks in
// both string layouts plus hand-written XML with the constructs other
// writers use.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}

	// Shared strings, every value type, several sheets, gaps.
	{
		f := excelize.NewFile()
		r := rand.New(rand.NewPCG(1, 2))
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		customDate, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
		money, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`"$"#,##0.00`)})
		f.SetSheetName("Sheet1", "Shipments")
		f.NewSheet("Facilities")
		f.NewSheet("Hidden")
		f.SetSheetVisible("Hidden", false)
		f.NewSheet("Empty")
		for row := 1; row <= 300; row++ {
			if row%17 == 0 {
				continue // an empty row
			}
			for col := 1; col <= 12; col++ {
				if r.IntN(7) == 0 {
					continue // a gap
				}
				cell, _ := excelize.CoordinatesToCellName(col, row)
				switch col % 6 {
				case 0:
					f.SetCellValue("Shipments", cell, randomText(r))
				case 1:
					f.SetCellValue("Shipments", cell, r.NormFloat64()*1e4)
				case 2:
					f.SetCellValue("Shipments", cell, r.IntN(100000)-500)
				case 3:
					f.SetCellValue("Shipments", cell, r.IntN(2) == 0)
				case 4:
					f.SetCellValue("Shipments", cell, time.Date(2020+r.IntN(5), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC))
					f.SetCellStyle("Shipments", cell, cell, []int{dateStyle, customDate}[r.IntN(2)])
				case 5:
					f.SetCellValue("Shipments", cell, r.Float64()*1000)
					f.SetCellStyle("Shipments", cell, cell, money)
				}
			}
		}
		f.SetCellValue("Facilities", "B3", "Name")
		f.SetCellValue("Facilities", "AA3", "far column")
		f.SetCellValue("Facilities", "B4", "DC Chicago")
		f.SetCellFormula("Facilities", "C4", "1+1") // no cached value
		f.SetCellValue("Hidden", "A1", "secret")
		out["excelize-shared"] = saveExcelize(t, f)
	}

	// Inline strings through the stream writer, 1904 dates.
	{
		f := excelize.NewFile()
		yes := true
		f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes})
		r := rand.New(rand.NewPCG(3, 4))
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
		for row := 1; row <= 500; row++ {
			vals := make([]any, 10)
			for i := range vals {
				switch r.IntN(5) {
				case 0:
					vals[i] = randomText(r)
				case 1:
					vals[i] = r.Float64() * 1e6
				case 2:
					vals[i] = excelize.Cell{StyleID: dateStyle, Value: 40000 + r.Float64()*5000}
				case 3:
					vals[i] = nil
				case 4:
					vals[i] = r.Int64N(1 << 40)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, row*2) // every other row
			if err := sw.SetRow(cell, vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		out["excelize-stream-inline"] = saveExcelize(t, f)
	}

	// Hand-written XML: prefixes, missing references, rich text with
	// phonetic runs, CDATA, entities, _xHHHH_ escapes, t="str", t="e",
	// t="d", comments, self-closing rows and cells.
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<!-- a comment with <c> inside -->
<x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>
<x:row r="2" spans="1:3"><x:c t="inlineStr"><x:is><x:t xml:space="preserve"> a &amp; b </x:t></x:is></x:c><x:c><x:v>3.25</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="3"/>
<x:row r="4"><x:c r="B4" s="1"/><x:c r="D4" t="str"><x:f>A1&amp;"x"</x:f><x:v>caf&#233; &#x263A;</x:v></x:c><x:c r="E4" t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row><x:c r="A5" t="inlineStr"><x:is><x:r><x:t>rich</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t> text</x:t></x:r><x:rPh sb="0" eb="1"><x:t>PHONETIC</x:t></x:rPh></x:is></x:c><x:c r="B5" t="s"><x:v>2</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7"><x:v><![CDATA[42]]></x:v></x:c><x:c r="B7" t="s"><x:v>3</x:v></x:c><x:c r="C7" s="1"><x:v>45000.5</x:v></x:c></x:row>
</x:sheetData>
<x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells>
</x:worksheet>`
	sst := `<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="999999999" uniqueCount="999999999">
<si><t>Header &lt;one&gt;</t></si>
<si><r><t>Rich</t></r><r><rPr><i/></rPr><t xml:space="preserve"> shared</t></r><rPh sb="0" eb="1"><t>ル</t></rPh></si>
<si><t>line_x000D_
two</t></si>
<si><t/></si>
</sst>`
	styles := `<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="[$-409]d\-mmm\-yy;@"/></numFmts>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>
</styleSheet>`
	out["handwritten"] = buildXLSX(t, map[string]string{"Odd sheet & co": sheet}, sst, styles, false)
	return out
}

func ptr[T any](v T) *T { return &v }

// buildXLSX writes a minimal package with the given sheets (in name order),
// shared strings and styles parts ("" leaves a part out).
func buildXLSX(t testing.TB, sheets map[string]string, sst, styles string, date1904 bool) []byte {
	t.Helper()
	return buildXLSXMethod(t, zip.Deflate, sheets, sst, styles, date1904)
}

// buildXLSXMethod is buildXLSX with a choice of zip method: fuzzing uses
// zip.Store, since a deflate writer costs more than the read under test.
func buildXLSXMethod(t testing.TB, method uint16, sheets map[string]string, sst, styles string, date1904 bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	names := make([]string, 0, len(sheets))
	for n := range sheets {
		names = append(names, n)
	}
	slices.Sort(names)
	var ct, wbSheets, rels strings.Builder
	ct.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	for i, n := range names {
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&wbSheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, xmlEscape(n), i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
		add(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), sheets[n])
	}
	if sst != "" {
		ct.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
		rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
		add("xl/sharedStrings.xml", sst)
	}
	if styles != "" {
		ct.WriteString(`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
		rels.WriteString(`<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
		add("xl/styles.xml", styles)
	}
	ct.WriteString(`</Types>`)
	add("[Content_Types].xml", ct.String())
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		pr+`<sheets>`+wbSheets.String()+`</sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels.String()+`</Relationships>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

func xmlEscapeTo(b *bytes.Buffer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	_, err := r.WriteString(b, s)
	return err
}

// TestDifferentialExcelize reads each corpus workbook with this package and
// with excelize's row iterator (raw values) and requires the same cells.
func TestDifferentialExcelize(t *testing.T) {
	t.Parallel()
	for name, data := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ours, _ := readOurs(t, data, Options{})
			compareGrids(t, ours, readExcelize(t, data))
		})
	}
}

// TestDifferentialSpilledSharedStrings repeats the shared-strings corpus
// with a tiny memory budget so the table spills to disk.
func TestDifferentialSpilledSharedStrings(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	r := rand.New(rand.NewPCG(9, 9))
	for row := 1; row <= 2000; row++ {
		for col := 1; col <= 4; col++ {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			// Many distinct strings, many repeats.
			f.SetCellValue("Sheet1", cell, fmt.Sprintf("%s-%d", randomText(r), r.IntN(3000)))
		}
	}
	data := saveExcelize(t, f)
	dir := t.TempDir()
	ours, wb := readOurs(t, data, Options{Limits: Limits{SharedStringsMemory: 4096}, TempDir: dir})
	if !wb.SharedStringsSpilled() {
		t.Fatalf("shared strings did not spill with a 4 KiB budget (%d strings)", wb.SharedStrings())
	}
	compareGrids(t, ours, readExcelize(t, data))
	wb.Close()
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Errorf("spill files left behind: %v", left)
	}
}

// TestCellTypesAndDates checks types and date conversion of the
// hand-written corpus entry, which excelize's raw strings cannot show.
func TestCellTypesAndDates(t *testing.T) {
	t.Parallel()
	data := corpus(t)["handwritten"]
	wb, err := Open(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.Rows(context.Background(), wb.Sheets()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type cellKey struct{ row, col int }
	got := map[cellKey]Cell{}
	for rows.Next() {
		for _, c := range rows.Row().Cells {
			c.Value = bytes.Clone(c.Value)
			got[cellKey{rows.Row().Num, c.Col}] = c
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		row     int
		col     int
		typ     Type
		value   string
		formula bool
	}{
		{"shared string with entities", 1, 0, String, "Header <one>", false},
		{"rich shared string without phonetic run", 1, 2, String, "Rich shared", false},
		{"inline string keeps spaces", 2, 0, String, " a & b ", false},
		{"number without reference", 2, 1, Number, "3.25", false},
		{"boolean", 2, 2, Bool, "1", false},
		{"formula string result", 4, 3, String, "café ☺", true},
		{"error value", 4, 4, Error, "#N/A", false},
		{"rich inline string", 5, 0, String, "rich text", false},
		{"xstring escape", 5, 1, String, "line\r\ntwo", false},
		{"CDATA number", 7, 0, Number, "42", false},
		{"custom date style", 7, 2, Date, "45000.5", false},
	}
	for _, tt := range tests {
		c, ok := got[cellKey{tt.row, tt.col}]
		if !ok {
			t.Errorf("%s: no cell at row %d col %d", tt.name, tt.row, tt.col)
			continue
		}
		if c.Type != tt.typ || string(c.Value) != tt.value || c.Formula != tt.formula {
			t.Errorf("%s: got %v %q formula=%v, want %v %q formula=%v", tt.name, c.Type, c.Value, c.Formula, tt.typ, tt.value, tt.formula)
		}
	}
	if _, ok := got[cellKey{4, 1}]; ok {
		t.Errorf("styled empty cell B4 was returned")
	}
	if rows.Formulas() != 1 {
		t.Errorf("Formulas() = %d, want 1", rows.Formulas())
	}
}

func TestSerialTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		serial   float64
		date1904 bool
		want     time.Time
		wantErr  bool
	}{
		{"first day", 1, false, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"day before phantom leap day", 59, false, time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), false},
		{"phantom 29 February 1900", 60, false, time.Time{}, true},
		{"day after phantom leap day", 61, false, time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), false},
		{"modern date", 45366, false, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), false},
		{"noon", 45366.5, false, time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC), false},
		{"1904 epoch", 0, true, time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"1904 system is 1462 days behind", 45366 - 1462, true, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), false},
		{"negative", -1, false, time.Time{}, true},
		{"beyond 9999", 2958466, false, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SerialTime(tt.serial, tt.date1904)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("SerialTime(%v, %v) = %v, %v; want %v, err %v", tt.serial, tt.date1904, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestIsDateFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"yyyy-mm-dd", true},
		{"m/d/yy h:mm", true},
		{`[$-409]d\-mmm\-yy;@`, true},
		{"h:mm AM/PM", true},
		{"[h]:mm:ss", false},
		{`"$"#,##0.00`, false},
		{"0.00%", false},
		{"General", false},
		{`#,##0 "days"`, false},
		{`[Red]0.00;[Blue]-0.00`, false},
		{"0.00E+00", false},
		{"@", false},
	}
	for _, tt := range tests {
		if got := IsDateFormat(tt.code); got != tt.want {
			t.Errorf("IsDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestColumnName(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
		if col, _, ok := parseRef([]byte(want + "1")); !ok || col != i {
			t.Errorf("parseRef(%s1) = %d, %v; want %d", want, col, ok, i)
		}
	}
	_ = os.Getenv // keep os imported for helpers in other test files
}
