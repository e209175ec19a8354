package blob_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"networx/storage/blob"
	"networx/storage/blob/blobtest"
)

// testPageSize is the ListObjectsV2 page size of test stores: small, so the 30-key listing
// test spans several pages.
const testPageSize = 7

// s3Endpoint returns NETWORX_TEST_S3_ENDPOINT, skipping the test when it is unset.
func s3Endpoint(t *testing.T) string {
	t.Helper()
	endpoint := os.Getenv("NETWORX_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("NETWORX_TEST_S3_ENDPOINT not set (scripts/services.sh up starts a local S3)")
	}
	return endpoint
}

func s3Region() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return "us-east-1"
}

// adminClient is a plain SDK client for bucket set-up and for looking behind a store.
func adminClient(t *testing.T, endpoint string) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion(s3Region()))
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// newBucket creates a bucket with a random name, removed with its contents at cleanup.
// An unreachable endpoint fails the test.
func newBucket(t *testing.T, client *s3.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "networx-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket %s at NETWORX_TEST_S3_ENDPOINT: %v", bucket, err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled during cleanup.
		ctx := context.Background()
		uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
		if err == nil {
			for _, u := range uploads.Uploads {
				_, _ = client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: u.Key, UploadId: u.UploadId})
			}
		}
		pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &bucket})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Errorf("cleanup: list %s: %v", bucket, err)
				return
			}
			for _, obj := range page.Contents {
				if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: obj.Key}); err != nil {
					t.Errorf("cleanup: delete %s/%s: %v", bucket, aws.ToString(obj.Key), err)
				}
			}
		}
		if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Errorf("cleanup: delete bucket %s: %v", bucket, err)
		}
	})
	return bucket
}

func newS3(t *testing.T, endpoint, bucket, prefix string) *blob.S3Store {
	t.Helper()
	s, err := blob.OpenS3(t.Context(), bucket, prefix, blob.Config{
		S3Endpoint:   endpoint,
		S3Region:     s3Region(),
		ListPageSize: testPageSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Store(t *testing.T) {
	endpoint := s3Endpoint(t)
	client := adminClient(t, endpoint)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return newS3(t, endpoint, newBucket(t, client), "store/prefix")
	})
}

func TestS3StorePrefix(t *testing.T) {
	t.Parallel()
	endpoint := s3Endpoint(t)
	client := adminClient(t, endpoint)
	bucket := newBucket(t, client)
	ctx := t.Context()
	for _, key := range []string{"outside.txt", "pfx2/x", "pfx/own.txt"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	s := newS3(t, endpoint, bucket, "pfx")
	var keys []string
	if err := s.List(ctx, "", func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"own.txt"}) {
		t.Errorf("List of store with prefix pfx = %q, want only own.txt", keys)
	}
	if _, err := s.Stat(ctx, "../outside.txt"); err == nil {
		t.Error("Stat(../outside.txt) succeeded through the prefix")
	}
}

// TestOpenS3FromEnvironment opens a store the way the binary does, with the endpoint only
// in AWS_ENDPOINT_URL_S3, so path-style addressing must switch on by itself.
func TestOpenS3FromEnvironment(t *testing.T) {
	endpoint := s3Endpoint(t)
	bucket := newBucket(t, adminClient(t, endpoint))
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_REGION", s3Region())
	s, err := blob.Open(t.Context(), "s3://"+bucket+"/env", blob.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), "x.txt", strings.NewReader("env"), 3, "text/plain"); err != nil {
		t.Fatalf("Put through AWS_ENDPOINT_URL_S3: %v", err)
	}
	info, err := s.Stat(t.Context(), "x.txt")
	if err != nil || info.Size != 3 || info.ContentType != "text/plain" {
		t.Errorf("Stat = %+v, %v; want size 3, text/plain", info, err)
	}
}

// countingTransport counts ListObjectsV2 requests.
type countingTransport struct {
	lists atomic.Int32
}

func (c *countingTransport) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Query().Get("list-type") == "2" {
		c.lists.Add(1)
	}
	return http.DefaultClient.Do(req)
}

func TestS3StorePaging(t *testing.T) {
	t.Parallel()
	endpoint := s3Endpoint(t)
	bucket := newBucket(t, adminClient(t, endpoint))
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(s3Region()))
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingTransport{}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.HTTPClient = counter
	})
	s, err := blob.NewS3(client, bucket, "", blob.Config{ListPageSize: testPageSize})
	if err != nil {
		t.Fatal(err)
	}
	const keys = 4*testPageSize + 3 // four full pages and a partial one
	for i := range keys {
		if err := s.Put(ctx, fmt.Sprintf("k%03d", i), strings.NewReader("x"), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := s.List(ctx, "", func(blob.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != keys || counter.lists.Load() != 5 {
		t.Errorf("List saw %d keys in %d requests, want %d keys in 5 pages of %d", n, counter.lists.Load(), keys, testPageSize)
	}
}
