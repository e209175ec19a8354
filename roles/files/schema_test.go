package files

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDocsListEveryField keeps docs/ingestion.md in step with the schemas.
func TestDocsListEveryField(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/ingestion.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, k := range Kinds() {
		section := "### `" + string(k) + ".csv`"
		i := strings.Index(doc, section)
		if i < 0 {
			t.Errorf("docs/ingestion.md has no section %s", section)
			continue
		}
		rest := doc[i+len(section):]
		if j := strings.Index(rest, "\n### "); j >= 0 {
			rest = rest[:j]
		}
		for _, f := range SchemaOf(k).Fields {
			if !strings.Contains(rest, "| `"+f.Name+"` |") {
				t.Errorf("docs/ingestion.md section %s does not document field %s", section, f.Name)
			}
		}
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	p := &parser{order: MDY}
	num := &Field{Name: "n", Type: Money, Min: nonNegative}
	zip := &Field{Name: "z", Type: ZIP}
	zip3 := &Field{Name: "z", Type: ZIP, Prefix3: true}
	date := &Field{Name: "d", Type: Date}
	mode := &SchemaOf(Shipments).Fields[SchemaOf(Shipments).field("mode")]
	tests := []struct {
		name  string
		f     *Field
		text  string
		want  string // formatted value, or the rule that fails
		isErr bool
	}{
		{"plain", num, "12.5", "12.5", false},
		{"currency and separators", num, "$1,234.50", "1234.5", false},
		{"accounting negative is below the minimum", num, "(5.00)", "range", true},
		{"european decimal comma", num, "1.234,50", "number", true},
		{"misplaced separator", num, "12,34", "number", true},
		{"units in the cell", num, "12 lbs", "number", true},
		{"zip", zip, "01460", "01460", false},
		{"zip+4", zip, "60601-1234", "60601", false},
		{"zip letters", zip, "ABCDE", "zip_shape", true},
		{"3-digit prefix where allowed", zip3, "606", "606", false},
		{"3-digit prefix where not", zip, "606", "zip_shape", true},
		{"iso date", date, "2024-03-15", "2024-03-15", false},
		{"us slash date", date, "3/15/2024", "2024-03-15", false},
		{"two-digit year", date, "3/15/24", "2024-03-15", false},
		{"31 April", date, "4/31/2024", "date", true},
		{"month name", date, "15-Mar-2024", "2024-03-15", false},
		{"mode synonym", mode, "Truckload", "TL", false},
		{"mode unknown", mode, "Pigeon", "enum", true},
	}
	for _, tt := range tests {
		v, err := p.parse(tt.f, 1, tt.text) // 1 is xlsx.String
		if tt.isErr {
			re, ok := err.(*ruleError)
			if !ok || re.rule != tt.want {
				t.Errorf("%s: parse(%q) = %+v, %v; want rule %s", tt.name, tt.text, v, err, tt.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: parse(%q): %v", tt.name, tt.text, err)
			continue
		}
		got := v.Text
		switch tt.f.Type {
		case Money:
			got = strings.TrimRight(strings.TrimRight(strings.Replace(fmtFloat(v.Num), ".000000", "", 1), "0"), ".")
		case Date:
			got = v.Time.Format("2006-01-02")
		}
		if got != tt.want {
			t.Errorf("%s: parse(%q) = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// TestAliasesAreUnambiguous keeps every header spelling of a dataset
// pointing at one field: canonical CSV files and the exact-match sources of
// the mapping take the first field that a header names, so a spelling
// shared by two fields would pick one of them silently.
func TestAliasesAreUnambiguous(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		sch := SchemaOf(k)
		owner := map[string]string{}
		for _, f := range sch.Fields {
			for _, a := range append([]string{f.Name}, f.Aliases...) {
				n := normalizeHeader(a)
				if o, ok := owner[n]; ok && o != f.Name {
					t.Errorf("%s: header %q names both %s and %s", k, a, o, f.Name)
				}
				owner[n] = f.Name
			}
		}
	}
}
