package xlsx

import (
	"bytes"
	"context"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// shipmentsWorkbook writes n rows of a 12-column shipments sheet with
// excelize's stream writer (inline strings).
func shipmentsWorkbook(b testing.TB, n int) []byte {
	b.Helper()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	r := rand.New(rand.NewPCG(1, 1))
	cities := []string{"Chicago", "Dallas", "Atlanta", "Reno", "Newark", "Memphis"}
	states := []string{"IL", "TX", "GA", "NV", "NJ", "TN"}
	for i := 1; i <= n; i++ {
		o, d := r.IntN(6), r.IntN(6)
		row := []any{
			excelize.Cell{StyleID: dateStyle, Value: 45000 + r.IntN(365)},
			cities[o], states[o], 60000 + r.IntN(999),
			cities[d], states[d], 10000 + r.IntN(80000),
			"UPS", "Parcel", r.Float64() * 100, r.Float64() * 500, r.IntN(50),
		}
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	return saveExcelize(b, f)
}

func BenchmarkRows(b *testing.B) {
	data := shipmentsWorkbook(b, 100000)
	b.SetBytes(int64(len(data)))
	b.Run("networx", func(b *testing.B) {
		for b.Loop() {
			wb, err := Open(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
			if err != nil {
				b.Fatal(err)
			}
			rows, _ := wb.Rows(context.Background(), wb.Sheets()[0])
			n := 0
			for rows.Next() {
				n += len(rows.Row().Cells)
			}
			if rows.Err() != nil || n < 1000000 {
				b.Fatal(rows.Err(), n)
			}
			rows.Close()
			wb.Close()
		}
	})
	b.Run("excelize", func(b *testing.B) {
		for b.Loop() {
			f, _ := excelize.OpenReader(bytes.NewReader(data))
			rows, _ := f.Rows("Sheet1")
			n := 0
			for rows.Next() {
				c, _ := rows.Columns()
				n += len(c)
			}
			rows.Close()
			f.Close()
		}
	})
}

// BenchmarkScanSheetXML tokenizes uncompressed sheet XML, isolating the
// tokenizer from decompression. It reports CPU time per op, which stays
// meaningful on a loaded machine where wall time does not.
func BenchmarkScanSheetXML(b *testing.B) {
	data := shipmentsWorkbook(b, 50000)
	wb, err := Open(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	rc, _ := wb.open(wb.parts["xl/worksheets/sheet1.xml"])
	var xmlBuf bytes.Buffer
	xmlBuf.ReadFrom(rc)
	rc.Close()
	sheetXML := xmlBuf.Bytes()
	b.SetBytes(int64(len(sheetXML)))
	var cpu time.Duration
	for b.Loop() {
		start := cpuTime()
		rows := &Rows{wb: wb, sheet: "s", sc: newScanner(bytes.NewReader(sheetXML), 64<<10, wb.limits.MaxCellBytes+4096)}
		n := 0
		for rows.Next() {
			n += len(rows.Row().Cells)
		}
		if rows.Err() != nil || n < 500000 {
			b.Fatal(rows.Err(), n)
		}
		cpu += cpuTime() - start
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
