package xlsx

import (
	"context"
	"io"
)

// prefetchChunk is the size of one decompressed chunk handed from the
// decompressing goroutine to the tokenizer; prefetchDepth chunks are in
// flight, so the pipeline holds at most (depth+1) x chunk bytes.
const (
	prefetchChunk = 256 << 10
	prefetchDepth = 3
)

// prefetch decompresses in a goroutine of its own while the caller
// tokenizes, so parsing a sheet uses two cores: inflating is about a third
// of the work. The goroutine stops when ctx is done (Read then returns
// ctx.Err()), at the end of the input, or on Close.
type prefetch struct {
	full chan []byte
	free chan []byte
	done chan struct{}
	exit chan struct{}
	err  error // set by the goroutine before it closes full
	cur  []byte
	held []byte // the chunk cur came from, returned to free when used up
	src  io.Closer
}

func newPrefetch(ctx context.Context, src io.ReadCloser) *prefetch {
	p := &prefetch{
		full: make(chan []byte, prefetchDepth),
		free: make(chan []byte, prefetchDepth+1),
		done: make(chan struct{}),
		exit: make(chan struct{}),
		src:  src,
	}
	for range prefetchDepth + 1 {
		p.free <- make([]byte, prefetchChunk)
	}
	go p.run(ctx, src)
	return p
}

func (p *prefetch) run(ctx context.Context, src io.Reader) {
	defer close(p.exit)
	defer close(p.full)
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.done:
			return
		case <-ctx.Done():
			p.err = ctx.Err()
			return
		}
		n, err := io.ReadFull(src, buf[:cap(buf)])
		if n > 0 {
			select {
			case p.full <- buf[:n]:
			case <-p.done:
				return
			case <-ctx.Done():
				p.err = ctx.Err()
				return
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return
		}
		if err != nil {
			p.err = err
			return
		}
		if ctx.Err() != nil {
			p.err = ctx.Err()
			return
		}
	}
}

// Read implements io.Reader.
func (p *prefetch) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.held != nil {
			p.free <- p.held[:cap(p.held)]
			p.held = nil
		}
		chunk, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.held, p.cur = chunk, chunk
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Close stops the goroutine, waits for it and closes the source.
func (p *prefetch) Close() error {
	close(p.done)
	<-p.exit
	return p.src.Close()
}
