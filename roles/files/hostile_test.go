package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestHostileFilesReport: bad files end in the report with a failing
// verdict and a rule naming the problem; Ingest itself does not fail.
func TestHostileFilesReport(t *testing.T) {
	t.Parallel()
	ole := make([]byte, 1024)
	copy(ole, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(ole[0x1E:], 9)
	for i, n := range []string{"Root Entry", "EncryptionInfo"} {
		u := utf16.Encode([]rune(n))
		for j, c := range u {
			binary.LittleEndian.PutUint16(ole[512+128*i+2*j:], c)
		}
		binary.LittleEndian.PutUint16(ole[512+128*i+0x40:], uint16(2*len(u)+2))
	}
	tests := []struct {
		name, file string
		data       []byte
		rule       string
	}{
		{"encrypted workbook", "locked.xlsx", ole, "encrypted"},
		{"CSV posing as xlsx", "data.xlsx", []byte("name,zip\nA,60601\n"), "not_xlsx"},
		{"10,000-column CSV", "wide.csv", []byte("name,zip\n" + strings.Repeat("x,", 10000) + "\n"), "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Ingest(context.Background(), Input{Name: tt.file, R: bytes.NewReader(tt.data), Size: int64(len(tt.data))}, Options{Geo: testGeo(t)}, nil)
			if err != nil {
				t.Fatalf("Ingest: %v", err)
			}
			if rep.Verdict.Pass || len(rep.Errors) == 0 || rep.Errors[0].Rule != tt.rule {
				t.Fatalf("verdict %+v errors %+v; want a failing verdict with rule %s", rep.Verdict, rep.Errors, tt.rule)
			}
		})
	}
}
