package xlsx

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// sharedStrings is the workbook's shared-strings table with bounded memory.
//
// Strings are appended to an in-memory arena with an end-offset index until
// arena plus index would exceed the memory budget. Beyond that, the table
// spills: the arena goes to a temporary data file, the index to a temporary
// index file of 8-byte little-endian end offsets, and every further string is
// appended to the two files. A lookup in a spilled table reads the two
// offsets and then the string (two pread calls), behind a small direct-mapped
// cache because real sheets repeat their strings heavily. The table is never
// sized from the count the file declares (sst@count, sst@uniqueCount): a
// hostile file can claim any count.
type sharedStrings struct {
	budget int64
	tmpDir string

	data []byte  // in-memory arena
	ends []int64 // ends[i] is the end of string i in the arena
	n    int     // number of strings

	// Spilled state.
	dataFile, idxFile *os.File
	dataW, idxW       *bufio.Writer
	dataLen           int64
	spilled           bool
	scratch           [16]byte

	cache sstCache
}

// sstCacheSize is the number of slots of the spilled table's lookup cache;
// sstCacheMax is the longest string it keeps. Together they bound the cache
// at about 4 MiB, which holds the working set of repeated strings (cities,
// carriers, modes) of real shipment sheets.
const (
	sstCacheSize = 1 << 14
	sstCacheMax  = 256
)

type sstCache struct {
	keys []int32
	vals [][]byte
}

func newSharedStrings(budget int64, tmpDir string) *sharedStrings {
	return &sharedStrings{budget: budget, tmpDir: tmpDir}
}

// add appends one string.
func (s *sharedStrings) add(b []byte) error {
	if !s.spilled && int64(len(s.data)+len(b))+8*int64(len(s.ends)+1) > s.budget {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.n++
	if !s.spilled {
		s.data = append(s.data, b...)
		s.ends = append(s.ends, int64(len(s.data)))
		return nil
	}
	if _, err := s.dataW.Write(b); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	s.dataLen += int64(len(b))
	binary.LittleEndian.PutUint64(s.scratch[:8], uint64(s.dataLen))
	if _, err := s.idxW.Write(s.scratch[:8]); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	return nil
}

// spill moves the in-memory table to temporary files.
func (s *sharedStrings) spill() error {
	var err error
	if s.dataFile, err = os.CreateTemp(s.tmpDir, "networx-sst-data-*"); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	if s.idxFile, err = os.CreateTemp(s.tmpDir, "networx-sst-index-*"); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	// Unlinked at once (Linux keeps the open files), so nothing is left on
	// disk however the process ends; Close removes them again on systems
	// that refuse to unlink open files.
	_ = os.Remove(s.dataFile.Name())
	_ = os.Remove(s.idxFile.Name())
	s.dataW = bufio.NewWriterSize(s.dataFile, 64<<10)
	s.idxW = bufio.NewWriterSize(s.idxFile, 64<<10)
	if _, err := s.dataW.Write(s.data); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	for _, e := range s.ends {
		binary.LittleEndian.PutUint64(s.scratch[:8], uint64(e))
		if _, err := s.idxW.Write(s.scratch[:8]); err != nil {
			return fmt.Errorf("spill shared strings: %w", err)
		}
	}
	s.dataLen = int64(len(s.data))
	s.data, s.ends = nil, nil
	s.spilled = true
	s.cache = sstCache{keys: make([]int32, sstCacheSize), vals: make([][]byte, sstCacheSize)}
	for i := range s.cache.keys {
		s.cache.keys[i] = -1
	}
	return nil
}

// finish flushes the spill files; call it once after the last add.
func (s *sharedStrings) finish() error {
	if !s.spilled {
		return nil
	}
	if err := s.dataW.Flush(); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	if err := s.idxW.Flush(); err != nil {
		return fmt.Errorf("spill shared strings: %w", err)
	}
	return nil
}

// len returns the number of strings.
func (s *sharedStrings) len() int { return s.n }

// appendString appends string i to dst.
func (s *sharedStrings) appendString(dst []byte, i int) ([]byte, error) {
	if i < 0 || i >= s.n {
		return dst, fmt.Errorf("shared string index %d out of range (table has %d)", i, s.n)
	}
	if !s.spilled {
		start := int64(0)
		if i > 0 {
			start = s.ends[i-1]
		}
		return append(dst, s.data[start:s.ends[i]]...), nil
	}
	slot := i & (sstCacheSize - 1)
	if s.cache.keys[slot] == int32(i) {
		return append(dst, s.cache.vals[slot]...), nil
	}
	var start, end int64
	if i == 0 {
		if _, err := s.idxFile.ReadAt(s.scratch[:8], 0); err != nil {
			return dst, fmt.Errorf("read spilled shared strings: %w", err)
		}
		end = int64(binary.LittleEndian.Uint64(s.scratch[:8]))
	} else {
		if _, err := s.idxFile.ReadAt(s.scratch[:16], 8*int64(i-1)); err != nil {
			return dst, fmt.Errorf("read spilled shared strings: %w", err)
		}
		start = int64(binary.LittleEndian.Uint64(s.scratch[:8]))
		end = int64(binary.LittleEndian.Uint64(s.scratch[8:16]))
	}
	if end < start || end > s.dataLen {
		return dst, fmt.Errorf("spilled shared strings index corrupt at %d", i)
	}
	n := len(dst)
	dst = append(dst, make([]byte, end-start)...)
	if _, err := s.dataFile.ReadAt(dst[n:], start); err != nil && err != io.EOF {
		return dst[:n], fmt.Errorf("read spilled shared strings: %w", err)
	}
	if end-start <= sstCacheMax {
		s.cache.keys[slot] = int32(i)
		s.cache.vals[slot] = append(s.cache.vals[slot][:0], dst[n:]...)
	}
	return dst, nil
}

// spilledToDisk reports whether the table went to temporary files.
func (s *sharedStrings) spilledToDisk() bool { return s.spilled }

// close releases the temporary files.
func (s *sharedStrings) close() error {
	var first error
	for _, f := range []*os.File{s.dataFile, s.idxFile} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
		_ = os.Remove(f.Name())
	}
	s.dataFile, s.idxFile = nil, nil
	return first
}

// readSharedStrings parses sharedStrings.xml into a table. Each <si> is one
// string: the text of its <t> elements, rich-text runs concatenated,
// phonetic runs (<rPh>) left out.
func readSharedStrings(sc *scanner, table *sharedStrings, maxCell int) error {
	var (
		cur     []byte
		inSI    bool
		inT     bool
		rphLvl  int
		err     error
		strings int
	)
	for {
		switch sc.next() {
		case tokEOF:
			if sc.err != nil {
				return fmt.Errorf("shared strings: %w", sc.err)
			}
			return table.finish()
		case tokStart:
			switch string(sc.name) {
			case "si":
				if sc.selfClose {
					if err := table.add(nil); err != nil {
						return err
					}
					strings++
					continue
				}
				inSI, cur = true, cur[:0]
			case "t":
				if inSI && rphLvl == 0 && !sc.selfClose {
					inT = true
				}
			case "rPh":
				if !sc.selfClose {
					rphLvl++
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				if inSI {
					if err := table.add(decodeXstring(cur)); err != nil {
						return err
					}
					strings++
				}
				inSI, inT = false, false
			case "t":
				inT = false
			case "rPh":
				if rphLvl > 0 {
					rphLvl--
				}
			}
		case tokText, tokCData:
			if !inT {
				continue
			}
			if sc.kind == tokCData {
				cur = append(cur, sc.text...)
			} else if cur, err = appendText(cur, sc.text); err != nil {
				return fmt.Errorf("shared string %d: %w", strings, err)
			}
			if len(cur) > maxCell {
				return fmt.Errorf("shared string %d: %w", strings, &LimitError{Limit: "cell size", Max: int64(maxCell), Got: int64(len(cur))})
			}
		}
	}
}
