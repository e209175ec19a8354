package serve

import (
	"encoding/json"
	"strings"
	"testing"
)

// fuzzBody sends body to one route and fails on a 5xx, a non-JSON answer or an answer
// without the error body when it is an error; the panic middleware turns a panic into a
// 500, so panics fail too.
func fuzzBody(t *testing.T, e *apiEnv, key, method, path string, body []byte) {
	resp, raw := e.call(t, key, method, path, body, nil)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s with %q: status %d: %s", method, path, body, resp.StatusCode, raw)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %s with %q: answer is not JSON: %s", method, path, body, raw)
	}
	if resp.StatusCode >= 400 {
		var eb errorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Fatalf("%s %s: %d without the error body: %s", method, path, resp.StatusCode, raw)
		}
	}
}

// fuzzSeeds are bodies every JSON route is seeded with.
var fuzzSeeds = []string{
	``, `{}`, `null`, `[]`, `{"name": ""}`, `{"name": "x", "settings": {"circuity": 1e309}}`,
	`{"name": "x", "settings": {"max_open": 99999999999999999999}}`, `{"name": "x"} {"name": "y"}`,
	`{"name": "\u0000"}`, `{"name": "` + strings.Repeat("n", 300) + `"}`, `{"name": 5}`, `{"nope": 1}`,
}

func FuzzCreateScenario(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"name": "x", "settings": {"service_radius_miles": 100, "service_share": 0.9, "min_open": 2, "max_open": 1}}`))
	f.Add([]byte(`{"name": "x", "settings": {"time_limit": "-5s", "rel_gap": 1, "threads": 0, "base_year": 1}}`))
	f.Add([]byte(`{"name": "ok", "settings": {"circuity": 1.2, "lease_years": 5, "single_source": true}}`))
	e := newAPIEnv(f, envOptions{limits: Limits{RateLimit: -1}})
	key := e.newKey(f, "acme")
	var p project
	e.mustJSON(f, key, "POST", apiPrefix+"/projects", map[string]any{"name": "p"}, 201, &p)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, e, key, "POST", apiPrefix+"/projects/"+p.ID+"/scenarios", body)
	})
}

func FuzzCreateProject(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"name": "a", "description": 7}`))
	e := newAPIEnv(f, envOptions{limits: Limits{RateLimit: -1}})
	key := e.newKey(f, "acme")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, e, key, "POST", apiPrefix+"/projects", body)
	})
}

func FuzzSubmitJob(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	e := newAPIEnv(f, envOptions{limits: Limits{RateLimit: -1}})
	fx := e.newFixture(f, "acme")
	for _, s := range []string{
		`{"kind": "solve", "file_id": "` + fx.file + `", "settings": {"time_limit": "1h", "rel_gap": -1}}`,
		`{"kind": "sweep", "file_id": "` + fx.file + `", "scenario_id": "` + fx.scenario + `", "settings": {"min_open": 1, "max_open": 1000}}`,
		`{"kind": "optimize", "file_id": "` + fx.file + `", "scenario_id": "` + fx.scenario + `", "settings": "x"}`,
		`{"kind": "capacity", "file_id": "` + fx.file + `", "scenario_id": "scn_other"}`,
		`{"kind": "solve", "file_id": "` + fx.file + `", "settings": [1]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, e, fx.key, "POST", apiPrefix+"/jobs", body)
	})
}

func FuzzPutMapping(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"sheets": {"*": {"kind": "shipments", "header_row": -3, "columns": {"a": "ship_date", "b": ""}}}}`))
	f.Add([]byte(`{"sheets": {"": {"kind": "nope"}}}`))
	e := newAPIEnv(f, envOptions{limits: Limits{RateLimit: -1}})
	fx := e.newFixture(f, "acme")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, e, fx.key, "PUT", apiPrefix+"/files/"+fx.file+"/mapping", body)
	})
}

func TestScenarioDefaultsAndPagination(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	key := e.newKey(t, "acme")
	var p project
	e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "p"}, 201, &p)
	var sc scenario
	e.mustJSON(t, key, "POST", apiPrefix+"/projects/"+p.ID+"/scenarios",
		map[string]any{"name": "s", "settings": map[string]any{"max_open": 4, "circuity": 1.3}}, 201, &sc)
	want := map[string]any{"circuity": 1.3, "max_open": 4.0, "lease_years": 7.0, "rel_gap": 1e-4, "threads": 1.0,
		"single_source": false, "min_open": nil, "base_year": 0.0}
	for k, v := range want {
		if got, ok := sc.Settings[k]; !ok || got != v {
			t.Errorf("settings[%s] = %v, want %v", k, got, v)
		}
	}
	if len(sc.Settings) != len(scenarioCatalog) {
		t.Errorf("%d settings shown, want all %d", len(sc.Settings), len(scenarioCatalog))
	}
	for i := range 5 {
		e.mustJSON(t, key, "POST", apiPrefix+"/projects", map[string]any{"name": "more " + string(rune('a'+i))}, 201, nil)
	}
	seen := map[string]bool{}
	path := apiPrefix + "/projects?limit=2"
	pages := 0
	for {
		var pg page[project]
		e.mustJSON(t, key, "GET", path, nil, 200, &pg)
		pages++
		for _, it := range pg.Items {
			if seen[it.ID] {
				t.Fatalf("project %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		if pg.NextCursor == "" {
			break
		}
		path = apiPrefix + "/projects?limit=2&cursor=" + pg.NextCursor
	}
	if len(seen) != 6 || pages != 3 {
		t.Errorf("%d projects over %d pages, want 6 over 3", len(seen), pages)
	}
	for _, bad := range []string{"?limit=0", "?limit=201", "?limit=x", "?cursor=!!!", "?cursor=e30"} {
		resp, raw := e.call(t, key, "GET", apiPrefix+"/projects"+bad, nil, nil)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, raw)
		}
	}
	resp, raw := e.call(t, key, "POST", apiPrefix+"/projects", `{"name":"`+strings.Repeat("x", DefaultMaxJSONBytes)+`"}`, nil)
	if resp.StatusCode != 413 {
		t.Errorf("oversized JSON body: %d %.200s", resp.StatusCode, raw)
	}
}
