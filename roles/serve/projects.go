package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"networx/storage"
)

// project is a tenant's unit of work: its files, scenarios, datasets and jobs.
type project struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type projectInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// checkName validates a resource name: 1 to 200 characters of text.
func checkName(what string, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n") {
		return fmt.Errorf("%s name: give 1 to 200 characters on one line", what)
	}
	return nil
}

func (in projectInput) validate(create bool) error {
	var errs []error
	if in.Name == nil && create {
		errs = append(errs, errors.New(`name is required, e.g. {"name": "Acme network 2025"}`))
	}
	if in.Name != nil {
		if err := checkName("project", *in.Name); err != nil {
			errs = append(errs, err)
		}
	}
	if in.Description != nil && (utf8.RuneCountInString(*in.Description) > 5000 || strings.ContainsRune(*in.Description, 0)) {
		errs = append(errs, errors.New("description: at most 5000 characters of text"))
	}
	return errors.Join(errs...)
}

const projectColumns = `id, name, description, created_at, updated_at`

func scanProject(row pgx.Row) (project, error) {
	var p project
	err := row.Scan(&p.ID, &p.Name, &p.Description, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// loadProject returns the tenant's project id; found false when there is none.
func (s *Server) loadProject(ctx context.Context, tenant, id string) (project, bool, error) {
	return loadOwned(ctx, s, "projects", projectColumns, scanProject, tenant, id)
}

// projectOf loads the {project} of the path, answering 404 or an error itself.
func (s *Server) projectOf(w http.ResponseWriter, r *http.Request) (project, bool) {
	return ownedOf(s, w, r, "project", s.loadProject)
}

// loadOwned reads the row id of table that belongs to tenant, with scan; found false when
// there is none. table and columns are the API's own names, never user input.
func loadOwned[T any](ctx context.Context, s *Server, table, columns string, scan func(pgx.Row) (T, error), tenant, id string) (T, bool, error) {
	var v T
	err := s.api.DB.Retry(ctx, func(ctx context.Context, q storage.Querier) error {
		var err error
		v, err = scan(q.QueryRow(ctx, `select `+columns+` from `+table+` where tenant_id = $1 and id = $2`, tenant, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// ownedOf loads the resource named by the path value of the same name with load,
// answering 404 or an error itself.
func ownedOf[T any](s *Server, w http.ResponseWriter, r *http.Request, resource string, load func(ctx context.Context, tenant, id string) (T, bool, error)) (T, bool) {
	id := r.PathValue(resource)
	v, found, err := load(r.Context(), tenantOf(r), id)
	if err != nil {
		s.serverError(w, r, err)
		return v, false
	}
	if !found {
		notFound(w, r, resource, id)
		return v, false
	}
	return v, true
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	var in projectInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if err := in.validate(true); err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	var p project
	err := s.api.DB.Do(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		p, err = scanProject(q.QueryRow(ctx, `insert into projects (id, tenant_id, name, description) values ($1, $2, $3, $4)
returning `+projectColumns, newID("prj"), tenantOf(r), strings.TrimSpace(*in.Name), desc))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", apiPrefix+"/projects/"+p.ID)
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	var items []project
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rows, err := q.Query(ctx, `select `+projectColumns+` from projects where tenant_id = $1 and (created_at, id) < ($2, $3)
order by created_at desc, id desc limit $4`, tenantOf(r), c.At, c.ID, limit+1)
		if err != nil {
			return err
		}
		items, err = pgx.CollectRows(rows, collect(scanProject))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items, next := nextCursor(items, limit, func(p project) cursor { return cursor{At: p.CreatedAt, ID: p.ID} })
	writeJSON(w, http.StatusOK, page[project]{Items: nonNil(items), NextCursor: next})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.projectOf(w, r); ok {
		writeJSON(w, http.StatusOK, p)
	}
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	var in projectInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if err := in.validate(false); err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		p, err = scanProject(q.QueryRow(ctx, `update projects set name = $3, description = $4, updated_at = now()
where tenant_id = $1 and id = $2 returning `+projectColumns, tenantOf(r), p.ID, p.Name, p.Description))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		notFound(w, r, "project", p.ID)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// deleteProject removes the project with its scenarios and file records. The stored
// blobs stay until the bucket's lifecycle rule removes them (docs/api.md).
func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request) {
	s.deleteOwned(w, r, "projects", "project", r.PathValue("project"))
}

// deleteOwned deletes the row id of table if it belongs to the caller's tenant, answering
// 204, or 404 naming the resource when there is no such row for this tenant. table is
// always one of the API's own table names, never user input.
func (s *Server) deleteOwned(w http.ResponseWriter, r *http.Request, table, resource, id string) {
	var n int64
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		tag, err := q.Exec(ctx, `delete from `+table+` where tenant_id = $1 and id = $2`, tenantOf(r), id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if n == 0 {
		notFound(w, r, resource, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// collect adapts a row scanner to pgx.CollectRows.
func collect[T any](scan func(pgx.Row) (T, error)) pgx.RowToFunc[T] {
	return func(row pgx.CollectableRow) (T, error) { return scan(row) }
}
