package geo

import (
	"math"
	"sort"
	"strings"
	"testing"
)

// The spot checks of shared/data/geo/SOURCES.md are the oracle.
func TestLookups(t *testing.T) {
	t.Parallel()
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 41636 {
		t.Errorf("Len() = %d, want 41,636 ZIPs (SOURCES.md)", tab.Len())
	}
	// toleranceDeg is the table's fixed-point step (1e-4 degree), doubled.
	const toleranceDeg = 2e-4
	near := func(p Point, lat, lon, tol float64) bool {
		return math.Abs(p.Lat-lat) <= tol && math.Abs(p.Lon-lon) <= tol
	}
	zips := []struct {
		zip      int
		state    string
		city     string
		lat, lon float64
	}{
		{1460, "MA", "Littleton", 42.535931, -71.490569},
		{60601, "IL", "Chicago", 41.885310, -87.622129},
		{94105, "CA", "San Francisco", 37.789864, -122.393665},
		{501, "NY", "Holtsville", 40.8154, -73.0451},
	}
	for _, z := range zips {
		p, ok := tab.ZIP5(z.zip)
		if !ok || p.State != z.state || p.City != z.city || !near(p.Point, z.lat, z.lon, toleranceDeg) {
			t.Errorf("ZIP5(%05d) = %+v, %v; want %s %s %.4f,%.4f", z.zip, p, ok, z.city, z.state, z.lat, z.lon)
		}
	}
	if _, ok := tab.ZIP5(99999); ok {
		t.Errorf("ZIP5(99999) found; it does not exist")
	}
	if _, ok := tab.ZIP5(0); ok {
		t.Errorf("ZIP5(00000) found")
	}

	// Prefix centroids: 606 is Chicago, 941 San Francisco; a centroid lies
	// within a degree of the city for these compact prefixes.
	for _, c := range []struct {
		prefix   int
		state    string
		lat, lon float64
	}{{606, "IL", 41.88, -87.65}, {941, "CA", 37.77, -122.43}, {14, "MA", 42.5, -71.5}} {
		p, ok := tab.ZIP3(c.prefix)
		if !ok || p.State != c.state || !near(p.Point, c.lat, c.lon, 1) {
			t.Errorf("ZIP3(%03d) = %+v, %v; want near %v,%v in %s", c.prefix, p, ok, c.lat, c.lon, c.state)
		}
	}
	if _, ok := tab.ZIP3(2); ok {
		t.Errorf("ZIP3(002) found; no ZIP starts with 002")
	}

	cities := []struct {
		city, state string
		lat, lon    float64
		ok          bool
	}{
		{"Chicago", "IL", 41.88, -87.65, true},
		{"CHICAGO", "Illinois", 41.88, -87.65, true},
		{"St. Louis", "MO", 38.63, -90.24, true},
		{"Saint Louis", "mo", 38.63, -90.24, true},
		{"Ft Worth", "TX", 32.75, -97.33, true},
		{"Chicago", "CA", 0, 0, false},
		{"Atlantis", "FL", 0, 0, false},
		{"Chicago", "ZZ", 0, 0, false},
	}
	for _, c := range cities {
		p, ok := tab.City(c.city, c.state)
		if ok != c.ok || ok && !near(p.Point, c.lat, c.lon, 0.3) {
			t.Errorf("City(%q, %q) = %+v, %v; want ok=%v near %v,%v", c.city, c.state, p, ok, c.ok, c.lat, c.lon)
		}
	}
}

func TestStateCodeAndRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, code, region string
		ok               bool
	}{
		{"IL", "IL", RegionMidwest, true},
		{"il", "IL", RegionMidwest, true},
		{"New York", "NY", RegionNortheast, true},
		{" district of columbia ", "DC", RegionSouth, true},
		{"PR", "PR", RegionTerritories, true},
		{"XX", "", "", false},
		{"Illinoise", "", "", false},
	}
	for _, tt := range tests {
		code, ok := StateCode(tt.in)
		if code != tt.code || ok != tt.ok || Region(code) != tt.region {
			t.Errorf("StateCode(%q) = %q, %v (region %q); want %q, %v, %q", tt.in, code, ok, Region(code), tt.code, tt.ok, tt.region)
		}
	}
}

// TestIndexesMatchScans checks the lookup tables of StateCode, Region and
// ZIP5 against the plain scans they replace, over every two-byte input and
// every ZIP.
func TestIndexesMatchScans(t *testing.T) {
	t.Parallel()
	scanCode := func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		if len(s) != 2 {
			return StateCode(s) // the full-name path is unchanged
		}
		u := strings.ToUpper(s)
		for _, st := range stateList {
			if st.code == u {
				return st.code, true
			}
		}
		return "", false
	}
	scanRegion := func(code string) string {
		for _, st := range stateList {
			if st.code == code {
				return st.region
			}
		}
		return ""
	}
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			for _, s := range []string{string([]byte{byte(a), byte(b)}), " " + string([]byte{byte(a), byte(b)}) + " "} {
				code, ok := StateCode(s)
				if wcode, wok := scanCode(s); code != wcode || ok != wok {
					t.Fatalf("StateCode(%q) = %q, %v; the scan says %q, %v", s, code, ok, wcode, wok)
				}
				if got, want := Region(s), scanRegion(s); got != want {
					t.Fatalf("Region(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
	for _, s := range []string{"", "A", "ABC", "ſt", "\u212a\u212a"} {
		if got, want := Region(s), scanRegion(s); got != want {
			t.Errorf("Region(%q) = %q, want %q", s, got, want)
		}
	}
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for z := -2; z <= maxZIP+2; z++ {
		p, ok := tab.ZIP5(z)
		i := sort.Search(len(tab.zips), func(i int) bool { return tab.zips[i] >= uint32(z) })
		wok := z >= 0 && i < len(tab.zips) && tab.zips[i] == uint32(z)
		if ok != wok || ok && (p.State != tab.states[tab.zState[i]] || p.City != tab.cities[tab.zCity[i]] || p.Lat != float64(tab.zLat[i])/1e4) {
			t.Fatalf("ZIP5(%d) = %+v, %v; the binary search says found %v", z, p, ok, wok)
		}
	}
}
