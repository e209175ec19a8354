package files

import (
	"hash/maphash"
	"strconv"
	"strings"

	"networx/roles/files/geo"
)

// interner hands out one shared copy of each recently seen short text, so
// that the cities, carriers and ZIPs a file repeats on every row are not
// copied out of the reader's buffer row after row. It is a direct-mapped
// cache: a text hashes to one slot, and a different text in that slot is
// replaced. The result is always a string equal to its argument that does
// not view the argument's memory; only how often it is allocated changes.
// A nil *interner copies every time.
type interner struct {
	seed  maphash.Seed
	slots []string
}

// internSlots and internMaxLen bound the interner at about 1.3 MB (16,384
// string headers and at most 64 bytes behind each), enough for the working
// set of a shipments file (some thousands of cities and ZIPs, a few dozen
// carriers); longer texts (names, descriptions) rarely repeat and are
// copied.
const (
	internSlots  = 1 << 14
	internMaxLen = 64
)

func newInterner() *interner {
	return &interner{seed: maphash.MakeSeed(), slots: make([]string, internSlots)}
}

// intern returns a copy of s that is safe to keep after s's memory is
// reused.
func (in *interner) intern(s string) string {
	if in == nil || len(s) > internMaxLen {
		return strings.Clone(s)
	}
	if s == "" {
		return ""
	}
	i := maphash.String(in.seed, s) & (internSlots - 1)
	if t := in.slots[i]; t == s {
		return t
	}
	t := strings.Clone(s)
	in.slots[i] = t
	return t
}

// zipCache remembers resolved ZIPs: the point and state of a 5-digit ZIP
// or a 3-digit prefix, or that the table lacks it. A lookup in geo.Table
// touches half a dozen arrays at random, which is most of the cost of a
// row once the file is larger than the CPU cache; the few thousand ZIPs a
// file repeats fit in one compact array of 24-byte entries. It is
// direct-mapped by the ZIP's number and bounded at zipCacheSlots entries
// (384 KB).
type zipCache struct {
	slots  []zipEntry
	states []string // the state codes of the entries, by zipEntry.state
}

const (
	zipCacheBits  = 14
	zipCacheSlots = 1 << zipCacheBits
)

type zipEntry struct {
	key      int32 // the ZIP, plus zip3Key for a prefix
	used     bool
	found    bool
	state    uint8 // index into zipCache.states
	lat, lon float64
}

// zip3Key sets prefixes apart from ZIPs of the same number.
const zip3Key = 1 << 20

func newZIPCache() *zipCache {
	return &zipCache{slots: make([]zipEntry, zipCacheSlots)}
}

// lookup returns the place of ZIP text z (5 or 3 digits, as parsed) as
// location builds it, and whether the table has it.
func (c *zipCache) lookup(g *geo.Table, z string) (Place, bool) {
	n, _ := strconv.Atoi(z)
	key := int32(n)
	method := "zip5"
	if len(z) == 3 {
		key += zip3Key
		method = "zip3"
	}
	// Fibonacci hashing spreads neighbouring ZIPs over the slots.
	e := &c.slots[(uint32(key)*2654435769)>>(32-zipCacheBits)]
	if !e.used || e.key != key {
		var p geo.Place
		var found bool
		if len(z) == 3 {
			p, found = g.ZIP3(n)
		} else {
			p, found = g.ZIP5(n)
		}
		*e = zipEntry{key: key, used: true, found: found, lat: p.Lat, lon: p.Lon, state: c.stateIndex(p.State)}
	}
	if !e.found {
		return Place{}, false
	}
	st := c.states[e.state]
	return Place{Set: true, Lat: e.lat, Lon: e.lon, State: st, Region: geo.Region(st), Method: method}, true
}

func (c *zipCache) stateIndex(code string) uint8 {
	for i, s := range c.states {
		if s == code {
			return uint8(i)
		}
	}
	if len(c.states) == 255 { // never: the table has 60 codes
		return 0
	}
	c.states = append(c.states, code)
	return uint8(len(c.states) - 1)
}

// cityCache remembers geo.Table.City answers. City normalizes the name
// (several allocations) and hashes it on every call, and a sheet located by
// city and state repeats the same few thousand pairs row after row. It is
// direct-mapped like interner, keyed by the row's city text and state
// code, and bounded at cityCacheSlots entries (about 400 KB).
type cityCache struct {
	seed  maphash.Seed
	slots []cityEntry
}

const cityCacheSlots = 1 << 12

type cityEntry struct {
	city, state string
	place       geo.Place
	found, used bool
}

func newCityCache() *cityCache {
	return &cityCache{seed: maphash.MakeSeed(), slots: make([]cityEntry, cityCacheSlots)}
}

// city returns g.City(city, state), from the cache when it can.
func (c *cityCache) city(g *geo.Table, city, state string) (geo.Place, bool) {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(city)
	h.WriteByte(0)
	h.WriteString(state)
	e := &c.slots[h.Sum64()&(cityCacheSlots-1)]
	if e.used && e.city == city && e.state == state {
		return e.place, e.found
	}
	p, found := g.City(city, state)
	*e = cityEntry{city: city, state: state, place: p, found: found, used: true}
	return p, found
}
