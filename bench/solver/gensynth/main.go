// Command gensynth writes the seeded synthetic US network-design instances of the solver
// benchmark in OR-Library capacitated warehouse location format. It is a Go port of
// shared/bench/tools/gen_synth.py: same data model, sizes and seeds, and the same random
// stream, since it reimplements Python's Mersenne Twister and the random.Random methods
// the script calls (random, uniform, gauss, lognormvariate, choices). Checked to give
// byte-identical files to the Python script (see docs/benchmarks.md for the md5 sums).
//
//	go run ./bench/solver/gensynth OUTDIR
//
// writes synth-30x500.txt (seed 20240501, about 8 sites open), synth-60x2000.txt (seed
// 20240502, 12) and synth-120x5000.txt (seed 20240503, 16).
//
// The data: customer zones, 85 % Gaussian around 44 US metros weighted by population and
// 15 % uniform over the continental box, lognormal annual demand (median 400 units);
// candidate sites near metros weighted by sqrt(population); c_ij = d_j * (0.045 $/unit-mile
// * 1.2 circuity * haversine miles + handling $1-3/unit); fixed cost calibrated so that
// about k sites open; capacities with mean 1.3 D/k, so capacities bind.
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// metros are (lat, lon, population in millions) of the 44 largest US metro areas.
var metros = [][3]float64{
	{40.71, -74.01, 19.5}, {34.05, -118.24, 13.0}, {41.88, -87.63, 9.5}, {32.78, -96.80, 7.6},
	{29.76, -95.37, 7.1}, {38.91, -77.04, 6.3}, {25.76, -80.19, 6.1}, {39.95, -75.17, 6.2},
	{33.75, -84.39, 6.1}, {33.45, -112.07, 4.9}, {42.36, -71.06, 4.9}, {37.77, -122.42, 4.7},
	{34.11, -117.29, 4.6}, {42.33, -83.05, 4.4}, {47.61, -122.33, 4.0}, {44.98, -93.27, 3.7},
	{32.72, -117.16, 3.3}, {27.95, -82.46, 3.2}, {39.74, -104.99, 3.0}, {38.63, -90.20, 2.8},
	{39.29, -76.61, 2.8}, {35.23, -80.84, 2.7}, {28.54, -81.38, 2.7}, {29.42, -98.49, 2.6},
	{45.52, -122.68, 2.5}, {38.58, -121.49, 2.4}, {40.44, -79.99, 2.4}, {36.17, -115.14, 2.3},
	{30.27, -97.74, 2.3}, {39.10, -84.51, 2.3}, {39.10, -94.58, 2.2}, {39.96, -83.00, 2.1},
	{39.77, -86.16, 2.1}, {41.50, -81.69, 2.1}, {37.34, -121.89, 2.0}, {36.16, -86.78, 2.0},
	{36.85, -75.98, 1.8}, {41.82, -71.41, 1.7}, {43.04, -87.91, 1.6}, {35.15, -90.05, 1.3},
	{35.47, -97.52, 1.4}, {40.76, -111.89, 1.3}, {35.78, -78.64, 1.4}, {29.95, -90.07, 1.3},
}

// box is the continental US: lat from, lat to, lon from, lon to.
var box = [4]float64{25.0, 49.0, -124.0, -67.0}

// instances are the benchmark sizes: facilities, customers, target open sites, seed.
var instances = []struct {
	m, n, k int
	seed    uint32
}{
	{30, 500, 8, 20240501},
	{60, 2000, 12, 20240502},
	{120, 5000, 16, 20240503},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gensynth OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gensynth:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, in := range instances {
		d := generate(in.m, in.n, in.k, in.seed)
		path := filepath.Join(dir, fmt.Sprintf("synth-%dx%d.txt", in.m, in.n))
		if err := d.write(path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		var total, capSum, fixSum int64
		for _, v := range d.dem {
			total += v
		}
		for i := range d.cap {
			capSum += d.cap[i]
			fixSum += d.fix[i]
		}
		fmt.Printf("%s total demand %d sum cap / D = %.2f mean fixed %d\n", path, total, float64(capSum)/float64(total), fixSum/int64(len(d.fix)))
	}
	return nil
}

type data struct {
	cap, fix, dem []int64
	cost          [][]float64 // cost[j][i]
}

func haversineMiles(a, b [2]float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	la1, lo1, la2, lo2 := rad(a[0]), rad(a[1]), rad(b[0]), rad(b[1])
	h := math.Pow(math.Sin((la2-la1)/2), 2) + math.Cos(la1)*math.Cos(la2)*math.Pow(math.Sin((lo2-lo1)/2), 2)
	return 2 * 3958.8 * math.Asin(math.Min(1, math.Sqrt(h)))
}

func pointNear(r *pyRandom, weights []float64, sigma float64) [2]float64 {
	if weights == nil {
		return [2]float64{r.uniform(box[0], box[1]), r.uniform(box[2], box[3])}
	}
	mt := metros[r.choice(weights)]
	lat := math.Min(box[1], math.Max(box[0], r.gauss(mt[0], sigma)))
	lon := math.Min(box[3], math.Max(box[2], r.gauss(mt[1], sigma*1.3)))
	return [2]float64{lat, lon}
}

func generate(m, n, k int, seed uint32) *data {
	r := newPyRandom(seed)
	popW := make([]float64, len(metros))
	sqrtW := make([]float64, len(metros))
	for i, mt := range metros {
		popW[i] = mt[2]
		sqrtW[i] = math.Sqrt(mt[2])
	}
	cust := make([][2]float64, n)
	for j := range cust {
		w := popW
		if r.random() < 0.15 {
			w = nil
		}
		cust[j] = pointNear(r, w, 0.8)
	}
	d := &data{dem: make([]int64, n), cap: make([]int64, m), fix: make([]int64, m)}
	var total float64
	for j := range d.dem {
		d.dem[j] = max(1, int64(math.RoundToEven(r.lognormvariate(math.Log(400), 0.9))))
		total += float64(d.dem[j])
	}
	sites := make([][2]float64, m)
	for i := range sites {
		sites[i] = pointNear(r, sqrtW, 0.5)
	}
	// $ per unit-mile and road/great-circle distance ratio.
	const rate, circuity = 0.045, 1.2
	handling := make([]float64, m)
	for i := range handling {
		handling[i] = r.uniform(1.0, 3.0)
	}
	baseFix := rate * circuity * total * 900 * 0.5 * math.Pow(float64(k), -1.5)
	for i := range d.fix {
		d.fix[i] = int64(math.RoundToEven(baseFix * r.uniform(0.7, 1.3)))
	}
	for i := range d.cap {
		d.cap[i] = int64(math.RoundToEven(r.uniform(0.6, 1.4) * 1.3 * total / float64(k)))
	}
	d.cost = make([][]float64, n)
	for j := range d.cost {
		d.cost[j] = make([]float64, m)
		for i := range d.cost[j] {
			d.cost[j][i] = float64(d.dem[j]) * (rate*circuity*haversineMiles(sites[i], cust[j]) + handling[i])
		}
	}
	return d
}

// write writes the OR-Library layout of gen_synth.py: costs 7 to a line with 2 decimals
// (Python's round(x, 2) then "%.2f" equals "%.2f" of x: both round the exact value).
func (d *data) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, " %d %d\n", len(d.cap), len(d.dem))
	for i := range d.cap {
		fmt.Fprintf(w, " %d %d.\n", d.cap[i], d.fix[i])
	}
	for j := range d.dem {
		fmt.Fprintf(w, " %d\n", d.dem[j])
		for k := 0; k < len(d.cost[j]); k += 7 {
			for i := k; i < min(k+7, len(d.cost[j])); i++ {
				fmt.Fprintf(w, " %.2f", d.cost[j][i])
			}
			w.WriteByte('\n')
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
