// Command peers is the peer side of the file ingestion benchmark (bench/files.sh):
// the bare parse of the same files by other Go libraries, one measurement per
// process so that /usr/bin/time reports its peak RSS. It is a module of its own, so
// that networx does not depend on the peers.
//
//	peers excelize FILE    excelize's row iterator over every sheet
//	peers xlsxreader FILE  xlsxreader's row channel over every sheet
//	peers csv FILE         encoding/csv over the CSV twin
//
// It prints one line: "rows N cells N accepted 0" (cells with a value).
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"

	"github.com/thedatashed/xlsxreader"
	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: peers excelize|xlsxreader|csv FILE")
		os.Exit(2)
	}
	var rows, cells int64
	var err error
	switch os.Args[1] {
	case "excelize":
		rows, cells, err = excelizeRows(os.Args[2])
	case "xlsxreader":
		rows, cells, err = xlsxreaderRows(os.Args[2])
	case "csv":
		rows, cells, err = csvRows(os.Args[2])
	default:
		err = fmt.Errorf("unknown peer %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
	fmt.Printf("rows %d cells %d accepted 0\n", rows, cells)
}

func excelizeRows(path string) (rows, cells int64, err error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rs, err := f.Rows(sheet)
		if err != nil {
			return rows, cells, err
		}
		for rs.Next() {
			// Raw values: no number formatting, the bare parse.
			cols, err := rs.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return rows, cells, err
			}
			rows++
			for _, c := range cols {
				if c != "" {
					cells++
				}
			}
		}
		if err := rs.Close(); err != nil {
			return rows, cells, err
		}
	}
	return rows, cells, nil
}

func xlsxreaderRows(path string) (rows, cells int64, err error) {
	f, err := xlsxreader.OpenFile(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	for _, sheet := range f.Sheets {
		for r := range f.ReadRows(sheet) {
			if r.Error != nil {
				return rows, cells, r.Error
			}
			rows++
			for _, c := range r.Cells {
				if c.Value != "" {
					cells++
				}
			}
		}
	}
	return rows, cells, nil
}

func csvRows(path string) (rows, cells int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, cells, nil
		}
		if err != nil {
			return rows, cells, err
		}
		rows++
		cells += int64(len(rec))
	}
}
