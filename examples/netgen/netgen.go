// Package netgen generates EXAMPLE network data from a seed: demand points around US
// metros, candidate and existing warehouse sites, a year of freight history, SKUs and a
// forecast, facility sizes and space options for capacity planning. Every name it writes
// says it is example data. It writes the canonical
// datasets of networx (docs/models.md) as a workbook or a folder of CSV files, for the
// example in examples/ and for the benchmark instances of bench/models.sh.
package netgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tealeg/xlsx/v3"
)

// Config sizes an instance. Zero fields take the example's values.
type Config struct {
	Seed         uint64
	Candidates   int // candidate sites (default 14)
	Existing     int // existing warehouses (default 3)
	Destinations int // demand points (default 150)
	Years        int // forecast years (default 5)
	BaseYear     int // first forecast year (default 2026)
	LeaseYears   int // lease_years setting (default 7: fixed lease over 5 years)
	Shipments    int // freight history lines (default 3000)
	SKUs         int // default 60
}

func (c *Config) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Candidates, 14)
	def(&c.Existing, 3)
	def(&c.Destinations, 150)
	def(&c.Years, 5)
	def(&c.BaseYear, 2026)
	def(&c.LeaseYears, 7)
	def(&c.Shipments, 3000)
	def(&c.SKUs, 60)
}

type metro struct {
	name     string
	lat, lon float64
	weight   float64 // population, millions (rounded, for demand weights)
}

// metros are the 40 largest US metropolitan areas with their centre coordinates.
var metros = []metro{
	{"New York, NY", 40.71, -74.01, 19.5}, {"Los Angeles, CA", 34.05, -118.24, 12.9}, {"Chicago, IL", 41.88, -87.63, 9.3},
	{"Dallas, TX", 32.78, -96.80, 7.9}, {"Houston, TX", 29.76, -95.37, 7.3}, {"Washington, DC", 38.91, -77.04, 6.3},
	{"Philadelphia, PA", 39.95, -75.17, 6.2}, {"Miami, FL", 25.76, -80.19, 6.1}, {"Atlanta, GA", 33.75, -84.39, 6.2},
	{"Boston, MA", 42.36, -71.06, 4.9}, {"Phoenix, AZ", 33.45, -112.07, 5.0}, {"San Francisco, CA", 37.77, -122.42, 4.6},
	{"Riverside, CA", 33.95, -117.40, 4.6}, {"Detroit, MI", 42.33, -83.05, 4.3}, {"Seattle, WA", 47.61, -122.33, 4.0},
	{"Minneapolis, MN", 44.98, -93.27, 3.7}, {"San Diego, CA", 32.72, -117.16, 3.3}, {"Tampa, FL", 27.95, -82.46, 3.3},
	{"Denver, CO", 39.74, -104.99, 3.0}, {"Baltimore, MD", 39.29, -76.61, 2.8}, {"St. Louis, MO", 38.63, -90.20, 2.8},
	{"Orlando, FL", 28.54, -81.38, 2.7}, {"Charlotte, NC", 35.23, -80.84, 2.7}, {"San Antonio, TX", 29.42, -98.49, 2.6},
	{"Portland, OR", 45.52, -122.68, 2.5}, {"Sacramento, CA", 38.58, -121.49, 2.4}, {"Pittsburgh, PA", 40.44, -79.99, 2.4},
	{"Austin, TX", 30.27, -97.74, 2.4}, {"Las Vegas, NV", 36.17, -115.14, 2.3}, {"Cincinnati, OH", 39.10, -84.51, 2.3},
	{"Kansas City, MO", 39.10, -94.58, 2.2}, {"Columbus, OH", 39.96, -83.00, 2.1}, {"Indianapolis, IN", 39.77, -86.16, 2.1},
	{"Cleveland, OH", 41.50, -81.69, 2.1}, {"Nashville, TN", 36.16, -86.78, 2.0}, {"Salt Lake City, UT", 40.76, -111.89, 1.3},
	{"Memphis, TN", 35.15, -90.05, 1.3}, {"Louisville, KY", 38.25, -85.76, 1.3}, {"Oklahoma City, OK", 35.47, -97.52, 1.4},
	{"Reno, NV", 39.53, -119.81, 0.5},
}

// Tables are the canonical datasets: a header row and data rows each.
type Tables map[string][][]string

// Generate builds the example datasets.
func Generate(cfg Config) Tables {
	cfg.defaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6574776f7278))
	f3 := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	t := Tables{}
	totalW := 0.0
	for _, m := range metros {
		totalW += m.weight
	}
	pick := func() metro {
		r := rng.Float64() * totalW
		for _, m := range metros {
			if r -= m.weight; r <= 0 {
				return m
			}
		}
		return metros[len(metros)-1]
	}
	type site struct {
		name     string
		lat, lon float64
	}
	// Destinations around metros, demand proportional to a random account size.
	t["destinations"] = [][]string{{"name", "lat", "lon", "city", "state"}}
	t["demand"] = [][]string{{"destination", "units"}}
	var dests []site
	var demand []float64
	totalDemand := 0.0
	for j := 0; j < cfg.Destinations; j++ {
		m := pick()
		lat, lon := m.lat+rng.NormFloat64()*0.35, m.lon+rng.NormFloat64()*0.45
		name := fmt.Sprintf("Example customer %04d", j+1)
		city, state, _ := strings.Cut(m.name, ", ")
		t["destinations"] = append(t["destinations"], []string{name, f3(lat), f3(lon), city, state})
		q := math.Round(2000 + rng.ExpFloat64()*18000)
		t["demand"] = append(t["demand"], []string{name, strconv.FormatFloat(q, 'f', 0, 64)})
		dests = append(dests, site{name, lat, lon})
		demand = append(demand, q)
		totalDemand += q
	}
	// Sites: existing warehouses at the first metros of a shuffled list, candidates after.
	order := rng.Perm(len(metros))
	t["facilities"] = [][]string{{"name", "lat", "lon", "kind", "capacity", "fixed_cost", "opening_cost", "closing_cost", "lease_end_year", "mandatory", "size_sqft"}}
	// Space data draws from its own stream so that adding it left the network data of a
	// seed unchanged.
	spaceRng := rand.New(rand.NewPCG(cfg.Seed, 0x7370616365))
	t["space_options"] = [][]string{{"option", "facility", "sqft", "one_off_cost", "cost_per_sqft_year", "lease_years", "earliest_year", "tier"}}
	var existing []site
	nSites := cfg.Existing + cfg.Candidates
	for k := 0; k < nSites; k++ {
		m := metros[order[k%len(metros)]]
		lat, lon := m.lat+rng.NormFloat64()*0.15, m.lon+rng.NormFloat64()*0.15
		if k >= len(metros) {
			lat, lon = m.lat+rng.NormFloat64()*0.8, m.lon+rng.NormFloat64()*0.8
		}
		// Capacity between a third and the whole of peak demand over the horizon.
		capacity := math.Round(totalDemand*math.Pow(1.06, float64(cfg.Years))*(0.3+0.5*rng.Float64())/1000) * 1000
		fixed := math.Round((600000+rng.Float64()*900000)/1000) * 1000
		if k < cfg.Existing {
			name := fmt.Sprintf("Example existing DC %d - %s", k+1, m.name)
			lease := cfg.BaseYear + 1 + rng.IntN(cfg.Years)
			size := 8000 + 2000*spaceRng.IntN(5)
			t["facilities"] = append(t["facilities"], []string{name, f3(lat), f3(lon), "existing", f2(capacity), f2(fixed), "0",
				f2(math.Round(fixed * 0.6)), strconv.Itoa(lease), "no", strconv.Itoa(size)})
			// Two expansion tiers per existing DC: the second needs the first.
			for tier := 1; tier <= 2; tier++ {
				sq := size / 2 * tier
				t["space_options"] = append(t["space_options"], []string{fmt.Sprintf("Example expansion %d.%d - %s", k+1, tier, m.name), name,
					strconv.Itoa(sq), f2(float64(sq) * (12 + 8*spaceRng.Float64())), f2(6.5 + 2*spaceRng.Float64()),
					strconv.Itoa(5 + 2*spaceRng.IntN(2)), strconv.Itoa(cfg.BaseYear + spaceRng.IntN(2)), strconv.Itoa(tier)})
			}
			existing = append(existing, site{name, lat, lon})
			continue
		}
		name := fmt.Sprintf("Example candidate %02d - %s", k-cfg.Existing+1, m.name)
		t["facilities"] = append(t["facilities"], []string{name, f3(lat), f3(lon), "candidate", f2(capacity), f2(fixed),
			f2(math.Round(fixed * 0.4)), "0", "", "no", ""})
	}
	// A year of freight history: each shipment from the existing DC nearest-ish to a
	// destination; cost per unit rises with distance, with mode and noise.
	t["shipments"] = [][]string{{"ship_date", "origin", "destination", "cost", "units", "weight", "mode", "carrier"}}
	modes := []struct {
		name, carrier string
		base, perMi   float64
	}{{"parcel", "Example Parcel Co", 0.9, 0.0011}, {"LTL", "Example LTL Lines", 0.45, 0.0009}, {"TL", "Example Truckload", 0.25, 0.0007}}
	for s := 0; s < cfg.Shipments && len(existing) > 0; s++ {
		j := rng.IntN(len(dests))
		// Today's network: ship from the closest existing DC most of the time.
		best, bestD := 0, math.Inf(1)
		for i, e := range existing {
			if d := dist(e.lat, e.lon, dests[j].lat, dests[j].lon); d < bestD {
				best, bestD = i, d
			}
		}
		if rng.IntN(5) == 0 {
			best = rng.IntN(len(existing))
		}
		e := existing[best]
		d := dist(e.lat, e.lon, dests[j].lat, dests[j].lon) * 1.17
		md := modes[rng.IntN(len(modes))]
		units := math.Round(demand[j] / float64(cfg.Shipments) * float64(cfg.Destinations) * (0.5 + rng.Float64()))
		if units < 1 {
			units = 1
		}
		cost := units * (md.base + md.perMi*d) * (0.9 + 0.2*rng.Float64())
		day := 1 + rng.IntN(365)
		date := fmt.Sprintf("%d-%02d-%02d", cfg.BaseYear-1, 1+(day-1)/31%12, 1+(day-1)%28)
		t["shipments"] = append(t["shipments"], []string{date, e.name, dests[j].name, f2(cost), strconv.FormatFloat(units, 'f', 0, 64),
			f2(units * 1.8), md.name, md.carrier})
	}
	t["skus"] = [][]string{{"sku", "annual_units", "units_per_case", "cases_per_pallet", "cube", "unit_cost"}}
	for k := 0; k < cfg.SKUs; k++ {
		share := math.Pow(0.9, float64(k))
		t["skus"] = append(t["skus"], []string{fmt.Sprintf("EXAMPLE-SKU-%03d", k+1), strconv.FormatFloat(math.Round(totalDemand*share*0.1), 'f', 0, 64),
			strconv.Itoa(6 + rng.IntN(30)), strconv.Itoa(20 + rng.IntN(40)), f2(0.2 + rng.Float64()), f2(2 + rng.Float64()*40)})
	}
	t["forecast"] = [][]string{{"year", "units"}}
	units := totalDemand
	for y := 0; y < cfg.Years; y++ {
		t["forecast"] = append(t["forecast"], []string{strconv.Itoa(cfg.BaseYear + y), strconv.FormatFloat(math.Round(units), 'f', 0, 64)})
		units *= 1.04 + 0.04*rng.Float64()
	}
	// New buildings of three sizes, available from the first or the second year.
	for k, sq := range []int{15000, 25000, 40000} {
		t["space_options"] = append(t["space_options"], []string{fmt.Sprintf("Example new building %d (%d sq ft)", k+1, sq), "",
			strconv.Itoa(sq), f2(float64(sq) * (18 + 6*spaceRng.Float64())), f2(5.5 + 2*spaceRng.Float64()),
			"10", strconv.Itoa(cfg.BaseYear + k%2), ""})
	}
	t["settings"] = [][]string{{"key", "value"},
		{"base_year", strconv.Itoa(cfg.BaseYear)},
		{"lease_years", strconv.Itoa(cfg.LeaseYears)},
		{"service_radius_miles", "600"},
		{"service_share", "0.8"},
		{"max_open", "8"},
		// Capacity and inventory planning: example values of client data.
		{"lead_time_days", "21"},
		{"review_period_days", "14"},
		{"demand_cv", "0.6"},
		{"carrying_rate", "0.22"},
		{"support_sqft", "6000"},
		{"third_party_cost_per_sqft_year", "11.50"},
		{"third_party_max_share", "0.25"},
	}
	return t
}

func dist(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 3958.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// sheetOrder is the order and naming of the workbook's sheets.
var sheetOrder = []struct{ key, sheet string }{
	{"facilities", "Facilities"}, {"destinations", "Destinations"}, {"demand", "Demand"}, {"shipments", "Shipments"},
	{"skus", "SKUs"}, {"forecast", "Forecast"}, {"space_options", "Space options"}, {"settings", "Settings"},
}

// WriteWorkbook writes the tables as a workbook, numbers stored as numbers.
func (t Tables) WriteWorkbook(path string) error {
	f := xlsx.NewFile()
	for _, s := range sheetOrder {
		rows, ok := t[s.key]
		if !ok {
			continue
		}
		sh, err := f.AddSheet(s.sheet)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", s.sheet, err)
		}
		for r, row := range rows {
			xr := sh.AddRow()
			for _, v := range row {
				c := xr.AddCell()
				if fv, err := strconv.ParseFloat(v, 64); err == nil && r > 0 && s.key != "settings" {
					c.SetFloat(fv)
				} else {
					c.SetString(v)
				}
			}
		}
	}
	if err := f.Save(path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteCSV writes the tables as canonical CSV files in dir.
func (t Tables) WriteCSV(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, rows := range t {
		var b strings.Builder
		for _, row := range rows {
			for k, v := range row {
				if k > 0 {
					b.WriteByte(',')
				}
				if strings.ContainsAny(v, ",\"\n") {
					v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
				}
				b.WriteString(v)
			}
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
