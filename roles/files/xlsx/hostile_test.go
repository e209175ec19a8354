package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// readAll opens data and reads every sheet, returning the first error.
func readAll(ctx context.Context, data []byte, opts Options) error {
	wb, err := Open(ctx, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return err
	}
	defer wb.Close()
	for _, s := range wb.Sheets() {
		rows, err := wb.Rows(ctx, s)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		rows + `</sheetData></worksheet>`
}

// oleFile builds a minimal OLE compound file whose first directory sector
// names the given streams.
func oleFile(names ...string) []byte {
	const sec = 512
	b := make([]byte, 2*sec)
	copy(b, oleSignature)
	binary.LittleEndian.PutUint16(b[0x1E:], 9) // 512-byte sectors
	binary.LittleEndian.PutUint32(b[0x30:], 0) // first directory sector
	for i, n := range append([]string{"Root Entry"}, names...) {
		e := b[sec+128*i:]
		u := utf16.Encode([]rune(n))
		for j, c := range u {
			binary.LittleEndian.PutUint16(e[2*j:], c)
		}
		binary.LittleEndian.PutUint16(e[0x40:], uint16(2*len(u)+2))
	}
	return b
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	wide := strings.Builder{}
	wide.WriteString(`<row r="1">`)
	for i := range 10000 {
		fmt.Fprintf(&wide, `<c r="%s1"><v>%d</v></c>`, ColumnName(i), i)
	}
	wide.WriteString(`</row>`)
	bigCell := `<row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("x", 200000) + `</t></is></c></row>`
	var bigRow strings.Builder
	bigRow.WriteString(`<row r="1">`)
	for i := range 60 {
		fmt.Fprintf(&bigRow, `<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>`, ColumnName(i), strings.Repeat("y", 100000))
	}
	bigRow.WriteString(`</row>`)
	bomb := sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>` + strings.Repeat(" ", 64<<20))

	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		opts   Options
		want   error
		substr string
	}{
		{"zip bomb by compression ratio", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": bomb}, "", "", false)
		}, Options{}, ErrLimit, "compression ratio"},
		{"total uncompressed size", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 100000))}, "", "", false)
		}, Options{Limits: Limits{MaxUncompressedBytes: 1 << 20}}, ErrLimit, "uncompressed size"},
		{"oversized cell", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(bigCell)}, "", "", false)
		}, Options{}, ErrLimit, "cell size"},
		{"oversized row", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(bigRow.String())}, "", "", false)
		}, Options{Limits: Limits{MaxCompressionRatio: 5000}}, ErrLimit, "row size"},
		{"10,000 columns", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(wide.String())}, "", "", false)
		}, Options{}, ErrLimit, "columns limit"},
		{"oversized shared string", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML("")}, `<sst><si><t>`+strings.Repeat("z", 300000)+`</t></si></sst>`, "", false)
		}, Options{}, ErrLimit, "cell size"},
		{"encrypted workbook", func(t *testing.T) []byte { return oleFile("EncryptionInfo", "EncryptedPackage") }, Options{}, ErrEncrypted, "password"},
		{"legacy xls", func(t *testing.T) []byte { return oleFile("Workbook", "SummaryInformation") }, Options{}, ErrLegacyXLS, ".xlsx"},
		{"other OLE file", func(t *testing.T) []byte { return oleFile("WordDocument") }, Options{}, ErrNotXLSX, "OLE"},
		{"CSV posing as xlsx", func(t *testing.T) []byte { return []byte("name,lat,lon\nA,1,2\n") }, Options{}, ErrNotXLSX, "plain text"},
		{"PDF posing as xlsx", func(t *testing.T) []byte { return []byte("%PDF-1.7\n...") }, Options{}, ErrNotXLSX, "PDF"},
		{"HTML posing as xlsx", func(t *testing.T) []byte { return []byte("<html><table><tr><td>1</td></tr></table></html>") }, Options{}, ErrNotXLSX, "HTML"},
		{"empty file", func(t *testing.T) []byte { return nil }, Options{}, ErrNotXLSX, "empty"},
		{"Word document", func(t *testing.T) []byte { return zipOf(t, map[string]string{"word/document.xml": "<w/>"}) }, Options{}, ErrNotXLSX, "Word"},
		{"xlsb", func(t *testing.T) []byte { return zipOf(t, map[string]string{"xl/workbook.bin": "\x00"}) }, Options{}, ErrBinaryXLSB, ".xlsb"},
		{"truncated zip", func(t *testing.T) []byte {
			d := buildXLSX(t, map[string]string{"S": sheetXML(`<row r="1"><c><v>1</v></c></row>`)}, "", "", false)
			return d[:len(d)/2]
		}, Options{}, ErrNotXLSX, "zip"},
		{"DOCTYPE in sheet", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>`}, "", "", false)
		}, Options{}, nil, "DOCTYPE"},
		{"unknown entity", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(`<row><c t="inlineStr"><is><t>&bogus;</t></is></c></row>`)}, "", "", false)
		}, Options{}, nil, "entity"},
		{"rows out of order", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(`<row r="5"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>`)}, "", "", false)
		}, Options{}, nil, "out of order"},
		{"shared string index out of range", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": sheetXML(`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`)}, `<sst count="1"><si><t>a</t></si></sst>`, "", false)
		}, Options{}, nil, "out of range"},
		{"unterminated sheet", func(t *testing.T) []byte {
			return buildXLSX(t, map[string]string{"S": `<worksheet><sheetData><row r="1"><c r="A1"><v>1`}, "", "", false)
		}, Options{}, nil, "ends inside a row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			err := readAll(ctx, tt.data(t), tt.opts)
			if err == nil {
				t.Fatalf("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("error %q does not mention %q", err, tt.substr)
			}
			if ctx.Err() != nil {
				t.Errorf("took longer than %s: a hang, not a clear error", hangGuard)
			}
		})
	}
}

// TestPathTraversalTarget: a relationship pointing outside the package is
// never followed, so the sheet it names is reported missing.
func TestPathTraversalTarget(t *testing.T) {
	t.Parallel()
	data := zipOf(t, map[string]string{
		"_rels/.rels":                `<Relationships><Relationship Id="r1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<workbook><sheets><sheet name="S" sheetId="1" r:id="r1" xmlns:r="r"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="r1" Type="x/worksheet" Target="../../../etc/passwd"/></Relationships>`,
	})
	err := readAll(context.Background(), data, Options{})
	if err == nil || !errors.Is(err, ErrNotXLSX) {
		t.Fatalf("got %v, want ErrNotXLSX", err)
	}
}

func TestCancelStopsReading(t *testing.T) {
	t.Parallel()
	var sb strings.Builder
	for i := range 200000 {
		fmt.Fprintf(&sb, `<row><c><v>%d</v></c></row>`, i)
	}
	data := buildXLSX(t, map[string]string{"S": sheetXML(sb.String())}, "", "", false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wb, err := Open(ctx, bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.Rows(ctx, wb.Sheets()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(rows.Err(), context.Canceled) {
		t.Fatalf("after cancel: err %v after %d rows", rows.Err(), n)
	}
	if n >= 200000 {
		t.Fatalf("read all %d rows despite cancel", n)
	}
}

// hangGuard is how long a hostile input may take before the test calls it a hang. It is a
// guard against hangs, not a speed assertion: under -race on a loaded 2-core machine the
// zip-bomb case alone has needed more than 30 s.
const hangGuard = 3 * time.Minute
