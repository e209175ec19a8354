// Command gen builds the embedded geocoding table of package geo from the
// offline geodata in shared/data/geo (see its SOURCES.md):
//
//	go run ./gen -src ../../../../shared/data/geo -out zips.bin.gz
//
// It reads us_zip_lookup.csv (ZIP, state, city, point: Census ZCTA internal
// points and GeoNames postal places) and the Census ZCTA gazetteer (land
// area, used to weight 3-digit-prefix centroids), and writes a gzip'd
// binary file; the format is described in ../table.go. The output is
// deterministic: the same inputs give the same bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

type zipRow struct {
	zip      int
	state    string
	city     string
	lat, lon float64
	src      string
}

func main() {
	src := flag.String("src", "../../../../shared/data/geo", "folder with us_zip_lookup.csv and the ZCTA gazetteer")
	out := flag.String("out", "zips.bin.gz", "output file")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	rows, err := readZips(filepath.Join(src, "us_zip_lookup.csv"))
	if err != nil {
		return err
	}
	aland, err := readGazetteer(filepath.Join(src, "census_gaz_zcta_national_zcta5-2010.txt"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := encode(&buf, rows, aland); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(os.Stderr, "gen: %d ZIPs, %d bytes raw, %d bytes written to %s\n", len(rows), buf.Len(), st.Size(), out)
	return nil
}

func readZips(path string) ([]zipRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if strings.Join(head, ",") != "zip,state,city,lat,lon,src" {
		return nil, fmt.Errorf("%s: unexpected header %q", path, head)
	}
	var rows []zipRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		z, err1 := strconv.Atoi(rec[0])
		lat, err2 := strconv.ParseFloat(rec[3], 64)
		lon, err3 := strconv.ParseFloat(rec[4], 64)
		if err1 != nil || err2 != nil || err3 != nil || len(rec[0]) != 5 || len(rec[1]) != 2 {
			return nil, fmt.Errorf("%s: bad row %q", path, rec)
		}
		rows = append(rows, zipRow{zip: z, state: rec[1], city: rec[2], lat: lat, lon: lon, src: rec[5]})
	}
	slices.SortFunc(rows, func(a, b zipRow) int { return a.zip - b.zip })
	for i := 1; i < len(rows); i++ {
		if rows[i].zip == rows[i-1].zip {
			return nil, fmt.Errorf("%s: ZIP %05d twice", path, rows[i].zip)
		}
	}
	return rows, nil
}

// readGazetteer returns land area (m²) by ZCTA, parsing columns by name:
// this copy's column order differs from the Census original.
func readGazetteer(path string) (map[int]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	head := strings.Split(lines[0], "\t")
	geoid, land := slices.Index(head, "GEOID"), slices.Index(head, "ALAND")
	if geoid < 0 || land < 0 {
		return nil, fmt.Errorf("%s: no GEOID or ALAND column in %q", path, head)
	}
	out := map[int]float64{}
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) <= max(geoid, land) || strings.TrimSpace(f[geoid]) == "" {
			continue // the trailing row of empty fields
		}
		z, err1 := strconv.Atoi(strings.TrimSpace(f[geoid]))
		a, err2 := strconv.ParseFloat(strings.TrimSpace(f[land]), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: bad row %q", path, line)
		}
		out[z] = a
	}
	return out, nil
}

// fixed converts degrees to the table's fixed point, 1e-4 degree (about
// 11 m): far finer than a ZIP's extent.
func fixed(deg float64) int64 { return int64(math.Round(deg * 1e4)) }

func encode(w *bytes.Buffer, rows []zipRow, aland map[int]float64) error {
	var tmp [binary.MaxVarintLen64]byte
	uv := func(v uint64) { w.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	sv := func(v int64) { w.Write(tmp[:binary.PutVarint(tmp[:], v)]) }
	str := func(s string) { uv(uint64(len(s))); w.WriteString(s) }

	states, cities := map[string]int{}, map[string]int{}
	var stateList, cityList []string
	for _, r := range rows {
		if _, ok := states[r.state]; !ok {
			states[r.state] = 0
			stateList = append(stateList, r.state)
		}
		if _, ok := cities[r.city]; !ok {
			cities[r.city] = 0
			cityList = append(cityList, r.city)
		}
	}
	slices.Sort(stateList)
	slices.Sort(cityList)
	for i, s := range stateList {
		states[s] = i
	}
	for i, c := range cityList {
		cities[c] = i
	}

	w.WriteString("NXGEO1")
	uv(uint64(len(stateList)))
	for _, s := range stateList {
		str(s)
	}
	uv(uint64(len(cityList)))
	for _, c := range cityList {
		str(c)
	}
	uv(uint64(len(rows)))
	prevZip, prevLat, prevLon := 0, int64(0), int64(0)
	for _, r := range rows {
		uv(uint64(r.zip - prevZip))
		uv(uint64(states[r.state]))
		uv(uint64(cities[r.city]))
		lat, lon := fixed(r.lat), fixed(r.lon)
		sv(lat - prevLat)
		sv(lon - prevLon)
		var flags uint64
		if strings.HasPrefix(r.src, "C") {
			flags |= 1 // a Census ZCTA internal point
		}
		uv(flags)
		prevZip, prevLat, prevLon = r.zip, lat, lon
	}

	// 3-digit prefixes: the land-area-weighted mean of the prefix's Census
	// points (SOURCES.md's advice), else the plain mean of its GeoNames
	// points; the state is the one most of the prefix's ZIPs are in.
	type acc struct {
		wsum, lat, lon float64
		glat, glon     float64
		gn             int
		states         map[string]int
	}
	prefixes := map[int]*acc{}
	for _, r := range rows {
		p := r.zip / 100
		a := prefixes[p]
		if a == nil {
			a = &acc{states: map[string]int{}}
			prefixes[p] = a
		}
		a.states[r.state]++
		if wgt, ok := aland[r.zip]; ok && wgt > 0 && strings.HasPrefix(r.src, "C") {
			a.wsum += wgt
			a.lat += wgt * r.lat
			a.lon += wgt * r.lon
		} else {
			a.glat += r.lat
			a.glon += r.lon
			a.gn++
		}
	}
	keys := make([]int, 0, len(prefixes))
	for p := range prefixes {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	uv(uint64(len(keys)))
	prev := 0
	for _, p := range keys {
		a := prefixes[p]
		var lat, lon float64
		if a.wsum > 0 {
			lat, lon = a.lat/a.wsum, a.lon/a.wsum
		} else {
			lat, lon = a.glat/float64(a.gn), a.glon/float64(a.gn)
		}
		best, bestN := "", -1
		for s, n := range a.states {
			if n > bestN || n == bestN && s < best {
				best, bestN = s, n
			}
		}
		uv(uint64(p - prev))
		uv(uint64(states[best]))
		sv(fixed(lat))
		sv(fixed(lon))
		prev = p
	}
	return nil
}
