package blob

import (
	"context"
	"io"
	"strings"
	"time"
)

// TenantStore confines a Store to one tenant's key space, "tenants/<tenant>/": its keys
// are relative to that prefix, and since they must pass ValidateKey they cannot climb out
// of it. List reports keys relative to the prefix as well.
type TenantStore struct {
	store  Store
	prefix string
}

var _ Store = (*TenantStore)(nil)

// ForTenant returns the part of s that belongs to tenant (see ValidateTenant).
func ForTenant(s Store, tenant string) (*TenantStore, error) {
	prefix, err := TenantPrefix(tenant)
	if err != nil {
		return nil, err
	}
	return &TenantStore{store: s, prefix: prefix}, nil
}

func (t *TenantStore) key(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return t.prefix + key, nil
}

// Put implements Store.
func (t *TenantStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	k, err := t.key(key)
	if err != nil {
		return err
	}
	return t.store.Put(ctx, k, r, size, contentType)
}

// Get implements Store.
func (t *TenantStore) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	k, err := t.key(key)
	if err != nil {
		return nil, Info{}, err
	}
	rc, info, err := t.store.Get(ctx, k)
	if err != nil {
		return nil, Info{}, err
	}
	info.Key = key
	return rc, info, nil
}

// GetRange implements Store.
func (t *TenantStore) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	k, err := t.key(key)
	if err != nil {
		return nil, err
	}
	return t.store.GetRange(ctx, k, offset, length)
}

// Stat implements Store.
func (t *TenantStore) Stat(ctx context.Context, key string) (Info, error) {
	k, err := t.key(key)
	if err != nil {
		return Info{}, err
	}
	info, err := t.store.Stat(ctx, k)
	if err != nil {
		return Info{}, err
	}
	info.Key = key
	return info, nil
}

// List implements Store.
func (t *TenantStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	return t.store.List(ctx, t.prefix+prefix, func(info Info) error {
		info.Key = strings.TrimPrefix(info.Key, t.prefix)
		return fn(info)
	})
}

// Delete implements Store.
func (t *TenantStore) Delete(ctx context.Context, key string) error {
	k, err := t.key(key)
	if err != nil {
		return err
	}
	return t.store.Delete(ctx, k)
}

// PresignPut implements Store.
func (t *TenantStore) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := t.key(key)
	if err != nil {
		return "", err
	}
	return t.store.PresignPut(ctx, k, ttl)
}

// PresignGet implements Store.
func (t *TenantStore) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := t.key(key)
	if err != nil {
		return "", err
	}
	return t.store.PresignGet(ctx, k, ttl)
}
