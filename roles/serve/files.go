package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"networx/jobs"
	"networx/roles/files"
	"networx/roles/work"
	"networx/storage"
	"networx/storage/blob"
)

// KindFiles is the job kind that reads, maps, validates and loads an uploaded file into
// a dataset version (the files queue). Its record: input_ref is the blob key of the file,
// settings are FilesJobSettings.
const KindFiles = work.KindFiles

// FilesJobSettings are the settings of a files job as serve enqueues it.
type FilesJobSettings struct {
	FileID    string `json:"file_id"`
	ProjectID string `json:"project_id"`
	// Dataset is the name versions are counted under: the project id.
	Dataset  string `json:"dataset"`
	FileName string `json:"file_name"`
	// Mapping is the user's override (files.UserMapping), absent when none.
	Mapping json.RawMessage `json:"mapping,omitempty"`
}

// uploadTypes are the file types accepted, by extension, with the content type stored.
var uploadTypes = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
	".csv":  "text/csv",
	".tsv":  "text/tab-separated-values",
	".txt":  "text/plain",
	".mps":  "text/plain",
	".lp":   "text/plain",
}

func acceptedExtensions() string {
	exts := make([]string, 0, len(uploadTypes))
	for e := range uploadTypes {
		exts = append(exts, e)
	}
	slices.Sort(exts)
	return strings.Join(exts, ", ")
}

// cleanFileName keeps the last path element of a client's file name (browsers and curl
// may send a path), and refuses names that could not be a blob key segment.
func cleanFileName(name string) (string, string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimSpace(path.Base(name))
	if name == "" || name == "." || name == "/" || name == ".." || !utf8.ValidString(name) || len(name) > 200 {
		return "", "", errors.New("file name: give a name of 1 to 200 bytes, like freight-2024.xlsx")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", "", errors.New("file name contains control characters: rename the file")
		}
	}
	ext := strings.ToLower(path.Ext(name))
	ct, ok := uploadTypes[ext]
	if !ok {
		return "", "", fmt.Errorf("file %q: type %q is not accepted; upload one of %s", name, ext, acceptedExtensions())
	}
	return name, ct, nil
}

// fileRow is a row of the files table.
type fileRow struct {
	ID          string
	ProjectID   string
	Name        string
	BlobKey     string
	ContentType string
	Size        int64
	SHA256      string
	Status      string
	JobID       string
	Mapping     json.RawMessage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const fileColumns = `id, project_id, name, blob_key, content_type, size, sha256, status, job_id, mapping, created_at, updated_at`

func scanFile(row pgx.Row) (fileRow, error) {
	var f fileRow
	var mapping []byte
	err := row.Scan(&f.ID, &f.ProjectID, &f.Name, &f.BlobKey, &f.ContentType, &f.Size, &f.SHA256, &f.Status,
		&f.JobID, &mapping, &f.CreatedAt, &f.UpdatedAt)
	if len(mapping) > 0 {
		f.Mapping = mapping
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

// fileView is the API view of a file: the upload, its files job and the dataset version
// the job loaded.
type fileView struct {
	ID          string `json:"id"`
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"`
	// State is awaiting_upload, stored (not queued yet), processing, ready, rejected,
	// failed, cancelled or processed.
	State          string          `json:"state"`
	JobID          string          `json:"job_id,omitempty"`
	Job            *jobView        `json:"job,omitempty"`
	DatasetVersion *datasetVersion `json:"dataset_version,omitempty"`
	Mapping        json.RawMessage `json:"mapping_override,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// loadFile returns the tenant's file id; found false when there is none.
func (s *Server) loadFile(ctx context.Context, tenant, id string) (fileRow, bool, error) {
	return loadOwned(ctx, s, "files", fileColumns, scanFile, tenant, id)
}

// fileOf loads the {file} of the path, answering 404 or an error itself.
func (s *Server) fileOf(w http.ResponseWriter, r *http.Request) (fileRow, bool) {
	return ownedOf(s, w, r, "file", s.loadFile)
}

// view builds the API view of f, looking up its job and dataset version.
func (s *Server) fileView(ctx context.Context, tenant string, f fileRow) (fileView, *jobs.Record, error) {
	v := fileView{ID: f.ID, ProjectID: f.ProjectID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
		SHA256: f.SHA256, JobID: f.JobID, Mapping: f.Mapping, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
	switch {
	case f.Status == "pending":
		v.State = "awaiting_upload"
		return v, nil, nil
	case f.JobID == "":
		v.State = "stored"
		return v, nil, nil
	}
	rec, found, err := s.lookupJob(ctx, tenant, f.JobID)
	if err != nil {
		return v, nil, err
	}
	if !found {
		v.State = "processing" // submitted; the record appears in a moment
		return v, nil, nil
	}
	jv := newJobView(rec)
	v.Job = &jv
	switch rec.Status {
	case jobs.StatusFailed:
		v.State = "failed"
	case jobs.StatusCancelled:
		v.State = "cancelled"
	case jobs.StatusSucceeded:
		v.State = "processed"
	default:
		v.State = "processing"
	}
	if rec.Status.Terminal() {
		dv, found, err := s.versionOfJob(ctx, tenant, f.JobID)
		if err != nil {
			return v, rec, err
		}
		if found {
			v.DatasetVersion = &dv
			v.State = dv.Status
		}
	}
	return v, rec, nil
}

// hashingReader counts and hashes what passes through and stops past limit bytes.
type hashingReader struct {
	r        io.Reader
	h        hash.Hash
	n, limit int64
}

var errUploadTooLarge = errors.New("upload too large")

func (hr *hashingReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.n += int64(n)
	hr.h.Write(p[:n])
	if hr.n > hr.limit {
		return n, errUploadTooLarge
	}
	return n, err
}

// multipartSlack is what the multipart framing around the file may add to the body.
const multipartSlack = 1 << 20

// uploadFile streams the "file" part of a multipart body into the blob store as it
// arrives: the body is never held in memory or on local disk, so memory stays flat
// whatever the size.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send the file as multipart/form-data in a part named \"file\" (curl -F file=@freight.xlsx), or use POST .../uploads for a presigned upload", nil)
		return
	}
	limit := s.limits.MaxUploadBytes
	if r.ContentLength > limit+multipartSlack {
		tooLarge(w, r, limit)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		badRequest(w, r, "multipart body: "+err.Error(), nil)
		return
	}
	var part interface {
		io.Reader
		FileName() string
	}
	for {
		pt, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			badRequest(w, r, `no part named "file" with a file name: send it as -F file=@name.xlsx`, nil)
			return
		}
		if err != nil {
			s.uploadReadError(w, r, err, limit)
			return
		}
		if pt.FormName() == "file" && pt.FileName() != "" {
			part = pt
			break
		}
		// Other fields are not used; skip them without keeping them.
		if _, err := io.Copy(io.Discard, pt); err != nil {
			s.uploadReadError(w, r, err, limit)
			return
		}
	}
	name, contentType, err := cleanFileName(part.FileName())
	if err != nil {
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type", err.Error(), nil)
		return
	}
	tenant := tenantOf(r)
	id := newID("fil")
	key, err := blob.Key(tenant, "files", id, name)
	if err != nil {
		badRequest(w, r, fmt.Sprintf("file name %q cannot be stored: %v", name, err), nil)
		return
	}
	hr := &hashingReader{r: part, h: sha256.New(), limit: limit}
	if err := s.api.Blob.Put(r.Context(), key, hr, -1, contentType); err != nil {
		s.uploadReadError(w, r, err, limit)
		return
	}
	var f fileRow
	err = s.api.DB.Do(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		f, err = scanFile(q.QueryRow(ctx, `insert into files (id, tenant_id, project_id, name, blob_key, content_type, size, sha256, status)
values ($1, $2, $3, $4, $5, $6, $7, $8, 'uploaded') returning `+fileColumns,
			id, tenant, p.ID, name, key, contentType, hr.n, hex.EncodeToString(hr.h.Sum(nil))))
		return err
	})
	if err != nil {
		_ = s.api.Blob.Delete(context.WithoutCancel(r.Context()), key)
		s.serverError(w, r, err)
		return
	}
	s.finishUpload(w, r, f, http.StatusCreated)
}

// finishUpload queues the files job of a stored file and answers with its view.
func (s *Server) finishUpload(w http.ResponseWriter, r *http.Request, f fileRow, status int) {
	tenant := tenantOf(r)
	if err := s.enqueueFilesJob(r.Context(), tenant, &f); err != nil {
		// The file is stored; confirm queues its processing again (docs/api.md).
		s.serverError(w, r, fmt.Errorf("queue files job of %s: %w", f.ID, err))
		return
	}
	v, _, err := s.fileView(r.Context(), tenant, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", apiPrefix+"/files/"+f.ID)
	writeJSON(w, status, v)
}

func tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	writeError(w, r, http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("file larger than the %d-byte upload limit (http.max_upload_bytes); split it or ask the operator to raise the limit", limit),
		map[string]any{"limit_bytes": limit})
}

// uploadReadError answers a failure while reading or storing an upload.
func (s *Server) uploadReadError(w http.ResponseWriter, r *http.Request, err error, limit int64) {
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errUploadTooLarge), errors.As(err, &mbe):
		tooLarge(w, r, limit)
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "multipart"):
		badRequest(w, r, "the upload ended early or its multipart framing is broken: send it again", nil)
	default:
		s.serverError(w, r, err)
	}
}

// enqueueFilesJob queues the files job of f (with its mapping override) and records it.
func (s *Server) enqueueFilesJob(ctx context.Context, tenant string, f *fileRow) error {
	settings, err := json.Marshal(FilesJobSettings{FileID: f.ID, ProjectID: f.ProjectID, Dataset: f.ProjectID,
		FileName: f.Name, Mapping: f.Mapping})
	if err != nil {
		return err
	}
	id := s.api.Jobs.NewID()
	if err := s.insertAPIJob(ctx, tenant, id, KindFiles, f.ProjectID, "", f.ID, nil, ""); err != nil {
		return err
	}
	if _, err := jobs.Enqueue(ctx, s.api.Jobs, s.api.Queues[jobs.QueueFiles], jobs.NewJob{ID: id, Kind: KindFiles,
		Queue: jobs.QueueFiles, Tenant: tenant, InputRef: f.BlobKey, Settings: settings}); err != nil {
		s.deleteAPIJob(context.WithoutCancel(ctx), id)
		return err
	}
	err = s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		if _, err := q.Exec(ctx, `update api_jobs set enqueued = true where id = $1`, id); err != nil {
			return err
		}
		return q.QueryRow(ctx, `update files set job_id = $3, updated_at = now() where tenant_id = $1 and id = $2
returning updated_at`, tenant, f.ID, id).Scan(&f.UpdatedAt)
	})
	if err != nil {
		return err
	}
	f.JobID = id
	return nil
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	var rows []fileRow
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rs, err := q.Query(ctx, `select `+fileColumns+` from files where tenant_id = $1 and project_id = $2
and (created_at, id) < ($3, $4) order by created_at desc, id desc limit $5`, tenantOf(r), p.ID, c.At, c.ID, limit+1)
		if err != nil {
			return err
		}
		rows, err = pgx.CollectRows(rs, collect(scanFile))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows, next := nextCursor(rows, limit, func(f fileRow) cursor { return cursor{At: f.CreatedAt, ID: f.ID} })
	items := make([]fileView, 0, len(rows))
	for _, f := range rows {
		v, _, err := s.fileView(r.Context(), tenantOf(r), f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items = append(items, v)
	}
	writeJSON(w, http.StatusOK, page[fileView]{Items: items, NextCursor: next})
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fileOf(w, r)
	if !ok {
		return
	}
	v, _, err := s.fileView(r.Context(), tenantOf(r), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

type presignInput struct {
	Name string `json:"name"`
}

// presignUpload hands out a presigned PUT URL for a file of the project; the client
// uploads straight to the blob store and then calls confirm.
func (s *Server) presignUpload(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	var in presignInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	name, contentType, err := cleanFileName(in.Name)
	if err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	tenant := tenantOf(r)
	id := newID("fil")
	key, err := blob.Key(tenant, "files", id, name)
	if err != nil {
		badRequest(w, r, fmt.Sprintf("file name %q cannot be stored: %v", name, err), nil)
		return
	}
	url, err := s.api.Blob.PresignPut(r.Context(), key, s.limits.PresignTTL)
	if errors.Is(err, blob.ErrPresignUnsupported) {
		writeError(w, r, http.StatusNotImplemented, "not_supported",
			"this deployment's blob store hands out no presigned URLs; upload with POST "+apiPrefix+"/projects/{project}/files (multipart)", nil)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var f fileRow
	err = s.api.DB.Do(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		f, err = scanFile(q.QueryRow(ctx, `insert into files (id, tenant_id, project_id, name, blob_key, content_type, status)
values ($1, $2, $3, $4, $5, $6, 'pending') returning `+fileColumns, id, tenant, p.ID, name, key, contentType))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, _, _ := s.fileView(r.Context(), tenant, f)
	writeJSON(w, http.StatusCreated, map[string]any{
		"file": v,
		"upload": map[string]any{
			"method":     "PUT",
			"url":        url,
			"expires_at": time.Now().Add(s.limits.PresignTTL).UTC(),
			"max_bytes":  s.limits.MaxUploadBytes,
			"confirm":    apiPrefix + "/files/" + f.ID + "/confirm",
		},
	})
}

// confirmUpload marks a presigned upload done once the object is in the blob store and
// queues its processing. Confirming again is harmless.
func (s *Server) confirmUpload(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fileOf(w, r)
	if !ok {
		return
	}
	if f.Status == "uploaded" && f.JobID != "" {
		v, _, err := s.fileView(r.Context(), tenantOf(r), f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	if f.Status == "pending" {
		info, err := s.api.Blob.Stat(r.Context(), f.BlobKey)
		if errors.Is(err, blob.ErrNotFound) {
			writeError(w, r, http.StatusConflict, "upload_missing",
				"nothing was uploaded for this file yet: PUT the file to its upload URL first, then confirm", nil)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if info.Size > s.limits.MaxUploadBytes {
			_ = s.api.Blob.Delete(r.Context(), f.BlobKey)
			tooLarge(w, r, s.limits.MaxUploadBytes)
			return
		}
		err = s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
			var err error
			f, err = scanFile(q.QueryRow(ctx, `update files set status = 'uploaded', size = $3, updated_at = now()
where tenant_id = $1 and id = $2 returning `+fileColumns, tenantOf(r), f.ID, info.Size))
			return err
		})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.finishUpload(w, r, f, http.StatusOK)
}

// fileReport answers the validation report of the file's latest dataset version.
func (s *Server) fileReport(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fileOf(w, r)
	if !ok {
		return
	}
	report, ok := s.reportOf(w, r, f)
	if ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(report)
	}
}

// reportOf returns the stored report of f's latest files job, answering 409 itself while
// there is none.
func (s *Server) reportOf(w http.ResponseWriter, r *http.Request, f fileRow) (json.RawMessage, bool) {
	tenant := tenantOf(r)
	v, rec, err := s.fileView(r.Context(), tenant, f)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if v.DatasetVersion == nil {
		msg := fmt.Sprintf("no report yet: the file is %s; follow GET %s/jobs/%s/events or retry later", v.State, apiPrefix, f.JobID)
		details := map[string]any{"state": v.State}
		if rec != nil && rec.Status.Terminal() {
			msg = fmt.Sprintf("the file's processing ended %s without a report: %s", rec.Status, rec.Error)
			details["job_error"] = rec.Error
		}
		if v.State == "awaiting_upload" || v.State == "stored" {
			msg = "the file has not been processed: confirm the upload first"
		}
		writeError(w, r, http.StatusConflict, "not_ready", msg, details)
		return nil, false
	}
	var report []byte
	err = s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		return q.QueryRow(ctx, `select report from dataset_versions where tenant = $1 and id = $2`, tenant, v.DatasetVersion.ID).Scan(&report)
	})
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return report, true
}

// sheetMapping is the mapping review of one sheet, taken from the report.
type sheetMapping struct {
	File             string                `json:"file"`
	Name             string                `json:"name"`
	Kind             string                `json:"kind,omitempty"`
	KindConfidence   float64               `json:"kind_confidence,omitempty"`
	KindAlternatives []files.Candidate     `json:"kind_alternatives,omitempty"`
	HeaderRow        int                   `json:"header_row,omitempty"`
	Mapping          []files.ColumnMapping `json:"mapping"`
	MissingFields    []string              `json:"missing_fields,omitempty"`
	Skipped          string                `json:"skipped,omitempty"`
}

// getMapping shows how each column of each sheet was mapped, with the confidence, the
// evidence and the alternatives, and the override in force.
func (s *Server) getMapping(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fileOf(w, r)
	if !ok {
		return
	}
	raw, ok := s.reportOf(w, r, f)
	if !ok {
		return
	}
	var rep struct {
		Sheets []sheetMapping `json:"sheets"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		s.serverError(w, r, fmt.Errorf("decode report of file %s: %w", f.ID, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"file_id": f.ID, "sheets": nonNil(rep.Sheets), "override": f.Mapping})
}

// putMapping stores the user's mapping override and queues the file's processing again
// with it; a new dataset version results.
func (s *Server) putMapping(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fileOf(w, r)
	if !ok {
		return
	}
	var m files.UserMapping
	if !s.decodeJSON(w, r, &m) {
		return
	}
	if err := validateMapping(m); err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	if f.Status != "uploaded" {
		writeError(w, r, http.StatusConflict, "not_ready", "the file has not been uploaded yet: upload and confirm it first", nil)
		return
	}
	raw, _ := json.Marshal(m)
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		f, err = scanFile(q.QueryRow(ctx, `update files set mapping = $3, updated_at = now() where tenant_id = $1 and id = $2
returning `+fileColumns, tenantOf(r), f.ID, raw))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.finishUpload(w, r, f, http.StatusAccepted)
}

// validateMapping checks the kinds and field names of a mapping override.
func validateMapping(m files.UserMapping) error {
	if len(m.Sheets) == 0 {
		return errors.New(`mapping: give at least one sheet, like {"sheets": {"Freight": {"kind": "shipments", "columns": {"Ship Dt": "ship_date"}}}}`)
	}
	var errs []error
	names := make([]string, 0, len(m.Sheets))
	for n := range m.Sheets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, sheet := range names {
		sm := m.Sheets[sheet]
		if sheet == "" || len(sheet) > 200 {
			errs = append(errs, errors.New("mapping: sheet names are 1 to 200 characters (\"*\" for every sheet)"))
			continue
		}
		if sm.HeaderRow < 0 || sm.HeaderRow > 1000 {
			errs = append(errs, fmt.Errorf("mapping sheet %q: header_row %d: want 1 to 1000, or 0 to detect it", sheet, sm.HeaderRow))
		}
		var schema *files.Schema
		if sm.Kind != "" {
			k, err := files.ParseKind(string(sm.Kind))
			if err != nil {
				errs = append(errs, fmt.Errorf("mapping sheet %q: %w", sheet, err))
				continue
			}
			schema = files.SchemaOf(k)
		}
		for header, field := range sm.Columns {
			if field == "" {
				continue
			}
			if schema != nil && !slices.ContainsFunc(schema.Fields, func(f files.Field) bool { return f.Name == field }) {
				errs = append(errs, fmt.Errorf("mapping sheet %q column %q: %q is not a field of %s (docs/ingestion.md lists them)", sheet, header, field, schema.Kind))
			}
			if schema == nil && !anyKindHasField(field) {
				errs = append(errs, fmt.Errorf("mapping sheet %q column %q: %q is not a field of any dataset kind (docs/ingestion.md lists them)", sheet, header, field))
			}
		}
	}
	return errors.Join(errs...)
}

func anyKindHasField(field string) bool {
	for _, k := range files.Kinds() {
		if slices.ContainsFunc(files.SchemaOf(k).Fields, func(f files.Field) bool { return f.Name == field }) {
			return true
		}
	}
	return false
}

// isUndefinedTable reports a query on a table a migration has not created.
func isUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}
