package blob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Query parameters of a local presigned URL.
const (
	paramExpires   = "X-Blob-Expires"
	paramSignature = "X-Blob-Signature"
)

// Signed methods. HEAD is served under a GET signature.
const (
	getMethod = http.MethodGet
	putMethod = http.MethodPut
)

// presigner signs and checks LocalStore URLs: an HMAC-SHA256 over the method, the key and
// the expiry time, like a much reduced SigV4 query signature.
type presigner struct {
	base   string // PresignBaseURL without trailing '/'; "" disables presigning
	secret []byte
	now    func() time.Time
}

func (p presigner) mac(method, key string, expires int64) []byte {
	h := hmac.New(sha256.New, p.secret)
	fmt.Fprintf(h, "%s\n%s\n%d", method, key, expires)
	return h.Sum(nil)
}

func (p presigner) sign(method, key string, ttl time.Duration) (string, error) {
	if p.base == "" {
		return "", ErrPresignUnsupported
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	expires := p.now().Add(ttl).Unix()
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	q := url.Values{
		paramExpires:   {strconv.FormatInt(expires, 10)},
		paramSignature: {base64.RawURLEncoding.EncodeToString(p.mac(method, key, expires))},
	}
	return p.base + "/" + strings.Join(segs, "/") + "?" + q.Encode(), nil
}

// errBadSignature covers every rejected signature alike, so a caller learns nothing from
// the difference.
var errBadSignature = errors.New("blob: presigned URL invalid or expired")

func (p presigner) check(method, key string, q url.Values) error {
	if p.base == "" {
		return errBadSignature
	}
	expires, err := strconv.ParseInt(q.Get(paramExpires), 10, 64)
	if err != nil || p.now().Unix() > expires {
		return errBadSignature
	}
	sig, err := base64.RawURLEncoding.DecodeString(q.Get(paramSignature))
	if err != nil || !hmac.Equal(sig, p.mac(method, key, expires)) {
		return errBadSignature
	}
	return nil
}

// Handler serves the URLs PresignPut and PresignGet hand out: GET and HEAD (with Range
// and conditional requests) under a GET signature, PUT under a PUT signature. Mount it
// where Config.PresignBaseURL points, stripping that path, for example
//
//	mux.Handle("/api/blob/", http.StripPrefix("/api/blob", store.Handler()))
//
// The request path left after stripping is the key. Responses: 200 on success, 403 for a
// missing, wrong or expired signature, 404 for a missing object, 400 for a bad key or
// body, 405 for other methods.
func (s *LocalStore) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *LocalStore) serveHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead:
		method = getMethod
	case http.MethodPut:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if err := s.presign.check(method, key, r.URL.Query()); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if method == putMethod {
		size := r.ContentLength // -1 when unknown, as Put wants
		if err := s.Put(r.Context(), key, r.Body, size, r.Header.Get("Content-Type")); err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrSizeMismatch) {
				code = http.StatusBadRequest
			}
			http.Error(w, err.Error(), code)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	f, info, err := s.open(key)
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
		return
	case errors.Is(err, ErrInvalidKey):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", info.ContentType)
	http.ServeContent(w, r, path.Base(key), info.ModTime, f)
}
