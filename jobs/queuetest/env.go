package queuetest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/redis/go-redis/v9"

	"networx/jobs"
)

// Environment variables that point the tests at real services. A test skips when its
// variable is unset and fails when it is set but the service does not answer.
const (
	EnvRedisURL    = "NETWORX_TEST_REDIS_URL"
	EnvSQSEndpoint = "NETWORX_TEST_SQS_ENDPOINT"
)

// Redis returns a client for NETWORX_TEST_REDIS_URL and a key prefix of its own for t;
// the keys under the prefix are deleted when the test ends.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skipf("%s not set", EnvRedisURL)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvRedisURL, err)
	}
	opt.PoolSize = 64
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s: %v", url, err)
	}
	prefix := "nxtest-" + jobs.RandomID()[:12] + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			rdb.Del(ctx, keys[:n]...)
			keys = keys[n:]
		}
		rdb.Close()
	})
	return rdb, prefix
}

// Name returns a name unique to this test run, usable as a queue name.
func Name(t testing.TB, base string) string {
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	if len(name) > 30 {
		name = name[len(name)-30:]
	}
	return base + "-" + strings.Trim(name, "-") + "-" + jobs.RandomID()[:8]
}

// SQS returns an SQS client for NETWORX_TEST_SQS_ENDPOINT (static test credentials unless
// AWS_ACCESS_KEY_ID is set) after checking that the endpoint answers.
func SQS(t testing.TB) *sqs.Client {
	t.Helper()
	endpoint := os.Getenv(EnvSQSEndpoint)
	if endpoint == "" {
		t.Skipf("%s not set", EnvSQSEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := NewSQSClient(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatalf("sqs at %s: %v", endpoint, err)
	}
	return client
}

// NewSQSClient returns a client for an SQS-compatible endpoint, with the region and
// credentials of the environment, defaulting to us-east-1 and the local stand-in's test
// credentials.
func NewSQSClient(ctx context.Context, endpoint string) (*sqs.Client, error) {
	opts := []func(*config.LoadOptions) error{}
	if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts = append(opts, config.WithRegion("us-east-1"))
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "testsecret", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) }), nil
}
