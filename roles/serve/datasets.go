package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/storage"
)

// datasetVersion is one load of a file (a dataset_versions row, migration 0003).
type datasetVersion struct {
	ID           int64     `json:"id"`
	Dataset      string    `json:"dataset"`
	Version      int       `json:"version"`
	FileName     string    `json:"file_name"`
	ContentHash  string    `json:"content_hash"`
	Status       string    `json:"status"`
	RowsRead     int64     `json:"rows_read"`
	RowsAccepted int64     `json:"rows_accepted"`
	RowsRejected int64     `json:"rows_rejected"`
	RowsSkipped  int64     `json:"rows_skipped"`
	JobID        string    `json:"job_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

const versionColumns = `id, dataset, version, file_name, content_hash, status, rows_read, rows_accepted,
    rows_rejected, rows_skipped, job_id, created_at`

func scanVersion(row pgx.Row) (datasetVersion, error) {
	var v datasetVersion
	err := row.Scan(&v.ID, &v.Dataset, &v.Version, &v.FileName, &v.ContentHash, &v.Status, &v.RowsRead,
		&v.RowsAccepted, &v.RowsRejected, &v.RowsSkipped, &v.JobID, &v.CreatedAt)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, err
}

// versionOfJob returns the dataset version files job jobID loaded, if any.
func (s *Server) versionOfJob(ctx context.Context, tenant, jobID string) (datasetVersion, bool, error) {
	var v datasetVersion
	err := s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		var err error
		v, err = scanVersion(q.QueryRow(ctx, `select `+versionColumns+` from dataset_versions where tenant = $1 and job_id = $2`, tenant, jobID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return v, false, nil
	}
	return v, err == nil, err
}

// datasetOf loads the {dataset} version of the path, answering 404 or an error itself.
func (s *Server) datasetOf(w http.ResponseWriter, r *http.Request) (datasetVersion, bool) {
	raw := r.PathValue("dataset")
	id, err := strconv.ParseInt(raw, 10, 64)
	var v datasetVersion
	if err != nil || id <= 0 {
		notFound(w, r, "dataset", raw)
		return v, false
	}
	err = s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		v, err = scanVersion(q.QueryRow(ctx, `select `+versionColumns+` from dataset_versions where tenant = $1 and id = $2`, tenantOf(r), id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		notFound(w, r, "dataset", raw)
		return v, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return v, false
	}
	return v, true
}

// listDatasets lists the dataset versions loaded for a project, newest first.
func (s *Server) listDatasets(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	before := int64(1<<63 - 1)
	if c.ID != "" {
		n, err := strconv.ParseInt(c.ID, 10, 64)
		if err != nil {
			badRequest(w, r, "cursor is not one this API handed out: pass next_cursor of the previous page unchanged", nil)
			return
		}
		before = n
	}
	var items []datasetVersion
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rows, err := q.Query(ctx, `select `+versionColumns+` from dataset_versions
where tenant = $1 and dataset = $2 and status <> 'loading' and id < $3 order by id desc limit $4`, tenantOf(r), p.ID, before, limit+1)
		if err != nil {
			return err
		}
		items, err = pgx.CollectRows(rows, collect(scanVersion))
		return err
	})
	if isUndefinedTable(err) {
		err = nil
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items, next := nextCursor(items, limit, func(v datasetVersion) cursor {
		return cursor{At: v.CreatedAt, ID: strconv.FormatInt(v.ID, 10)}
	})
	writeJSON(w, http.StatusOK, page[datasetVersion]{Items: nonNil(items), NextCursor: next})
}

func (s *Server) getDataset(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.datasetOf(w, r); ok {
		writeJSON(w, http.StatusOK, v)
	}
}

// previewTables are the row tables of a dataset version a preview may read, by the
// name the API uses.
var previewTables = map[string]string{
	"facilities":       "dataset_facilities",
	"destinations":     "dataset_destinations",
	"demand":           "dataset_demand",
	"shipments":        "dataset_shipments",
	"skus":             "dataset_skus",
	"forecast":         "dataset_forecast",
	"lanes":            "dataset_lanes",
	"shipment_lanes":   "shipment_lanes",
	"freight_baseline": "freight_baseline",
}

// maxPreviewRows bounds a preview: it is a look at the data, not an export.
const maxPreviewRows = 500

// previewDataset returns the first rows of one table of a dataset version, in file order.
func (s *Server) previewDataset(w http.ResponseWriter, r *http.Request) {
	v, ok := s.datasetOf(w, r)
	if !ok {
		return
	}
	name := r.URL.Query().Get("table")
	table, ok := previewTables[name]
	if !ok {
		badRequest(w, r, fmt.Sprintf("table %q: give ?table= one of facilities, destinations, demand, shipments, skus, forecast, lanes, shipment_lanes, freight_baseline", name), nil)
		return
	}
	limit := 50
	if raw := r.URL.Query().Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPreviewRows {
			badRequest(w, r, fmt.Sprintf("limit %q: want 1 to %d", raw, maxPreviewRows), nil)
			return
		}
		limit = n
	}
	var columns []string
	var rowsOut [][]any
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rowsOut = rowsOut[:0]
		// table comes from previewTables, never from the request.
		rows, err := q.Query(ctx, `select * from `+table+` where dataset_version_id = $1 limit $2`, v.ID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		columns = columns[:0]
		for _, fd := range rows.FieldDescriptions() {
			columns = append(columns, fd.Name)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				return err
			}
			rowsOut = append(rowsOut, vals)
		}
		return rows.Err()
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"dataset_id": v.ID, "table": name, "columns": columns, "rows": nonNil(rowsOut)})
}
