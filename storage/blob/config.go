package blob

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config tunes Open, NewLocal and NewS3. The zero value means the documented defaults; a
// LocalStore then has no presigned URLs.
type Config struct {
	// PresignBaseURL is the absolute URL at which LocalStore.Handler is mounted, for
	// example "http://127.0.0.1:8080/api/blob". LocalStore only. Empty means PresignPut and
	// PresignGet return ErrPresignUnsupported.
	PresignBaseURL string
	// PresignSecret is the HMAC-SHA256 key signing local presigned URLs, at least
	// MinPresignSecret bytes. Required with PresignBaseURL. Every process serving the
	// same folder must share it.
	PresignSecret []byte
	// Now is the clock for presigned URL expiry of a LocalStore. Nil means time.Now.
	Now func() time.Time

	// S3Endpoint overrides the S3 endpoint, for example "http://127.0.0.1:7070". Empty
	// means the SDK's resolution, which honours AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL.
	S3Endpoint string
	// S3Region overrides the region. Empty means the SDK's default chain (AWS_REGION,
	// shared config).
	S3Region string
	// S3PathStyle forces path-style bucket addressing. It is switched on by itself
	// whenever an endpoint override is configured (S3Endpoint, AWS_ENDPOINT_URL_S3 or
	// AWS_ENDPOINT_URL), because local S3 stand-ins do not serve bucket subdomains.
	S3PathStyle bool
	// ListPageSize is the number of keys per ListObjectsV2 request. Zero means 1000, the
	// S3 maximum; tests set it small to exercise paging.
	ListPageSize int32
	// PartSize is the multipart upload part size in bytes. Zero means DefaultPartSize.
	// S3 requires at least 5 MiB per part and allows 10,000 parts, so the default caps an
	// unknown-size upload at about 78 GiB.
	PartSize int64
	// UploadConcurrency is the number of parts uploaded at once. Zero means
	// DefaultUploadConcurrency. An upload buffers at most UploadConcurrency+1 parts.
	UploadConcurrency int
}

const (
	// MinPresignSecret is the shortest accepted PresignSecret: 256 bits, the HMAC-SHA256
	// block of security.
	MinPresignSecret = 32
	// DefaultPartSize is the default multipart part size: 8 MiB keeps an upload's buffers
	// at 24 MiB with the default concurrency while staying above the S3 minimum.
	DefaultPartSize = 8 << 20
	// DefaultUploadConcurrency is the default number of parts in flight; two keep a link
	// busy while one part is being read from the caller.
	DefaultUploadConcurrency = 2
	// minPartSize and maxPartSize are the S3 multipart limits.
	minPartSize = 5 << 20
	maxPartSize = 5 << 30
	// maxListPageSize is the S3 ListObjectsV2 maximum.
	maxListPageSize = 1000
	// maxUploadConcurrency bounds upload memory at 65 parts.
	maxUploadConcurrency = 64
)

// Validate reports every problem in cfg at once.
func (c Config) Validate() error {
	var errs []error
	if c.PresignBaseURL != "" {
		u, err := url.Parse(c.PresignBaseURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("presign base URL: %w", err))
		case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "":
			errs = append(errs, fmt.Errorf("presign base URL %q: want an absolute http(s) URL without query", c.PresignBaseURL))
		}
		if len(c.PresignSecret) < MinPresignSecret {
			errs = append(errs, fmt.Errorf("presign secret: %d bytes, want at least %d", len(c.PresignSecret), MinPresignSecret))
		}
	}
	if c.ListPageSize < 0 || c.ListPageSize > maxListPageSize {
		errs = append(errs, fmt.Errorf("list page size %d outside [0, %d]", c.ListPageSize, maxListPageSize))
	}
	if c.PartSize != 0 && (c.PartSize < minPartSize || c.PartSize > maxPartSize) {
		errs = append(errs, fmt.Errorf("part size %d outside [%d, %d]", c.PartSize, minPartSize, maxPartSize))
	}
	if c.UploadConcurrency < 0 || c.UploadConcurrency > maxUploadConcurrency {
		errs = append(errs, fmt.Errorf("upload concurrency %d outside [0, %d]", c.UploadConcurrency, maxUploadConcurrency))
	}
	return errors.Join(errs...)
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) listPageSize() int32 {
	if c.ListPageSize == 0 {
		return maxListPageSize
	}
	return c.ListPageSize
}

func (c Config) partSize() int64 {
	if c.PartSize == 0 {
		return DefaultPartSize
	}
	return c.PartSize
}

func (c Config) uploadConcurrency() int {
	if c.UploadConcurrency == 0 {
		return DefaultUploadConcurrency
	}
	return c.UploadConcurrency
}
