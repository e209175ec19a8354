// Package jobs is the durable job system of networx: job records in Redis with
// compare-and-set state transitions, queues (SQS and Redis drivers behind one Queue
// interface), the worker loop with leases, cancellation, timeouts, retries, dead letters
// and draining, and the PostgreSQL run history of finished jobs.
//
// The record in Redis is the job's live state; the queue message only carries the job id
// and kind and is the delivery. A worker owns a job for one delivery through a lease
// token written into the record when it starts: every later write by that worker carries
// the token, so a worker that lost its lease (the message was delivered to someone else)
// can no longer change the job. Terminal states (succeeded, failed, cancelled) never
// change. See docs/jobs.md for the full semantics.
package jobs
