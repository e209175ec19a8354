package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3Store keeps objects in an S3 bucket, optionally below a key prefix.
//
// Put streams through a multipart uploader holding at most UploadConcurrency+1 parts of
// PartSize bytes; bodies up to one part go up in a single PutObject. A failed upload is
// aborted, so the key keeps its previous object. Presigned URLs are SigV4 query-signed.
type S3Store struct {
	client   *s3.Client
	presign  *s3.PresignClient
	uploader *manager.Uploader
	bucket   string
	prefix   string // "" or ending in '/'
	pageSize int32
}

var _ Store = (*S3Store)(nil)

// OpenS3 builds an S3 client from the environment (config.LoadDefaultConfig: AWS_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_S3, shared config files) and
// cfg, and returns the store for bucket below prefix. It sends no request.
func OpenS3(ctx context.Context, bucket, prefix string, cfg Config) (*S3Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("s3 blob store: %w", err)
	}
	var opts []func(*config.LoadOptions) error
	if cfg.S3Region != "" {
		opts = append(opts, config.WithRegion(cfg.S3Region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 blob store: load AWS config: %w", err)
	}
	pathStyle := cfg.S3PathStyle || cfg.S3Endpoint != "" ||
		os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.S3Endpoint)
		}
		o.UsePathStyle = pathStyle
		// Stand-ins and multipart objects carry no whole-object checksum; the SDK would
		// log a warning for every such GET.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return NewS3(client, bucket, prefix, cfg)
}

// NewS3 returns the store for bucket below prefix ("" for the whole bucket) on client.
func NewS3(client *s3.Client, bucket, prefix string, cfg Config) (*S3Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("s3 blob store: %w", err)
	}
	if bucket == "" {
		return nil, errors.New("s3 blob store: empty bucket name")
	}
	if prefix = strings.TrimSuffix(prefix, "/"); prefix != "" {
		if err := ValidateKey(prefix); err != nil {
			return nil, fmt.Errorf("s3 blob store prefix: %w", err)
		}
		prefix += "/"
	}
	return &S3Store{
		client:  client,
		presign: s3.NewPresignClient(client),
		uploader: manager.NewUploader(client, func(u *manager.Uploader) {
			u.PartSize = cfg.partSize()
			u.Concurrency = cfg.uploadConcurrency()
		}),
		bucket:   bucket,
		prefix:   prefix,
		pageSize: cfg.listPageSize(),
	}, nil
}

func (s *S3Store) key(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	full := s.prefix + key
	if len(full) > MaxKeyLen {
		return "", fmt.Errorf("key %q: longer than %d bytes with store prefix: %w", key, MaxKeyLen, ErrInvalidKey)
	}
	return full, nil
}

// Put implements Store.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &k, Body: newBody(ctx, r, size)}
	if contentType != "" {
		in.ContentType = &contentType
	}
	if _, err := s.uploader.Upload(ctx, in); err != nil {
		return fmt.Errorf("put %s: %w", key, s3Err(err))
	}
	return nil
}

// Get implements Store.
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	k, err := s.key(key)
	if err != nil {
		return nil, Info{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return nil, Info{}, fmt.Errorf("get %s: %w", key, s3Err(err))
	}
	info := Info{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ModTime:     aws.ToTime(out.LastModified),
		ContentType: aws.ToString(out.ContentType),
	}
	return out.Body, info, nil
}

// GetRange implements Store.
func (s *S3Store) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := checkRange(offset, length); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	k, err := s.key(key)
	if err != nil {
		return nil, err
	}
	rng := fmt.Sprintf("bytes=%d-", offset)
	if length > 0 {
		rng += fmt.Sprint(offset + length - 1)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &k, Range: &rng})
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", key, rng, s3Err(err))
	}
	return out.Body, nil
}

// Stat implements Store.
func (s *S3Store) Stat(ctx context.Context, key string) (Info, error) {
	k, err := s.key(key)
	if err != nil {
		return Info{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, s3Err(err))
	}
	return Info{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ModTime:     aws.ToTime(out.LastModified),
		ContentType: aws.ToString(out.ContentType),
	}, nil
}

// List implements Store.
func (s *S3Store) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	full := s.prefix + prefix
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:  &s.bucket,
		Prefix:  &full,
		MaxKeys: aws.Int32(s.pageSize),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, s3Err(err))
		}
		for _, obj := range page.Contents {
			info := Info{
				Key:     strings.TrimPrefix(aws.ToString(obj.Key), s.prefix),
				Size:    aws.ToInt64(obj.Size),
				ModTime: aws.ToTime(obj.LastModified),
			}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete implements Store. S3 itself treats deleting a missing key as success.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &k}); err != nil {
		if err = s3Err(err); errors.Is(err, ErrNotFound) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// PresignPut implements Store. The URL takes a PUT without extra headers; the object gets
// no content type.
func (s *S3Store) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := s.key(key)
	if err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &k},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign put %s: %w", key, err)
	}
	return req.URL, nil
}

// PresignGet implements Store.
func (s *S3Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := s.key(key)
	if err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &k},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign get %s: %w", key, err)
	}
	return req.URL, nil
}

// s3Err maps S3's missing-object and bad-range answers to ErrNotFound and ErrInvalidRange.
// A missing bucket stays an ordinary error: that is a configuration problem.
func s3Err(err error) error {
	var apiErr smithy.APIError
	code := ""
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	var noKey *types.NoSuchKey
	var notFound *types.NotFound
	switch {
	case errors.As(err, &noKey), errors.As(err, &notFound):
		return ErrNotFound
	case code == "InvalidRange":
		return ErrInvalidRange
	case code == "NoSuchBucket":
		return err
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		switch respErr.HTTPStatusCode() {
		case http.StatusNotFound:
			return ErrNotFound
		case http.StatusRequestedRangeNotSatisfiable:
			return ErrInvalidRange
		}
	}
	return err
}
