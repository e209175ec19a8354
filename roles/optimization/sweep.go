package optimization

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
)

// SweepPoint is the solve for one number of open facilities.
type SweepPoint struct {
	Open      int      `json:"open"`
	Status    string   `json:"status"`
	Objective Num      `json:"objective"`
	Bound     Num      `json:"bound"`
	Gap       Num      `json:"gap"`
	Reasons   []string `json:"reasons,omitempty"`
	// Result is the full result of the point (nil when the point is infeasible).
	Result *Result `json:"-"`
}

// SweepResult is the cost curve of a node sweep and its best point.
type SweepResult struct {
	Version string       `json:"version"`
	Points  []SweepPoint `json:"points"`
	// Best is the number of open facilities with the lowest objective; 0 when no point
	// has a solution.
	Best int `json:"best"`
	// BestResult is the full result of the best point.
	BestResult *Result `json:"best_result"`
}

// SweepOptions configure a sweep.
type SweepOptions struct {
	Options
	// MinOpen..MaxOpen is the range of open counts; MaxOpen 0 means the number of facilities.
	MinOpen, MaxOpen int
	// Parallel is the number of points solved at once; 0 means 1. Each solve uses
	// Options.Solver.Threads.
	Parallel int
	// Point, when set, is called after each point finishes (any order).
	Point func(SweepPoint)
}

// Sweep solves the model for every number of open facilities n in MinOpen..MaxOpen (every
// year has exactly n open) and returns the cost curve and the best n. The settings'
// min_open/max_open are replaced by n; mandatory sites and everything else still apply.
// A point that is infeasible is reported with its reasons and the sweep goes on.
func Sweep(ctx context.Context, n *Network, opt SweepOptions) (*SweepResult, error) {
	in, err := newInstance(n)
	if err != nil {
		return nil, err
	}
	lo, hi := opt.MinOpen, opt.MaxOpen
	if lo < 1 {
		lo = 1
	}
	if hi == 0 || hi > len(n.Facilities) {
		hi = len(n.Facilities)
	}
	if lo > hi {
		return nil, fmt.Errorf("%w: sweep range %d..%d is empty (there are %d facilities)", ErrInput, opt.MinOpen, opt.MaxOpen, len(n.Facilities))
	}
	par := opt.Parallel
	if par < 1 {
		par = 1
	}
	out := &SweepResult{Version: ResultVersion, Points: make([]SweepPoint, hi-lo+1)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, par)
	var firstErr error
	for k := lo; k <= hi; k++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(k int) {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := in.solve(ctx, k, opt.Options)
			p := SweepPoint{Open: k, Status: "error", Objective: Num(math.NaN()), Bound: Num(math.NaN()), Gap: Num(math.NaN())}
			switch {
			case err != nil && !errors.Is(err, ErrInfeasible):
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("sweep point %d: %w", k, err)
				}
				mu.Unlock()
			case res != nil:
				p.Status, p.Objective, p.Bound, p.Gap, p.Reasons = res.Status, res.Objective, res.Bound, res.Gap, res.Reasons
				if res.Status != "infeasible" {
					p.Result = res
				}
			}
			mu.Lock()
			out.Points[k-lo] = p
			mu.Unlock()
			if opt.Point != nil {
				opt.Point(p)
			}
		}(k)
	}
	wg.Wait()
	if firstErr != nil {
		return out, firstErr
	}
	best := math.Inf(1)
	for _, p := range out.Points {
		if p.Result != nil && len(p.Result.Assignments) > 0 && float64(p.Objective) < best {
			best, out.Best, out.BestResult = float64(p.Objective), p.Open, p.Result
		}
	}
	return out, nil
}
