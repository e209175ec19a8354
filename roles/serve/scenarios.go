package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"networx/roles/optimization"
	"networx/storage"
)

// defaultRelGap is MODELS.md's solver default.
const defaultRelGap = 1e-4

// settingDoc is one row of the settings catalog.
type settingDoc struct {
	Key     string `json:"key"`
	Type    string `json:"type"`
	Default any    `json:"default"`
	Meaning string `json:"meaning"`
}

// scenarioCatalog documents every setting with its default; null means "none".
var scenarioCatalog = []settingDoc{
	{"base_year", "integer", 0, "label of demand rows without a year (0: \"base\")"},
	{"circuity", "number", optimization.DefaultCircuity, "road miles per great-circle mile, at least 1"},
	{"lease_years", "integer", optimization.DefaultLeaseYears, "lease commitment L in years; L >= the number of years gives the fixed-lease model"},
	{"min_open", "integer", nil, "fewest open facilities per year (none: no bound)"},
	{"max_open", "integer", nil, "most open facilities per year (none: no bound)"},
	{"service_radius_miles", "number", nil, "service radius R; requires service_share"},
	{"service_share", "number", nil, "share s in (0,1] of demand within R of its facility, every year"},
	{"single_source", "boolean", false, "each destination served by one facility per year"},
	{"cost_per_unit_mile", "number", nil, "third rate source: cost = fixed_cost_per_unit + cost_per_unit_mile x miles"},
	{"fixed_cost_per_unit", "number", nil, "fixed part of the third rate source"},
	{"time_limit", "duration", nil, "solver time limit like \"2m\" (none: the job timeout, jobs.optimization_timeout, applies)"},
	{"rel_gap", "number", defaultRelGap, "relative gap that counts as optimal"},
	{"node_limit", "integer", nil, "branch-and-bound node limit (none: no limit)"},
	{"threads", "integer", 1, "solver threads, 1 to 64"},
}

// effectiveSettings returns every setting of s, the defaults filled in (nil where the
// default is "none"), keyed as in the catalog.
func effectiveSettings(s optimization.ScenarioSettings) map[string]any {
	set := map[string]any{}
	raw, _ := json.Marshal(s) // a struct of plain pointers always marshals
	_ = json.Unmarshal(raw, &set)
	out := make(map[string]any, len(scenarioCatalog))
	for _, d := range scenarioCatalog {
		if v, ok := set[d.Key]; ok {
			out[d.Key] = v
		} else {
			out[d.Key] = d.Default
		}
	}
	return out
}

// scenario is the API view of a scenario.
type scenario struct {
	ID        string         `json:"id"`
	ProjectID string         `json:"project_id"`
	Name      string         `json:"name"`
	Settings  map[string]any `json:"settings"`
	// Overrides are the settings set explicitly; the rest are defaults.
	Overrides optimization.ScenarioSettings `json:"overrides"`
	CreatedAt time.Time                     `json:"created_at"`
	UpdatedAt time.Time                     `json:"updated_at"`
}

type scenarioInput struct {
	Name     *string                       `json:"name"`
	Settings optimization.ScenarioSettings `json:"settings"`
}

func (in scenarioInput) validate() error {
	var errs []error
	if in.Name == nil {
		errs = append(errs, errors.New(`name is required, e.g. {"name": "base case", "settings": {"max_open": 4}}`))
	} else if err := checkName("scenario", *in.Name); err != nil {
		errs = append(errs, err)
	}
	if err := in.Settings.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

const scenarioColumns = `id, project_id, name, settings, created_at, updated_at`

func scanScenario(row pgx.Row) (scenario, error) {
	var sc scenario
	var raw []byte
	if err := row.Scan(&sc.ID, &sc.ProjectID, &sc.Name, &raw, &sc.CreatedAt, &sc.UpdatedAt); err != nil {
		return sc, err
	}
	if err := json.Unmarshal(raw, &sc.Overrides); err != nil {
		return sc, fmt.Errorf("decode settings of scenario %s: %w", sc.ID, err)
	}
	sc.Settings = effectiveSettings(sc.Overrides)
	sc.CreatedAt, sc.UpdatedAt = sc.CreatedAt.UTC(), sc.UpdatedAt.UTC()
	return sc, nil
}

func (s *Server) scenarioSettingsCatalog(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"settings": scenarioCatalog})
}

// loadScenario returns the tenant's scenario id; found false when there is none.
func (s *Server) loadScenario(ctx context.Context, tenant, id string) (scenario, bool, error) {
	return loadOwned(ctx, s, "scenarios", scenarioColumns, scanScenario, tenant, id)
}

func (s *Server) createScenario(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	var in scenarioInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if err := in.validate(); err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	settings, _ := json.Marshal(in.Settings)
	var sc scenario
	err := s.api.DB.Do(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		sc, err = scanScenario(q.QueryRow(ctx, `insert into scenarios (id, tenant_id, project_id, name, settings)
values ($1, $2, $3, $4, $5) returning `+scenarioColumns, newID("scn"), tenantOf(r), p.ID, strings.TrimSpace(*in.Name), settings))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", apiPrefix+"/scenarios/"+sc.ID)
	writeJSON(w, http.StatusCreated, sc)
}

func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	p, ok := s.projectOf(w, r)
	if !ok {
		return
	}
	limit, c, ok := pageParams(w, r)
	if !ok {
		return
	}
	var items []scenario
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		rows, err := q.Query(ctx, `select `+scenarioColumns+` from scenarios
where tenant_id = $1 and project_id = $2 and (created_at, id) < ($3, $4)
order by created_at desc, id desc limit $5`, tenantOf(r), p.ID, c.At, c.ID, limit+1)
		if err != nil {
			return err
		}
		items, err = pgx.CollectRows(rows, collect(scanScenario))
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items, next := nextCursor(items, limit, func(sc scenario) cursor { return cursor{At: sc.CreatedAt, ID: sc.ID} })
	writeJSON(w, http.StatusOK, page[scenario]{Items: nonNil(items), NextCursor: next})
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) {
	if sc, ok := ownedOf(s, w, r, "scenario", s.loadScenario); ok {
		writeJSON(w, http.StatusOK, sc)
	}
}

func (s *Server) replaceScenario(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("scenario")
	if _, ok := ownedOf(s, w, r, "scenario", s.loadScenario); !ok {
		return
	}
	var in scenarioInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if err := in.validate(); err != nil {
		badRequest(w, r, err.Error(), nil)
		return
	}
	settings, _ := json.Marshal(in.Settings)
	var sc scenario
	err := s.api.DB.Retry(r.Context(), func(ctx context.Context, q storage.Querier) error {
		var err error
		sc, err = scanScenario(q.QueryRow(ctx, `update scenarios set name = $3, settings = $4, updated_at = now()
where tenant_id = $1 and id = $2 returning `+scenarioColumns, tenantOf(r), id, strings.TrimSpace(*in.Name), settings))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		notFound(w, r, "scenario", id)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

func (s *Server) deleteScenario(w http.ResponseWriter, r *http.Request) {
	s.deleteOwned(w, r, "scenarios", "scenario", r.PathValue("scenario"))
}
