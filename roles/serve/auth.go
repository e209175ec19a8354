package serve

import (
	"context"
	"sync"
	"time"
)

// maxAuthCache bounds the authenticator's cache; past it the cache starts over, which
// costs one database lookup per key and nothing else.
const maxAuthCache = 10000

// authenticator checks bearer keys against the KeyStore and remembers good ones for ttl,
// so the hot path (job status polled by many clients) does not query PostgreSQL on every
// request. Only successes are cached: a wrong key always reaches the database, and a
// revoked key stops working within ttl.
type authenticator struct {
	keys *KeyStore
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]authEntry // by key hash
}

type authEntry struct {
	tenant  string
	expires time.Time
}

func newAuthenticator(keys *KeyStore, ttl time.Duration, now func() time.Time) *authenticator {
	return &authenticator{keys: keys, ttl: ttl, now: now, cache: make(map[string]authEntry)}
}

// authenticate returns the tenant of secret, or ErrKeyNotFound.
func (a *authenticator) authenticate(ctx context.Context, secret string) (string, error) {
	if _, ok := splitKey(secret); !ok {
		return "", ErrKeyNotFound
	}
	h := hashKey(secret)
	now := a.now()
	a.mu.Lock()
	e, ok := a.cache[h]
	a.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.tenant, nil
	}
	tenant, _, err := a.keys.Authenticate(ctx, secret)
	if err != nil {
		return "", err
	}
	if a.ttl > 0 {
		a.mu.Lock()
		if len(a.cache) >= maxAuthCache {
			clear(a.cache)
		}
		a.cache[h] = authEntry{tenant: tenant, expires: now.Add(a.ttl)}
		a.mu.Unlock()
	}
	return tenant, nil
}
