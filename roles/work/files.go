package work

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sync"

	"networx/jobs"
	"networx/roles/files"
	"networx/roles/files/geo"
	"networx/storage"
	"networx/storage/blob"
)

// KindFiles is the job kind that ingests a client file from the blob store into
// PostgreSQL as a new dataset version (roles/files, docs/ingestion.md).
const KindFiles = "files"

// FilesSettings are the settings of a files job, stored as the record's settings.
type FilesSettings struct {
	// Dataset is the project or dataset name the version counts under. Required.
	Dataset string `json:"dataset"`
	// FileName is the file's name as uploaded (its extension picks the reader); empty
	// means the last segment of the input key.
	FileName string `json:"file_name,omitempty"`
	// Kind forces the dataset kind of every sheet; empty detects it per sheet.
	Kind files.Kind `json:"kind,omitempty"`
	// Mapping is the user's header mapping; it overrides everything else.
	Mapping *files.UserMapping `json:"mapping,omitempty"`
	// DateOrder reads slash dates, MDY (default) or DMY.
	DateOrder files.DateOrder `json:"date_order,omitempty"`
	// MaxRejectedShare is the verdict's threshold (files.Thresholds); zero is the default.
	MaxRejectedShare float64 `json:"max_rejected_share,omitempty"`
}

// Validate reports invalid settings.
func (s FilesSettings) Validate() error {
	var errs []error
	if s.Dataset == "" {
		errs = append(errs, errors.New("dataset is required"))
	}
	if s.Kind != "" {
		if _, err := files.ParseKind(string(s.Kind)); err != nil {
			errs = append(errs, err)
		}
	}
	if s.DateOrder != "" && s.DateOrder != files.MDY && s.DateOrder != files.DMY {
		errs = append(errs, fmt.Errorf("date order %q: use MDY or DMY", s.DateOrder))
	}
	if s.MaxRejectedShare > 1 {
		errs = append(errs, fmt.Errorf("max rejected share %v is more than 1", s.MaxRejectedShare))
	}
	return errors.Join(errs...)
}

// FilesInputKey is the blob key of a files job's uploaded file.
func FilesInputKey(tenant, jobID, fileName string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, "input", fileName)
}

// FilesReportKey is the blob key of a files job's report (JSON, files.Report).
func FilesReportKey(tenant, jobID string) (string, error) {
	return blob.Key(tenant, "jobs", jobID, "report.json")
}

// FilesSummary is the summary of a files job in its record (Result.Summary).
type FilesSummary struct {
	DatasetVersionID int64         `json:"dataset_version_id"`
	Dataset          string        `json:"dataset"`
	Version          int           `json:"version"`
	Status           string        `json:"status"` // files.StatusReady or files.StatusRejected
	Verdict          files.Verdict `json:"verdict"`
	RowsRead         int64         `json:"rows_read"`
	RowsAccepted     int64         `json:"rows_accepted"`
	RowsRejected     int64         `json:"rows_rejected"`
	RowsSkipped      int64         `json:"rows_skipped"`
	Derived          files.Derived `json:"derived"`
}

// FilesDeps are what the files handler needs.
type FilesDeps struct {
	Blob blob.Store
	// Loader writes to PostgreSQL; nil fails every job (a worker without a database).
	Loader *files.Loader
	// Geo resolves locations; nil loads the embedded table on the first job.
	Geo *geo.Table
	// TempDir holds the downloaded file while it is read; "" is the system's.
	TempDir string
}

// FilesHandler returns the handler of files jobs: it downloads the input (an xlsx
// workbook or a CSV/TSV file) to a temporary file, loads it as a new version of the
// settings' dataset, reporting the rows read as progress, writes the report to the blob
// store and returns the version's summary. A cancelled job loads nothing (the load is
// one transaction). Bad settings, a missing input and data the database refuses fail the
// job at once; transient storage errors are retried.
func FilesHandler(d FilesDeps) jobs.Handler {
	var geoOnce sync.Once
	var geoErr error
	table := d.Geo
	return func(ctx context.Context, job *jobs.Job) (jobs.Result, error) {
		var set FilesSettings
		if len(job.Settings) > 0 {
			if err := json.Unmarshal(job.Settings, &set); err != nil {
				return jobs.Result{}, jobs.Permanent(fmt.Errorf("files settings: %w", err))
			}
		}
		if err := set.Validate(); err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("files settings: %w", err))
		}
		if d.Loader == nil {
			return jobs.Result{}, jobs.Permanent(errors.New("files job: this worker has no database"))
		}
		geoOnce.Do(func() {
			if table == nil {
				table, geoErr = geo.Load()
			}
		})
		if geoErr != nil {
			return jobs.Result{}, jobs.Permanent(geoErr)
		}
		name := set.FileName
		if name == "" {
			name = path.Base(job.InputRef)
		}
		job.Report(jobs.Progress{Step: "downloading"})
		f, size, hash, err := download(ctx, d.Blob, job.InputRef, d.TempDir)
		if err != nil {
			return jobs.Result{}, err
		}
		defer os.Remove(f.Name())
		defer f.Close()

		job.Log.Info("loading file", "input_ref", job.InputRef, "bytes", size, "dataset", set.Dataset)
		opts := files.Options{Kind: set.Kind, Mapping: set.Mapping, DateOrder: set.DateOrder, Geo: table,
			Thresholds: files.Thresholds{MaxRejectedShare: set.MaxRejectedShare}, TempDir: d.TempDir, Logger: job.Log}
		progress := func(rows int64) { job.Report(jobs.Progress{Step: "reading rows", Rows: rows}) }
		res, err := d.Loader.Load(ctx, files.LoadRequest{Tenant: job.Tenant, Dataset: set.Dataset, Source: job.InputRef,
			ContentHash: hash, JobID: job.ID}, files.Input{Name: name, R: f, Size: size}, opts, progress)
		if err != nil {
			if ctx.Err() != nil {
				return jobs.Result{}, context.Cause(ctx)
			}
			if storage.IsTransient(err) || errors.Is(err, storage.ErrBreakerOpen) {
				return jobs.Result{}, err
			}
			return jobs.Result{}, jobs.Permanent(err)
		}
		key, err := FilesReportKey(job.Tenant, job.ID)
		if err != nil {
			return jobs.Result{}, jobs.Permanent(err)
		}
		report, err := json.MarshalIndent(res.Report, "", "  ")
		if err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("encode report: %w", err))
		}
		// The version is committed: the report is written even if the job was cancelled
		// meanwhile, and a retry finds the version by the job id.
		if err := d.Blob.Put(context.WithoutCancel(ctx), key, bytes.NewReader(report), int64(len(report)), "application/json"); err != nil {
			return jobs.Result{}, fmt.Errorf("write report %s: %w", key, err)
		}
		v := res.Version
		summary, err := json.Marshal(FilesSummary{DatasetVersionID: v.ID, Dataset: v.Dataset, Version: v.Version,
			Status: v.Status, Verdict: res.Report.Verdict, RowsRead: v.RowsRead, RowsAccepted: v.RowsAccepted,
			RowsRejected: v.RowsRejected, RowsSkipped: v.RowsSkipped, Derived: res.Derived})
		if err != nil {
			return jobs.Result{}, jobs.Permanent(fmt.Errorf("encode summary: %w", err))
		}
		job.Report(jobs.Progress{Step: "loaded", Rows: v.RowsRead, Percent: 100})
		return jobs.Result{Ref: key, Status: v.Status, Summary: summary}, nil
	}
}

// download copies key into a temporary file, hashing it on the way: the xlsx reader
// needs random access, which a blob stream does not give.
func download(ctx context.Context, store blob.Store, key, dir string) (*os.File, int64, string, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey) {
			return nil, 0, "", jobs.Permanent(fmt.Errorf("read input: %w", err))
		}
		return nil, 0, "", fmt.Errorf("read input: %w", err) // transient: retried
	}
	defer rc.Close()
	f, err := os.CreateTemp(dir, "networx-files-*")
	if err != nil {
		return nil, 0, "", fmt.Errorf("temporary file: %w", err)
	}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, h), rc)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if ctx.Err() != nil {
			return nil, 0, "", context.Cause(ctx)
		}
		return nil, 0, "", fmt.Errorf("download input %s: %w", key, err)
	}
	return f, size, hex.EncodeToString(h.Sum(nil)), nil
}
