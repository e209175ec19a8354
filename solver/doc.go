// Package solver is networx's mixed-integer linear programming engine: a bounded dual
// simplex over a sparse LU-factored basis, and branch and bound on top of it. It imports
// only the standard library and gonum (tests only); it does no I/O and keeps no globals.
//
// # Use
//
// Build a Model (AddCol, AddBinary, AddRow, AddLazyRow) and call Solve with a context and
// Settings (the zero value gives defaults: RelGap 1e-4, AbsGap 1e-6, no limits). The
// Result carries Status, Objective and Bound in the model's own sense, Gap =
// |Objective-Bound| / max(1e-10, |Objective|), the incumbent X, and for pure LPs the duals
// and reduced costs. Cancelling the context stops the search within a few simplex
// iterations (the simplex loops poll it every 16 iterations) with StatusCancelled and the
// incumbent.
//
// # LP engine (lp.go, lu.go, simplex.go, scaling.go)
//
// Rows become equations A x - r = 0 with one bounded row-activity column r_i each, so ranged
// rows, equalities and free rows need no cases. The matrix is scaled by powers of two
// (geometric passes, then column equilibration). The basis is factored by Markowitz LU with
// threshold pivoting (singletons first, then the sparsest columns found through count
// buckets) and updated by a product-form eta file, refactored after 100 updates, when the
// work spent in the eta file exceeds the cost of a refactorization (dense inverses, long
// etas), or when the pivot computed by row and by column disagree. The pivot row is
// computed row-wise over the nonzeros of rho, or column-wise when rho is dense. The dual
// simplex uses dual steepest-edge pricing, a bound-flipping ratio test with Harris'
// tolerance (candidates taken off a heap, so long pivot rows cost little), cost shifting
// against degeneracy-driven sign errors, and artificial boxes as phase 1 for variables
// without the bound their reduced cost needs; the primal simplex then removes shifts and
// boxes and detects unboundedness. All tolerances are named constants in simplex.go.
//
// Verdicts are verified before they are reported (simplex.go, ray.go). The primal simplex
// only runs from a primal feasible basis (within primalLostTol) and stops when a
// refactorization shows the basis has drifted out of it; its Harris ratio test treats a
// basic variable that is slightly outside its bound as on it, so no step can skip it. An
// unbounded verdict must come with a ray that keeps every bound and every LP row and
// strictly improves the objective (verifyPrimalRay, in model units); the caller also
// checks it against the pooled rows and adds those it violates. An infeasible verdict
// must survive dualRayProves: moving every nonbasic variable to the bound that helps the
// leaving row most (artificial boxes removed) still leaves it violated. A round without a
// verified verdict is repeated after a refactorization; after four such rounds the LP
// restarts once from the slack basis with the original costs, and if that fails too it reports
// lpNumerical: at the root Solve returns StatusLimit and ErrNumerical, at a node the node
// is dropped but its bound is kept in Result.Bound (Stats.NumericalFailures counts them),
// so no status is ever a guess. (A multi-year facility-location model was once reported
// unbounded: drift had left a basic variable 1e-6 outside its bound, the old ratio test's
// negative Harris bound let nothing block, and an entering row activity became a "ray".)
//
// # Sifting (sifting.go)
//
// LPs with at least 5000 columns and 4 times more columns than rows are solved over a
// working set of columns: the negative-cost and unbounded-below columns, integer columns,
// and each row's 6 columns of smallest cost/|a_ij|. After each restricted optimum one pricing
// pass over the matrix activates the most negative reduced-cost columns (at most
// max(m, 500)) and the primal simplex continues warm. Cutoffs are accepted only when the
// Lagrangian bound of the full LP passes them, infeasibility only when no inactive column
// blocks the dual ray. The working set persists across branch-and-bound nodes. It is
// generic: nothing depends on the model's structure.
//
// # Presolve (presolve.go)
//
// Empty rows, fixed columns and (on MIPs) singleton rows are removed, integer bounds are
// tightened from row activities, and duplicate rows (parallel live coefficient vectors,
// found by hashing rows normalized by their first coefficient; presolve_dup.go) are merged
// into the first one, intersecting their ranges with the scale's sign handled
// (Stats.PresolveDuplicateRows). Postsolve restores the columns and the LP duals; a merged
// row's dual goes to the original row that supplies its active limit, divided by that row's
// scale, and the others of its group get 0. Singleton columns are not substituted out.
// Settings.NoPresolve switches it off.
//
// # Branch and bound (branch.go, heuristics.go, lazy.go)
//
// At the root, knapsack cover cuts (cuts.go) are separated from every side of every LP row
// over binary columns (negative coefficients complemented): a greedy minimal cover on
// (1-x*_j)/a_j, extended by the items at least as heavy as its heaviest. Violated cuts
// (at most 200 a round, 5 rounds, stopping when the bound stalls) become ordinary LP rows
// for the whole search, the LP re-solved warm after each round; Stats.Cuts counts them and
// Stats.RootBound is the bound after them. Settings.NoCuts switches them off.
//
// Best-bound node selection with plunging (depth-first dives into one child, stopped when
// the node's bound is far from the best bound); children warm start from the parent's basis.
// Branching uses pseudocosts, initialised by strong branching (8 candidates, 40 dual
// iterations each) for columns without history. Heuristics: rounding of every node's LP
// solution (nearest and up) checked against the model, a fractional dive at the root,
// RINS (rins.go: integer columns whose LP value equals the incumbent's are fixed and the
// rest solved by a recursive Solve with a 200-node limit and the incumbent as start, at the
// root and then every 100 nodes, the interval doubling after each failure, at most 20
// calls; Stats.RINSCalls/RINSImprovements; Settings.NoRINS) and Hooks.Heuristic. A node
// whose branching bounds contradict the global bounds tightened since it was created is
// pruned without an LP. Reduced-cost fixing tightens global bounds with the root duals whenever
// the incumbent improves. Lazy rows, and on models with at least 1000 of them the rows of
// variable-bound shape a*x - b*y <= 0 (the x_ij <= y_i rows of facility location), live in
// a pool and enter the LP when an LP solution violates them.
//
// # Facility location (fl_detect.go, fl_lagr.go, fl_cluster.go, fl_transport.go,
// fl_search.go, netsimplex.go)
//
// Solve first looks for capacitated facility location in the model, by the shape of its
// rows alone (names play no part): customer equalities sum_i a_ij x_ij = b_j over continuous
// x; capacity rows sum_j e_ij x_ij <= s y_i with one binary y_i each (or the >= mirror),
// several per facility over disjoint x (one per year of a multi-year model), whose weights
// e_ij b_j / a_ij agree across facilities; optional variable-bound rows x_ij <= u y_i (lazy
// or not); cardinality rows (equal positive coefficients over facilities); side rows over
// x only (a service share); facility rows over y's and auxiliary continuous columns that
// no x enters (lease rules); columns in no row; nothing else. The fraction form of orlib,
// the flow form (x_ij the quantity) and the network models of roles/optimization (single
// period, fixed lease, rolling lease) all qualify. Customers fall into components (the
// classes joined by capacity and side rows: the years). Detected models with at least
// flMinSize arcs (10000; ForceStructure: any size; NoStructure: never) are solved by
// branch and bound on the y with a Lagrangian bound: the customer rows and the side rows
// are relaxed, each capacity group of an open facility is a continuous knapsack over its
// arcs of negative reduced cost (found by scanning each customer's arcs by cost, solved by
// a weighted quickselect, not a sort), and the facilities are chosen under the aggregate
// capacity constraint sum_i s_i y_i >= D of the hardest component (exactly for equal
// capacities, by its LP relaxation otherwise) and the cardinality bounds (the LP of both,
// through its dual in the cover's multiplier). With facility rows or cardinality rows over
// some facilities (fl_cluster.go) the facilities joined by facility rows form clusters whose
// open patterns are enumerated with the cost of their auxiliary columns (a small LP each);
// the cardinality rows and every component's cover are then relaxed as well and each
// cluster takes its cheapest pattern. Every bound is exact for the multipliers used, so it
// is valid whatever they are. Multipliers follow a subgradient method with Polyak steps
// towards the incumbent and step halving, warm started from the parent node; penalty
// tests fix y's at every node, the branching facility maximises its smaller child bound,
// and nodes are taken best bound first. Open sets are evaluated exactly, component by
// component: by a transportation problem (a network simplex started from a regret greedy
// flow on the 5 cheapest arcs per customer, the other arcs priced in); with one side row
// by a search over its Lagrangian multiplier that jumps to the breakpoint of the two
// bracketing flows and combines them (fl_transport.go); otherwise by the general LP on the
// open facilities' arcs. The Lagrangian solutions are repaired (cardinality, covers, side
// rows out of reach) into open sets, and the root's best is improved by a drop/add/swap
// local search (pattern changes for clusters). The incumbent is mapped back to every column
// and checked against every row, lazy rows included; if that fails, or the path finds no
// solution, the general path runs. Stats.Method says which path ran ("lagrangian-fl" or
// "lp-bb"). It proves the twelve capa/capb/capc instances (100x1000) optimal at the
// default gap in 0.7 to 5.4 CPU seconds each (bench/solver-capacities.sh), and the
// 150-candidate x 900-destination x 5-year network model (688,653 columns, 4,500
// customers, a service share and max_open) to 0.1 % in about 5 s (docs/solver.md). Where
// the Lagrangian bound is weak (small models dominated by fixed costs) the LP-based path's
// branching closes gaps with far fewer nodes, which is one reason for flMinSize.
//
// The facility-location path does not use Hooks.Heuristic (it has no LP solutions); it
// evaluates the facilities that Hooks.Start opens before its search.
//
// # Threads and determinism
//
// The tree search runs on one goroutine; a run is deterministic for a given model and
// Settings (Seed and Threads included). Settings.Threads is recorded in Stats but no
// parallel tree search is done yet: the tree search is sequential, so runs are deterministic.
//
// The facility-location path's search is sequential and deterministic too; with Threads > 1
// and at least 20000 arcs per thread, the facility knapsacks of each Lagrangian evaluation
// are split over Threads goroutines in fixed contiguous chunks, which gives bit-identical
// results for any Threads.
//
// Not implemented yet: cover cuts below the root and lifted covers beyond the extended
// cover, singleton-column substitution in presolve, a Forrest-Tomlin update (the PFI eta file is what makes iterations on the 100x1000
// OR-Library instances expensive: their basis inverses are dense, every eta holds
// thousands of entries), hypersparse FTRAN/BTRAN. On capa/capb/capc (100100 columns) the
// general path's root LP, which needs several thousand x_ij <= y_i rows from the pool and
// tens of thousands of dual iterations, does not finish within a minute (hence the
// facility-location path).
package solver
