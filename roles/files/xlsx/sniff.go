package xlsx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// oleSignature starts every OLE compound file: legacy .xls workbooks and
// encrypted (password-protected) .xlsx workbooks alike.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniff classifies the first bytes of r: nil for a zip archive, otherwise
// an error wrapping ErrEncrypted, ErrLegacyXLS or ErrNotXLSX that says what
// the bytes look like.
func sniff(r io.ReaderAt, size int64) error {
	head := make([]byte, min(size, 512))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return fmt.Errorf("read file header: %w", err)
	}
	switch {
	case len(head) >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6):
		return nil
	case bytes.HasPrefix(head, oleSignature):
		return classifyOLE(r, size)
	case len(head) == 0:
		return fmt.Errorf("%w: the file is empty", ErrNotXLSX)
	}
	return fmt.Errorf("%w: the file is %s, not a zip archive as every .xlsx is", ErrNotXLSX, describe(head))
}

// describe names what a non-zip file appears to be, for the error message.
func describe(head []byte) string {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	lower := bytes.ToLower(trimmed[:min(len(trimmed), 64)])
	switch {
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) || bytes.HasPrefix(lower, []byte("<table")):
		return "an HTML page (some systems export HTML tables with an .xls name; save it from Excel as .xlsx or CSV)"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return "an XML document (perhaps an Excel 2003 XML spreadsheet; save it from Excel as .xlsx)"
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return "a gzip archive"
	case utf8.Valid(head) || isMostlyText(head):
		return "plain text (a CSV file? give it a .csv name)"
	}
	return "binary data of an unknown format"
}

func isMostlyText(b []byte) bool {
	printable := 0
	for _, c := range b {
		if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
			printable++
		}
	}
	return len(b) > 0 && printable*100/len(b) >= 95
}

// classifyOLE looks at the stream names in the first directory sector of an
// OLE compound file: an encrypted OOXML workbook holds "EncryptionInfo" and
// "EncryptedPackage", a BIFF workbook "Workbook" (or "Book"). Only the header
// and one sector are read, so a hostile compound file costs nothing.
func classifyOLE(r io.ReaderAt, size int64) error {
	var hdr [512]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("%w: a truncated OLE compound file (an encrypted workbook or a legacy .xls)", ErrNotXLSX)
	}
	shift := binary.LittleEndian.Uint16(hdr[0x1E:])
	firstDir := binary.LittleEndian.Uint32(hdr[0x30:])
	if shift == 9 || shift == 12 {
		secSize := int64(1) << shift
		off := (int64(firstDir) + 1) * secSize
		if firstDir < 0xFFFFFFFA && off+secSize <= size {
			sec := make([]byte, secSize)
			if _, err := r.ReadAt(sec, off); err == nil {
				names := oleNames(sec)
				switch {
				case names["EncryptionInfo"] || names["EncryptedPackage"]:
					return fmt.Errorf("%w: remove the password in Excel (File > Info > Protect Workbook) and upload it again", ErrEncrypted)
				case names["Workbook"] || names["Book"]:
					return fmt.Errorf("%w: open it in Excel and save it as .xlsx (or CSV)", ErrLegacyXLS)
				}
			}
		}
	}
	return fmt.Errorf("%w: an OLE compound file (an encrypted workbook or a legacy Office document); save it unprotected as .xlsx or CSV", ErrNotXLSX)
}

// oleNames returns the entry names of one directory sector (128-byte
// entries, name as up to 32 UTF-16LE code units, length in bytes at 0x40).
func oleNames(sec []byte) map[string]bool {
	names := map[string]bool{}
	for i := 0; i+128 <= len(sec); i += 128 {
		e := sec[i : i+128]
		n := int(binary.LittleEndian.Uint16(e[0x40:]))
		if n < 2 || n > 64 || n%2 != 0 {
			continue
		}
		u := make([]uint16, 0, n/2-1)
		for j := 0; j+1 < n-2; j += 2 {
			u = append(u, binary.LittleEndian.Uint16(e[j:]))
		}
		names[string(utf16.Decode(u))] = true
	}
	return names
}
