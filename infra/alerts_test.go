package infra_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// alertRule is one rule of infra/prometheus/alerts.yaml.
type alertRule struct {
	Group       string
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadAlertRules(t *testing.T) []alertRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "infra", "prometheus", "alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Name  string      `yaml:"name"`
			Rules []alertRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	var out []alertRule
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			r.Group = g.Name
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		t.Fatal("alerts.yaml has no rules")
	}
	return out
}

// A loose reading of PromQL, enough to find the metric names and label matchers of an
// expression: string literals, ranges and grouping clauses are removed first, then every
// identifier that is not a function, keyword or label name is a metric.
var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promSelector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
)

// metricRef is a metric an expression reads and the label names its selectors match on.
type metricRef struct {
	name   string
	labels []string
}

func exprMetrics(expr string) []metricRef {
	// Keep label matchers apart before strings are blanked: their names matter.
	labels := map[string][]string{}
	for _, m := range promSelector.FindAllStringSubmatch(expr, -1) {
		for _, mm := range promMatcher.FindAllStringSubmatch(promString.ReplaceAllString(m[2], `""`), -1) {
			labels[m[1]] = append(labels[m[1]], mm[1])
		}
	}
	s := promString.ReplaceAllString(expr, `""`)
	s = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(s, " ")
	s = promRange.ReplaceAllString(s, " ")
	s = promGrouping.ReplaceAllString(s, " ")
	seen := map[string]bool{}
	var out []metricRef
	for _, loc := range promIdent.FindAllStringIndex(s, -1) {
		id := s[loc[0]:loc[1]]
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if promKeywords[strings.ToLower(id)] || strings.HasPrefix(rest, "(") || seen[id] {
			continue // a keyword or a function call
		}
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // the exponent or unit of a number
		}
		seen[id] = true
		out = append(out, metricRef{name: id, labels: labels[id]})
	}
	return out
}

// exporterPrefixes are the metrics of the standard exporters the "host" group relies on;
// networx cannot export them and the test cannot start them, so they are allowed there
// only.
var exporterPrefixes = []string{"redis_", "pg_", "node_"}

// networxExported reports whether a metric is one networx itself exports (checked against
// running processes) rather than one Prometheus synthesizes (up) or an exporter's.
func networxExported(name string) bool {
	return strings.HasPrefix(name, "networx_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "go_")
}

// TestAlertRules checks the shape of every rule and that each metric it reads is either
// networx's, Prometheus's own up, or (in the host group only) a standard exporter's.
func TestAlertRules(t *testing.T) {
	rules := loadAlertRules(t)
	names := map[string]bool{}
	for _, r := range rules {
		if r.Alert == "" || !strings.HasPrefix(r.Alert, "Networx") {
			t.Errorf("rule %q: alerts are named Networx...", r.Alert)
		}
		if names[r.Alert] {
			t.Errorf("alert %s defined twice", r.Alert)
		}
		names[r.Alert] = true
		if sev := r.Labels["severity"]; sev != "page" && sev != "ticket" {
			t.Errorf("%s: severity %q, want page or ticket", r.Alert, sev)
		}
		if r.Annotations["summary"] == "" {
			t.Errorf("%s: no summary", r.Alert)
		}
		if want := "docs/operations.md#" + strings.ToLower(r.Alert); r.Annotations["runbook"] != want {
			t.Errorf("%s: runbook %q, want %q", r.Alert, r.Annotations["runbook"], want)
		}
		if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") || strings.Count(r.Expr, "{") != strings.Count(r.Expr, "}") {
			t.Errorf("%s: unbalanced brackets in %q", r.Alert, r.Expr)
		}
		ms := exprMetrics(r.Expr)
		if len(ms) == 0 {
			t.Errorf("%s: no metric found in %q", r.Alert, r.Expr)
		}
		for _, m := range ms {
			switch {
			case networxExported(m.name), m.name == "up":
			case r.Group == "host" && slices.ContainsFunc(exporterPrefixes, func(p string) bool { return strings.HasPrefix(m.name, p) }):
			default:
				t.Errorf("%s (group %s): metric %s is neither networx's nor allowed in this group", r.Alert, r.Group, m.name)
			}
		}
	}
}

// TestExprMetrics pins the loose PromQL reading on the shapes alerts.yaml uses.
func TestExprMetrics(t *testing.T) {
	got := exprMetrics(`histogram_quantile(0.99, sum by (le) (rate(networx_a_bucket{route!="GET /metrics", x=~"a|b"}[5m]))) > 2e3
		or max by (queue) (networx_b{state="dead"}) / on (queue) group_left networx_c unless up == 0`)
	want := []metricRef{{"networx_a_bucket", []string{"route", "x"}}, {"networx_b", []string{"state"}}, {"networx_c", nil}, {"up", nil}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].name != want[i].name || !slices.Equal(got[i].labels, want[i].labels) {
			t.Errorf("metric %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// scrapedMetrics parses a /metrics page: sample names with their label names, and the
// declared type of each family.
type scrapedMetrics struct {
	samples map[string]map[string]bool // sample name -> label names seen
	types   map[string]string
}

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s`)

func parseMetrics(into *scrapedMetrics, page string) {
	sc := bufio.NewScanner(strings.NewReader(page))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			if name, typ, ok := strings.Cut(f, " "); ok {
				into.types[name] = typ
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if into.samples[m[1]] == nil {
			into.samples[m[1]] = map[string]bool{}
		}
		for _, mm := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`).FindAllStringSubmatch(m[3], -1) {
			into.samples[m[1]][mm[1]] = true
		}
	}
}

// TestAlertMetricsExported starts networx serve and an optimization worker (with its admin
// listener) against fresh services, runs solve jobs through them, and checks that every
// networx metric an alert reads has at least one series on one of their /metrics pages,
// with the label names the alert matches on.
//
// Vector metrics appear only once a label set has been observed: the jobs run here create
// the HTTP, job transition and in-flight series; the queue gauges are sampled at worker
// start. A rule on a series that only an incident creates (a dead letter, a query error)
// would fail this test: alert on a gauge or on a family that always has a series instead.
func TestAlertMetricsExported(t *testing.T) {
	rules := loadAlertRules(t)
	s := newStack(t)
	s.mustRun("migrate")
	serveAddr, adminAddr := freeAddr(t), freeAddr(t)
	s.start("serve", "serve", "--addr", serveAddr)
	s.start("work", "work", "--queue=optimization", "--admin-addr", adminAddr)
	if code, body := s.get(serveAddr, "/api/health"); code != 200 {
		t.Fatalf("serve /api/health: %d %s", code, body)
	}
	s.get(adminAddr, "/api/health")
	s.solveJobs(2)

	got := scrapedMetrics{samples: map[string]map[string]bool{}, types: map[string]string{}}
	for _, addr := range []string{serveAddr, adminAddr} {
		code, page := s.get(addr, "/metrics")
		if code != 200 {
			t.Fatalf("GET %s/metrics: %d", addr, code)
		}
		parseMetrics(&got, page)
	}

	var checked []string
	for _, r := range rules {
		for _, m := range exprMetrics(r.Expr) {
			if !networxExported(m.name) {
				continue
			}
			checked = append(checked, m.name)
			labels, ok := got.samples[m.name]
			if !ok {
				t.Errorf("%s reads %s, which neither serve nor the worker exports", r.Alert, m.name)
				continue
			}
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(m.name, suffix); ok && got.types[base] != "" {
					if typ := got.types[base]; typ != "histogram" && !(typ == "summary" && suffix != "_bucket") {
						t.Errorf("%s reads %s, but %s is a %s", r.Alert, m.name, base, typ)
					}
				}
			}
			for _, l := range m.labels {
				if l == "job" || l == "instance" {
					continue // target labels, added by Prometheus at scrape time
				}
				if !labels[l] {
					t.Errorf("%s matches label %q of %s, which has labels %v", r.Alert, l, m.name, slices.Sorted(mapKeys(labels)))
				}
			}
		}
	}
	sort.Strings(checked)
	t.Logf("checked %d metric uses: %v", len(checked), slices.Compact(checked))
}
