package files

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"
)

// aggregates sums a load's shipments into its derived data while the rows
// stream to COPY: the shipment lanes, the freight baseline and the demand
// by destination and year, each group and sum what the SQL of derive.go
// computes over the copied rows (derive.go writes them, and runs that SQL
// for an aggregate given up here). The SQL scanned and hashed the
// version's rows once more per aggregate after the COPY (9 s of a 33 s
// load of 2.5 million shipments); here it costs a few lookups a row, on
// the way.
//
// The work is split in two. The sink's Row calls fact, which keys a row
// (text keys interned to ids, packed into uint64 keys) into a
// shipmentFact carried with the row's COPY batch; sum adds a batch's
// facts into the groups, on a goroutine of its own while the batch is
// copied (copySink.run), so that the random memory accesses of a few
// hundred thousand lanes neither slow the parse nor wait for it. Calls of
// sum follow each other, and its groups are read after the last.
//
// Memory is bounded by a budget (LoaderConfig.DeriveMemory), estimated
// from the groups and the key texts held: past it sum gives up the
// largest aggregate (its groups freed, its rows left to SQL); texts past
// half of it give everything up, and so does giving up all three. Sums
// are added in file order, the order a fresh version's rows are scanned
// in.
type aggregates struct {
	budget int64        // bytes
	used   atomic.Int64 // estimated bytes held, texts and groups
	off    atomic.Bool  // everything given up (set by either side)

	// Used by fact (the parser's goroutine).
	date, units, weight, cost, mode, carrier int // field indices
	origin, dest                             placeKeyFields
	originPlace, destPlace                   int // indices into Record.Places
	// Key texts by id, 0 being NULL: places and carriers in texts (with
	// their ids in ids), modes and regions, a handful of values, in enums.
	ids       map[string]uint32
	texts     []string
	zips      []uint32 // ids of 5-digit ZIPs by number, 3-digit ones at 100,000 + number; see internZIP
	textBytes int64
	modes     enumIDs
	regions   enumIDs
	scratch   []byte
	// withoutUnits counts the shipments without units (left out of
	// demand), whatever was given up.
	withoutUnits int64

	// Used by sum; nil when given up.
	lanes    *groups[laneKey]
	baseline *groups[baselineKey]
	demand   *groups[demandKey]
}

// placeKeyFields are the field indices of a place key, the SQL
// coalesce(name, zip, city || ', ' || coalesce(state, place state)).
type placeKeyFields struct{ name, zip, city, state int }

// Group keys are packed into a uint64, one compare and one multiply to
// hash: text ids and months (year*12 + month-1) in the bits below. A value too
// large for its bits (more distinct texts than the budget holds anyway, a
// year past 87,000) gives everything up to SQL.
type (
	laneKey     uint64 // origin 22 bits, dest 22, mode 8, origin region 6, destination region 6
	baselineKey uint64 // month 20 bits, carrier 24, mode 8, origin region 6, destination region 6
	demandKey   uint64 // dest 32 bits, year 32
)

const (
	placeBits   = 22
	carrierBits = 24
	monthBits   = 20
	enumBits    = 8 // modes
	regionBits  = 6
)

// shipmentFact is a shipment row as the aggregates need it.
type shipmentFact struct {
	lane                laneKey
	baseline            baselineKey
	demand              demandKey // with units only
	cost, units, weight float64
	hasUnits, hasWeight bool
}

// sums are a group's totals. A sum of a nullable column is NULL when no
// row of the group has a value, as in SQL.
type sums struct {
	shipments           int64
	units, weight, cost float64
	hasUnits, hasWeight bool
}

// add sums a shipment.
func (s *sums) add(f *shipmentFact) {
	s.shipments++
	s.cost += f.cost
	if f.hasUnits {
		s.units += f.units
		s.hasUnits = true
	}
	if f.hasWeight {
		s.weight += f.weight
		s.hasWeight = true
	}
}

// textOverhead estimates the memory of a key text besides its bytes: its
// string header in texts and its map entry. Groups are counted by their
// tables' size.
const textOverhead = 64

func newAggregates(budget int64) *aggregates {
	sch := SchemaOf(Shipments)
	pk := func(prefix string) placeKeyFields {
		return placeKeyFields{sch.field(prefix + "_name"), sch.field(prefix + "_zip"), sch.field(prefix + "_city"), sch.field(prefix + "_state")}
	}
	a := &aggregates{budget: budget,
		date: sch.field("ship_date"), units: sch.field("units"), weight: sch.field("weight"), cost: sch.field("cost"),
		mode: sch.field("mode"), carrier: sch.field("carrier"), origin: pk("origin"), dest: pk("dest"),
		originPlace: -1, destPlace: -1,
		ids: map[string]uint32{}, texts: []string{""}, modes: enumIDs{max: 1<<enumBits - 1}, regions: enumIDs{max: 1<<regionBits - 1},
		lanes: newGroups[laneKey](), baseline: newGroups[baselineKey](), demand: newGroups[demandKey]()}
	for i, g := range sch.Locations {
		switch g.Name {
		case "origin":
			a.originPlace = i
		case "destination":
			a.destPlace = i
		}
	}
	a.used.Store(a.lanes.bytes() + a.baseline.bytes() + a.demand.bytes())
	for _, i := range []int{a.date, a.units, a.weight, a.cost, a.mode, a.carrier, a.origin.name, a.origin.zip, a.origin.city,
		a.origin.state, a.dest.name, a.dest.zip, a.dest.city, a.dest.state, a.originPlace, a.destPlace} {
		if i < 0 {
			panic("files: the shipments schema lacks a field the derived data is keyed by") // a programmer error
		}
	}
	return a
}

// fact keys an accepted shipment row into f, and returns false when
// everything is given up (f is then not set). It runs on the parser's
// goroutine.
func (a *aggregates) fact(r *Record, f *shipmentFact) (bool, error) {
	v := r.Values
	units, weight := &v[a.units], &v[a.weight]
	if !units.Set {
		a.withoutUnits++
	}
	if a.off.Load() {
		if a.ids != nil {
			a.ids, a.texts, a.zips = nil, nil, nil // sum gave up: free the texts here, where they are used
		}
		return false, nil
	}
	op, dp := &r.Places[a.originPlace], &r.Places[a.destPlace]
	orig, err := a.placeKey(v, &a.origin, op, "origin", r.Row)
	if err != nil {
		return false, err
	}
	dest, err := a.placeKey(v, &a.dest, dp, "destination", r.Row)
	if err != nil {
		return false, err
	}
	carrier := a.value(&v[a.carrier])
	t := v[a.date].Time
	year := t.Year()
	month := uint64(year)*12 + uint64(t.Month()) - 1
	mode := a.modes.id(v[a.mode].Text, !v[a.mode].Set)
	oreg, dreg := a.regions.id(region(op)), a.regions.id(region(dp))
	if year < 0 || month >= 1<<monthBits || mode < 0 || oreg < 0 || dreg < 0 ||
		orig >= 1<<placeBits || dest >= 1<<placeBits || carrier >= 1<<carrierBits || a.textBytes > a.budget/2 {
		a.off.Store(true)
		a.ids, a.texts, a.zips = nil, nil, nil
		return false, nil
	}
	regions := uint64(mode)<<12 | uint64(oreg)<<6 | uint64(dreg)
	*f = shipmentFact{
		lane:     laneKey(uint64(orig)<<42 | uint64(dest)<<20 | regions),
		baseline: baselineKey(month<<44 | uint64(carrier)<<20 | regions),
		demand:   demandKey(uint64(dest)<<32 | uint64(year)),
		cost:     v[a.cost].Num, units: units.Num, weight: weight.Num, hasUnits: units.Set, hasWeight: weight.Set,
	}
	return true, nil
}

// sum adds a batch's facts into the groups.
func (a *aggregates) sum(facts []shipmentFact) {
	a.fit(0) // the texts of the batch may have passed the budget
	for i := range facts {
		f := &facts[i]
		if f.hasUnits {
			sumInto(a, &a.demand, f.demand, f) // demand is written without shipments and cost
		}
		sumInto(a, &a.lanes, f.lane, f)
		sumInto(a, &a.baseline, f.baseline, f)
	}
	a.settle()
}

// sumInto adds f into *g's group k, growing the table first if it is
// full and the budget allows; else fit gives up aggregates, *g perhaps.
func sumInto[K laneKey | baselineKey | demandKey](a *aggregates, g **groups[K], k K, f *shipmentFact) {
	if *g == nil {
		return
	}
	if (*g).full() {
		a.fit((*g).bytes()) // growing doubles the table
		if *g == nil {
			return
		}
		a.used.Add((*g).grow())
	}
	(*g).add(k, f)
}

// fit gives up the largest aggregate until extra more bytes are within
// the budget, and everything when no aggregate is left.
func (a *aggregates) fit(extra int64) {
	for a.used.Load()+extra > a.budget && !a.off.Load() {
		b := []int64{a.lanes.bytes(), a.baseline.bytes(), a.demand.bytes()}
		switch slices.Index(b, slices.Max(b)) {
		case 0:
			a.lanes = nil
		case 1:
			a.baseline = nil
		case 2:
			a.demand = nil
		}
		a.used.Add(-slices.Max(b))
		if a.lanes == nil && a.baseline == nil && a.demand == nil {
			a.off.Store(true)
		}
	}
}

// settle leaves everything to SQL if either side gave up everything.
// derive calls it after the last sum, which may have had no facts.
func (a *aggregates) settle() {
	if a.off.Load() {
		a.lanes, a.baseline, a.demand = nil, nil, nil
	}
}

// value is the id of a text value, 0 when it is not set.
func (a *aggregates) value(v *Value) uint32 {
	if !v.Set {
		return 0
	}
	return a.intern(v.Text)
}

// region is a place's region and whether it is NULL: unresolved or
// empty, as the loader copies it.
func region(p *Place) (string, bool) {
	if !p.Set || p.Region == "" {
		return "", true
	}
	return p.Region, false
}

// placeKey is the id of a place's key text: the name, else the ZIP, else
// "city, state" with the state given or else resolved. A key that is NULL
// in SQL fails the load there (the derived tables' keys are not null), and
// here the same way.
func (a *aggregates) placeKey(v []Value, f *placeKeyFields, p *Place, what string, row int) (uint32, error) {
	switch {
	case v[f.name].Set:
		return a.intern(v[f.name].Text), nil
	case v[f.zip].Set:
		return a.internZIP(v[f.zip].Text), nil
	case v[f.city].Set && (v[f.state].Set || p.Set && p.State != ""):
		state := v[f.state].Text
		if !v[f.state].Set {
			state = p.State
		}
		a.scratch = append(append(append(a.scratch[:0], v[f.city].Text...), ", "...), state...)
		if id, ok := a.ids[string(a.scratch)]; ok {
			return id, nil
		}
		return a.intern(string(a.scratch)), nil
	}
	return 0, fmt.Errorf("shipment row %d has no %s to key the derived data by (a name, a ZIP, or a city and state)", row, what)
}

// internZIP is intern for a ZIP, the usual place key: a 5- or 3-digit
// ZIP's id is cached in a table (400 KB) indexed by its number, which
// saves hashing it twice a row (interning fell from 6% to 4% of the
// load's CPU time on the benchmark's CSV). The id is the text's, shared
// with a name of the same text.
func (a *aggregates) internZIP(s string) uint32 {
	n := 0
	if len(s) != 5 && len(s) != 3 {
		return a.intern(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return a.intern(s)
		}
		n = n*10 + int(s[i]-'0')
	}
	if len(s) == 3 {
		n += 100000 // after every 5-digit ZIP
	}
	if a.zips == nil {
		a.zips = make([]uint32, 101000)
		a.textBytes += int64(len(a.zips)) * 4
		a.used.Add(int64(len(a.zips)) * 4)
	}
	if a.zips[n] == 0 {
		a.zips[n] = a.intern(s)
	}
	return a.zips[n]
}

// intern returns the id of s, adding it.
func (a *aggregates) intern(s string) uint32 {
	if id, ok := a.ids[s]; ok {
		return id
	}
	s = strings.Clone(s) // not a view into a row that would stay alive with it
	id := uint32(len(a.texts))
	a.ids[s] = id
	a.texts = append(a.texts, s)
	n := textOverhead + int64(len(s))
	a.textBytes += n
	a.used.Add(n)
	return id
}

// enumIDs numbers the few values of a column (modes, regions) by a linear
// search, faster than a map at that size; 0 is NULL.
type enumIDs struct {
	texts []string // by id-1
	max   int
}

// id returns the id of s, 0 if null, adding s; -1 past max values.
func (e *enumIDs) id(s string, null bool) int {
	if null {
		return 0
	}
	for i, t := range e.texts {
		if t == s {
			return i + 1
		}
	}
	if len(e.texts) == e.max {
		return -1
	}
	e.texts = append(e.texts, strings.Clone(s))
	return len(e.texts)
}

// groups is one aggregate: a hash table of its groups, the sums stored
// with the key so that a row costs one random memory access, not the
// two or three of a Go map indexing pages (half the time on the
// benchmark's 2.5 million shipments, 477,000 lanes). Open addressing with linear probing,
// at most 3/4 full; a slot is free while its shipments count is 0 (add
// counts every row it sums).
type groups[K laneKey | baselineKey | demandKey] struct {
	slots []group[K]
	n     int
	shift uint // 64 - log2(len(slots))
}

type group[K laneKey | baselineKey | demandKey] struct {
	key K
	sums
}

// groupsInitial is the slots of a new table (48 KB).
const groupsInitial = 1024

func newGroups[K laneKey | baselineKey | demandKey]() *groups[K] {
	return &groups[K]{slots: make([]group[K], groupsInitial), shift: 64 - 10}
}

// len is the number of groups; 0 for a given-up (nil) aggregate.
func (g *groups[K]) len() int {
	if g == nil {
		return 0
	}
	return g.n
}

// bytes is the table's memory; 0 for a given-up aggregate.
func (g *groups[K]) bytes() int64 {
	if g == nil {
		return 0
	}
	return int64(len(g.slots)) * int64(unsafe.Sizeof(group[K]{}))
}

// full is true when the next new group needs the table grown.
func (g *groups[K]) full() bool { return (g.n+1)*4 > len(g.slots)*3 }

// grow doubles the table and returns the bytes it added.
func (g *groups[K]) grow() int64 {
	before := g.bytes()
	old := g.slots
	g.slots, g.shift = make([]group[K], 2*len(old)), g.shift-1
	for i := range old {
		if old[i].shipments > 0 {
			g.slots[g.free(old[i].key)] = old[i]
		}
	}
	return g.bytes() - before
}

// free returns the slot of k, or the free slot where it goes.
func (g *groups[K]) free(k K) int {
	// The keys are packed small integers: a multiply and shift
	// (Fibonacci hashing) spreads them over the table's bits.
	mask := len(g.slots) - 1
	for i := int(uint64(k) * 0x9e3779b97f4a7c15 >> g.shift); ; i = (i + 1) & mask {
		if s := &g.slots[i]; s.shipments == 0 || s.key == k {
			return i
		}
	}
}

// add sums f into k's group, added if new; the table must not be full.
func (g *groups[K]) add(k K, f *shipmentFact) {
	s := &g.slots[g.free(k)]
	if s.shipments == 0 {
		s.key = k
		g.n++
	}
	s.add(f)
}

// bits returns the n bits of k from bit at up.
func bits(k uint64, at, n int) int { return int(k >> at & (1<<n - 1)) }

// laneRow writes a lane group as a shipment_lanes row (lanesTable).
func (a *aggregates) laneRow(c *copyBuffer, version int64, g *group[laneKey]) error {
	k := uint64(g.key)
	c.beginRow(len(lanesTable.cols))
	c.int8(version)
	c.text(a.texts[bits(k, 42, placeBits)])
	c.text(a.texts[bits(k, 20, placeBits)])
	a.modes.write(c, bits(k, 12, enumBits))
	a.regions.write(c, bits(k, 6, regionBits))
	a.regions.write(c, bits(k, 0, regionBits))
	return writeSums(c, &g.sums)
}

// baselineRow writes a baseline group as a freight_baseline row
// (baselineTable).
func (a *aggregates) baselineRow(c *copyBuffer, version int64, g *group[baselineKey]) error {
	k := uint64(g.key)
	c.beginRow(len(baselineTable.cols))
	c.int8(version)
	c.monthDate(int32(bits(k, 44, monthBits)))
	a.modes.write(c, bits(k, 12, enumBits))
	if id := bits(k, 20, carrierBits); id == 0 {
		c.null()
	} else {
		c.text(a.texts[id])
	}
	a.regions.write(c, bits(k, 6, regionBits))
	a.regions.write(c, bits(k, 0, regionBits))
	return writeSums(c, &g.sums)
}

// demandRow writes a demand group as a derived dataset_demand row
// (demandTable).
func (a *aggregates) demandRow(c *copyBuffer, version int64, g *group[demandKey]) error {
	if err := checkSums(&g.sums); err != nil {
		return err
	}
	k := uint64(g.key)
	c.beginRow(len(demandTable.cols))
	c.int8(version)
	c.text(a.texts[bits(k, 32, 32)])
	c.float8(g.units) // the group exists because a row had units
	c.int4(int32(bits(k, 0, 32)))
	writeSum(c, g.weight, g.hasWeight)
	c.bool(true)
	return nil
}

// write writes the text of an id, NULL for 0.
func (e *enumIDs) write(c *copyBuffer, id int) {
	if id == 0 {
		c.null()
		return
	}
	c.text(e.texts[id-1])
}

// writeSums writes shipments, units, weight and cost.
func writeSums(c *copyBuffer, s *sums) error {
	if err := checkSums(s); err != nil {
		return err
	}
	c.int8(s.shipments)
	writeSum(c, s.units, s.hasUnits)
	writeSum(c, s.weight, s.hasWeight)
	c.float8(s.cost)
	return nil
}

func writeSum(c *copyBuffer, v float64, has bool) {
	if !has {
		c.null()
		return
	}
	c.float8(v)
}

// checkSums reports a sum that overflowed, as SQL's sum does.
func checkSums(s *sums) error {
	if math.IsInf(s.cost, 0) || math.IsInf(s.units, 0) || math.IsInf(s.weight, 0) {
		return fmt.Errorf("a sum is out of range for double precision")
	}
	return nil
}
