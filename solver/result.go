package solver

import (
	"errors"
	"math"
	"time"
)

// Status is the outcome of a solve.
type Status int

// The statuses a solve can end with.
const (
	// StatusOptimal: a solution was proven optimal within the gap tolerances.
	StatusOptimal Status = iota
	// StatusFeasible: a limit stopped the search with an incumbent; Bound and Gap say how good it is.
	StatusFeasible
	// StatusInfeasible: the model has no feasible solution.
	StatusInfeasible
	// StatusUnbounded: the objective can improve without limit (the LP relaxation is
	// unbounded and, for a MIP, no finite optimum was established).
	StatusUnbounded
	// StatusCancelled: the context was cancelled; X holds the incumbent if there is one.
	StatusCancelled
	// StatusLimit: a time or node limit stopped the search before any solution was found.
	StatusLimit
)

func (s Status) String() string {
	switch s {
	case StatusOptimal:
		return "optimal"
	case StatusFeasible:
		return "feasible"
	case StatusInfeasible:
		return "infeasible"
	case StatusUnbounded:
		return "unbounded"
	case StatusCancelled:
		return "cancelled"
	case StatusLimit:
		return "limit"
	}
	return "unknown"
}

// Sentinel errors. Solve returns a Result together with ErrInfeasible or ErrUnbounded
// (check with errors.Is) when the model has no optimum, so callers that only want an answer
// can test err alone.
//
// ErrNumerical comes with a Result of status StatusLimit (no solution) or StatusFeasible
// (an incumbent whose optimality could not be proven): the simplex failed to reach a
// verified verdict on an LP even after restarting it from scratch. Bound and Gap then
// still hold (the unresolved subproblems keep their parents' bounds).
var (
	ErrInfeasible = errors.New("solver: problem is infeasible")
	ErrUnbounded  = errors.New("solver: problem is unbounded")
	ErrNumerical  = errors.New("solver: numerical difficulties: an LP could not be solved reliably")
)

// Progress is a snapshot of a running solve.
type Progress struct {
	Nodes, LPIterations int64
	HasIncumbent        bool
	Incumbent, Bound    float64 // model's sense
	Gap                 float64 // as Result.Gap; +Inf without incumbent
	Elapsed             time.Duration
}

// Stats describes the work a solve did.
type Stats struct {
	Nodes        int64
	LPIterations int64
	Cuts         int // cutting planes added (covers)
	LazyRows     int // pooled rows (lazy or variable-bound) that entered the LP
	// SiftColumns counts the columns that entered the LP's working set by pricing (sifting
	// on LPs with many more columns than rows, see sifting.go).
	SiftColumns int
	Elapsed     time.Duration
	Threads     int
	// PresolveRemovedRows/Cols count what presolve removed.
	PresolveRemovedRows, PresolveRemovedCols int
	// PresolveDuplicateRows counts the rows presolve removed as duplicates of others
	// (included in PresolveRemovedRows).
	PresolveDuplicateRows int
	// RootBound is the LP bound at the root after cuts (model's sense); on the
	// facility-location path the root's Lagrangian bound.
	RootBound float64
	// Method names the algorithm that produced the result: "lp-bb" (LP-based branch and
	// bound, or the LP alone) or "lagrangian-fl" (the facility-location path, fl_search.go).
	Method string
	// SubgradientIterations counts the Lagrangian dual iterations of the facility-location
	// path.
	SubgradientIterations int64
	// RINSCalls counts the RINS sub-MIPs solved, RINSImprovements those that improved the
	// incumbent (rins.go).
	RINSCalls, RINSImprovements int
	// NumericalFailures counts the LPs (root or nodes) the simplex could not solve to a
	// verified verdict even from scratch; when nonzero and the search could not finish
	// its proof (status limit or feasible), Solve returns ErrNumerical.
	NumericalFailures int
}

// Result is the outcome of Solve.
type Result struct {
	Status Status
	// Objective is the incumbent's objective in the model's sense (ObjOffset included);
	// NaN without an incumbent.
	Objective float64
	// Bound is the proven bound on the optimum in the model's sense (a lower bound for
	// minimization, an upper bound for maximization).
	Bound float64
	// Gap is |Objective-Bound| / max(1e-10, |Objective|); +Inf without an incumbent.
	Gap float64
	// X is the incumbent, one value per model column; nil without one.
	X []float64
	// Duals (one per row) and ReducedCosts (one per column) are set for pure LPs solved to
	// optimality, in the model's sense: for a minimization, the dual of a row at its lower
	// limit is >= 0. Lazy rows that never entered the LP have dual 0.
	Duals, ReducedCosts []float64
	Stats               Stats
}

func gapOf(inc, bound float64) float64 {
	if math.IsNaN(inc) || math.IsInf(inc, 0) {
		return math.Inf(1)
	}
	return math.Abs(inc-bound) / math.Max(1e-10, math.Abs(inc))
}
