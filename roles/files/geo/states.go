package geo

import "strings"

// state is one US state, district, territory or military postal area.
type state struct {
	code, name, region string
}

// Census regions, and the two groups outside them.
const (
	RegionNortheast   = "Northeast"
	RegionMidwest     = "Midwest"
	RegionSouth       = "South"
	RegionWest        = "West"
	RegionTerritories = "Territories"
	RegionMilitary    = "Military"
)

var stateList = [...]state{
	{"AL", "Alabama", RegionSouth}, {"AK", "Alaska", RegionWest}, {"AZ", "Arizona", RegionWest},
	{"AR", "Arkansas", RegionSouth}, {"CA", "California", RegionWest}, {"CO", "Colorado", RegionWest},
	{"CT", "Connecticut", RegionNortheast}, {"DE", "Delaware", RegionSouth}, {"DC", "District of Columbia", RegionSouth},
	{"FL", "Florida", RegionSouth}, {"GA", "Georgia", RegionSouth}, {"HI", "Hawaii", RegionWest},
	{"ID", "Idaho", RegionWest}, {"IL", "Illinois", RegionMidwest}, {"IN", "Indiana", RegionMidwest},
	{"IA", "Iowa", RegionMidwest}, {"KS", "Kansas", RegionMidwest}, {"KY", "Kentucky", RegionSouth},
	{"LA", "Louisiana", RegionSouth}, {"ME", "Maine", RegionNortheast}, {"MD", "Maryland", RegionSouth},
	{"MA", "Massachusetts", RegionNortheast}, {"MI", "Michigan", RegionMidwest}, {"MN", "Minnesota", RegionMidwest},
	{"MS", "Mississippi", RegionSouth}, {"MO", "Missouri", RegionMidwest}, {"MT", "Montana", RegionWest},
	{"NE", "Nebraska", RegionMidwest}, {"NV", "Nevada", RegionWest}, {"NH", "New Hampshire", RegionNortheast},
	{"NJ", "New Jersey", RegionNortheast}, {"NM", "New Mexico", RegionWest}, {"NY", "New York", RegionNortheast},
	{"NC", "North Carolina", RegionSouth}, {"ND", "North Dakota", RegionMidwest}, {"OH", "Ohio", RegionMidwest},
	{"OK", "Oklahoma", RegionSouth}, {"OR", "Oregon", RegionWest}, {"PA", "Pennsylvania", RegionNortheast},
	{"RI", "Rhode Island", RegionNortheast}, {"SC", "South Carolina", RegionSouth}, {"SD", "South Dakota", RegionMidwest},
	{"TN", "Tennessee", RegionSouth}, {"TX", "Texas", RegionSouth}, {"UT", "Utah", RegionWest},
	{"VT", "Vermont", RegionNortheast}, {"VA", "Virginia", RegionSouth}, {"WA", "Washington", RegionWest},
	{"WV", "West Virginia", RegionSouth}, {"WI", "Wisconsin", RegionMidwest}, {"WY", "Wyoming", RegionWest},
	{"PR", "Puerto Rico", RegionTerritories}, {"VI", "Virgin Islands", RegionTerritories}, {"GU", "Guam", RegionTerritories},
	{"AS", "American Samoa", RegionTerritories}, {"MP", "Northern Mariana Islands", RegionTerritories},
	{"MH", "Marshall Islands", RegionTerritories}, {"FM", "Micronesia", RegionTerritories}, {"PW", "Palau", RegionTerritories},
	{"AA", "Armed Forces Americas", RegionMilitary}, {"AE", "Armed Forces Europe", RegionMilitary}, {"AP", "Armed Forces Pacific", RegionMilitary},
}

// codeIndex maps a two-letter USPS code, as (first-'A')*26 + second-'A', to
// its index in stateList plus one (0: no such code). StateCode and Region
// run once or twice per row of a shipments file: an array lookup instead of
// a scan of the list.
var codeIndex = func() (idx [26 * 26]uint8) {
	for i, st := range stateList {
		idx[int(st.code[0]-'A')*26+int(st.code[1]-'A')] = uint8(i + 1)
	}
	return idx
}()

// lookupCode returns the state of a two-letter code in upper case, if any.
func lookupCode(a, b byte) (*state, bool) {
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return nil, false
	}
	i := codeIndex[int(a-'A')*26+int(b-'A')]
	if i == 0 {
		return nil, false
	}
	return &stateList[i-1], true
}

// StateCode returns the USPS code of a state given as its code or its full
// name, in any case.
func StateCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		// Two bytes are two ASCII characters or one multi-byte rune, and no
		// rune upper-cases to a two-letter code: only ASCII letters can
		// match.
		if st, ok := lookupCode(upperASCII(s[0]), upperASCII(s[1])); ok {
			return st.code, true
		}
		return "", false
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, ".", "")), " ")
	for _, st := range stateList {
		if strings.EqualFold(st.name, s) {
			return st.code, true
		}
	}
	return "", false
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// Region returns the Census region of a USPS state code ("Territories" and
// "Military" for the areas outside the four regions), or "" for an unknown
// code.
func Region(code string) string {
	if len(code) != 2 {
		return ""
	}
	if st, ok := lookupCode(code[0], code[1]); ok {
		return st.region
	}
	return ""
}
