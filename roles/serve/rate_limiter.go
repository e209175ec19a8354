package serve

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per tenant, in this process. It is per instance by
// choice: a Redis bucket would add a round trip to every request to protect the service
// from one tenant, while the ALB spreads a tenant's requests evenly, so N instances give
// a tenant about N times the configured rate (docs/api.md says so). Idle buckets are
// dropped once full again.
type rateLimiter struct {
	rate  float64 // tokens per second; <= 0 means unlimited
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: now, buckets: make(map[string]*bucket)}
}

// allow takes a token of tenant's bucket; when there is none it returns how long until
// there will be one.
func (l *rateLimiter) allow(tenant string) (time.Duration, bool) {
	if l.rate <= 0 {
		return 0, true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[tenant]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[tenant] = b
	}
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}

// sweep drops, once a minute, buckets that have refilled completely: they hold no state.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for t, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, t)
		}
	}
}
