// Package work wires the job workers: it opens the queue of the configured driver, builds
// the handlers of each queue's job kinds (optimization: solve, optimize, sweep; capacity:
// capacity; files: files), runs a jobs.Worker and serves the worker's admin endpoints
// (/api/health, /metrics).
package work
