package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Store is a flat key space of immutable-once-written objects. Writes replace whole
// objects atomically: a reader sees the old object or the new one, never a partial one.
type Store interface {
	// Put streams r into key, replacing any object there. size is the exact body length,
	// or -1 when unknown; a body that is shorter or longer than a given size is an error
	// and stores nothing. contentType may be empty.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens key for reading; the caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// GetRange opens length bytes of key starting at offset; length < 0 reads to the end.
	// A range running past the end is cut at the end; offset at or past the end, a
	// negative offset and a zero length are ErrInvalidRange.
	GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Stat describes key.
	Stat(ctx context.Context, key string) (Info, error)
	// List calls fn for every key starting with prefix, in byte order of the keys, until
	// fn returns an error, which List then returns. Info.ContentType is empty in listings.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Delete removes key. Deleting a key that does not exist is not an error, so a
	// retried delete succeeds.
	Delete(ctx context.Context, key string) error
	// PresignPut returns a URL that accepts one plain HTTP PUT of the object body for ttl.
	PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error)
	// PresignGet returns a URL that serves plain HTTP GET (and Range requests) for ttl.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ModTime     time.Time
	ContentType string
}

var (
	// ErrNotFound reports that no object is stored under the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey reports a key, prefix or tenant that ValidateKey rejects or that
	// would resolve outside the store.
	ErrInvalidKey = errors.New("blob: invalid key")
	// ErrInvalidRange reports a GetRange range that selects no bytes of the object.
	ErrInvalidRange = errors.New("blob: invalid range")
	// ErrPresignUnsupported reports a store that cannot hand out presigned URLs: a
	// LocalStore without Config.PresignBaseURL.
	ErrPresignUnsupported = errors.New("blob: presigned URLs not configured")
	// ErrSizeMismatch reports a Put body whose length differs from the declared size.
	ErrSizeMismatch = errors.New("blob: body length differs from declared size")
)

// MaxPresignTTL is the longest presigned URL lifetime, the SigV4 limit of S3.
const MaxPresignTTL = 7 * 24 * time.Hour

// Open returns the store a URL names: file:///absolute/folder for a LocalStore, or
// s3://bucket/optional/prefix for an S3Store configured from the environment (see
// OpenS3).
func Open(ctx context.Context, rawURL string, cfg Config) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("open blob store %s: file URL must be file:///absolute/path", rawURL)
		}
		if u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("open blob store %s: file URL must be file:///absolute/path", rawURL)
		}
		return NewLocal(filepath.FromSlash(u.Path), cfg)
	case "s3":
		if u.Host == "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("open blob store %s: S3 URL must be s3://bucket/optional/prefix", rawURL)
		}
		return OpenS3(ctx, u.Host, strings.TrimPrefix(u.Path, "/"), cfg)
	default:
		return nil, fmt.Errorf("open blob store %s: scheme %q is not file or s3", rawURL, u.Scheme)
	}
}

// checkTTL rejects presigned URL lifetimes S3 would reject, for both stores alike.
func checkTTL(ttl time.Duration) error {
	if ttl <= 0 || ttl > MaxPresignTTL {
		return fmt.Errorf("presign ttl %s outside (0, %s]", ttl, MaxPresignTTL)
	}
	return nil
}

// checkRange rejects ranges that can be refused before looking at the object.
func checkRange(offset, length int64) error {
	if offset < 0 || length == 0 {
		return fmt.Errorf("range offset %d length %d: %w", offset, length, ErrInvalidRange)
	}
	return nil
}
