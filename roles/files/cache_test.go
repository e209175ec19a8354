package files

import (
	"bytes"
	"testing"
	"unsafe"

	"networx/roles/files/geo"
)

func TestInternerCopies(t *testing.T) {
	t.Parallel()
	in := newInterner()
	buf := []byte("Rochester")
	a := in.intern(view(buf))
	copy(buf, "Xxxxxxxxx") // the reader reuses its buffer
	if a != "Rochester" {
		t.Fatalf("interned %q changed with the buffer", a)
	}
	copy(buf, "Rochester")
	if b := in.intern(view(buf)); b != a || unsafe.StringData(b) != unsafe.StringData(a) {
		t.Errorf("a repeated text was copied again")
	}
	long := bytes.Repeat([]byte("x"), internMaxLen+1)
	if s := in.intern(view(long)); s != string(long) || unsafe.StringData(s) == &long[0] {
		t.Errorf("a long text is not a copy")
	}
	var none *interner
	if s := none.intern(view(buf)); s != "Rochester" || unsafe.StringData(s) == &buf[0] {
		t.Errorf("a nil interner does not copy")
	}
}

// TestZIPCacheMatchesTable resolves every ZIP and prefix twice through one
// cache (so that slots collide and are replaced) and compares each answer
// with the table's.
func TestZIPCacheMatchesTable(t *testing.T) {
	t.Parallel()
	g := testGeo(t)
	c := newZIPCache()
	check := func(z string) {
		got, ok := c.lookup(g, z)
		n := 0
		for _, d := range []byte(z) {
			n = n*10 + int(d-'0')
		}
		var p geo.Place
		var wok bool
		method := "zip5"
		if len(z) == 3 {
			p, wok = g.ZIP3(n)
			method = "zip3"
		} else {
			p, wok = g.ZIP5(n)
		}
		want := Place{}
		if wok {
			want = Place{Set: true, Lat: p.Lat, Lon: p.Lon, State: p.State, Region: geo.Region(p.State), Method: method}
		}
		if ok != wok || got != want {
			t.Fatalf("lookup(%q) = %+v, %v; the table says %+v, %v", z, got, ok, want, wok)
		}
	}
	for pass := 0; pass < 2; pass++ {
		for n := 0; n <= 99999; n++ {
			check(padZIP(n, 5))
		}
		for n := 0; n <= 999; n++ {
			check(padZIP(n, 3))
		}
	}
}

func padZIP(n, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

func TestCityCacheMatchesTable(t *testing.T) {
	t.Parallel()
	g := testGeo(t)
	c := newCityCache()
	pairs := [][2]string{{"Chicago", "IL"}, {"chicago", "IL"}, {"St. Louis", "MO"}, {"Saint Louis", "MO"}, {"Ft Worth", "TX"},
		{"Nowhere", "IL"}, {"Chicago", "XX"}, {"Chicago", "Illinois"}, {"", "IL"}}
	for pass := 0; pass < 3; pass++ {
		for _, p := range pairs {
			got, ok := c.city(g, p[0], p[1])
			want, wok := g.City(p[0], p[1])
			if ok != wok || got != want {
				t.Fatalf("city(%q, %q) = %+v, %v; the table says %+v, %v", p[0], p[1], got, ok, want, wok)
			}
		}
	}
}
