// Command convert writes an OR-Library capacitated warehouse location instance (or a
// synthetic one from gensynth) as the capacitated facility location model of
// solver/orlib, in free MPS and CPLEX LP, the files the solver benchmark gives to
// networx, glpsol and cbc.
//
//	go run ./bench/solver/convert [-capacity C] [-weak] [-formats mps,lp] INSTANCE OUTBASE
//
// writes OUTBASE.mps and OUTBASE.lp. -capacity is required for capa, capb and capc, whose
// files give the capacity as a parameter; -weak leaves out the x_ij <= y_i rows.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"networx/solver"
	"networx/solver/orlib"
)

func main() {
	capacity := flag.Float64("capacity", 0, "capacity of every facility, for instances that leave it as a parameter")
	weak := flag.Bool("weak", false, "weak formulation: no x_ij <= y_i rows")
	formats := flag.String("formats", "mps,lp", "comma-separated output formats: mps, lp")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: convert [-capacity C] [-weak] [-formats mps,lp] INSTANCE OUTBASE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *capacity, !*weak, *formats); err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
}

func run(instance, outbase string, capacity float64, strong bool, formats string) error {
	f, err := os.Open(instance)
	if err != nil {
		return err
	}
	in, err := orlib.Parse(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", instance, err)
	}
	if in.CapacityParam && capacity <= 0 {
		return fmt.Errorf("%s gives capacity as a parameter: pass -capacity", instance)
	}
	m := in.Model(capacity, strong)
	m.Name = outbase[strings.LastIndexAny(outbase, `/\`)+1:]
	writers := map[string]func(*os.File, *solver.Model) error{
		"mps": func(w *os.File, m *solver.Model) error { return solver.WriteMPS(w, m) },
		"lp":  func(w *os.File, m *solver.Model) error { return solver.WriteLP(w, m) },
	}
	for _, ext := range strings.Split(formats, ",") {
		write, ok := writers[ext]
		if !ok {
			return fmt.Errorf("unknown format %q (want mps or lp)", ext)
		}
		path := outbase + "." + ext
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := write(out, m); err != nil {
			out.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}
