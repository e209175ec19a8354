// Command gen writes the EXAMPLE network of examples/ from a seed:
//
//	go run ./examples/gen -out examples/example-network.xlsx
//	go run ./examples/gen -csv /tmp/example -candidates 150 -destinations 900
//
// The data is synthetic example data (names say so), never a client's.
package main

import (
	"flag"
	"fmt"
	"os"

	"networx/examples/netgen"
)

func main() {
	var cfg netgen.Config
	out := flag.String("out", "", "write the example workbook (.xlsx) here")
	csv := flag.String("csv", "", "write a folder of canonical CSV files here")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	flag.IntVar(&cfg.Candidates, "candidates", 0, "candidate sites (0 = 14)")
	flag.IntVar(&cfg.Existing, "existing", 0, "existing warehouses (0 = 3)")
	flag.IntVar(&cfg.Destinations, "destinations", 0, "demand points (0 = 150)")
	flag.IntVar(&cfg.Years, "years", 0, "forecast years (0 = 5)")
	flag.IntVar(&cfg.LeaseYears, "lease-years", 0, "lease_years setting (0 = 7, fixed lease over 5 years)")
	flag.Parse()
	if *out == "" && *csv == "" {
		fmt.Fprintln(os.Stderr, "gen: give -out FILE.xlsx or -csv DIR")
		os.Exit(2)
	}
	t := netgen.Generate(cfg)
	if *out != "" {
		if err := t.WriteWorkbook(*out); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	if *csv != "" {
		if err := t.WriteCSV(*csv); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
