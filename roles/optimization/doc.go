// Package optimization is the network-design model of networx (docs/models.md): facility
// location over one or several years, with fixed or rolling leases, capacities, open-count
// bounds, mandatory sites, a service radius with a required share of demand and optional
// single sourcing, built on package solver.
//
// The input is a typed Network, independent of any file format (Load reads one from a
// folder of canonical CSV files or a workbook). Optimize validates it, resolves the
// transport cost of every lane (explicit lanes, then rates fitted from the shipment
// history, then a per-unit-mile setting), builds and solves the MIP and returns a Result:
// the optimality certificate (status, objective, bound, gap), the input hash and the solver
// settings that reproduce the run, open facilities by year, assignments, facility metrics,
// yearly costs, the modeled and invoiced baselines and the savings against both. Sweep
// solves the model for every number of open facilities in a range and reports the cost
// curve. An infeasible input is explained in input terms (which facilities, which demand).
package optimization
