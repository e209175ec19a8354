package optimization

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ScenarioSettings are the settings a scenario sets (docs/api.md, docs/models.md): the
// network model's, applied on top of the input's settings dataset, and the solver's. A
// nil field leaves the input's value, or the default. It is the one definition of the
// JSON that the API stores with a scenario and puts in a model job's settings, and that
// the model workers read.
type ScenarioSettings struct {
	BaseYear           *int     `json:"base_year,omitempty"`
	Circuity           *float64 `json:"circuity,omitempty"`
	LeaseYears         *int     `json:"lease_years,omitempty"`
	MinOpen            *int     `json:"min_open,omitempty"`
	MaxOpen            *int     `json:"max_open,omitempty"`
	ServiceRadiusMiles *float64 `json:"service_radius_miles,omitempty"`
	ServiceShare       *float64 `json:"service_share,omitempty"`
	SingleSource       *bool    `json:"single_source,omitempty"`
	CostPerUnitMile    *float64 `json:"cost_per_unit_mile,omitempty"`
	FixedCostPerUnit   *float64 `json:"fixed_cost_per_unit,omitempty"`
	// TimeLimit is a duration like "90s"; nil leaves the job's limit (or none).
	TimeLimit *string  `json:"time_limit,omitempty"`
	RelGap    *float64 `json:"rel_gap,omitempty"`
	NodeLimit *int64   `json:"node_limit,omitempty"`
	Threads   *int     `json:"threads,omitempty"`
}

// Validate returns every problem of the settings together, each naming its key as
// settings.<key>. The bounds are wider than any real network needs and narrow enough to
// catch a unit mistake (a circuity of 117 for 1.17, a share of 90 for 0.9).
func (s ScenarioSettings) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("settings.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if v := s.BaseYear; v != nil && *v != 0 && (*v < 1900 || *v > 2200) {
		bad("base_year", "want 0 or a year from 1900 to 2200, got %d", *v)
	}
	if v := s.Circuity; v != nil && (!finite(*v) || *v < 1 || *v > 5) {
		bad("circuity", "want a number from 1 to 5 (road miles per straight-line mile), got %v", *v)
	}
	if v := s.LeaseYears; v != nil && (*v < 1 || *v > 100) {
		bad("lease_years", "want 1 to 100 years, got %d", *v)
	}
	if v := s.MinOpen; v != nil && (*v < 0 || *v > 100000) {
		bad("min_open", "want 0 to 100000, got %d", *v)
	}
	if v := s.MaxOpen; v != nil && (*v < 1 || *v > 100000) {
		bad("max_open", "want 1 to 100000, got %d", *v)
	}
	if s.MinOpen != nil && s.MaxOpen != nil && *s.MinOpen > *s.MaxOpen {
		bad("min_open", "%d is more than max_open %d", *s.MinOpen, *s.MaxOpen)
	}
	if v := s.ServiceRadiusMiles; v != nil && (!finite(*v) || *v <= 0 || *v > 25000) {
		bad("service_radius_miles", "want a positive distance in miles, got %v", *v)
	}
	if v := s.ServiceShare; v != nil && (!finite(*v) || *v <= 0 || *v > 1) {
		bad("service_share", "want a share in (0, 1], got %v", *v)
	}
	if (s.ServiceRadiusMiles == nil) != (s.ServiceShare == nil) {
		bad("service_share", "service_radius_miles and service_share go together: set both or neither")
	}
	if v := s.CostPerUnitMile; v != nil && (!finite(*v) || *v < 0) {
		bad("cost_per_unit_mile", "want a non-negative number, got %v", *v)
	}
	if v := s.FixedCostPerUnit; v != nil && (!finite(*v) || *v < 0) {
		bad("fixed_cost_per_unit", "want a non-negative number, got %v", *v)
	}
	if s.FixedCostPerUnit != nil && s.CostPerUnitMile == nil {
		bad("fixed_cost_per_unit", "needs cost_per_unit_mile too")
	}
	if v := s.TimeLimit; v != nil {
		if d, err := time.ParseDuration(*v); err != nil || d <= 0 {
			bad("time_limit", "want a positive duration like \"90s\" or \"5m\", got %q", *v)
		}
	}
	if v := s.RelGap; v != nil && (!finite(*v) || *v < 0 || *v >= 1) {
		bad("rel_gap", "want a number in [0, 1), got %v", *v)
	}
	if v := s.NodeLimit; v != nil && *v < 1 {
		bad("node_limit", "want a positive number of nodes, got %d", *v)
	}
	if v := s.Threads; v != nil && (*v < 1 || *v > 64) {
		bad("threads", "want 1 to 64, got %d", *v)
	}
	return errors.Join(errs...)
}

// NetworkKeys returns the keys of the network settings s sets, in the order of the
// settings dataset's documentation; the other network settings come from the input.
func (s ScenarioSettings) NetworkKeys() []string {
	var keys []string
	for _, k := range []struct {
		key string
		set bool
	}{
		{"base_year", s.BaseYear != nil}, {"circuity", s.Circuity != nil}, {"lease_years", s.LeaseYears != nil},
		{"min_open", s.MinOpen != nil}, {"max_open", s.MaxOpen != nil},
		{"service_radius_miles", s.ServiceRadiusMiles != nil}, {"service_share", s.ServiceShare != nil},
		{"single_source", s.SingleSource != nil}, {"cost_per_unit_mile", s.CostPerUnitMile != nil},
		{"fixed_cost_per_unit", s.FixedCostPerUnit != nil},
	} {
		if k.set {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// Apply validates s and returns base (the input's settings) with the network settings s
// sets on top, key by key: the scenario wins. The merged settings are checked as the input's alone
// are (Settings.Validate), so that a scenario cannot make a combination the settings
// dataset could not; an error names the keys the scenario set.
func (s ScenarioSettings) Apply(base Settings) (Settings, error) {
	if err := s.Validate(); err != nil {
		return base, err
	}
	out := base
	if v := s.BaseYear; v != nil {
		out.BaseYear = *v
	}
	if v := s.Circuity; v != nil {
		out.Circuity = *v
	}
	if v := s.LeaseYears; v != nil {
		out.LeaseYears = *v
	}
	if v := s.MinOpen; v != nil {
		out.MinOpen = *v
	}
	if v := s.MaxOpen; v != nil {
		out.MaxOpen = *v
	}
	if v := s.ServiceRadiusMiles; v != nil {
		out.ServiceRadius = *v
	}
	if v := s.ServiceShare; v != nil {
		out.ServiceShare = *v
	}
	if v := s.SingleSource; v != nil {
		out.SingleSource = *v
	}
	if v := s.CostPerUnitMile; v != nil {
		out.CostPerUnitMile = *v
	}
	if v := s.FixedCostPerUnit; v != nil {
		out.FixedCostPerUnit = *v
	}
	if err := out.Validate(); err != nil {
		return base, fmt.Errorf("the input's settings with the scenario's %s on top: %w", strings.Join(s.NetworkKeys(), ", "), err)
	}
	return out, nil
}
