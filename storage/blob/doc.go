// Package blob stores large byte objects (scenario uploads, solver results, exports) under
// string keys, on a local folder or in S3.
//
// Open picks the implementation from a URL:
//
//	file:///var/lib/networx/blobs   LocalStore, a folder on this machine
//	s3://bucket/optional/prefix     S3Store, any S3-compatible service
//
// Keys are '/'-separated relative paths checked by ValidateKey; a key can never name
// anything outside its store (ErrInvalidKey). Tenants get their own key space through
// ForTenant or Key, so one tenant's keys can never reach another's.
//
// Bodies are streamed in both directions: Put never holds a whole object in memory (S3
// uploads keep at most UploadConcurrency+1 parts of PartSize bytes), Get and GetRange return
// readers the caller must close.
//
// docs/blob.md describes the URL forms, key rules, presigned URLs and memory bounds.
package blob
