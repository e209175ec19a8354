package files

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"
)

// The fast paths of parse must answer exactly what the general code they
// skip answers; these tests hold them to it, the general code being the
// oracle.

// isoDateOracle is what date's general path answers for s: the first
// text layout, with Excel's century for years below 100.
func isoDateOracle(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, false
	}
	if t.Year() < 100 {
		t = t.AddDate(excelCentury(t.Year()), 0, 0)
	}
	return t.UTC(), true
}

func checkISODate(t *testing.T, s string) {
	t.Helper()
	got, ok := isoDate(s)
	want, wok := isoDateOracle(s)
	if ok && (!wok || got != want) {
		t.Fatalf("isoDate(%q) = %v; time.Parse says %v, %v", s, got, want, wok)
	}
	if raw, _ := time.Parse("2006-01-02", s); !ok && wok && len(s) == 10 && raw.Year() >= 100 {
		t.Fatalf("isoDate(%q) declined a date time.Parse reads as %v", s, want)
	}
	if ok {
		if _, slash := slashDate(s, MDY); slash {
			t.Fatalf("slashDate also reads %q: isoDate may not go first", s)
		}
	}
}

func TestISODateMatchesTimeParse(t *testing.T) {
	t.Parallel()
	for _, y := range []int{0, 1, 99, 100, 1899, 1900, 2000, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				checkISODate(t, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	for _, s := range []string{"", "2024-1-22", "2024-01-2", "+024-01-22", "2024/01/22", "2024-01-22 ", "2024-0a-22", "２024-01-2", "-024-01-22", "2024--1-22"} {
		checkISODate(t, s)
	}
}

func FuzzISODate(f *testing.F) {
	for _, s := range []string{"2024-01-22", "2024-02-30", "0024-01-05", "2024-13-01", "1/2/2024"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkISODate(t, s) })
}

func checkPlainDecimal(t *testing.T, s string) {
	t.Helper()
	got, ok := plainDecimal(s)
	if !ok {
		return
	}
	want, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("plainDecimal(%q) = %v; ParseFloat says %v, %v", s, got, want, err)
	}
}

func TestPlainDecimalMatchesParseFloat(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "00", "007", "17969", "1939.92", "4754.2", "0.1", "0.3", "123456789012345", "1234567890123456",
		"99999999999999.9", "9.99999999999999", "0.000000000000001", ".5", "5.", "1.2.3", "-1", "+1", "1e3", "", ".", "1_0", " 1"} {
		checkPlainDecimal(t, s)
	}
	// Every split of a 15-digit run into integer and fraction, for
	// mantissas near the limits of exactness.
	for _, digits := range []string{"999999999999999", "100000000000001", "123456789012345", "900719925474099"} {
		for i := 1; i < len(digits); i++ {
			checkPlainDecimal(t, digits[:i]+"."+digits[i:])
		}
	}
	if _, ok := plainDecimal("17969"); !ok {
		t.Error("plainDecimal declined 17969")
	}
	if _, ok := plainDecimal("1939.92"); !ok {
		t.Error("plainDecimal declined 1939.92")
	}
}

func FuzzPlainDecimal(f *testing.F) {
	for _, s := range []string{"17969", "1939.92", "0.1", "123456789012345", "1.5e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkPlainDecimal(t, s) })
}

func TestPaddedMatchesSprintf(t *testing.T) {
	t.Parallel()
	for _, p := range []*parser{{}, {strs: newInterner()}} {
		for n := int64(0); n <= 100000; n++ {
			for _, w := range []int{3, 5} {
				if got, want := p.padded(n, w), fmt.Sprintf("%0*d", w, n); got != want {
					t.Fatalf("padded(%d, %d) = %q, want %q", n, w, got, want)
				}
			}
		}
	}
}
