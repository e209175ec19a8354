package xlsx

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"time"
)

type xStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// parseStyles returns, for each cell style index (the s attribute of a
// cell), whether its number format shows a date or time.
func parseStyles(b []byte) ([]bool, error) {
	var x xStyles
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	custom := make(map[int]string, len(x.NumFmts))
	for _, f := range x.NumFmts {
		custom[f.ID] = f.Code
	}
	out := make([]bool, len(x.CellXfs))
	for i, xf := range x.CellXfs {
		if code, ok := custom[xf.NumFmtID]; ok {
			out[i] = IsDateFormat(code)
		} else {
			out[i] = isBuiltinDate(xf.NumFmtID)
		}
	}
	return out, nil
}

// isBuiltinDate reports whether a built-in number format id is a date or
// time format (ECMA-376 Part 1, 18.8.30, plus the East Asian ids Excel
// assigns to dates).
func isBuiltinDate(id int) bool {
	switch {
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47,
		id >= 50 && id <= 58, id >= 71 && id <= 81:
		return true
	}
	return false
}

// IsDateFormat reports whether a custom number format code shows a date
// or time: its first section has a y, m, d, h or s outside quoted text,
// backslash escapes and [brackets] (colours, conditions, locales). Elapsed
// time formats ([h]:mm) count as durations, not dates.
func IsDateFormat(code string) bool {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++ // the next character is literal (or padding)
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			inner := strings.ToLower(code[i+1 : i+1+j])
			if inner != "" && strings.Trim(inner, "hms") == "" {
				return false // elapsed time: a duration
			}
			i += j + 1
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// SerialTime converts an Excel date serial number to a time in UTC.
//
// In the 1900 system day 1 is 1900-01-01 and Excel counts a 29 February 1900
// that never existed (day 60), a bug kept from Lotus 1-2-3: serials from 61
// on are days since 1899-12-30, serials below 60 days since 1899-12-31, and
// 60 itself is not a date. In the 1904 system day 0 is 1904-01-01. The
// fraction is the time of day, rounded to the millisecond.
func SerialTime(serial float64, date1904 bool) (time.Time, error) {
	// maxSerial is 9999-12-31, the last day Excel shows.
	const maxSerial = 2958465
	if math.IsNaN(serial) || serial < 0 || serial >= maxSerial+1 {
		return time.Time{}, fmt.Errorf("date serial %v is outside Excel's dates", serial)
	}
	day := math.Floor(serial)
	var epoch time.Time
	switch {
	case date1904:
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case day >= 61:
		epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	case day == 60:
		return time.Time{}, fmt.Errorf("date serial 60 is 29 February 1900, a day that does not exist")
	default:
		epoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	ms := math.Round((serial - day) * 86400000)
	return epoch.AddDate(0, 0, int(day)).Add(time.Duration(ms) * time.Millisecond), nil
}
