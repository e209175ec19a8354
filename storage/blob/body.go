package blob

import (
	"context"
	"fmt"
	"io"
)

// body wraps a Put body: it stops at context cancellation and turns a length different
// from the declared size into ErrSizeMismatch, so both stores refuse such bodies alike.
type body struct {
	err  func() error // the Put context's Err
	r    io.Reader
	size int64 // declared size, -1 when unknown
	n    int64 // bytes read so far
}

func newBody(ctx context.Context, r io.Reader, size int64) *body {
	if size < 0 {
		size = -1
	}
	return &body{err: ctx.Err, r: r, size: size}
}

// Read implements io.Reader.
func (b *body) Read(p []byte) (int, error) {
	if err := b.err(); err != nil {
		return 0, err
	}
	if b.size >= 0 {
		// Read at most one byte past the declared size: enough to detect a longer body.
		if limit := b.size - b.n + 1; int64(len(p)) > limit {
			p = p[:limit]
		}
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.size < 0 {
		return n, err
	}
	if b.n > b.size {
		return n, fmt.Errorf("body longer than %d bytes: %w", b.size, ErrSizeMismatch)
	}
	if err == io.EOF && b.n < b.size {
		return n, fmt.Errorf("body of %d bytes, declared %d: %w", b.n, b.size, ErrSizeMismatch)
	}
	return n, err
}
