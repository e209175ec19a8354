// Command run is networx's side of the file ingestion benchmark (bench/files.sh). It
// does one measurement per process, so that /usr/bin/time reports that measurement's
// peak RSS:
//
//	run parse FILE     read every cell of every sheet (xlsx) or every field (csv)
//	run validate FILE  read, map and validate (files.IngestPath, no sink)
//	run load FILE      read, map, validate and load into PostgreSQL (files.Loader)
//	run migrate        apply the migrations to NETWORX_BENCH_DATABASE_URL
//
// NETWORX_BENCH_CPUPROFILE=FILE writes a CPU profile of the measurement, and
// NETWORX_BENCH_MEMPROFILE=FILE an allocation profile (go tool pprof -sample_index=alloc_space).
//
// It prints one line: "rows N cells N accepted N" (cells only for parse; accepted for
// validate and load).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"networx/roles/files"
	"networx/roles/files/delim"
	"networx/roles/files/xlsx"
	"networx/storage"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: run parse|validate|load FILE, or run migrate")
		os.Exit(2)
	}
	ctx := context.Background()
	if path := os.Getenv("NETWORX_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "run: cpu profile:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	switch mode := os.Args[1]; {
	case mode == "migrate":
		err = migrate(ctx)
	case len(os.Args) != 3:
		err = fmt.Errorf("%s needs a FILE", mode)
	case mode == "parse":
		err = parse(ctx, os.Args[2])
	case mode == "validate":
		err = validate(ctx, os.Args[2])
	case mode == "load":
		err = load(ctx, os.Args[2])
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if path := os.Getenv("NETWORX_BENCH_MEMPROFILE"); path != "" && err == nil {
		err = writeMemProfile(path)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

func writeMemProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memory profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("memory profile: %w", err)
	}
	return f.Close()
}

func parse(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var rows, cells int64
	if strings.HasSuffix(path, ".csv") {
		r, err := delim.NewReader(f, delim.Options{})
		if err != nil {
			return err
		}
		for r.Next() {
			rows++
			cells += int64(len(r.Fields()))
		}
		if err := r.Err(); err != nil {
			return err
		}
	} else {
		wb, err := xlsx.Open(ctx, f, st.Size(), xlsx.Options{TempDir: os.TempDir()})
		if err != nil {
			return err
		}
		defer wb.Close()
		for _, s := range wb.Sheets() {
			rs, err := wb.Rows(ctx, s)
			if err != nil {
				return err
			}
			for rs.Next() {
				rows++
				cells += int64(len(rs.Row().Cells))
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
	}
	fmt.Printf("rows %d cells %d accepted 0\n", rows, cells)
	return nil
}

func validate(ctx context.Context, path string) error {
	rep, err := files.IngestPath(ctx, path, files.Options{}, nil)
	if err != nil {
		return err
	}
	return summary(rep)
}

func summary(rep *files.Report) error {
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d errors, the first: %s", len(rep.Errors), rep.Errors[0])
	}
	fmt.Printf("rows %d cells 0 accepted %d\n", rep.RowsRead, rep.RowsAccepted)
	return nil
}

func openDB(ctx context.Context) (*storage.DB, error) {
	url := os.Getenv("NETWORX_BENCH_DATABASE_URL")
	if url == "" {
		return nil, fmt.Errorf("NETWORX_BENCH_DATABASE_URL is not set")
	}
	return storage.Open(ctx, storage.Config{URL: url}, nil, nil, nil)
}

func migrate(ctx context.Context) error {
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = storage.Migrate(ctx, db)
	return err
}

func load(ctx context.Context, path string) error {
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := files.NewLoader(db, files.LoaderConfig{})
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var r io.ReaderAt = f
	res, err := l.Load(ctx, files.LoadRequest{Tenant: "bench", Dataset: filepath.Base(path), Source: path},
		files.Input{Name: path, R: r, Size: st.Size()}, files.Options{}, nil)
	if err != nil {
		return err
	}
	return summary(res.Report)
}
