package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// tmpPrefix starts the names of in-progress uploads; List skips them and no key segment
// may start with it, so an upload is invisible until its rename.
const tmpPrefix = ".blob-upload-"

// LocalStore keeps objects as files under a root folder, the key's segments being the
// path below the root. It suits one machine (development, single-node installs).
//
// Writes go to a temporary file in the target folder and are renamed into place, so a
// reader never sees a partial object. Content types are not stored: they follow from the
// key's extension (mime.TypeByExtension), "application/octet-stream" otherwise. A key
// cannot also be a folder of other keys ("a" and "a/b" cannot both exist). Folders left
// empty by Delete stay.
type LocalStore struct {
	root    string
	presign presigner
}

var _ Store = (*LocalStore)(nil)

// NewLocal returns a store rooted at the absolute folder root, creating it if needed.
func NewLocal(root string, cfg Config) (*LocalStore, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("local blob store: %w", err)
	}
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("local blob store: root %q is not absolute", root)
	}
	root = filepath.Clean(root)
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("local blob store: %w", err)
	}
	return &LocalStore{
		root:    root,
		presign: presigner{base: strings.TrimSuffix(cfg.PresignBaseURL, "/"), secret: cfg.PresignSecret, now: cfg.now},
	}, nil
}

// Root returns the folder holding the objects.
func (s *LocalStore) Root() string { return s.root }

// path maps a key to its file, rejecting keys that fail ValidateKey, that name upload
// temporaries, or that would resolve outside the root.
func (s *LocalStore) path(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(seg, tmpPrefix) {
			return "", fmt.Errorf("key %q: segment starts with reserved %q: %w", key, tmpPrefix, ErrInvalidKey)
		}
	}
	return s.within(filepath.Join(s.root, filepath.FromSlash(key)), key)
}

// within returns p when it lies strictly below the root. ValidateKey already excludes
// every way out; this is the second lock on the door.
func (s *LocalStore) within(p, key string) (string, error) {
	rel, err := filepath.Rel(s.root, p)
	if err != nil || rel == "." || rel == ".." || filepath.IsAbs(rel) ||
		strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("key %q: resolves outside the store root: %w", key, ErrInvalidKey)
	}
	return p, nil
}

// Put implements Store. contentType is not stored; see LocalStore.
func (s *LocalStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := io.Copy(f, newBody(ctx, r, size)); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	// Sync before rename: after a crash the key holds the old or the new object, whole.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	renamed = true
	return nil
}

// open opens key's file for reading.
func (s *LocalStore) open(key string) (*os.File, Info, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Info{}, localErr(key, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, Info{}, localErr(key, err)
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, Info{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return f, localInfo(key, st), nil
}

// Get implements Store.
func (s *LocalStore) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	f, info, err := s.open(key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("get %w", err)
	}
	return f, info, nil
}

// GetRange implements Store.
func (s *LocalStore) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := checkRange(offset, length); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	f, info, err := s.open(key)
	if err != nil {
		return nil, fmt.Errorf("get %w", err)
	}
	if offset >= info.Size {
		_ = f.Close()
		return nil, fmt.Errorf("get %s: offset %d of %d bytes: %w", key, offset, info.Size, ErrInvalidRange)
	}
	if length < 0 || length > info.Size-offset {
		length = info.Size - offset
	}
	return sectionReadCloser{io.NewSectionReader(f, offset, length), f}, nil
}

type sectionReadCloser struct {
	*io.SectionReader
	io.Closer
}

// Stat implements Store.
func (s *LocalStore) Stat(ctx context.Context, key string) (Info, error) {
	p, err := s.path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return Info{}, fmt.Errorf("stat %w", localErr(key, err))
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("stat %s: %w", key, ErrNotFound)
	}
	return localInfo(key, st), nil
}

// List implements Store.
func (s *LocalStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	// Start at the deepest folder the prefix names in full.
	dirKey := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dirKey = prefix[:i]
	}
	dir := s.root
	if dirKey != "" {
		var err error
		if dir, err = s.within(filepath.Join(s.root, filepath.FromSlash(dirKey)), dirKey); err != nil {
			return err
		}
	}
	if err := s.walk(ctx, dir, dirKey, prefix, fn); err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	return nil
}

// walk visits the files below dir (whose key is dirKey) in key byte order. Sorting a
// folder's entries by name, with '/' appended to folder names, gives that order: every key
// below folder "a" starts with "a/", and '/' sorts after '.', '-' and digits.
func (s *LocalStore) walk(ctx context.Context, dir, dirKey, prefix string, fn func(Info) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if notExist(err) {
			return nil
		}
		return err
	}
	sortName := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortName(a), sortName(b)) })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if strings.HasPrefix(name, tmpPrefix) {
			continue
		}
		key := name
		if dirKey != "" {
			key = dirKey + "/" + name
		}
		if e.IsDir() {
			sub := key + "/"
			if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := s.walk(ctx, filepath.Join(dir, name), key, prefix, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			continue
		}
		st, err := e.Info()
		if err != nil {
			if notExist(err) {
				continue // deleted since ReadDir
			}
			return err
		}
		info := localInfo(key, st)
		info.ContentType = ""
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements Store.
func (s *LocalStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	st, err := os.Lstat(p)
	if err != nil {
		if notExist(err) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if st.IsDir() {
		return nil // a folder of other keys, not an object
	}
	if err := os.Remove(p); err != nil && !notExist(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// PresignPut implements Store; see Handler. Without Config.PresignBaseURL it returns
// ErrPresignUnsupported.
func (s *LocalStore) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if _, err := s.path(key); err != nil {
		return "", err
	}
	return s.presign.sign(putMethod, key, ttl)
}

// PresignGet implements Store; see Handler. Without Config.PresignBaseURL it returns
// ErrPresignUnsupported.
func (s *LocalStore) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if _, err := s.path(key); err != nil {
		return "", err
	}
	return s.presign.sign(getMethod, key, ttl)
}

func localInfo(key string, st fs.FileInfo) Info {
	return Info{Key: key, Size: st.Size(), ModTime: st.ModTime(), ContentType: contentTypeOf(key)}
}

// contentTypeOf derives a LocalStore object's content type from its key's extension.
func contentTypeOf(key string) string {
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// notExist reports a missing file, including a path running through a file ("a/b" when
// "a" is a file).
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func localErr(key string, err error) error {
	if notExist(err) {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", key, err)
}
