package serve

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// openAPIRoutes returns "METHOD /api/v1/path" for every operation of docs/openapi.yaml.
func openAPIRoutes(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Servers []struct{ URL string }    `yaml:"servers"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != apiPrefix {
		t.Fatalf("docs/openapi.yaml: want OpenAPI 3 with the one server %s, got %q %v", apiPrefix, doc.OpenAPI, doc.Servers)
	}
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				out = append(out, strings.ToUpper(method)+" "+apiPrefix+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func registeredRoutes() []string {
	s := &Server{}
	var out []string
	for _, rt := range s.routes() {
		out = append(out, rt.method+" "+apiPrefix+rt.path)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml and the registered routes the same set.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, code := openAPIRoutes(t), registeredRoutes()
	for _, r := range code {
		if !slices.Contains(doc, r) {
			t.Errorf("route %s is served but missing from docs/openapi.yaml", r)
		}
	}
	for _, r := range doc {
		if !slices.Contains(code, r) {
			t.Errorf("docs/openapi.yaml documents %s, which is not served", r)
		}
	}
	if len(code) < 25 {
		t.Errorf("only %d routes registered", len(code))
	}
}

// fill replaces the path parameters of an OpenAPI path with f's ids.
func (f fixture) fill(path string) string {
	return strings.NewReplacer("{project}", f.project, "{scenario}", f.scenario, "{file}", f.file,
		"{dataset}", f.dataset, "{job}", f.job).Replace(path)
}

// walkBody is a valid body for each route that takes one, referring to owner's resources.
func walkBody(route string, owner fixture) any {
	switch route {
	case "POST /api/v1/projects", "PATCH /api/v1/projects/{project}":
		return map[string]any{"name": "x"}
	case "POST /api/v1/projects/{project}/scenarios", "PUT /api/v1/scenarios/{scenario}":
		return map[string]any{"name": "x"}
	case "POST /api/v1/projects/{project}/uploads":
		return map[string]any{"name": "a.csv"}
	case "PUT /api/v1/files/{file}/mapping":
		return map[string]any{"sheets": map[string]any{"*": map[string]any{"kind": "shipments"}}}
	case "POST /api/v1/jobs":
		return map[string]any{"kind": "solve", "file_id": owner.file}
	}
	return nil
}

// TestAuthorizationWalk walks every route of docs/openapi.yaml: without a key or with a
// bad one it answers 401; with another tenant's key, every route naming a resource of
// tenant A answers 404 with the same body as a resource that does not exist, and the
// collection routes never show A's resources. A's own key reaches the same resources
// (the ids are real, so the 404s are about ownership).
func TestAuthorizationWalk(t *testing.T) {
	e := newAPIEnv(t, envOptions{})
	a := e.newFixture(t, "tenant-a")
	b := e.newFixture(t, "tenant-b")
	ids := []string{a.project, a.scenario, a.file, a.job}
	for _, route := range openAPIRoutes(t) {
		method, path, _ := strings.Cut(route, " ")
		tmpl := strings.TrimPrefix(path, apiPrefix)
		t.Run(route, func(t *testing.T) {
			for _, key := range []string{"", "nx_notakey", "nx_" + strings.Repeat("A", keyBodyLen)} {
				resp, body := e.call(t, key, method, path, walkBody(route, a), nil)
				if resp.StatusCode != 401 || !strings.Contains(string(body), `"code":"unauthorized"`) {
					t.Errorf("key %q: status %d, want 401 with the error body: %s", key, resp.StatusCode, body)
				}
			}
			if !strings.Contains(tmpl, "{") {
				// A collection: B may use it, but never sees or reaches A's resources.
				resp, body := e.call(t, b.key, method, path, walkBody(route, a), nil)
				if method == "POST" && strings.HasSuffix(tmpl, "/jobs") {
					if resp.StatusCode != 404 {
						t.Errorf("B submitting a job on A's file: status %d, want 404: %s", resp.StatusCode, body)
					}
					return
				}
				if resp.StatusCode >= 300 {
					t.Errorf("B on its own collection: status %d: %s", resp.StatusCode, body)
				}
				for _, id := range ids {
					if strings.Contains(string(body), id) {
						t.Errorf("B's answer shows A's %s: %s", id, body)
					}
				}
				return
			}
			resp, body := e.call(t, b.key, method, a.fill(path), walkBody(route, a), nil)
			if resp.StatusCode != 404 {
				t.Fatalf("B on A's resource: status %d, want 404: %s", resp.StatusCode, body)
			}
			var eb errorBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code != "not_found" {
				t.Errorf("404 body is not the not_found error: %s", body)
			}
			// The answer for a resource that does not exist reads the same.
			missing := fixture{project: "prj_missing", scenario: "scn_missing", file: "fil_missing", dataset: "999999", job: "0123456789abcdef0123456789abcdef"}
			resp2, body2 := e.call(t, b.key, method, missing.fill(path), walkBody(route, a), nil)
			var eb2 errorBody
			_ = json.Unmarshal(body2, &eb2)
			norm := func(s, id string) string { return strings.ReplaceAll(s, `"`+id+`"`, "ID") }
			if resp2.StatusCode != 404 || norm(eb.Error.Message, idIn(a, tmpl)) != norm(eb2.Error.Message, idIn(missing, tmpl)) {
				t.Errorf("another tenant's resource and a missing one answer differently:\n%s\n%s", body, body2)
			}
			if method == "GET" && !strings.HasSuffix(tmpl, "/events") {
				resp, body := e.call(t, a.key, method, a.fill(path)+"?table=facilities", nil, nil)
				if resp.StatusCode == 404 && strings.Contains(string(body), `"code":"not_found"`) {
					t.Errorf("A's own key gets not_found on %s: %s", a.fill(path), body)
				}
			}
		})
	}
}

// idIn returns the id of f that the first path parameter of tmpl names.
func idIn(f fixture, tmpl string) string {
	for _, p := range []struct{ param, id string }{{"{project}", f.project}, {"{scenario}", f.scenario},
		{"{file}", f.file}, {"{dataset}", f.dataset}, {"{job}", f.job}} {
		if strings.Contains(tmpl, p.param) {
			return p.id
		}
	}
	return ""
}

func TestKeys(t *testing.T) {
	e := newAPIEnv(t, envOptions{limits: Limits{AuthCacheTTL: time.Nanosecond}})
	ctx := context.Background()
	good := e.newKey(t, "acme")
	revoked, err := e.keys.CreateKey(ctx, "acme", "old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.keys.RevokeKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	wrongSecret := good[:len(keyScheme)+keyPrefixLen] + strings.Repeat("z", keyBodyLen-keyPrefixLen)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"valid key", "Bearer " + good, 200},
		{"scheme is case-insensitive", "bearer " + good, 200},
		{"no header", "", 401},
		{"basic auth", "Basic dXNlcjpwYXNz", 401},
		{"right prefix, wrong secret", "Bearer " + wrongSecret, 401},
		{"revoked key", "Bearer " + revoked.Secret, 401},
		{"truncated key", "Bearer " + good[:20], 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.header != "" {
				hdr["Authorization"] = tc.header
			}
			resp, body := e.call(t, "", "GET", apiPrefix+"/projects", nil, hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.want == 401 && (!strings.Contains(string(body), `"code":"unauthorized"`) || resp.Header.Get("WWW-Authenticate") == "") {
				t.Errorf("401 without the error body or WWW-Authenticate: %s", body)
			}
		})
	}

	var hashes int
	if err := e.db.Pool().QueryRow(ctx, `select count(*) from api_keys where hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') and prefix = $2`, good, good[:len(keyScheme)+keyPrefixLen]).Scan(&hashes); err != nil {
		t.Fatal(err)
	}
	if hashes != 1 {
		t.Errorf("want the key stored as its SHA-256 only, found %d rows", hashes)
	}
	var leaked int
	if err := e.db.Pool().QueryRow(ctx, `select count(*) from api_keys where hash like '%'||$1||'%' or name like '%'||$1||'%'`, good[len(keyScheme)+keyPrefixLen:]).Scan(&leaked); err != nil {
		t.Fatal(err)
	}
	if leaked != 0 {
		t.Error("the secret part of a key is stored in clear")
	}

	// A revoked key stops working once its cache entry expires (here at once).
	if _, err := e.keys.RevokeKey(ctx, mustKeyID(t, e, good)); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.call(t, good, "GET", apiPrefix+"/projects", nil, nil); resp.StatusCode != 401 {
		t.Errorf("revoked key answered %d, want 401", resp.StatusCode)
	}
	if _, err := e.keys.RevokeKey(ctx, "key_nope"); err == nil {
		t.Error("revoking an unknown id must fail")
	}
	if _, err := e.keys.CreateKey(ctx, "bad tenant/..", "x"); err == nil {
		t.Error("a tenant id with path characters must be refused")
	}
}

func mustKeyID(t *testing.T, e *apiEnv, secret string) string {
	t.Helper()
	prefix, _ := splitKey(secret)
	keys, err := e.keys.ListKeys(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Prefix == prefix {
			return k.ID
		}
	}
	t.Fatalf("key %s not listed", prefix)
	return ""
}

func TestNewSecretFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		s, err := newSecret()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := splitKey(s); !ok || seen[s] {
			t.Fatalf("bad or repeated key %q", s)
		}
		seen[s] = true
	}
}

func TestRateLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRateLimiter(10, 3, func() time.Time { return now })
	var got []bool
	for range 4 {
		_, ok := l.allow("a")
		got = append(got, ok)
	}
	if !slices.Equal(got, []bool{true, true, true, false}) {
		t.Fatalf("burst of 3 then refusal, got %v", got)
	}
	if _, ok := l.allow("b"); !ok {
		t.Error("another tenant has its own bucket")
	}
	wait, _ := l.allow("a")
	if wait <= 0 || wait > 100*time.Millisecond {
		t.Errorf("wait %s, want at most one token's time (100ms)", wait)
	}
	now = now.Add(100 * time.Millisecond)
	if _, ok := l.allow("a"); !ok {
		t.Error("a token refills after 1/rate")
	}
}

func TestRateLimitAnswers429(t *testing.T) {
	e := newAPIEnv(t, envOptions{limits: Limits{RateLimit: 0.001, RateBurst: 2}})
	key := e.newKey(t, "acme")
	var codes []int
	for range 3 {
		resp, _ := e.call(t, key, "GET", apiPrefix+"/projects", nil, nil)
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if !slices.Equal(codes, []int{200, 200, 429}) {
		t.Errorf("codes %v, want 200 200 429", codes)
	}
}
