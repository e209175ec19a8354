package solver

import (
	"runtime"
	"time"
)

// Default values used when a Settings field is zero.
const (
	// DefaultRelGap is the relative gap at which a MIP counts as solved (1e-4 = 0.01 %).
	DefaultRelGap = 1e-4
	// DefaultAbsGap is the absolute gap at which a MIP counts as solved, in objective units;
	// it matters only for objectives near zero, where the relative gap is meaningless.
	DefaultAbsGap = 1e-6
)

// Settings controls a solve. The zero value means defaults everywhere.
type Settings struct {
	// TimeLimit stops the search after this long with the best solution so far; 0 = none.
	TimeLimit time.Duration
	// RelGap is the relative gap |incumbent-bound|/max(1e-10,|incumbent|) at which the
	// search stops with StatusOptimal; 0 = DefaultRelGap.
	RelGap float64
	// AbsGap is the absolute gap |incumbent-bound| at which the search stops with
	// StatusOptimal; 0 = DefaultAbsGap.
	AbsGap float64
	// NodeLimit stops branch and bound after this many nodes; 0 = none.
	NodeLimit int64
	// Threads is the number of threads; 0 = runtime.NumCPU(). The tree search itself runs
	// on one thread so that a run is deterministic; Threads is recorded in Stats and bounds
	// the helper goroutines of the heuristics.
	Threads int
	// Seed seeds the randomized choices (tie breaking in heuristics). Same Seed and Threads
	// give the same result and node count.
	Seed int64
	// Progress, when set, is called at most twice a second during the search and once at
	// the end, on the solving goroutine.
	Progress func(Progress)
	// Hooks lets a model layer contribute structure-specific heuristics.
	Hooks Hooks
	// NoPresolve switches presolve off.
	NoPresolve bool
	// NoCuts switches the knapsack cover cuts at the root off.
	NoCuts bool
	// NoRINS switches the RINS heuristic (relaxation induced neighbourhood search) off.
	NoRINS bool
	// NoStructure switches the structure-exploiting paths off (capacitated facility
	// location is then solved by the general LP-based branch and bound).
	NoStructure bool
	// ForceStructure uses a structure-exploiting path whenever the model has the structure,
	// whatever its size (by default small models take the general path when it is faster).
	// NoStructure takes precedence.
	ForceStructure bool
}

// Hooks are optional callbacks from a model layer that knows the problem's structure.
type Hooks struct {
	// Heuristic receives an LP relaxation solution x (in model column order, model units)
	// and may return a candidate solution (nil for none). The solver checks the candidate's
	// feasibility (bounds, integrality, every row including lazy ones) and objective itself,
	// so a hook cannot corrupt the result. It is called at the root and then now and then
	// during the search, on the solving goroutine; it must not keep x. The
	// facility-location path has no LP solutions and does not call it.
	Heuristic func(x []float64) []float64
	// Start is an optional feasible solution to start from (a MIP start); it is checked
	// like a Heuristic candidate. The facility-location path takes the facilities it opens
	// and evaluates their best assignment before its search.
	Start []float64
}

func (s Settings) relGap() float64 {
	if s.RelGap > 0 {
		return s.RelGap
	}
	return DefaultRelGap
}

func (s Settings) absGap() float64 {
	if s.AbsGap > 0 {
		return s.AbsGap
	}
	return DefaultAbsGap
}

func (s Settings) threads() int {
	if s.Threads > 0 {
		return s.Threads
	}
	return runtime.NumCPU()
}
