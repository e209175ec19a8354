package jobs

import "strings"

// DefaultKeyPrefix is the prefix of every Redis key the package writes.
const DefaultKeyPrefix = "networx:"

// Keys builds every Redis key and pub/sub channel name used by this package, in one place,
// like asynq's internal/base. Each key carries a hash tag ({...}) so that in a Redis cluster
// all keys of one job, and all keys of one queue, hash to one slot: the Lua scripts that
// touch several of them at once then stay valid in cluster mode.
type Keys struct {
	prefix string
}

// NewKeys returns the key builder for prefix; an empty prefix means DefaultKeyPrefix.
// Tests use their own prefix to isolate themselves.
func NewKeys(prefix string) Keys {
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	return Keys{prefix: prefix}
}

// Prefix returns the key prefix.
func (k Keys) Prefix() string { return k.prefix }

// Job is the hash holding the record of job id: networx:jobs:{id}.
func (k Keys) Job(id string) string { return k.prefix + "jobs:{" + id + "}" }

// Events is the pub/sub channel of job id, carrying state, progress and cancel events.
func (k Keys) Events(id string) string { return k.prefix + "jobs:{" + id + "}:events" }

// Worker is the pub/sub channel of worker id, on which cancels of its jobs are announced.
func (k Keys) Worker(id string) string { return k.prefix + "workers:" + id }

// Index is the sorted set of job ids scored by creation time (unix ms), used to list jobs.
// It is a separate slot from the jobs and is only written outside Lua scripts.
func (k Keys) Index() string { return k.prefix + "jobs:index" }

// queueKey returns key part of the Redis queue driver's queue name.
func (k Keys) queueKey(queue, part string) string {
	return k.prefix + "queue:{" + queue + "}:" + part
}

// QueueReady is the sorted set of message ids waiting for delivery, scored by the time
// (unix ms) they become visible.
func (k Keys) QueueReady(queue string) string { return k.queueKey(queue, "ready") }

// QueueInflight is the sorted set of delivered message ids scored by lease deadline (unix ms).
func (k Keys) QueueInflight(queue string) string { return k.queueKey(queue, "inflight") }

// QueueMessages is the hash of message bodies and metadata (fields id, id:g, id:r, id:t).
func (k Keys) QueueMessages(queue string) string { return k.queueKey(queue, "msgs") }

// QueueLeases is the hash of message id to the lease token of its current delivery.
func (k Keys) QueueLeases(queue string) string { return k.queueKey(queue, "leases") }

// QueueGroups is the hash of FIFO message group to the message id that holds the group.
func (k Keys) QueueGroups(queue string) string { return k.queueKey(queue, "groups") }

// QueueDead is the list of dead-lettered messages of queue (JSON entries).
func (k Keys) QueueDead(queue string) string { return k.queueKey(queue, "dead") }

// QueueSeq is the counter that numbers messages in send order.
func (k Keys) QueueSeq(queue string) string { return k.queueKey(queue, "seq") }

// QueueNotify is the list consumers block on (BLPOP) to learn of new messages at once.
func (k Keys) QueueNotify(queue string) string { return k.queueKey(queue, "notify") }

// QueueDedup is the key that holds deduplication id dedup for the dedup window.
func (k Keys) QueueDedup(queue, dedup string) string {
	return k.queueKey(queue, "dedup:"+dedup)
}

// validID reports whether s can be used inside a key: non-empty, and without the braces
// that would break the hash tag.
func validID(s string) bool {
	return s != "" && len(s) <= 200 && !strings.ContainsAny(s, "{}\r\n ")
}
