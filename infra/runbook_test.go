package infra_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRunbookCoversAlarms checks that docs/operations.md has a section for every
// CloudWatch alarm of the Terraform module and every alert of alerts.yaml, each saying
// what it means and what to do.
func TestRunbookCoversAlarms(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Sections are headings; the body of a section runs to the next heading.
	heading := regexp.MustCompile(`(?m)^#{2,4} +(.+)$`)
	doc := string(b)
	sections := map[string]string{}
	locs := heading.FindAllStringSubmatchIndex(doc, -1)
	for i, loc := range locs {
		end := len(doc)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		title := strings.Trim(doc[loc[2]:loc[3]], "` ")
		sections[title] = doc[loc[1]:end]
	}

	var names []string
	names = append(names, alarmNames(t, loadModule(t, terraformDir(t)))...)
	for _, r := range loadAlertRules(t) {
		names = append(names, r.Alert)
	}
	for _, name := range names {
		body, ok := sections[name]
		if !ok {
			t.Errorf("docs/operations.md has no section headed %q", name)
			continue
		}
		lower := strings.ToLower(body)
		if !strings.Contains(lower, "means") || !strings.Contains(lower, "do:") {
			t.Errorf("section %q must say what the alarm means (\"Means\") and what to do (\"Do:\")", name)
		}
	}
}
