package files

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"networx/roles/files/geo"
	"networx/roles/files/xlsx"
)

// Validation rules: the name of each check a value or row can fail. They
// key the report's counts.
const (
	RuleRequired        = "required"           // a required value is empty
	RuleNumber          = "number"             // not a number
	RuleInteger         = "integer"            // not a whole number
	RuleMin             = "range"              // below the field's minimum (negative counts, costs)
	RuleDate            = "date"               // not a date in a known format
	RuleYear            = "year"               // not a year 1900-2200
	RuleZIP             = "zip_shape"          // not a ZIP code shape
	RuleState           = "state"              // not a US state
	RuleLat             = "latitude"           // not -90..90
	RuleLon             = "longitude"          // not -180..180
	RuleBool            = "yes_no"             // not yes/no
	RuleEnum            = "enum"               // not one of the allowed values
	RulePercent         = "percent"            // not a percentage
	RuleExcelError      = "excel_error"        // the cell holds #N/A, #REF! or another error
	RuleTooLong         = "too_long"           // text longer than maxTextLen
	RuleLocationMissing = "location_missing"   // a row needs a location and has none
	RuleLocationUnknown = "location_unknown"   // the ZIP or city is not in the offline tables
	RuleLatLonPair      = "lat_lon_pair"       // only one of latitude and longitude
	RuleZIPState        = "zip_state_mismatch" // the ZIP is in another state than the row says
	RuleOneOf           = "one_of"             // none of a set of fields has a value
	RuleMalformedRecord = "malformed_record"   // CSV syntax error in the record
	RuleTotalsRow       = "totals_row"         // a "Total" row: skipped, not an error
)

// maxTextLen is the longest text value accepted, in bytes: names and cities
// are far shorter, and a longer value is a pasted paragraph or a mistake.
const maxTextLen = 1000

// ruleError is a value that fails a rule.
type ruleError struct {
	rule string
	msg  string
}

func (e *ruleError) Error() string { return e.msg }

func fail(rule, format string, args ...any) error {
	return &ruleError{rule: rule, msg: fmt.Sprintf(format, args...)}
}

// Value is one parsed field value.
type Value struct {
	Set  bool
	Text string    // Text, Enum (canonical spelling), ZIP (5 or 3 digits), State (USPS code); never a view of the reader's buffer
	Num  float64   // Number, Integer, Money, Year, Lat, Lon, Percent
	Time time.Time // Date
	Bool bool      // Bool
}

// DateOrder is how slash dates such as 03/04/2024 are read.
type DateOrder string

// Date orders.
const (
	MDY DateOrder = "MDY" // US: month first (the default)
	DMY DateOrder = "DMY" // day first
)

// parser reads cell values as field types.
type parser struct {
	date1904 bool
	order    DateOrder
	// counters of conversions worth telling the user about
	numbersAsText int64
	serialDates   int64
	// strs copies texts out of the reader's buffer; nil copies each time.
	strs *interner
}

// view returns b as a string without copying; the string must not outlive
// the next read of the sheet.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parse reads one non-empty cell as field f.
func (p *parser) parse(f *Field, typ xlsx.Type, text string) (Value, error) {
	var v Value
	err := p.parseInto(&v, f, typ, text)
	return v, err
}

// parseInto is parse writing the value to dst, which it leaves alone on an
// error: the validator parses straight into the row's record.
func (p *parser) parseInto(dst *Value, f *Field, typ xlsx.Type, text string) error {
	if typ == xlsx.Error {
		return fail(RuleExcelError, "the cell holds the Excel error %s", text)
	}
	switch f.Type {
	case Text:
		s := strings.TrimSpace(text)
		if len(s) > maxTextLen {
			return fail(RuleTooLong, "%d bytes of text, more than %d", len(s), maxTextLen)
		}
		// Numbers as names ("1001" as a store id) are read as written.
		*dst = Value{Set: true, Text: p.strs.intern(s)}
		return nil
	case Number, Money, Integer:
		v, err := p.number(typ, text, f.Type == Money)
		if err != nil {
			return err
		}
		if f.Type == Integer && v != math.Trunc(v) {
			return fail(RuleInteger, "%s is not a whole number", text)
		}
		if f.Min != nil && v < *f.Min {
			return fail(RuleMin, "%s is below the minimum %g", text, *f.Min)
		}
		*dst = Value{Set: true, Num: v}
		return nil
	case Percent:
		s := strings.TrimSpace(text)
		s = strings.TrimSuffix(s, "%")
		v, err := p.number(typ, s, false)
		if err != nil {
			return fail(RulePercent, "%q is not a percentage", text)
		}
		*dst = Value{Set: true, Num: v}
		return nil
	case Year:
		v, err := p.number(typ, text, false)
		if err != nil || v != math.Trunc(v) || v < 1900 || v > 2200 {
			return fail(RuleYear, "%q is not a year between 1900 and 2200", text)
		}
		*dst = Value{Set: true, Num: v}
		return nil
	case Lat, Lon:
		v, err := p.number(typ, text, false)
		rule, lim := RuleLat, 90.0
		if f.Type == Lon {
			rule, lim = RuleLon, 180
		}
		if err != nil || v < -lim || v > lim {
			return fail(rule, "%q is not a %s between -%g and %g", text, f.Type, lim, lim)
		}
		*dst = Value{Set: true, Num: v}
		return nil
	case Date:
		t, err := p.date(typ, text)
		if err != nil {
			return err
		}
		*dst = Value{Set: true, Time: t}
		return nil
	case ZIP:
		z, err := p.zip(typ, text, f.Prefix3)
		if err != nil {
			return err
		}
		*dst = Value{Set: true, Text: z}
		return nil
	case State:
		code, ok := geo.StateCode(text)
		if !ok {
			return fail(RuleState, "%q is not a US state code or name", text)
		}
		*dst = Value{Set: true, Text: code}
		return nil
	case Bool:
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "1", "y", "yes", "true", "x", "t":
			*dst = Value{Set: true, Bool: true}
			return nil
		case "0", "n", "no", "false", "f":
			*dst = Value{Set: true, Bool: false}
			return nil
		}
		return fail(RuleBool, "%q is not yes or no", text)
	case Enum:
		// The canonical spelling in any case is the common case and needs no
		// normalization (which allocates).
		trimmed := strings.TrimSpace(text)
		for _, e := range f.Enum {
			if strings.EqualFold(e, trimmed) {
				*dst = Value{Set: true, Text: e}
				return nil
			}
		}
		key := normalizeHeader(text)
		if v, ok := f.Synonyms[key]; ok {
			*dst = Value{Set: true, Text: v}
			return nil
		}
		return fail(RuleEnum, "%q is not one of %s", text, strings.Join(f.Enum, ", "))
	}
	return fmt.Errorf("field %s: unknown type %d", f.Name, f.Type)
}

// number reads a number cell, or text written as a number: spaces, a
// leading or trailing currency sign ($, USD), thousands separators in
// groups of three and accounting parentheses for negatives are formatting
// and accepted; anything else ("1.234,50", "12 lbs", "n/a") is an error.
func (p *parser) number(typ xlsx.Type, text string, money bool) (float64, error) {
	if typ == xlsx.Number || typ == xlsx.Date {
		if v, ok := plainDecimal(text); ok {
			return v, nil
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, fail(RuleNumber, "%q is not a number", text)
		}
		return v, nil
	}
	if typ == xlsx.Bool {
		return 0, fail(RuleNumber, "a TRUE/FALSE cell is not a number")
	}
	s := strings.TrimSpace(text)
	if v, ok := plainDecimal(s); ok {
		p.numbersAsText++
		return v, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) && !strings.ContainsAny(s, "xXpP_iInN") {
		p.numbersAsText++
		return v, nil
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, strings.TrimSpace(s[1:])
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "USD"), "$"))
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "USD"), "$"))
	if strings.HasPrefix(s, "-") && !neg {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	if strings.Contains(s, ",") {
		intPart, frac, hasFrac := strings.Cut(s, ".")
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, fail(RuleNumber, "%q is not a number", text)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, fail(RuleNumber, "%q is not a number (thousands separators in the wrong places)", text)
			}
		}
		s = strings.Join(groups, "")
		if hasFrac {
			s += "." + frac
		}
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && c != '.' {
			return 0, fail(RuleNumber, "%q is not a number", text)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || s == "" {
		return 0, fail(RuleNumber, "%q is not a number", text)
	}
	p.numbersAsText++
	if neg {
		v = -v
	}
	return v, nil
}

// plainDecimal reads the numbers files hold most, digits with an optional
// fraction ("17969", "1939.92"), faster than strconv.ParseFloat and with
// the same result: with at most 15 digits the digits are an exact float64
// and so is the power of ten (up to 1e15), so one division rounds
// correctly, as ParseFloat does. Anything else is left to ParseFloat.
func plainDecimal(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	var mant uint64
	digits, frac := 0, -1 // frac: digits after the point, -1 before it
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits > 15 || frac == 0 {
		return 0, false // too long to be exact, or "5." (ParseFloat's)
	}
	if frac < 0 {
		return float64(mant), true
	}
	return float64(mant) / pow10[frac], true
}

// pow10 are the powers of ten up to 1e15, exact in float64.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// textDateLayouts are the text date formats accepted, besides slash dates
// (see date): ISO first, then the forms spreadsheets and ERP exports write.
var textDateLayouts = []string{
	"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04",
	"2006/01/02", "2006.01.02",
	"Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "02-Jan-2006", "2-Jan-2006", "02-Jan-06", "2-Jan-06",
	"Jan-02-2006", "Mon, Jan 2, 2006", "Monday, January 2, 2006", "20060102",
}

// date reads a date cell (a serial number), a number in a date column (an
// Excel serial whose cell lost its date format, counted in the report) or
// a text date. Slash dates follow p.order; two-digit years follow Excel:
// 00-29 are 2000-2029, 30-99 are 1930-1999.
func (p *parser) date(typ xlsx.Type, text string) (time.Time, error) {
	s := strings.TrimSpace(text)
	switch typ {
	case xlsx.Date:
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			t, err := xlsx.SerialTime(v, p.date1904)
			if err != nil {
				return time.Time{}, fail(RuleDate, "%s", err)
			}
			return t, nil
		}
	case xlsx.Number:
		v, err := strconv.ParseFloat(s, 64)
		// serialMin..serialMax is 1927..2173: numbers outside are not
		// plausible serials of business dates and are reported.
		const serialMin, serialMax = 10000, 100000
		if err == nil && v >= serialMin && v < serialMax {
			t, err := xlsx.SerialTime(v, p.date1904)
			if err == nil {
				p.serialDates++
				return t, nil
			}
		}
		return time.Time{}, fail(RuleDate, "%s is a number, not a date", text)
	case xlsx.Bool:
		return time.Time{}, fail(RuleDate, "a TRUE/FALSE cell is not a date")
	}
	if t, ok := isoDate(s); ok {
		return t, nil
	}
	if t, ok := slashDate(s, p.order); ok {
		return t, nil
	}
	for _, l := range textDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 100 {
				t = t.AddDate(excelCentury(t.Year()), 0, 0)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fail(RuleDate, "%q is not a date in a known format (use YYYY-MM-DD)", text)
}

// isoDate reads the common YYYY-MM-DD without time.Parse, which costs more
// than the rest of a row's validation. It accepts exactly what the first
// of textDateLayouts accepts, except years below 100 (which take Excel's
// century, see date), and leaves everything else, errors included, to the
// general path. slashDate never reads a four-digit first part, so trying
// this first changes no result.
func isoDate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digitsValue(s[0:4])
	m, ok2 := digitsValue(s[5:7])
	d, ok3 := digitsValue(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 100 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// digitsValue reads a string of ASCII digits only.
func digitsValue(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

// daysIn returns the days of month m of year y (proleptic Gregorian).
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// excelCentury returns the years to add to a two-digit year, as Excel does.
func excelCentury(yy int) int {
	if yy < 30 {
		return 2000
	}
	return 1900
}

// slashDate reads m/d/yyyy (or d/m/yyyy for DMY), with - or . instead of
// / too, one- or two-digit day and month, and two- or four-digit year.
func slashDate(s string, order DateOrder) (time.Time, bool) {
	sep := byte(0)
	for _, c := range []byte{'/', '-', '.'} {
		if strings.Count(s, string(c)) == 2 {
			sep = c
			break
		}
	}
	if sep == 0 {
		return time.Time{}, false
	}
	datePart, timePart, _ := strings.Cut(s, " ")
	// The date part in exactly three pieces: two separators, no third.
	p0, rest, ok1 := strings.Cut(datePart, string(sep))
	p1, p2, ok2 := strings.Cut(rest, string(sep))
	if !ok1 || !ok2 || strings.IndexByte(p2, sep) >= 0 || len(p0) > 2 || len(p1) > 2 || (len(p2) != 2 && len(p2) != 4) {
		return time.Time{}, false
	}
	a, err1 := strconv.Atoi(p0)
	b, err2 := strconv.Atoi(p1)
	y, err3 := strconv.Atoi(p2)
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, false
	}
	if len(p2) == 2 {
		y += excelCentury(y)
	}
	m, d := a, b
	if order == DMY {
		m, d = b, a
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 April
	}
	if timePart != "" {
		for _, l := range []string{"15:04", "15:04:05", "3:04 PM", "3:04:05 PM"} {
			if tt, err := time.Parse(l, strings.TrimSpace(timePart)); err == nil {
				return t.Add(time.Duration(tt.Hour())*time.Hour + time.Duration(tt.Minute())*time.Minute + time.Duration(tt.Second())*time.Second), true
			}
		}
		return time.Time{}, false
	}
	return t, true
}

// zip reads a ZIP: five digits, ZIP+4 (12345-6789 or nine digits; the +4
// is dropped), or, where allowed, a three-digit prefix. A number cell with
// fewer digits is a ZIP whose leading zeros the spreadsheet dropped (01460
// stored as 1460): it is padded, since a number cannot hold them.
func (p *parser) zip(typ xlsx.Type, text string, prefix3 bool) (string, error) {
	s := strings.TrimSpace(text)
	if typ == xlsx.Number {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v != math.Trunc(v) || v < 0 {
			return "", fail(RuleZIP, "%q is not a ZIP code", text)
		}
		n := int64(v)
		switch {
		case n <= 99999 && !prefix3:
			return p.padded(n, 5), nil
		case n <= 99999 && prefix3 && n > 999:
			return p.padded(n, 5), nil
		case n <= 999 && prefix3:
			// A 1-3 digit number in a column that holds 3-digit prefixes is
			// ambiguous only if 5-digit ZIPs are in it too; it is read as a
			// prefix, as such columns are written.
			return p.padded(n, 3), nil
		case n >= 10000000 && n <= 999999999:
			return p.padded(n/10000, 5), nil // ZIP+4 as a number
		}
		return "", fail(RuleZIP, "%q is not a ZIP code", text)
	}
	digits := func(x string) bool {
		for _, c := range []byte(x) {
			if c < '0' || c > '9' {
				return false
			}
		}
		return x != ""
	}
	// text may view the reader's buffer (see view): the result is a copy,
	// since loaders keep values past the next row.
	switch {
	case len(s) == 5 && digits(s):
		return p.strs.intern(s), nil
	case len(s) == 10 && s[5] == '-' && digits(s[:5]) && digits(s[6:]):
		return p.strs.intern(s[:5]), nil
	case len(s) == 9 && digits(s):
		return p.strs.intern(s[:5]), nil
	case len(s) == 3 && digits(s) && prefix3:
		return p.strs.intern(s), nil
	}
	return "", fail(RuleZIP, "%q is not a ZIP code (5 digits or ZIP+4%s)", text, map[bool]string{true: ", or a 3-digit prefix", false: ""}[prefix3])
}

// padded formats a non-negative n as fmt.Sprintf("%0*d", width, n) does,
// without boxing n.
func (p *parser) padded(n int64, width int) string {
	var b [20]byte
	d := strconv.AppendInt(b[:0], n, 10)
	if len(d) >= width {
		return p.strs.intern(view(d))
	}
	var z [20]byte
	pad := z[:width-len(d)]
	for i := range pad {
		pad[i] = '0'
	}
	return p.strs.intern(view(append(pad, d...)))
}
