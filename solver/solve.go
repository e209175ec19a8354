package solver

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Solve solves m, an LP or a MIP. It returns when the model is solved, a limit in s is
// reached or ctx is cancelled (then with StatusCancelled and the best solution so far).
// An infeasible or unbounded model gives a Result with that Status and ErrInfeasible or
// ErrUnbounded; an invalid model gives an error wrapping ErrInvalidModel.
func Solve(ctx context.Context, m *Model, s Settings) (*Result, error) {
	start := time.Now()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if s.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.TimeLimit)
		defer cancel()
	}
	if !s.NoStructure {
		if fl := detectFL(m); fl != nil && (s.ForceStructure || len(fl.arcCust) >= flMinSize) {
			if res := solveFL(ctx, m, fl, s, start); res != nil {
				res.Stats.Elapsed = time.Since(start)
				res.Stats.Threads = s.threads()
				return res, nil
			}
		}
	}
	var ps *presolved
	if !s.NoPresolve {
		var why string
		ps, why = presolve(m)
		if why != "" {
			res := &Result{Status: StatusInfeasible, Objective: math.NaN(), Bound: math.NaN(), Gap: math.Inf(1)}
			res.Stats.Elapsed = time.Since(start)
			res.Stats.Threads = s.threads()
			return res, fmt.Errorf("%w: presolve: %s", ErrInfeasible, why)
		}
		m = ps.red
		s.Hooks = ps.wrapHooks(s.Hooks)
	}
	pr := newProblem(m, s)
	var res *Result
	if m.IsMIP() {
		res = solveMIP(ctx, pr, s, start)
	} else {
		res = solveLP(ctx, pr, s, start)
	}
	if ps != nil {
		ps.postsolve(res)
	}
	res.Stats.Method = "lp-bb"
	res.Stats.Elapsed = time.Since(start)
	res.Stats.Threads = s.threads()
	switch res.Status {
	case StatusInfeasible:
		return res, ErrInfeasible
	case StatusUnbounded:
		return res, ErrUnbounded
	}
	if res.Stats.NumericalFailures > 0 && (res.Status == StatusLimit || res.Status == StatusFeasible) {
		// the search could not finish its proof because an LP failed numerically
		return res, ErrNumerical
	}
	return res, nil
}

// problem is the model in the solver's minimization form, split into the rows that start
// in the LP and the pooled rows (lazy rows and, on large models, variable-bound rows).
type problem struct {
	model      *Model
	n          int
	sign       float64 // +1 minimize, -1 maximize (the internal objective is sign * model's)
	cost       []float64
	lo, hi     []float64
	isInt      []bool
	rows       []lpRow // rows that start in the LP
	rowOf      []int   // model row of each LP row (grows as pooled rows enter)
	pool       []poolRow
	infeasible string // set when a trivial check already proves infeasibility
	nInt       int
}

func newProblem(m *Model, s Settings) *problem {
	n := len(m.Cols)
	pr := &problem{model: m, n: n, sign: 1}
	if m.Sense == Maximize {
		pr.sign = -1
	}
	pr.cost = make([]float64, n)
	pr.lo = make([]float64, n)
	pr.hi = make([]float64, n)
	pr.isInt = make([]bool, n)
	for j, c := range m.Cols {
		pr.cost[j] = pr.sign * c.Obj
		pr.lo[j], pr.hi[j] = c.Lo, c.Hi
		if c.Integer {
			pr.isInt[j] = true
			pr.nInt++
			pr.lo[j] = math.Ceil(c.Lo - intTol)
			pr.hi[j] = math.Floor(c.Hi + intTol)
			if pr.lo[j] > pr.hi[j] {
				pr.infeasible = fmt.Sprintf("integer column %s has no integer in [%v, %v]", c.Name, c.Lo, c.Hi)
			}
		}
	}
	autoPool := countVUB(m, pr.isInt) >= vubPoolMinRows
	for i, r := range m.Rows {
		if len(r.Ind) == 0 {
			if r.Lo > rowFeasTol || r.Hi < -rowFeasTol {
				pr.infeasible = fmt.Sprintf("empty row %s requires %v <= 0 <= %v", r.Name, r.Lo, r.Hi)
			}
			continue
		}
		if math.IsInf(r.Lo, -1) && math.IsInf(r.Hi, 1) {
			continue // free row
		}
		lr := lpRow{ind: r.Ind, val: r.Val, lo: r.Lo, hi: r.Hi}
		if r.Lazy || (autoPool && isVUB(r, pr.isInt)) {
			pr.pool = append(pr.pool, poolRow{row: lr, model: i, lazy: r.Lazy})
			continue
		}
		pr.rows = append(pr.rows, lr)
		pr.rowOf = append(pr.rowOf, i)
	}
	return pr
}

// modelObjective returns the model's objective of x (model units, sense, offset).
func (pr *problem) modelObjective(x []float64) float64 {
	v := pr.model.ObjOffset
	for j, c := range pr.model.Cols {
		v += c.Obj * x[j]
	}
	return v
}

// toModel converts an internal (minimization) objective value to the model's sense.
func (pr *problem) toModel(v float64) float64 {
	return pr.sign*v + pr.model.ObjOffset
}

// unscaledX writes the structural values of the LP in model units into x.
func unscaledX(p *lp, x []float64) {
	for j := 0; j < p.n; j++ {
		x[j] = p.x[j] * p.colScale[j]
	}
}

// solveLP solves a model without integer columns.
func solveLP(ctx context.Context, pr *problem, s Settings, start time.Time) *Result {
	res := &Result{Objective: math.NaN(), Bound: math.NaN(), Gap: math.Inf(1)}
	if pr.infeasible != "" {
		res.Status = StatusInfeasible
		return res
	}
	p := newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
	if useSifting(pr.n, len(pr.rows)) {
		p.enableSifting(nil, 0, 0)
	}
	pool := newPool(pr)
	x := make([]float64, pr.n)
	for {
		st := p.solve(ctx, solveOpts{})
		res.Stats.LPIterations = p.iters
		switch st {
		case lpInfeasible:
			res.Status = StatusInfeasible
			return res
		case lpUnbounded:
			// the ray keeps the LP's rows (checked by the simplex); it must keep the pooled ones
			if add := pool.rayViolations(p.primalRay(), maxPoolAddLP); len(add) > 0 {
				pool.addTo(p, pr, add)
				res.Stats.LazyRows += len(add)
				continue
			}
			res.Status = StatusUnbounded
			return res
		case lpCancelled:
			res.Status = StatusCancelled
			return res
		case lpIterLimit:
			res.Status = StatusLimit
			return res
		case lpNumerical:
			res.Status = StatusLimit
			res.Stats.NumericalFailures++
			return res
		}
		unscaledX(p, x)
		if add := pool.separate(x, maxPoolAddLP); len(add) > 0 {
			pool.addTo(p, pr, add)
			res.Stats.LazyRows += len(add)
			continue
		}
		break
	}
	res.Status = StatusOptimal
	if p.sift != nil {
		res.Stats.SiftColumns = p.sift.added
	}
	res.X = x
	res.Objective = pr.modelObjective(x)
	res.Bound = res.Objective
	res.Gap = 0
	// duals and reduced costs in the model's sense
	p.computeDual()
	res.Duals = make([]float64, len(pr.model.Rows))
	for i := 0; i < p.m; i++ {
		res.Duals[pr.rowOf[i]] = pr.sign * p.rho[i] * p.rowScale[i]
	}
	res.ReducedCosts = make([]float64, pr.n)
	for j := 0; j < pr.n; j++ {
		res.ReducedCosts[j] = pr.sign * p.d[j] / p.colScale[j]
	}
	if s.Progress != nil {
		s.Progress(Progress{LPIterations: p.iters, HasIncumbent: true, Incumbent: res.Objective,
			Bound: res.Bound, Elapsed: time.Since(start)})
	}
	return res
}
