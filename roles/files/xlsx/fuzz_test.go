package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
)

// FuzzXLSX feeds arbitrary bytes to the reader, either as a whole file
// (input starting with "PK") or as the sheet XML of an otherwise valid
// package, with small limits. The reader must not panic, must stop, and
// must keep every row within the limits.
func FuzzXLSX(f *testing.F) {
	// Seeds are sheet XML only: whole-archive seeds are kilobytes long, and
	// the fuzzer then spends its time minimizing them. Mutations starting
	// with "PK" still reach the archive path.
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c></row>`)))
	f.Add([]byte(sheetXML(`<row><c t="b"><v>1</v></c><c s="1"><v>45000</v></c><c t="e"><v>#REF!</v></c><c t="str"><f>1</f><v>x&amp;y</v></c></row>`)))
	f.Add([]byte(`<x:worksheet><x:sheetData><x:row r="3"><x:c r="C3"><x:v><![CDATA[1]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`))
	const (
		maxCell = 1024
		maxCols = 64
	)
	// One directory for every run: spill files are unlinked as soon as they
	// are created, and t.TempDir per run slows fuzzing down.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		data := in
		if !bytes.HasPrefix(in, []byte("PK")) {
			data = buildXLSXMethod(t, zip.Store, map[string]string{"S": string(in)},
				`<sst><si><t>zero</t></si><si><r><t>one</t></r></si><si><t>two &amp; more</t></si></sst>`,
				`<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`, false)
		}
		opts := Options{
			Limits: Limits{
				MaxCellBytes:         maxCell,
				MaxColumns:           maxCols,
				MaxRowBytes:          8 * maxCell,
				MaxUncompressedBytes: 64 << 20,
				SharedStringsMemory:  64,
			},
			TempDir: dir,
		}
		ctx := context.Background()
		wb, err := Open(ctx, bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			return
		}
		defer wb.Close()
		for _, s := range wb.Sheets() {
			rows, err := wb.Rows(ctx, s)
			if err != nil {
				continue
			}
			prev := 0
			for rows.Next() {
				row := rows.Row()
				if row.Num <= prev || len(row.Cells) == 0 || len(row.Cells) > maxCols {
					t.Fatalf("row %d after %d with %d cells", row.Num, prev, len(row.Cells))
				}
				prev = row.Num
				last := -1
				for _, c := range row.Cells {
					if c.Col <= last || c.Col >= maxCols || len(c.Value) > maxCell || c.Type == 0 {
						t.Fatalf("bad cell %+v after column %d", c, last)
					}
					last = c.Col
				}
			}
			rows.Close()
		}
	})
}
