package delim

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// readAllRecords reads every non-blank record as strings.
func readAllRecords(t testing.TB, in []byte, opts Options) ([][]string, *Reader, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(in), opts)
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for r.Next() {
		if len(r.Fields()) == 0 {
			continue
		}
		if r.RecordErr() != nil {
			return out, r, r.RecordErr()
		}
		rec := make([]string, len(r.Fields()))
		for i, f := range r.Fields() {
			rec[i] = string(f)
		}
		out = append(out, rec)
	}
	return out, r, r.Err()
}

// stdlib reads with encoding/csv (strict quotes, any field count).
func stdlib(in []byte, comma rune) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(in))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return cr.ReadAll()
}

func randomField(r *rand.Rand) string {
	parts := []string{"a", "Chicago, IL", `say "hi"`, "two\nlines", "tab\tx", " sp ", "é", "60601", "", "1,234.50", ";", "|", "x\r\ny"}
	var b strings.Builder
	for range r.IntN(3) {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

// TestDifferentialStdlib writes random records with encoding/csv and
// requires both readers to read them back the same.
func TestDifferentialStdlib(t *testing.T) {
	t.Parallel()
	for _, comma := range []rune{',', ';', '\t', '|'} {
		r := rand.New(rand.NewPCG(uint64(comma), 7))
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = comma
		w.UseCRLF = comma == ';'
		for range 500 {
			rec := make([]string, 1+r.IntN(8))
			for i := range rec {
				rec[i] = randomField(r)
			}
			if len(rec) == 1 && rec[0] == "" {
				rec[0] = "x" // encoding/csv writes a lone empty field as a blank line
			}
			w.Write(rec)
		}
		w.Flush()
		want, err := stdlib(buf.Bytes(), comma)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := readAllRecords(t, buf.Bytes(), Options{Delimiter: byte(comma)})
		if err != nil {
			t.Fatalf("delimiter %q: %v", comma, err)
		}
		if len(got) != len(want) {
			t.Fatalf("delimiter %q: %d records, want %d", comma, len(got), len(want))
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("delimiter %q record %d:\n got  %q\n want %q", comma, i, got[i], want[i])
			}
		}
	}
}

func TestDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        []byte
		delim     byte
		encoding  string
		firstRow  []string
		secondRow []string
	}{
		{"comma UTF-8", []byte("name,zip\nCafé,60601\n"), ',', UTF8, []string{"name", "zip"}, []string{"Café", "60601"}},
		{"BOM stripped", []byte("\xEF\xBB\xBFname;zip\r\nA;01460\r\n"), ';', UTF8BOM, []string{"name", "zip"}, []string{"A", "01460"}},
		{"Windows-1252", []byte("name\tcity\nJos\xe9\tS\xe3o Paulo \x80\n"), '\t', Windows1252, []string{"name", "city"}, []string{"José", "São Paulo €"}},
		{"UTF-16LE with BOM (Excel Unicode text)", utf16le("\uFEFFname\tunits\r\nA\t5\r\n"), '\t', UTF16LE, []string{"name", "units"}, []string{"A", "5"}},
		{"pipe", []byte("a|b|c\n1|2|3\n4|5|6\n"), '|', UTF8, []string{"a", "b", "c"}, []string{"1", "2", "3"}},
		{"commas inside quotes do not win over semicolons", []byte("a;\"x,y,z\";c\n1;\"2,3\";4\n"), ';', UTF8, []string{"a", "x,y,z", "c"}, []string{"1", "2,3", "4"}},
		{"one column", []byte("name\nA\nB\n"), ',', UTF8, []string{"name"}, []string{"A"}},
		{"title line above a table", []byte("Freight report 2024\n\ndate,cost\n2024-01-01,5\n2024-01-02,6\n"), ',', UTF8, []string{"Freight report 2024"}, []string{"date", "cost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, r, err := readAllRecords(t, tt.in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Delimiter() != tt.delim || r.Encoding() != tt.encoding {
				t.Errorf("detected %q %s, want %q %s", r.Delimiter(), r.Encoding(), tt.delim, tt.encoding)
			}
			if len(got) < 2 || !slices.Equal(got[0], tt.firstRow) || !slices.Equal(got[1], tt.secondRow) {
				t.Errorf("records %q, want %q then %q", got, tt.firstRow, tt.secondRow)
			}
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestRowNumbers(t *testing.T) {
	t.Parallel()
	in := "h1,h2\n\n\"multi\nline\",x\nlast,y\n"
	r, err := NewReader(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for r.Next() {
		if len(r.Fields()) > 0 {
			rows = append(rows, r.Row())
		}
	}
	if want := []int{1, 3, 4}; !slices.Equal(rows, want) {
		t.Errorf("rows %v, want %v (blank lines counted, a two-line record once)", rows, want)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	wide := strings.Repeat("x,", 10000) + "x\n"
	tests := []struct {
		name      string
		in        string
		opts      Options
		fatal     error  // errors.Is target for Err
		substr    string // in Err or RecordErr
		recordErr bool
	}{
		{"10,000 columns", "a,b\n" + wide, Options{Delimiter: ','}, ErrLimit, "fields limit", false},
		{"unterminated quote", "a,b\n\"open," + strings.Repeat("line\n", 100000), Options{Delimiter: ','}, ErrLimit, "unterminated quote?", false},
		{"unterminated quote at the end", "a,b\n\"open,\nmore\n", Options{Delimiter: ','}, nil, "never closed", false},
		{"huge unquoted field", "a\n" + strings.Repeat("y", 300000) + "\n", Options{Delimiter: ','}, ErrLimit, "limit exceeded", false},
		{"text after closing quote", "a,b\n\"x\"y,2\nok,3\n", Options{Delimiter: ','}, nil, "after a closing quote", true},
		{"mixed encodings", "a,b\nCafé,1\n" + strings.Repeat("x,y\n", 20000) + "Caf\xe9,2\n", Options{}, nil, "invalid UTF-8", false},
		{"unknown encoding", "a\n", Options{Encoding: "ebcdic"}, nil, "unknown encoding", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				if !strings.Contains(err.Error(), tt.substr) {
					t.Fatalf("NewReader: %v, want %q", err, tt.substr)
				}
				return
			}
			var recErr error
			for r.Next() {
				if r.RecordErr() != nil && recErr == nil {
					recErr = r.RecordErr()
				}
			}
			got := r.Err()
			if tt.recordErr {
				got = recErr
				if r.Err() != nil {
					t.Errorf("reading stopped: %v", r.Err())
				}
			}
			if got == nil {
				t.Fatal("no error")
			}
			if tt.fatal != nil && !errors.Is(got, tt.fatal) {
				t.Errorf("%v does not wrap %v", got, tt.fatal)
			}
			if !strings.Contains(got.Error(), tt.substr) {
				t.Errorf("error %q does not mention %q", got, tt.substr)
			}
		})
	}
}

// FuzzCSV checks that arbitrary input never panics, stays within the
// limits, and, where encoding/csv reads the input without error, agrees
// with it.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), byte(','))
	f.Add([]byte("\"a\"\"b\",c\r\n\"x\ny\",z\n"), byte(','))
	f.Add([]byte("a;b\n\"1;2\";3\n"), byte(';'))
	f.Add([]byte("a\tb\n12\" pipe\t3\n"), byte('\t'))
	f.Add([]byte("\xEF\xBB\xBFa,b\n"), byte(0))
	f.Add([]byte("Caf\xe9,1\n"), byte(0))
	const (
		maxField  = 256
		maxFields = 32
	)
	f.Fuzz(func(t *testing.T, in []byte, delim byte) {
		opts := Options{Delimiter: delim, MaxFieldBytes: maxField, MaxRecordBytes: 4 * maxField, MaxFields: maxFields}
		r, err := NewReader(bytes.NewReader(in), opts)
		if err != nil {
			return
		}
		var got [][]string
		recErr := false
		for r.Next() {
			if len(r.Fields()) > maxFields {
				t.Fatalf("%d fields", len(r.Fields()))
			}
			for _, fl := range r.Fields() {
				if len(fl) > maxField {
					t.Fatalf("field of %d bytes", len(fl))
				}
			}
			recErr = recErr || r.RecordErr() != nil
			if len(r.Fields()) == 0 {
				continue
			}
			rec := make([]string, len(r.Fields()))
			for i, fl := range r.Fields() {
				rec[i] = string(fl)
			}
			got = append(got, rec)
		}
		if r.Err() != nil || recErr || delim == 0 || r.Encoding() != UTF8 || !utf8.Valid(in) ||
			!validComma(rune(delim)) || bytes.ContainsRune(in, '\r') {
			return
		}
		want, err := stdlib(in, rune(delim))
		if err != nil {
			return
		}
		// encoding/csv skips blank lines entirely, and so does the
		// comparison; a record of one empty field is a blank line to it.
		var filtered [][]string
		for _, rec := range got {
			if len(rec) == 1 && rec[0] == "" {
				continue
			}
			filtered = append(filtered, rec)
		}
		var wantF [][]string
		for _, rec := range want {
			if len(rec) == 1 && rec[0] == "" {
				continue
			}
			wantF = append(wantF, rec)
		}
		if len(filtered) != len(wantF) {
			t.Fatalf("%d records, encoding/csv %d:\n%q\n%q", len(filtered), len(wantF), filtered, wantF)
		}
		for i := range wantF {
			if !slices.Equal(filtered[i], wantF[i]) {
				t.Fatalf("record %d: %q, encoding/csv %q", i, filtered[i], wantF[i])
			}
		}
	})
}

func validComma(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError && r < utf8.RuneSelf
}

var _ = io.EOF
