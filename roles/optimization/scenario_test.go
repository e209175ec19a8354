package optimization_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"networx/roles/optimization"
)

func ptr[T any](v T) *T { return &v }

func TestScenarioApply(t *testing.T) {
	t.Parallel()
	input := optimization.Settings{Circuity: 1.3, MinOpen: 2, MaxOpen: 6, CostPerUnitMile: 0.4, FixedCostPerUnit: 2}
	tests := []struct {
		name     string
		scenario optimization.ScenarioSettings
		want     optimization.Settings
		errText  []string
	}{
		{name: "nothing set keeps the input", want: input},
		{name: "scenario wins key by key", scenario: optimization.ScenarioSettings{MaxOpen: ptr(3), SingleSource: ptr(true), CostPerUnitMile: ptr(0.5)},
			want: optimization.Settings{Circuity: 1.3, MinOpen: 2, MaxOpen: 3, SingleSource: true, CostPerUnitMile: 0.5, FixedCostPerUnit: 2}},
		{name: "min_open 0 lifts the input's bound", scenario: optimization.ScenarioSettings{MinOpen: ptr(0)},
			want: optimization.Settings{Circuity: 1.3, MaxOpen: 6, CostPerUnitMile: 0.4, FixedCostPerUnit: 2}},
		{name: "every network key", scenario: optimization.ScenarioSettings{BaseYear: ptr(2025), Circuity: ptr(1.2), LeaseYears: ptr(3),
			MinOpen: ptr(1), MaxOpen: ptr(4), ServiceRadiusMiles: ptr(300.0), ServiceShare: ptr(0.9), SingleSource: ptr(false),
			CostPerUnitMile: ptr(0.7), FixedCostPerUnit: ptr(1.5), TimeLimit: ptr("2m"), RelGap: ptr(0.01), NodeLimit: ptr(int64(10)), Threads: ptr(2)},
			want: optimization.Settings{BaseYear: 2025, Circuity: 1.2, LeaseYears: 3, MinOpen: 1, MaxOpen: 4, ServiceRadius: 300, ServiceShare: 0.9,
				CostPerUnitMile: 0.7, FixedCostPerUnit: 1.5}},
		{name: "scenario max below the input's min", scenario: optimization.ScenarioSettings{MaxOpen: ptr(1)},
			errText: []string{"scenario's max_open on top", "min_open 2 exceeds max_open 1"}},
		{name: "invalid scenario", scenario: optimization.ScenarioSettings{Circuity: ptr(117.0), ServiceShare: ptr(90.0), NodeLimit: ptr(int64(0))},
			errText: []string{"settings.circuity", "settings.service_share: want a share in (0, 1]", "go together", "settings.node_limit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.scenario.Apply(input)
			if len(tc.errText) > 0 {
				if err == nil {
					t.Fatalf("no error, settings %+v", got)
				}
				for _, w := range tc.errText {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("settings %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestScenarioInvalidMergeIsInputError: a merged combination the settings dataset could
// not hold either is an input error.
func TestScenarioInvalidMergeIsInputError(t *testing.T) {
	t.Parallel()
	_, err := optimization.ScenarioSettings{MinOpen: ptr(5)}.Apply(optimization.Settings{MaxOpen: 3})
	if !errors.Is(err, optimization.ErrInput) {
		t.Fatalf("error %v, want one wrapping ErrInput", err)
	}
}

// TestScenarioJSONKeys: the JSON keys of the scenario settings are the settings keys of
// docs/models.md and docs/api.md, and NetworkKeys names the network ones it sets.
func TestScenarioJSONKeys(t *testing.T) {
	t.Parallel()
	all := optimization.ScenarioSettings{BaseYear: ptr(0), Circuity: ptr(1.0), LeaseYears: ptr(1), MinOpen: ptr(0), MaxOpen: ptr(1),
		ServiceRadiusMiles: ptr(1.0), ServiceShare: ptr(1.0), SingleSource: ptr(true), CostPerUnitMile: ptr(0.0), FixedCostPerUnit: ptr(0.0),
		TimeLimit: ptr("1s"), RelGap: ptr(0.0), NodeLimit: ptr(int64(1)), Threads: ptr(1)}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	network := []string{"base_year", "circuity", "lease_years", "min_open", "max_open", "service_radius_miles", "service_share",
		"single_source", "cost_per_unit_mile", "fixed_cost_per_unit"}
	for _, k := range append(network, "time_limit", "rel_gap", "node_limit", "threads") {
		if _, ok := m[k]; !ok {
			t.Errorf("key %s missing from %s", k, b)
		}
	}
	if len(m) != len(network)+4 {
		t.Errorf("%d keys, want %d: %s", len(m), len(network)+4, b)
	}
	if got := all.NetworkKeys(); !reflect.DeepEqual(got, network) {
		t.Errorf("network keys %v, want %v", got, network)
	}
}
