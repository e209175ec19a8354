package files

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode"

	"networx/roles/files/xlsx"
)

// Mapping sources, strongest first.
const (
	SourceUser      = "user"      // the mapping file or API request
	SourceLearned   = "learned"   // the tenant's remembered mapping
	SourceCanonical = "canonical" // the header is the canonical field name
	SourceAlias     = "alias"     // the header is a known alias
	SourceFuzzy     = "fuzzy"     // similar to a name or alias, checked against the values
)

// Candidate is one possible field for a column.
type Candidate struct {
	Field      string  `json:"field"`
	Confidence float64 `json:"confidence"`
}

// ColumnMapping is the decision for one column of a sheet.
type ColumnMapping struct {
	Column     string  `json:"column"` // letters, as in the sheet
	Header     string  `json:"header"`
	Field      string  `json:"field,omitempty"` // "" when unmapped
	Confidence float64 `json:"confidence"`
	Source     string  `json:"source,omitempty"`
	// Evidence says what the values showed, e.g. "98% of 200 sampled values are ZIP codes".
	Evidence     string      `json:"evidence,omitempty"`
	Alternatives []Candidate `json:"alternatives,omitempty"`
	Note         string      `json:"note,omitempty"`
	col          int
}

// UserMapping is a mapping given by the user; it overrides everything else.
// In a file (networx check --mapping FILE) it is JSON:
//
//	{"sheets": {"Freight 2024": {"kind": "shipments", "header_row": 4,
//	    "columns": {"Ship Dt": "ship_date", "Notes": ""}}},
//	 "*": {"columns": {"Zip": "dest_zip"}}}
//
// Sheet "*" applies to every sheet (and to CSV files) unless the sheet has
// its own entry. A column mapped to "" is ignored.
type UserMapping struct {
	Sheets map[string]SheetMapping `json:"sheets"`
}

// SheetMapping is the user's mapping of one sheet.
type SheetMapping struct {
	Kind      Kind              `json:"kind,omitempty"`
	HeaderRow int               `json:"header_row,omitempty"` // 1-based; 0 detects it
	Columns   map[string]string `json:"columns,omitempty"`    // header text -> field ("" ignores the column)
}

// ReadUserMapping reads a mapping file.
func ReadUserMapping(path string) (*UserMapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	var m UserMapping
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	for name, sm := range m.Sheets {
		if sm.Kind != "" {
			if _, err := ParseKind(string(sm.Kind)); err != nil {
				return nil, fmt.Errorf("mapping %s sheet %q: %w", path, name, err)
			}
		}
		if sm.HeaderRow < 0 {
			return nil, fmt.Errorf("mapping %s sheet %q: header_row must be positive", path, name)
		}
	}
	return &m, nil
}

// forSheet returns the user's mapping for a sheet, if any.
func (m *UserMapping) forSheet(name string) (SheetMapping, bool) {
	if m == nil {
		return SheetMapping{}, false
	}
	if sm, ok := m.Sheets[name]; ok {
		return sm, true
	}
	sm, ok := m.Sheets["*"]
	return sm, ok
}

// normalizeHeader folds a header for matching: lower case, every run of
// characters other than letters and digits becomes one space, and "#"
// reads "number" ("Item #" is "item number").
func normalizeHeader(s string) string {
	s = strings.ReplaceAll(s, "#", " number ")
	s = strings.ReplaceAll(s, "%", " pct ")
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// headerForm is a normalized header (see normalizeHeader) in the forms
// nameScore compares. Header detection scores every text of the first rows
// against every name and alias of every kind, so both sides are prepared
// once: the header's form per text, the names' forms per field (nameForms).
type headerForm struct {
	norm    string   // normalized
	tokens  []string // its words
	sorted  []string // its words, sorted
	compact string   // without spaces
	grams   []uint16 // byte bigrams of compact, sorted
}

func newHeaderForm(norm string) *headerForm {
	h := &headerForm{norm: norm, tokens: strings.Fields(norm), compact: strings.ReplaceAll(norm, " ", "")}
	h.sorted = slices.Clone(h.tokens)
	slices.Sort(h.sorted)
	for i := 0; i+2 <= len(h.compact); i++ {
		h.grams = append(h.grams, uint16(h.compact[i])<<8|uint16(h.compact[i+1]))
	}
	slices.Sort(h.grams)
	return h
}

// nameForms holds, for every field of every schema, the forms of its name
// and then of each alias.
var nameForms = func() map[*Field][]*headerForm {
	out := map[*Field][]*headerForm{}
	for _, sch := range schemas {
		for fi := range sch.Fields {
			f := &sch.Fields[fi]
			out[f] = fieldForms(f)
		}
	}
	return out
}()

func fieldForms(f *Field) []*headerForm {
	forms := []*headerForm{newHeaderForm(normalizeHeader(f.Name))}
	for _, a := range f.Aliases {
		forms = append(forms, newHeaderForm(normalizeHeader(a)))
	}
	return forms
}

// nameScore rates how well a normalized header names a field, 0..1, with
// the source of the best match.
func nameScore(h *headerForm, f *Field) (float64, string) {
	if h.norm == "" {
		return 0, ""
	}
	forms, ok := nameForms[f]
	if !ok {
		forms = fieldForms(f) // a field outside the schemas (tests)
	}
	if h.norm == forms[0].norm {
		return 1, SourceCanonical
	}
	best, src := 0.0, ""
	for _, a := range forms {
		if h.norm == a.norm {
			return 1, SourceAlias
		}
		var s float64
		switch {
		case slices.Equal(h.sorted, a.sorted): // the same words in any order
			s = 0.95
		case containsTokens(h.tokens, a.tokens) && len(a.tokens) >= 2:
			// "Origin Zip Code 5" contains "origin zip"; single words are
			// too weak ("total weight" is not "total").
			s = 0.85
		default:
			s = 0.9 * dice(h, a)
		}
		if s > best {
			best, src = s, SourceFuzzy
		}
	}
	return best, src
}

func containsTokens(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// dice is the Sørensen-Dice coefficient of the letter bigrams of the
// compact forms of a and b: twice the bigrams they share (as multisets)
// over the bigrams of both.
func dice(a, b *headerForm) float64 {
	if a.compact == b.compact {
		return 1
	}
	if len(a.compact) < 2 || len(b.compact) < 2 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a.grams) && j < len(b.grams); {
		switch {
		case a.grams[i] == b.grams[j]:
			common++
			i++
			j++
		case a.grams[i] < b.grams[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a.compact)-1+len(b.compact)-1)
}

// Thresholds of the mapping, with their reasons.
const (
	// acceptConfidence is the lowest confidence at which a column maps
	// without the user: below it the column is reported unmapped with its
	// candidates.
	acceptConfidence = 0.6
	// candidateConfidence is the lowest confidence listed as an alternative.
	candidateConfidence = 0.3
	// headerCellScore is how well a cell must name some field to count
	// towards picking the header row.
	headerCellScore = 0.8
)

// valueFit returns the share of sampled values that parse as the field's
// type, and how many values were sampled.
func valueFit(f *Field, samples []sampleValue, p *parser) (float64, int) {
	if len(samples) == 0 {
		return 0, 0
	}
	ok := 0
	for _, s := range samples {
		if _, err := p.parse(f, s.typ, s.text); err == nil {
			ok++
		}
	}
	return float64(ok) / float64(len(samples)), len(samples)
}

type sampleValue struct {
	typ  xlsx.Type
	text string
}

// mapColumns decides the field of every column of a sheet of kind k.
// headers[i] is the header text of column cols[i]; samples[i] its sampled
// values. user (may be nil) and learned (header -> field) come first.
func mapColumns(k Kind, cols []int, headers []string, samples [][]sampleValue, user map[string]string, learned map[string]string, p *parser) ([]ColumnMapping, error) {
	sch := schemas[k]
	out := make([]ColumnMapping, len(cols))
	type cand struct {
		col   int // index into cols
		field int
		conf  float64
		src   string
		ev    string
	}
	var cands []cand
	taken := map[int]bool{} // fields fixed by user or learned mappings
	fixed := map[int]bool{} // columns fixed
	for i, c := range cols {
		out[i] = ColumnMapping{Column: xlsx.ColumnName(c), Header: headers[i], col: c}
		if headers[i] == "" {
			out[i].Note = "no header: the column is ignored"
			fixed[i] = true
			continue
		}
		if user != nil {
			if f, ok := user[headers[i]]; ok {
				fixed[i] = true
				if f == "" {
					out[i].Source, out[i].Note = SourceUser, "ignored by the user's mapping"
					continue
				}
				fi := sch.field(f)
				if fi < 0 {
					return nil, fmt.Errorf("mapping: column %q: %q is not a field of %s (fields: %s)", headers[i], f, k, strings.Join(fieldNames(sch), ", "))
				}
				if taken[fi] {
					return nil, fmt.Errorf("mapping: field %q is given to two columns", f)
				}
				taken[fi] = true
				out[i].Field, out[i].Confidence, out[i].Source = f, 1, SourceUser
				continue
			}
		}
		hn := normalizeHeader(headers[i])
		hf := newHeaderForm(hn)
		if f, ok := learned[hn]; ok {
			if fi := sch.field(f); fi >= 0 && !taken[fi] {
				fixed[i] = true
				taken[fi] = true
				out[i].Field, out[i].Confidence, out[i].Source = f, 1, SourceLearned
				out[i].Evidence = "remembered from an earlier upload of this tenant"
				continue
			}
		}
		for fi := range sch.Fields {
			f := &sch.Fields[fi]
			ns, src := nameScore(hf, f)
			if ns < candidateConfidence {
				continue
			}
			fit, n := valueFit(f, samples[i], p)
			conf := ns
			ev := ""
			if n > 0 {
				// Exact names keep most of their weight whatever the values
				// (the validation then reports the bad values); fuzzy names
				// need the values to agree.
				if src == SourceFuzzy {
					conf = ns * (0.5 + 0.5*fit)
				} else {
					conf = ns * (0.7 + 0.3*fit)
				}
				ev = fmt.Sprintf("%.0f%% of %d sampled values read as %s", 100*fit, n, f.Type)
			}
			cands = append(cands, cand{col: i, field: fi, conf: round2(conf), src: src, ev: ev})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].conf != cands[b].conf {
			return cands[a].conf > cands[b].conf
		}
		return cands[a].col < cands[b].col
	})
	assigned := map[int]bool{}
	for _, c := range cands {
		if fixed[c.col] || taken[c.field] || assigned[c.col] || c.conf < acceptConfidence {
			continue
		}
		assigned[c.col] = true
		taken[c.field] = true
		out[c.col].Field = sch.Fields[c.field].Name
		out[c.col].Confidence, out[c.col].Source, out[c.col].Evidence = c.conf, c.src, c.ev
	}
	for _, c := range cands {
		m := &out[c.col]
		if sch.Fields[c.field].Name == m.Field || fixed[c.col] {
			continue
		}
		if len(m.Alternatives) < 3 {
			m.Alternatives = append(m.Alternatives, Candidate{Field: sch.Fields[c.field].Name, Confidence: c.conf})
		}
	}
	for i := range out {
		if out[i].Field == "" && out[i].Note == "" {
			out[i].Note = "no field matched with enough confidence: the column is ignored; map it with --mapping if it holds data"
		}
	}
	return out, nil
}

func fieldNames(s *Schema) []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Name)
	}
	return out
}

func round2(v float64) float64 { return float64(int(v*100+0.5)) / 100 }

// headerRowScore rates a row as a header for kind k (every kind when k is
// ""): the number of its text cells that name a field well, and the best
// kind.
func headerRowScore(texts []string, k Kind) (int, Kind) {
	var forms []*headerForm
	for _, t := range texts {
		if hn := normalizeHeader(t); hn != "" {
			forms = append(forms, newHeaderForm(hn))
		}
	}
	best, bestKind := 0, Kind("")
	for _, kind := range kindOrder {
		if k != "" && kind != k {
			continue
		}
		sch := schemas[kind]
		n := 0
		for _, hf := range forms {
			for fi := range sch.Fields {
				if s, _ := nameScore(hf, &sch.Fields[fi]); s >= headerCellScore {
					n++
					break
				}
			}
		}
		if n > best {
			best, bestKind = n, kind
		}
	}
	return best, bestKind
}

// detectKind scores each kind for a sheet from its name and its header
// texts: matched fields count one each, matched required fields one more,
// a sheet name that names the kind three. It returns the best kind, its
// confidence (its share of the top two scores) and the runner-up.
func detectKind(sheetName string, headers []string) (Kind, float64, []Candidate) {
	type ks struct {
		k Kind
		s float64
	}
	var scores []ks
	sn := normalizeHeader(sheetName)
	forms := make([]*headerForm, len(headers))
	for i, h := range headers {
		forms[i] = newHeaderForm(normalizeHeader(h))
	}
	for _, k := range kindOrder {
		sch := schemas[k]
		s := 0.0
		for _, n := range sch.SheetNames {
			if sn == n || strings.HasPrefix(sn, n+" ") || strings.HasSuffix(sn, " "+n) {
				s += 3
				break
			}
		}
		for fi := range sch.Fields {
			f := &sch.Fields[fi]
			best := 0.0
			for _, hf := range forms {
				if v, _ := nameScore(hf, f); v > best {
					best = v
				}
			}
			if best >= headerCellScore {
				s += best
				if f.Required {
					s++
				}
			}
		}
		scores = append(scores, ks{k, s})
	}
	sort.SliceStable(scores, func(a, b int) bool { return scores[a].s > scores[b].s })
	if scores[0].s == 0 {
		return "", 0, nil
	}
	conf := scores[0].s / (scores[0].s + scores[1].s)
	var alts []Candidate
	for _, x := range scores[1:3] {
		if x.s > 0 {
			alts = append(alts, Candidate{Field: string(x.k), Confidence: round2(x.s / (scores[0].s + x.s))})
		}
	}
	return scores[0].k, round2(conf), alts
}
