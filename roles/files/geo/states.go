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

// StateCode returns the USPS code of a state given as its code or its full
// name, in any case.
func StateCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		u := strings.ToUpper(s)
		for _, st := range stateList {
			if st.code == u {
				return st.code, true // not u: ToUpper may return s, which may view a buffer
			}
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

// Region returns the Census region of a USPS state code ("Territories" and
// "Military" for the areas outside the four regions), or "" for an unknown
// code.
func Region(code string) string {
	for _, st := range stateList {
		if st.code == code {
			return st.region
		}
	}
	return ""
}
