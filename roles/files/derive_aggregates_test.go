package files

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// shipmentRecords returns n accepted shipment records shaped like the
// benchmark's (bench/files/gen): 40 origins and 3000 destinations by ZIP,
// city and state, 10 carriers, 4 modes, a year of dates. Each record's
// texts are allocated apart, as the validator's are.
func shipmentRecords(n int, seed uint64) []Record {
	sch := SchemaOf(Shipments)
	rng := rand.New(rand.NewPCG(seed, 0))
	regions := []string{"Northeast", "Midwest", "South", "West"}
	modes := []string{"parcel", "LTL", "TL", "intermodal"}
	set := func(r *Record, field string, v Value) {
		v.Set = true
		r.Values[sch.field(field)] = v
	}
	out := make([]Record, n)
	for i := range out {
		r := &out[i]
		r.Kind, r.Row = Shipments, i+2
		r.Values = make([]Value, len(sch.Fields))
		r.Places = make([]Place, len(sch.Locations))
		o, d := rng.IntN(40), rng.IntN(3000)
		set(r, "ship_date", Value{Time: time.Date(2024, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)})
		set(r, "origin_zip", Value{Text: fmt.Sprintf("%05d", 10000+o*7)})
		set(r, "origin_city", Value{Text: fmt.Sprintf("Origin %d", o)})
		set(r, "origin_state", Value{Text: "IL"})
		set(r, "dest_zip", Value{Text: fmt.Sprintf("%05d", 20000+d*11)})
		set(r, "dest_city", Value{Text: fmt.Sprintf("City %d", d)})
		set(r, "dest_state", Value{Text: "TX"})
		set(r, "carrier", Value{Text: fmt.Sprintf("Carrier %d", rng.IntN(10))})
		set(r, "mode", Value{Text: modes[rng.IntN(len(modes))]})
		set(r, "weight", Value{Num: float64(1 + rng.IntN(2000))})
		set(r, "cost", Value{Num: float64(rng.IntN(100000)) / 100})
		if rng.IntN(50) > 0 {
			set(r, "units", Value{Num: float64(1 + rng.IntN(100))})
		}
		r.Places[0] = Place{Set: true, State: "IL", Region: regions[o%4], Method: "zip5"}
		r.Places[1] = Place{Set: true, State: "TX", Region: regions[d%4], Method: "zip5"}
	}
	return out
}

// sumAll keys and sums recs in batches as a load does, checking after each
// batch that the memory held is within the budget and accounted.
func sumAll(t *testing.T, a *aggregates, recs []Record) {
	t.Helper()
	const batch = 1000
	var facts []shipmentFact
	for start := 0; start < len(recs); start += batch {
		facts = facts[:0]
		for i := start; i < min(start+batch, len(recs)); i++ {
			var f shipmentFact
			ok, err := a.fact(&recs[i], &f)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				facts = append(facts, f)
			}
		}
		a.sum(facts)
		if a.off.Load() {
			continue
		}
		held := a.lanes.bytes() + a.baseline.bytes() + a.demand.bytes() + a.textBytes
		if used := a.used.Load(); used != held || used > a.budget {
			t.Fatalf("after %d rows: %d bytes accounted, %d held, budget %d", start+batch, used, held, a.budget)
		}
	}
	a.settle()
}

func TestAggregatesGiveUp(t *testing.T) {
	t.Parallel()
	recs := shipmentRecords(20000, 2) // 19,580 lanes (1.5 MB), 7,102 baseline groups (0.75 MB), 2,992 demand (0.2 MB)
	tests := []struct {
		name                    string
		budget                  int64
		lanes, baseline, demand bool // kept in Go
	}{
		{"within the budget", DefaultDeriveMemory, true, true, true},
		{"lanes past it", 2 << 20, false, true, true},
		{"lanes and baseline past it", 5 << 18, false, false, true},
		{"texts past half of it", 1 << 20, false, false, false}, // 210 KB of texts, the ZIP ids 400 KB
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAggregates(tc.budget)
			sumAll(t, a, recs)
			if (a.lanes != nil) != tc.lanes || (a.baseline != nil) != tc.baseline || (a.demand != nil) != tc.demand {
				t.Errorf("kept lanes %v, baseline %v, demand %v; want %v, %v, %v", a.lanes != nil, a.baseline != nil, a.demand != nil,
					tc.lanes, tc.baseline, tc.demand)
			}
			if !tc.lanes && !tc.baseline && !tc.demand && (!a.off.Load() || a.ids != nil) {
				t.Errorf("everything given up but off %v, texts held %v", a.off.Load(), a.ids != nil)
			}
			if a.withoutUnits == 0 {
				t.Errorf("counted no shipments without units; they are counted whatever is given up")
			}
		})
	}
}

// BenchmarkAggregates measures the two sides of summing the derived data:
// keying rows into facts (on the parser's goroutine) and summing facts
// into groups (on its own), in batches as a load does.
func BenchmarkAggregates(b *testing.B) {
	recs := shipmentRecords(500000, 1)
	const batch = DefaultBatchRows
	var factNS, sumNS int64
	var lanes int
	for b.Loop() {
		a := newAggregates(1 << 40)
		facts := make([]shipmentFact, 0, batch)
		for start := 0; start < len(recs); start += batch {
			t0 := time.Now()
			facts = facts[:0]
			for i := start; i < min(start+batch, len(recs)); i++ {
				var f shipmentFact
				if _, err := a.fact(&recs[i], &f); err != nil {
					b.Fatal(err)
				}
				facts = append(facts, f)
			}
			t1 := time.Now()
			a.sum(facts)
			factNS += t1.Sub(t0).Nanoseconds()
			sumNS += time.Since(t1).Nanoseconds()
		}
		lanes = a.lanes.len()
	}
	rows := float64(b.N * len(recs))
	b.ReportMetric(float64(factNS)/rows, "fact-ns/row")
	b.ReportMetric(float64(sumNS)/rows, "sum-ns/row")
	b.ReportMetric(float64(lanes), "lanes")
}
