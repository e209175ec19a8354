package jobs

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// hashTag returns the part of key Redis cluster hashes: the text between the first '{' and
// the next '}'.
func hashTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return key
	}
	return key[i+1 : i+1+j]
}

func TestKeysShareSlots(t *testing.T) {
	t.Parallel()
	k := NewKeys("")
	tests := []struct {
		name string
		keys []string
		tag  string
	}{
		{"job", []string{k.Job("abc"), k.Events("abc")}, "abc"},
		{"queue", []string{k.QueueReady("optimization"), k.QueueInflight("optimization"), k.QueueMessages("optimization"),
			k.QueueLeases("optimization"), k.QueueGroups("optimization"), k.QueueDead("optimization"),
			k.QueueSeq("optimization"), k.QueueNotify("optimization"), k.QueueDedup("optimization", "job-1")}, "optimization"},
	}
	for _, tc := range tests {
		for _, key := range tc.keys {
			if !strings.HasPrefix(key, "networx:") {
				t.Errorf("%s: key %s lacks the networx: prefix", tc.name, key)
			}
			if got := hashTag(key); got != tc.tag {
				t.Errorf("%s: key %s hashes on %q, want %q", tc.name, key, got, tc.tag)
			}
		}
	}
	if got := k.Job("abc"); got != "networx:jobs:{abc}" {
		t.Errorf("job key %s", got)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	w := &Worker{cfg: WorkerConfig{BackoffBase: time.Second, BackoffMax: 10 * time.Second,
		Rand: rand.New(rand.NewPCG(1, 2))}}
	tests := []struct {
		attempt int
		// full is the delay before jitter: base*2^(attempt-1) capped at max.
		full time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second},
		{5, 10 * time.Second}, {30, 10 * time.Second},
	}
	for _, tc := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := w.backoff(tc.attempt)
			if d < tc.full/2 || d > tc.full {
				t.Fatalf("attempt %d: delay %s outside [%s, %s]", tc.attempt, d, tc.full/2, tc.full)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct delays in 50: no jitter", tc.attempt, len(seen))
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{"worker zero value", WorkerConfig{}.Validate()},
		{"store zero value", StoreConfig{}.Validate()},
	}
	for _, tc := range tests {
		if tc.err != nil {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
	}
	bad := []struct {
		name string
		err  error
	}{
		{"negative lease", WorkerConfig{Lease: -time.Second}.Validate()},
		{"extend not shorter than lease", WorkerConfig{Lease: time.Second, ExtendEvery: time.Second}.Validate()},
		{"zero kind timeout", WorkerConfig{Timeouts: map[string]time.Duration{"solve": 0}}.Validate()},
		{"long poll too long", WorkerConfig{ReceiveWait: time.Minute}.Validate()},
		{"brace in prefix", StoreConfig{KeyPrefix: "a{b"}.Validate()},
		{"redis queue without name", RedisQueueConfig{}.Validate()},
		{"fifo sqs name without .fifo", SQSQueueConfig{Name: "optimization", QueueName: "x", FIFO: true}.Validate()},
	}
	for _, tc := range bad {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
