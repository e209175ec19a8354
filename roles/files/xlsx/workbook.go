package xlsx

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	Limits Limits
	// TempDir is where a large shared-strings table spills; empty means
	// os.TempDir.
	TempDir string
}

// Sheet is one worksheet of a workbook, in workbook order.
type Sheet struct {
	Name   string
	Hidden bool // state="hidden" or "veryHidden"
	part   string
}

// Workbook is an open .xlsx file. Sheets are read one row at a time with
// Rows; only the small parts (workbook, relationships, styles) and the
// shared-strings table (bounded, see Limits.SharedStringsMemory) are held.
// A Workbook is not safe for concurrent use.
type Workbook struct {
	zr       *zip.Reader
	parts    map[string]*zip.File // by lower-case part name
	limits   Limits
	sheets   []Sheet
	skipped  []string // chart sheets and other non-worksheets
	date1904 bool
	dateXF   []bool // dateXF[s]: cell style s shows a date or time
	sst      *sharedStrings
	total    atomic.Int64 // bytes decompressed so far
}

// Open reads the workbook structure, styles and shared strings of the .xlsx
// file in r. A file that is not an .xlsx is an error wrapping ErrNotXLSX,
// ErrEncrypted, ErrLegacyXLS or ErrBinaryXLSB; input beyond the limits is
// a *LimitError. Close releases the shared-strings spill files.
func Open(ctx context.Context, r io.ReaderAt, size int64, opts Options) (*Workbook, error) {
	if err := sniff(r, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: broken zip archive: %v", ErrNotXLSX, err)
	}
	wb := &Workbook{zr: zr, limits: opts.Limits.withDefaults(), parts: map[string]*zip.File{}}
	if len(zr.File) > wb.limits.MaxEntries {
		return nil, &LimitError{Limit: "archive members", Max: int64(wb.limits.MaxEntries), Got: int64(len(zr.File))}
	}
	for _, f := range zr.File {
		if err := wb.checkDeclared(f); err != nil {
			return nil, err
		}
		wb.parts[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	main, err := wb.mainPart()
	if err != nil {
		return nil, err
	}
	if err := wb.readWorkbook(main); err != nil {
		return nil, err
	}
	wb.sst = newSharedStrings(wb.limits.SharedStringsMemory, opts.TempDir)
	if err := wb.readRelated(ctx, main); err != nil {
		wb.Close()
		return nil, err
	}
	return wb, nil
}

// Sheets returns the worksheets in workbook order.
func (wb *Workbook) Sheets() []Sheet { return wb.sheets }

// Skipped names the sheets that hold no cells (chart sheets, dialog sheets).
func (wb *Workbook) Skipped() []string { return wb.skipped }

// Date1904 reports whether the workbook counts dates from 1904 (old Mac
// Excel) rather than from 1900.
func (wb *Workbook) Date1904() bool { return wb.date1904 }

// SharedStringsSpilled reports whether the shared-strings table exceeded
// its memory budget and went to temporary files.
func (wb *Workbook) SharedStringsSpilled() bool { return wb.sst != nil && wb.sst.spilledToDisk() }

// SharedStrings returns the number of strings in the shared-strings table.
func (wb *Workbook) SharedStrings() int {
	if wb.sst == nil {
		return 0
	}
	return wb.sst.len()
}

// Uncompressed returns the bytes decompressed so far.
func (wb *Workbook) Uncompressed() int64 { return wb.total.Load() }

// Close releases the temporary files of a spilled shared-strings table.
func (wb *Workbook) Close() error {
	if wb.sst == nil {
		return nil
	}
	return wb.sst.close()
}

// checkDeclared rejects members whose declared sizes already break the
// limits. archive/zip enforces the declared size while reading, so a member
// cannot decompress to more than it declares.
func (wb *Workbook) checkDeclared(f *zip.File) error {
	l := wb.limits
	if f.UncompressedSize64 > uint64(l.MaxUncompressedBytes) {
		return fmt.Errorf("archive member %s: %w", f.Name, &LimitError{Limit: "uncompressed size", Max: l.MaxUncompressedBytes, Got: int64(min(f.UncompressedSize64, 1<<62))})
	}
	if f.UncompressedSize64 > ratioExemptBytes && f.UncompressedSize64 > uint64(l.MaxCompressionRatio)*max(f.CompressedSize64, 1) {
		return fmt.Errorf("archive member %s: %w (a zip bomb?)", f.Name, &LimitError{Limit: "compression ratio", Max: l.MaxCompressionRatio, Got: int64(f.UncompressedSize64 / max(f.CompressedSize64, 1))})
	}
	return nil
}

// open opens one member with the decompression guards.
func (wb *Workbook) open(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name, err)
	}
	allowed := max(int64(ratioExemptBytes), wb.limits.MaxCompressionRatio*int64(f.CompressedSize64))
	return &guard{rc: rc, name: f.Name, allowed: allowed, wb: wb}, nil
}

// guard counts decompressed bytes against the ratio and total limits.
type guard struct {
	rc      io.ReadCloser
	name    string
	n       int64
	allowed int64
	wb      *Workbook
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.rc.Read(p)
	g.n += int64(n)
	total := g.wb.total.Add(int64(n))
	if g.n > g.allowed {
		return n, fmt.Errorf("archive member %s: %w (a zip bomb?)", g.name, &LimitError{Limit: "compression ratio", Max: g.wb.limits.MaxCompressionRatio, Got: g.n / max(g.allowed/g.wb.limits.MaxCompressionRatio, 1)})
	}
	if total > g.wb.limits.MaxUncompressedBytes {
		return n, fmt.Errorf("archive member %s: %w", g.name, &LimitError{Limit: "total uncompressed size", Max: g.wb.limits.MaxUncompressedBytes, Got: total})
	}
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
		return n, fmt.Errorf("archive member %s: %w", g.name, err)
	}
	return n, err
}

func (g *guard) Close() error { return g.rc.Close() }

// readPart reads a small part whole, within MaxPartBytes.
func (wb *Workbook) readPart(name string) ([]byte, error) {
	f := wb.parts[strings.ToLower(name)]
	if f == nil {
		return nil, nil
	}
	if f.UncompressedSize64 > uint64(wb.limits.MaxPartBytes) {
		return nil, fmt.Errorf("part %s: %w", name, &LimitError{Limit: "part size", Max: wb.limits.MaxPartBytes, Got: int64(min(f.UncompressedSize64, 1<<62))})
	}
	rc, err := wb.open(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, wb.limits.MaxPartBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read part %s: %w", name, err)
	}
	if int64(len(b)) > wb.limits.MaxPartBytes {
		return nil, fmt.Errorf("part %s: %w", name, &LimitError{Limit: "part size", Max: wb.limits.MaxPartBytes, Got: int64(len(b))})
	}
	return b, nil
}

type xRelationships struct {
	Rels []struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// rels reads the relationships of part and returns id -> (type suffix, resolved target).
func (wb *Workbook) rels(part string) (map[string][2]string, error) {
	dir, file := path.Split(part)
	b, err := wb.readPart(dir + "_rels/" + file + ".rels")
	if err != nil || b == nil {
		return nil, err
	}
	var x xRelationships
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%w: relationships of %s: %v", ErrNotXLSX, part, err)
	}
	out := map[string][2]string{}
	for _, r := range x.Rels {
		if strings.EqualFold(r.TargetMode, "External") {
			continue
		}
		target, ok := resolveTarget(dir, r.Target)
		if !ok {
			continue // points outside the package: never followed
		}
		out[r.ID] = [2]string{r.Type[strings.LastIndexByte(r.Type, '/')+1:], target}
	}
	return out, nil
}

// resolveTarget resolves a relationship target inside the package. Targets
// that climb out of it ("../../etc/passwd") are refused; only members of
// the archive are ever read, never the file system.
func resolveTarget(dir, target string) (string, bool) {
	var p string
	if strings.HasPrefix(target, "/") {
		p = path.Clean(target)[1:]
	} else {
		p = path.Clean("/" + dir + target)
		if !strings.HasPrefix(p, "/") {
			return "", false
		}
		p = p[1:]
	}
	if p == "" || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// mainPart finds the workbook part through the package relationships.
func (wb *Workbook) mainPart() (string, error) {
	rels, err := wb.rels("")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if r[0] == "officeDocument" {
			if strings.HasSuffix(strings.ToLower(r[1]), ".bin") {
				return "", fmt.Errorf("%w: open it in Excel and save it as .xlsx", ErrBinaryXLSB)
			}
			if wb.parts[strings.ToLower(r[1])] != nil {
				return r[1], nil
			}
		}
	}
	if wb.parts["xl/workbook.bin"] != nil {
		return "", fmt.Errorf("%w: open it in Excel and save it as .xlsx", ErrBinaryXLSB)
	}
	if wb.parts["xl/workbook.xml"] != nil {
		return "xl/workbook.xml", nil
	}
	if wb.parts["word/document.xml"] != nil {
		return "", fmt.Errorf("%w: the file is a Word document", ErrNotXLSX)
	}
	if wb.parts["ppt/presentation.xml"] != nil {
		return "", fmt.Errorf("%w: the file is a PowerPoint presentation", ErrNotXLSX)
	}
	return "", fmt.Errorf("%w: a zip archive without a workbook part", ErrNotXLSX)
}

type xWorkbook struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

// readWorkbook reads the sheet list and the date system.
func (wb *Workbook) readWorkbook(main string) error {
	b, err := wb.readPart(main)
	if err != nil {
		return err
	}
	var x xWorkbook
	if err := xml.Unmarshal(b, &x); err != nil {
		return fmt.Errorf("%w: workbook part %s: %v", ErrNotXLSX, main, err)
	}
	wb.date1904 = x.Pr.Date1904 == "1" || strings.EqualFold(x.Pr.Date1904, "true")
	rels, err := wb.rels(main)
	if err != nil {
		return err
	}
	for _, s := range x.Sheets {
		r, ok := rels[s.RID]
		switch {
		case !ok:
			return fmt.Errorf("%w: sheet %q has no relationship %q", ErrNotXLSX, s.Name, s.RID)
		case r[0] != "worksheet":
			wb.skipped = append(wb.skipped, s.Name)
			continue
		case wb.parts[strings.ToLower(r[1])] == nil:
			return fmt.Errorf("%w: sheet %q: part %s is missing from the archive", ErrNotXLSX, s.Name, r[1])
		}
		wb.sheets = append(wb.sheets, Sheet{Name: s.Name, Hidden: s.State == "hidden" || s.State == "veryHidden", part: r[1]})
	}
	return nil
}

// readRelated reads styles and shared strings.
func (wb *Workbook) readRelated(ctx context.Context, main string) error {
	rels, err := wb.rels(main)
	if err != nil {
		return err
	}
	for _, r := range rels {
		switch r[0] {
		case "styles":
			b, err := wb.readPart(r[1])
			if err != nil {
				return err
			}
			if wb.dateXF, err = parseStyles(b); err != nil {
				return fmt.Errorf("%w: styles part %s: %v", ErrNotXLSX, r[1], err)
			}
		case "sharedStrings":
			f := wb.parts[strings.ToLower(r[1])]
			if f == nil {
				continue
			}
			rc, err := wb.open(f)
			if err != nil {
				return err
			}
			src := newPrefetch(ctx, rc)
			err = readSharedStrings(newScanner(src, 64<<10, wb.limits.MaxCellBytes+tokenSlack), wb.sst, wb.limits.MaxCellBytes)
			src.Close()
			if err != nil {
				return fmt.Errorf("shared strings part %s: %w", r[1], err)
			}
		}
	}
	return nil
}
