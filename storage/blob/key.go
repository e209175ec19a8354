package blob

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxKeyLen is the longest key in bytes, the S3 limit.
	MaxKeyLen = 1024
	// MaxSegmentLen is the longest '/'-separated segment in bytes, the usual file name
	// limit (NAME_MAX), so every key is also a valid LocalStore path.
	MaxSegmentLen = 255
	// maxTenantLen bounds tenant IDs, which are slugs or UUIDs.
	maxTenantLen = 64
	// tenantsDir is the top-level folder of all tenant key spaces.
	tenantsDir = "tenants/"
)

// ValidateKey reports whether key is a well-formed relative path: 1 to MaxKeyLen bytes of
// valid UTF-8, '/'-separated segments that are non-empty, not "." or "..", at most
// MaxSegmentLen bytes, and free of backslashes and control characters (NUL included). A
// leading '/' (an absolute path) is an empty first segment. The error wraps ErrInvalidKey.
func ValidateKey(key string) error {
	if err := validKey(key); err != "" {
		return fmt.Errorf("key %q: %s: %w", key, err, ErrInvalidKey)
	}
	return nil
}

// validKey returns why key is invalid, or "" when it is valid.
func validKey(key string) keyProblem {
	if key == "" {
		return "empty"
	}
	if len(key) > MaxKeyLen {
		return keyProblem(fmt.Sprintf("longer than %d bytes", MaxKeyLen))
	}
	if !utf8.ValidString(key) {
		return "not valid UTF-8"
	}
	for _, r := range key {
		switch {
		case r == '\\':
			return "contains a backslash"
		case unicode.IsControl(r):
			return "contains a control character"
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "has an empty segment (leading, trailing or doubled '/')"
		case seg == "." || seg == "..":
			return "has a '.' or '..' segment"
		case len(seg) > MaxSegmentLen:
			return keyProblem(fmt.Sprintf("has a segment longer than %d bytes", MaxSegmentLen))
		}
	}
	return ""
}

// keyProblem is a reason a key is invalid; "" means valid. It is a string type rather than
// an error so the valid case costs no allocation.
type keyProblem string

// validatePrefix accepts "" (everything) or a valid key with an optional trailing '/'.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := validKey(strings.TrimSuffix(prefix, "/")); err != "" {
		return fmt.Errorf("prefix %q: %s: %w", prefix, err, ErrInvalidKey)
	}
	return nil
}

// ValidateTenant reports whether tenant is a usable tenant ID: 1 to 64 ASCII letters,
// digits, '-' or '_'. The error wraps ErrInvalidKey.
func ValidateTenant(tenant string) error {
	if tenant == "" || len(tenant) > maxTenantLen {
		return fmt.Errorf("tenant %q: want 1 to %d characters: %w", tenant, maxTenantLen, ErrInvalidKey)
	}
	for _, r := range tenant {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("tenant %q: want only letters, digits, '-' and '_': %w", tenant, ErrInvalidKey)
		}
	}
	return nil
}

// TenantPrefix returns the key prefix, ending in '/', under which all of tenant's objects
// live.
func TenantPrefix(tenant string) (string, error) {
	if err := ValidateTenant(tenant); err != nil {
		return "", err
	}
	return tenantsDir + tenant + "/", nil
}

// Key builds the key of an object of tenant from path parts joined with '/', such as
// Key("acme", "scenarios", id, "input.xlsx"). Each part may itself contain '/'; the
// result must pass ValidateKey, so no part can climb out of the tenant's key space.
func Key(tenant string, parts ...string) (string, error) {
	prefix, err := TenantPrefix(tenant)
	if err != nil {
		return "", err
	}
	rel := strings.Join(parts, "/")
	if err := ValidateKey(rel); err != nil {
		return "", fmt.Errorf("tenant %s: %w", tenant, err)
	}
	key := prefix + rel
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return key, nil
}
