package files

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// nameScoreOracle is nameScore as first written, normalizing and
// tokenizing both sides on every call and counting bigrams in a map;
// nameScore prepares the forms once and must answer the same.
func nameScoreOracle(h string, f *Field) (float64, string) {
	if h == "" {
		return 0, ""
	}
	if h == normalizeHeader(f.Name) {
		return 1, SourceCanonical
	}
	best, src := 0.0, ""
	hTokens := strings.Fields(h)
	for _, a := range append([]string{f.Name}, f.Aliases...) {
		an := normalizeHeader(a)
		if h == an {
			return 1, SourceAlias
		}
		aTokens := strings.Fields(an)
		var s float64
		x, y := slices.Clone(hTokens), slices.Clone(aTokens)
		slices.Sort(x)
		slices.Sort(y)
		switch {
		case len(x) == len(y) && slices.Equal(x, y):
			s = 0.95
		case containsTokens(hTokens, aTokens) && len(aTokens) >= 2:
			s = 0.85
		default:
			s = 0.9 * diceOracle(strings.ReplaceAll(h, " ", ""), strings.ReplaceAll(an, " ", ""))
		}
		if s > best {
			best, src = s, SourceFuzzy
		}
	}
	return best, src
}

func diceOracle(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	grams := map[string]int{}
	for i := 0; i+2 <= len(a); i++ {
		grams[a[i:i+2]]++
	}
	common := 0
	for i := 0; i+2 <= len(b); i++ {
		if grams[b[i:i+2]] > 0 {
			grams[b[i:i+2]]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)-1+len(b)-1)
}

func TestNameScoreMatchesOracle(t *testing.T) {
	t.Parallel()
	headers := []string{"", "Ship Date", "Origin Zip Code 5", "Weight (lbs)", "Freight Cost", "Dest. City", "zip zip", "aaaa", "a",
		"Item #", "Growth %", "Total Weight", "Cost USD", "ship-to zip", "Ciudad de origen", "Zip Origin", "destination destination"}
	for _, k := range Kinds() {
		for _, f := range SchemaOf(k).Fields {
			headers = append(headers, f.Name, strings.ToUpper(f.Name))
			for _, a := range f.Aliases {
				headers = append(headers, a, a+" 2", "x "+a)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdeilnorstz #"
	for i := 0; i < 300; i++ {
		b := make([]byte, 1+r.IntN(14))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		headers = append(headers, string(b))
	}
	for _, h := range headers {
		hn := normalizeHeader(h)
		hf := newHeaderForm(hn)
		for _, k := range Kinds() {
			sch := SchemaOf(k)
			for fi := range sch.Fields {
				f := &sch.Fields[fi]
				gs, gsrc := nameScore(hf, f)
				ws, wsrc := nameScoreOracle(hn, f)
				if gs != ws || gsrc != wsrc {
					t.Fatalf("nameScore(%q, %s.%s) = %v %s, the oracle says %v %s", h, k, f.Name, gs, gsrc, ws, wsrc)
				}
			}
		}
	}
}
