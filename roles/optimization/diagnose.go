package optimization

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"networx/solver"
)

// diagnoseTimeLimit bounds each relaxed solve of the diagnosis: it only needs to find out
// whether a feasible point exists, not an optimum.
const diagnoseTimeLimit = 20 * time.Second

// diagnose explains an infeasible model in input terms. It first runs direct checks
// (capacity against demand, the service radius, mandatory sites under max_open); when
// none explains it, it relaxes one group of requirements at a time and names the groups
// whose removal makes the input feasible.
func (in *instance) diagnose(ctx context.Context, nOpen int, opt Options) []string {
	n := in.net
	s := n.Settings
	var reasons []string
	maxO := in.maxO
	if nOpen >= 0 {
		maxO = nOpen
	}
	// Capacity against demand, per year.
	for t, year := range in.years {
		demand := 0.0
		for j := range n.Destinations {
			demand += in.q[j][t]
		}
		caps := make([]float64, 0, len(n.Facilities))
		unc := false
		for _, f := range n.Facilities {
			if f.Capacity <= 0 {
				unc = true
				break
			}
			caps = append(caps, f.Capacity)
		}
		if unc {
			continue
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(caps)))
		total := 0.0
		for _, c := range caps {
			total += c
		}
		if total < demand*(1-capacityTol) {
			reasons = append(reasons, fmt.Sprintf("year %s: total demand %s units exceeds the total capacity %s of all %d facilities (%s)",
				yearLabel(year), units(demand), units(total), len(n.Facilities), facilityCaps(n.Facilities, 6)))
			continue
		}
		if maxO > 0 && maxO < len(caps) {
			top := 0.0
			for _, c := range caps[:maxO] {
				top += c
			}
			if top < demand*(1-capacityTol) {
				reasons = append(reasons, fmt.Sprintf("year %s: demand %s units exceeds %s, the capacity of the %d largest facilities, and at most %d may open",
					yearLabel(year), units(demand), units(top), maxO, maxO))
			}
		}
	}
	// Single sourcing: a destination larger than every facility.
	if s.SingleSource {
		for j, d := range n.Destinations {
			for t, year := range in.years {
				fits := false
				for i, f := range n.Facilities {
					if !math.IsNaN(in.cost.c[i][j]) && (f.Capacity <= 0 || f.Capacity >= in.q[j][t]) {
						fits = true
						break
					}
				}
				if !fits {
					reasons = append(reasons, fmt.Sprintf("year %s: single sourcing is on and destination %q needs %s units, more than any facility with a rate to it can handle",
						yearLabel(year), d.Name, units(in.q[j][t])))
				}
			}
		}
	}
	// Service radius.
	if s.ServiceRadius > 0 {
		var mand []int
		for i, f := range n.Facilities {
			if f.Mandatory {
				mand = append(mand, i)
			}
		}
		for t, year := range in.years {
			total, reach := 0.0, 0.0
			var far []string
			for j, d := range n.Destinations {
				total += in.q[j][t]
				ok := false
				for i := range n.Facilities {
					if in.cost.d[i][j] <= s.ServiceRadius && !math.IsNaN(in.cost.c[i][j]) {
						ok = true
						break
					}
				}
				if ok {
					reach += in.q[j][t]
				} else if in.q[j][t] > 0 {
					far = append(far, d.Name)
				}
			}
			if total > 0 && reach < s.ServiceShare*total*(1-capacityTol) {
				reasons = append(reasons, fmt.Sprintf("year %s: only %.1f%% of demand is within %g mi of any facility, %.1f%% is required; destinations beyond %g mi of every facility: %s",
					yearLabel(year), 100*reach/total, s.ServiceRadius, 100*s.ServiceShare, s.ServiceRadius, clipList(far, 8)))
				continue
			}
			// Mandatory sites fill every allowed slot: the service must come from them.
			if len(mand) > 0 && maxO > 0 && len(mand) >= maxO && total > 0 {
				near := 0.0
				var outside []string
				for _, i := range mand {
					any := false
					for j := range n.Destinations {
						if in.cost.d[i][j] <= s.ServiceRadius {
							any = true
							break
						}
					}
					if !any {
						outside = append(outside, n.Facilities[i].Name)
					}
				}
				for j := range n.Destinations {
					for _, i := range mand {
						if in.cost.d[i][j] <= s.ServiceRadius && !math.IsNaN(in.cost.c[i][j]) {
							near += in.q[j][t]
							break
						}
					}
				}
				if near < s.ServiceShare*total*(1-capacityTol) {
					msg := fmt.Sprintf("year %s: at most %d facilities may open and the %d mandatory site(s) (%s) must be among them, but they are within %g mi of only %.1f%% of demand (%.1f%% required)",
						yearLabel(year), maxO, len(mand), clipList(names(n.Facilities, mand), 6), s.ServiceRadius, 100*near/total, 100*s.ServiceShare)
					if len(outside) > 0 {
						msg += fmt.Sprintf("; mandatory site(s) %s are more than %g mi from every destination", clipList(outside, 6), s.ServiceRadius)
					}
					reasons = append(reasons, msg)
				}
			}
		}
	}
	if len(reasons) > 0 {
		return reasons
	}
	// Relax one group at a time.
	groups := []struct {
		rx   relax
		what string
	}{
		{relax{capacity: true}, "the facility capacities (capacity) cannot carry the demand with the other requirements"},
		{relax{service: true}, fmt.Sprintf("the service requirement (%.1f%% of demand within %g mi) cannot be met with the other requirements", 100*s.ServiceShare, s.ServiceRadius)},
		{relax{openBounds: true}, fmt.Sprintf("the open-count bounds (min_open %d, max_open %d) cannot be met with the other requirements", in.minO, maxO)},
		{relax{mandatory: true}, "the mandatory sites cannot all be open with the other requirements"},
		{relax{commitments: true}, fmt.Sprintf("the %d-year lease commitments cannot be kept with the other requirements", in.lease)},
	}
	set := opt.Solver
	set.Progress = nil
	set.TimeLimit = diagnoseTimeLimit
	for _, g := range groups {
		if ctx.Err() != nil {
			break
		}
		lay := in.build(nOpen, g.rx)
		res, _ := solver.Solve(ctx, lay.model, set)
		if res != nil && res.X != nil {
			reasons = append(reasons, g.what)
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no single group of requirements (capacities, service, open-count bounds, mandatory sites, lease commitments) explains it alone: several conflict together")
	}
	return reasons
}

func names(fs []Facility, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = fs[i].Name
	}
	return out
}

func facilityCaps(fs []Facility, k int) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s %s", f.Name, units(f.Capacity)))
	}
	return clipList(parts, k)
}

func units(v float64) string {
	return fmt.Sprintf("%.0f", v)
}

func yearLabel(y int) string {
	if y == 0 {
		return "base"
	}
	return fmt.Sprint(y)
}
