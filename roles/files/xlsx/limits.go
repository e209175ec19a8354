package xlsx

import (
	"errors"
	"fmt"
)

// Sentinel errors, checked with errors.Is. Each describes the file as a
// whole; the wrapping error says which part or sheet.
var (
	// ErrNotXLSX means the bytes are not an Office Open XML workbook.
	ErrNotXLSX = errors.New("not an xlsx workbook")
	// ErrEncrypted means the file is a password-protected (encrypted)
	// workbook: an OLE compound file holding EncryptionInfo and
	// EncryptedPackage streams.
	ErrEncrypted = errors.New("workbook is encrypted (password-protected)")
	// ErrLegacyXLS means the file is an Excel 97-2003 .xls (BIFF) workbook.
	ErrLegacyXLS = errors.New("legacy .xls workbook (Excel 97-2003)")
	// ErrBinaryXLSB means the file is an Excel binary (.xlsb) workbook.
	ErrBinaryXLSB = errors.New("binary .xlsb workbook")
	// ErrLimit is wrapped by every *LimitError.
	ErrLimit = errors.New("limit exceeded")
)

// LimitError reports input beyond one of the reader's Limits.
type LimitError struct {
	Limit string // which limit, e.g. "compression ratio"
	Max   int64
	Got   int64 // the value seen when the reader stopped (a lower bound)
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s limit exceeded: %d, the maximum is %d", e.Limit, e.Got, e.Max)
}

// Unwrap makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Limits bound the work and memory one workbook may cost. The zero value of
// each field means its default.
type Limits struct {
	// MaxUncompressedBytes caps the bytes decompressed from the archive over
	// the whole read, every part and sheet together. Default 8 GiB: a 2.5M-row
	// shipments workbook with inline strings unzips to about 1.3 GB.
	MaxUncompressedBytes int64
	// MaxCompressionRatio caps uncompressed/compressed for each archive
	// member (parts smaller than 1 MiB uncompressed are exempt). Default 600:
	// sheet XML of real data compresses 5-40x, a sheet of identical rows
	// about 400x, and deflate bombs reach its maximum of about 1,030x. The
	// memory bound does not depend on it (rows are streamed); it stops a
	// small upload from costing minutes of decompression.
	MaxCompressionRatio int64
	// MaxEntries caps the number of members in the archive. Default 10,000.
	MaxEntries int
	// MaxPartBytes caps the uncompressed size of the small parts read
	// whole (workbook.xml, relationships, styles.xml). Default 64 MiB.
	MaxPartBytes int64
	// MaxCellBytes caps one cell's value in bytes. Default 131,072: Excel
	// holds at most 32,767 characters in a cell, up to 4 bytes each in UTF-8.
	MaxCellBytes int
	// MaxRowBytes caps the bytes of all values of one row. Default 4 MiB.
	MaxRowBytes int
	// MaxColumns caps the columns a row may have values in. Default 1,024:
	// every canonical dataset has fewer than 40 fields, and a sheet with
	// thousands of filled columns is not a table this system reads.
	MaxColumns int
	// SharedStringsMemory is the memory the shared-strings table may take
	// before it spills to temporary files. Default 32 MiB.
	SharedStringsMemory int64
}

// Default limits; see Limits for the reasoning behind each.
const (
	DefaultMaxUncompressedBytes = 8 << 30
	DefaultMaxCompressionRatio  = 600
	DefaultMaxEntries           = 10000
	DefaultMaxPartBytes         = 64 << 20
	DefaultMaxCellBytes         = 4 * 32767
	DefaultMaxRowBytes          = 4 << 20
	DefaultMaxColumns           = 1024
	DefaultSharedStringsMemory  = 32 << 20

	// ratioExemptBytes is how much a member may decompress to before the
	// compression-ratio limit applies: tiny parts legitimately compress
	// extremely well (a styles.xml of repeated defaults).
	ratioExemptBytes = 1 << 20
)

// withDefaults returns l with every zero field set to its default.
func (l Limits) withDefaults() Limits {
	if l.MaxUncompressedBytes <= 0 {
		l.MaxUncompressedBytes = DefaultMaxUncompressedBytes
	}
	if l.MaxCompressionRatio <= 0 {
		l.MaxCompressionRatio = DefaultMaxCompressionRatio
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxPartBytes <= 0 {
		l.MaxPartBytes = DefaultMaxPartBytes
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = DefaultMaxCellBytes
	}
	if l.MaxRowBytes <= 0 {
		l.MaxRowBytes = DefaultMaxRowBytes
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultMaxColumns
	}
	if l.SharedStringsMemory <= 0 {
		l.SharedStringsMemory = DefaultSharedStringsMemory
	}
	return l
}
