package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/storage"
)

// Defaults of LoaderConfig.
const (
	// DefaultBatchRows is how many rows one COPY carries. Three batches at
	// most exist at a time (one filling, one queued, one copying): a
	// shipment is about 220 bytes of COPY data and 56 of derived-data
	// facts, so about 8 MB, and COPY round trips are few.
	DefaultBatchRows = 10000
	// DefaultLoadStatementTimeout bounds each statement of a load, the
	// derived-data queries over millions of shipments included; the
	// pool's request timeout (30 s by default) is too short for those.
	DefaultLoadStatementTimeout = 10 * time.Minute
	// DefaultDeriveMemory bounds the memory of the derived data summed
	// while the rows stream (see aggregates). The largest lanes table
	// within it, 48 MB, holds up to 786,000 lanes (the benchmark's 2.5
	// million shipments make 477,000); a load keeps about three times
	// this at most in memory, with the garbage collector's headroom, well
	// under the 256 MB the pipeline is allowed.
	DefaultDeriveMemory = 64 << 20
)

// Dataset version statuses (dataset_versions.status).
const (
	StatusReady    = "ready"    // the report's verdict passed
	StatusRejected = "rejected" // the verdict failed; the accepted rows are kept for inspection
)

// LoaderConfig configures a Loader. The zero value means the defaults.
type LoaderConfig struct {
	// BatchRows is the number of rows per COPY; default DefaultBatchRows.
	BatchRows int
	// StatementTimeout is the statement_timeout inside a load's
	// transaction; default DefaultLoadStatementTimeout.
	StatementTimeout time.Duration
	// DeriveMemory is how many bytes the derived data (lanes, freight
	// baseline, demand) may take while it is summed as the rows stream;
	// default DefaultDeriveMemory. Past it, the largest of the three is
	// given up and computed in SQL after the COPY instead (slower).
	DeriveMemory int64
}

// Validate reports invalid settings.
func (c LoaderConfig) Validate() error {
	var errs []error
	if c.BatchRows < 0 {
		errs = append(errs, fmt.Errorf("batch rows %d is negative", c.BatchRows))
	}
	if c.StatementTimeout < 0 {
		errs = append(errs, fmt.Errorf("statement timeout %s is negative", c.StatementTimeout))
	}
	if c.DeriveMemory < 0 {
		errs = append(errs, fmt.Errorf("derive memory %d is negative", c.DeriveMemory))
	}
	return errors.Join(errs...)
}

// Loader writes ingested files into PostgreSQL as dataset versions.
type Loader struct {
	db     *storage.DB
	cfg    LoaderConfig
	tables map[Kind]*table
}

// NewLoader returns a loader writing to db, which must be migrated.
func NewLoader(db *storage.DB, cfg LoaderConfig) (*Loader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("loader config: %w", err)
	}
	if cfg.BatchRows == 0 {
		cfg.BatchRows = DefaultBatchRows
	}
	if cfg.StatementTimeout == 0 {
		cfg.StatementTimeout = DefaultLoadStatementTimeout
	}
	if cfg.DeriveMemory == 0 {
		cfg.DeriveMemory = DefaultDeriveMemory
	}
	return &Loader{db: db, cfg: cfg, tables: tables()}, nil
}

// LoadRequest names what a load is of.
type LoadRequest struct {
	// Tenant owns the version and the mapping memory. Required.
	Tenant string
	// Dataset is the project or dataset name versions are counted under.
	// Required.
	Dataset string
	// Source is where the file came from (its blob key or path), recorded
	// with the version.
	Source string
	// ContentHash is the hex SHA-256 of the file; computed when empty.
	ContentHash string
	// JobID is the files job doing the load, or "". A version already
	// committed by the job is returned instead of loading again, so a job
	// retried after a lost commit acknowledgement does not load twice.
	JobID string
}

// Validate reports a missing tenant or dataset.
func (r LoadRequest) Validate() error {
	var errs []error
	if r.Tenant == "" {
		errs = append(errs, errors.New("tenant is required"))
	}
	if r.Dataset == "" {
		errs = append(errs, errors.New("dataset name is required"))
	}
	return errors.Join(errs...)
}

// DatasetVersion is one committed load of a file (a dataset_versions row).
type DatasetVersion struct {
	ID           int64     `json:"id"`
	Tenant       string    `json:"tenant"`
	Dataset      string    `json:"dataset"`
	Version      int       `json:"version"`
	FileName     string    `json:"file_name"`
	Source       string    `json:"source,omitempty"`
	ContentHash  string    `json:"content_hash"`
	Status       string    `json:"status"`
	RowsRead     int64     `json:"rows_read"`
	RowsAccepted int64     `json:"rows_accepted"`
	RowsRejected int64     `json:"rows_rejected"`
	RowsSkipped  int64     `json:"rows_skipped"`
	JobID        string    `json:"job_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Derived counts the rows derived from a version's shipments.
type Derived struct {
	Demand   int64 `json:"demand"`   // dataset_demand rows with derived = true
	Lanes    int64 `json:"lanes"`    // shipment_lanes rows
	Baseline int64 `json:"baseline"` // freight_baseline rows
}

// LoadResult is a committed load.
type LoadResult struct {
	Version DatasetVersion `json:"version"`
	Report  *Report        `json:"report"`
	Derived Derived        `json:"derived"`
	// Existing is true when the job had already committed this version
	// (see LoadRequest.JobID) and nothing was read.
	Existing bool `json:"existing,omitempty"`
}

// Load ingests in (see Ingest) and writes it as a new version of
// req.Dataset: the version row, every accepted row by COPY in batches, the
// derived data and the report, all in one transaction, so that an error or
// a cancelled ctx leaves nothing. A file the report rejects (its verdict
// fails) is still recorded, with status rejected, so that its report is
// kept. After a load that passes, the header mappings used are remembered
// for the tenant; unless opts.Learned is set, the tenant's remembered
// mappings are used. opts.Sink must be nil: the loader is the sink.
func (l *Loader) Load(ctx context.Context, req LoadRequest, in Input, opts Options, progress func(rowsRead int64)) (*LoadResult, error) {
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("load %s: %w", in.Name, err)
	}
	if opts.Sink != nil {
		return nil, fmt.Errorf("load %s: options carry a sink; the loader is the sink", in.Name)
	}
	if req.JobID != "" {
		v, err := l.versionOfJob(ctx, req.JobID)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", in.Name, err)
		}
		if v != nil {
			return v, nil
		}
	}
	if req.ContentHash == "" {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(in.R, 0, in.Size)); err != nil {
			return nil, fmt.Errorf("load %s: hash: %w", in.Name, err)
		}
		req.ContentHash = hex.EncodeToString(h.Sum(nil))
	}
	if opts.Learned == nil {
		learned, err := l.LearnedMappings(ctx, req.Tenant)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", in.Name, err)
		}
		opts.Learned = func(k Kind) map[string]string { return learned[k] }
	}
	var res *LoadResult
	err := l.db.InTx(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		res, err = l.load(ctx, tx, req, in, opts, progress)
		return err
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, err // cancelled: said by the caller
		}
		return nil, fmt.Errorf("load %s: %w", in.Name, err)
	}
	return res, nil
}

// load is Load inside its transaction.
func (l *Loader) load(ctx context.Context, tx pgx.Tx, req LoadRequest, in Input, opts Options, progress func(int64)) (*LoadResult, error) {
	// loadWorkMem lets the derived-data aggregates of a few million
	// shipments, when they are left to SQL (see derive), group in memory
	// instead of sorting on disk; it is the server's memory, per sort or
	// hash, for this transaction only.
	const loadWorkMem = "64MB"
	if _, err := tx.Exec(ctx, fmt.Sprintf("set local statement_timeout = %d; set local work_mem = '%s'",
		l.cfg.StatementTimeout.Milliseconds(), loadWorkMem)); err != nil {
		return nil, fmt.Errorf("set statement timeout and work_mem: %w", err)
	}
	// Loads of the same dataset take their version numbers one at a time
	// (a hash collision only makes two datasets wait for each other).
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtext($1), hashtext($2))", req.Tenant, req.Dataset); err != nil {
		return nil, fmt.Errorf("lock dataset: %w", err)
	}
	v := DatasetVersion{Tenant: req.Tenant, Dataset: req.Dataset, FileName: filepath.Base(in.Name), Source: req.Source,
		ContentHash: req.ContentHash, JobID: req.JobID}
	err := tx.QueryRow(ctx, `insert into dataset_versions (tenant, dataset, version, file_name, source, content_hash, status, job_id)
		select $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, 'loading', $6
		from dataset_versions where tenant = $1 and dataset = $2
		returning id, version, created_at`,
		v.Tenant, v.Dataset, v.FileName, v.Source, v.ContentHash, v.JobID).Scan(&v.ID, &v.Version, &v.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("create dataset version: %w", err)
	}

	sink := newCopySink(tx, v.ID, l.tables, l.cfg.BatchRows, l.cfg.DeriveMemory)
	go sink.run(ctx)
	opts.Sink = sink
	rep, ingestErr := Ingest(ctx, in, opts, progress)
	copyErr := sink.finish()
	if ingestErr != nil {
		return nil, ingestErr
	}
	if copyErr != nil {
		return nil, copyErr
	}
	if sink.copied != rep.RowsAccepted {
		return nil, fmt.Errorf("copied %d rows, the report accepted %d", sink.copied, rep.RowsAccepted)
	}

	derived, err := derive(ctx, tx, v.ID, sink.loaded, sink.agg, rep)
	if err != nil {
		return nil, err
	}
	v.Status = StatusReady
	if !rep.Verdict.Pass {
		v.Status = StatusRejected
	}
	v.RowsRead, v.RowsAccepted, v.RowsRejected, v.RowsSkipped = rep.RowsRead, rep.RowsAccepted, rep.RowsRejected, rep.RowsSkipped
	report, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	if _, err := tx.Exec(ctx, `update dataset_versions set status = $2, rows_read = $3, rows_accepted = $4,
		rows_rejected = $5, rows_skipped = $6, report = $7 where id = $1`,
		v.ID, v.Status, v.RowsRead, v.RowsAccepted, v.RowsRejected, v.RowsSkipped, report); err != nil {
		return nil, fmt.Errorf("finish dataset version: %w", err)
	}
	if rep.Verdict.Pass {
		if err := rememberMappings(ctx, tx, req.Tenant, rep); err != nil {
			return nil, err
		}
	}
	return &LoadResult{Version: v, Report: rep, Derived: derived}, nil
}

// versionOfJob returns the load a job committed, or nil.
func (l *Loader) versionOfJob(ctx context.Context, jobID string) (*LoadResult, error) {
	var res *LoadResult
	err := l.db.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		res = nil
		var v DatasetVersion
		var report []byte
		err := q.QueryRow(ctx, `select id, tenant, dataset, version, file_name, source, content_hash, status,
			rows_read, rows_accepted, rows_rejected, rows_skipped, job_id, created_at, report
			from dataset_versions where job_id = $1`, jobID).Scan(&v.ID, &v.Tenant, &v.Dataset, &v.Version,
			&v.FileName, &v.Source, &v.ContentHash, &v.Status, &v.RowsRead, &v.RowsAccepted, &v.RowsRejected,
			&v.RowsSkipped, &v.JobID, &v.CreatedAt, &report)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		res = &LoadResult{Version: v, Existing: true, Report: &Report{}}
		if err := json.Unmarshal(report, res.Report); err != nil {
			return fmt.Errorf("decode report of version %d: %w", v.ID, err)
		}
		return q.QueryRow(ctx, `select (select count(*) from dataset_demand where dataset_version_id = $1 and derived),
			(select count(*) from shipment_lanes where dataset_version_id = $1),
			(select count(*) from freight_baseline where dataset_version_id = $1)`, v.ID).
			Scan(&res.Derived.Demand, &res.Derived.Lanes, &res.Derived.Baseline)
	})
	if err != nil {
		return nil, fmt.Errorf("look up the version of job %s: %w", jobID, err)
	}
	return res, nil
}

// copySink is the Sink of a load: Row encodes accepted rows into batches
// of binary COPY data (load_copy.go) and sums shipments into the derived
// data (aggregates), and a goroutine COPYs each full batch while the next
// one fills, so that parsing and copying overlap and at most three batches
// exist. Only that goroutine uses the transaction until finish returns.
type copySink struct {
	tx        pgx.Tx
	version   int64
	tables    map[Kind]*table
	types     map[*table][]pgType
	batchRows int
	agg       *aggregates

	cur    *copyBatch
	queue  chan *copyBatch // full batches, to the copier
	free   chan *copyBatch // copied batches, back to Row
	failed chan struct{}
	done   chan struct{}

	// Written by the copier; read after failed or done is closed.
	err    error
	copied int64

	loaded map[Kind]bool // kinds with at least one row sent
}

// maxBatchBytes ends a batch early when its rows are wide, so that a batch
// stays a few MB whatever the row.
const maxBatchBytes = 8 << 20

// copyBatch is accepted rows of one sheet in binary COPY format, and the
// facts of its shipments for the derived data.
type copyBatch struct {
	t     *table
	types []pgType
	sheet string
	copyBuffer
	facts []shipmentFact
}

func (b *copyBatch) reset(t *table, types []pgType, sheet string) {
	b.t, b.types, b.sheet = t, types, sheet
	b.copyBuffer.reset()
	b.facts = b.facts[:0]
}

func newCopySink(tx pgx.Tx, version int64, tables map[Kind]*table, batchRows int, deriveMemory int64) *copySink {
	types := make(map[*table][]pgType, len(tables))
	for _, t := range tables {
		types[t] = columnTypes(t)
	}
	return &copySink{tx: tx, version: version, tables: tables, types: types, batchRows: batchRows,
		agg: newAggregates(deriveMemory), cur: &copyBatch{},
		queue: make(chan *copyBatch, 1), free: make(chan *copyBatch, 3), failed: make(chan struct{}),
		done: make(chan struct{}), loaded: map[Kind]bool{}}
}

var _ Sink = (*copySink)(nil)

// run copies batches until the queue is closed, summing each batch's
// facts (aggregates.sum) on a goroutine of its own meanwhile. After an
// error it drains the queue without copying.
func (s *copySink) run(ctx context.Context) {
	defer close(s.done)
	for b := range s.queue {
		var summing sync.WaitGroup
		if s.err == nil && len(b.facts) > 0 {
			summing.Go(func() { s.agg.sum(b.facts) })
		}
		if s.err == nil {
			n, err := copyBytes(ctx, s.tx, copySQL(b.t.name, b.t.cols), append(b.buf, copyTrailer...))
			s.copied += n
			if err != nil {
				s.err = fmt.Errorf("copy rows of sheet %q into %s: %w", b.sheet, b.t.name.Sanitize(), err)
				close(s.failed)
			}
		}
		summing.Wait()
		select {
		case s.free <- b:
		default:
		}
	}
}

// BeginSheet starts the sheet's batches.
func (s *copySink) BeginSheet(ctx context.Context, sr *SheetReport) error {
	t := s.tables[sr.Kind]
	if t == nil {
		return fmt.Errorf("sheet %q: no table for kind %q", sr.Name, sr.Kind)
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	s.cur.reset(t, s.types[t], sr.Name)
	return nil
}

// Row adds an accepted row, sending the batch when it is full.
func (s *copySink) Row(ctx context.Context, r *Record) error {
	if err := s.cur.record(s.cur.types, s.version, s.cur.sheet, r); err != nil {
		return fmt.Errorf("sheet %q: %w", s.cur.sheet, err)
	}
	if s.cur.t.kind == Shipments {
		var f shipmentFact
		ok, err := s.agg.fact(r, &f)
		if err != nil {
			return fmt.Errorf("sheet %q: %w", s.cur.sheet, err)
		}
		if ok {
			s.cur.facts = append(s.cur.facts, f)
		}
	}
	if s.cur.rows >= s.batchRows || len(s.cur.buf) >= maxBatchBytes {
		return s.flush(ctx)
	}
	return nil
}

// EndSheet sends the sheet's last batch.
func (s *copySink) EndSheet(ctx context.Context, _ *SheetReport) error {
	return s.flush(ctx)
}

// flush sends the current batch, if it holds rows, and takes an empty one.
func (s *copySink) flush(ctx context.Context) error {
	if s.cur.rows == 0 {
		return nil
	}
	s.loaded[s.cur.t.kind] = true
	select {
	case s.queue <- s.cur:
	case <-s.failed:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
	t, types, sheet := s.cur.t, s.cur.types, s.cur.sheet
	select {
	case s.cur = <-s.free:
	default:
		s.cur = &copyBatch{}
	}
	s.cur.reset(t, types, sheet)
	return nil
}

// finish stops the copier after the batches sent and returns its error.
// It must be called before the transaction is used again.
func (s *copySink) finish() error {
	close(s.queue)
	<-s.done
	return s.err
}
