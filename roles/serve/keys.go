package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/storage"
	"networx/storage/blob"
)

// API keys look like nx_<43 base62 characters>: 32 random bytes (256 bits), so a key
// cannot be guessed and one round of SHA-256 is the right hash for it (a slow password
// hash buys nothing against a search space of 2^256). The first keyPrefixLen characters
// after nx_ are stored in clear as the key's prefix, which finds its row and lets people
// tell keys apart; the rest only ever exists as a hash.
const (
	keyScheme    = "nx_"
	keyRandBytes = 32
	keyBodyLen   = 43 // ceil(256 / log2(62))
	keyPrefixLen = 8
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ErrKeyNotFound reports a key id that does not exist (RevokeKey) or a bearer token that
// matches no active key (Authenticate).
var ErrKeyNotFound = errors.New("api key not found")

// KeyInfo describes a stored API key; the secret is never part of it.
type KeyInfo struct {
	ID        string     `json:"id"`
	Tenant    string     `json:"tenant"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// NewKey is a key just created: Secret is shown once and not stored.
type NewKey struct {
	KeyInfo
	Secret string `json:"key"`
}

// KeyStore creates, lists, revokes and checks API keys in PostgreSQL (tables tenants and
// api_keys, migration 0001).
type KeyStore struct {
	db *storage.DB
}

// NewKeyStore returns the key store on db, which must be migrated.
func NewKeyStore(db *storage.DB) *KeyStore { return &KeyStore{db: db} }

// newSecret returns a fresh key: nx_ and keyBodyLen base62 digits of 32 random bytes.
func newSecret() (string, error) {
	var b [keyRandBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random key: %w", err)
	}
	n := new(big.Int).SetBytes(b[:])
	digits := make([]byte, keyBodyLen)
	base := big.NewInt(62)
	mod := new(big.Int)
	for i := keyBodyLen - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		digits[i] = base62[mod.Int64()]
	}
	return keyScheme + string(digits), nil
}

// hashKey is the stored form of a key.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// splitKey returns the prefix of a well-formed key, or false.
func splitKey(secret string) (string, bool) {
	body, ok := strings.CutPrefix(secret, keyScheme)
	if !ok || len(body) != keyBodyLen {
		return "", false
	}
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62, body[i]) < 0 {
			return "", false
		}
	}
	return keyScheme + body[:keyPrefixLen], true
}

// CreateKey makes a key named name for tenant, creating the tenant when it does not
// exist yet, and returns it with its secret. The tenant id must be 1-64 letters, digits,
// '-' or '_' (it names the tenant's part of the blob store too).
func (k *KeyStore) CreateKey(ctx context.Context, tenant, name string) (*NewKey, error) {
	if err := blob.ValidateTenant(tenant); err != nil {
		return nil, fmt.Errorf("tenant %q: use 1 to 64 letters, digits, '-' or '_'", tenant)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return nil, errors.New("key name: give 1 to 200 characters saying who or what uses the key")
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	prefix, _ := splitKey(secret)
	nk := &NewKey{KeyInfo: KeyInfo{ID: newID("key"), Tenant: tenant, Name: name, Prefix: prefix}, Secret: secret}
	err = k.db.InTx(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `insert into tenants (id, name) values ($1, $1) on conflict (id) do nothing`, tenant); err != nil {
			return fmt.Errorf("create tenant %s: %w", tenant, err)
		}
		return tx.QueryRow(ctx, `insert into api_keys (id, tenant_id, name, prefix, hash) values ($1, $2, $3, $4, $5)
returning created_at`, nk.ID, tenant, name, prefix, hashKey(secret)).Scan(&nk.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("create key for tenant %s: %w", tenant, err)
	}
	nk.CreatedAt = nk.CreatedAt.UTC()
	return nk, nil
}

// ListKeys returns the keys of tenant, or of every tenant when tenant is empty, oldest
// first, revoked ones included.
func (k *KeyStore) ListKeys(ctx context.Context, tenant string) ([]KeyInfo, error) {
	var out []KeyInfo
	err := k.db.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		out = out[:0]
		rows, err := q.Query(ctx, `select id, tenant_id, name, prefix, created_at, revoked_at from api_keys
where $1 = '' or tenant_id = $1 order by created_at, id`, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ki KeyInfo
			if err := rows.Scan(&ki.ID, &ki.Tenant, &ki.Name, &ki.Prefix, &ki.CreatedAt, &ki.RevokedAt); err != nil {
				return err
			}
			ki.CreatedAt = ki.CreatedAt.UTC()
			out = append(out, ki)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// RevokeKey revokes key id at once for every serve process that checks it from the
// database (each one's cache keeps a key valid for at most its cache TTL). Revoking a
// revoked key is not an error; an unknown id is ErrKeyNotFound.
func (k *KeyStore) RevokeKey(ctx context.Context, id string) (KeyInfo, error) {
	var ki KeyInfo
	err := k.db.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		return q.QueryRow(ctx, `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1
returning id, tenant_id, name, prefix, created_at, revoked_at`, id).
			Scan(&ki.ID, &ki.Tenant, &ki.Name, &ki.Prefix, &ki.CreatedAt, &ki.RevokedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return ki, fmt.Errorf("revoke key %s: %w (networx keys list shows the ids)", id, ErrKeyNotFound)
	}
	if err != nil {
		return ki, fmt.Errorf("revoke key %s: %w", id, err)
	}
	return ki, nil
}

// Authenticate returns the tenant and key id of an active key, or ErrKeyNotFound. The
// stored hash is compared in constant time.
func (k *KeyStore) Authenticate(ctx context.Context, secret string) (tenant, keyID string, err error) {
	prefix, ok := splitKey(secret)
	if !ok {
		return "", "", ErrKeyNotFound
	}
	var hash string
	err = k.db.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		return q.QueryRow(ctx, `select id, tenant_id, hash from api_keys where prefix = $1 and revoked_at is null`, prefix).
			Scan(&keyID, &tenant, &hash)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrKeyNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("check api key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashKey(secret))) != 1 {
		return "", "", ErrKeyNotFound
	}
	return tenant, keyID, nil
}

// newID returns a random id with a type prefix, like prj_3k9..: 16 random bytes in
// base62 after the prefix.
func newID(kind string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on supported platforms
	n := new(big.Int).SetBytes(b[:])
	return kind + "_" + n.Text(62)
}
