package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Queue names of networx.
const (
	QueueOptimization = "optimization"
	QueueFiles        = "files"
	QueueCapacity     = "capacity"
)

// ErrMessageLeaseLost means the receipt of a message is no longer valid: its lease expired
// and the message was (or will be) delivered again. It is returned by Extend, Release and
// DeadLetter; Delete with a stale receipt silently does nothing, like SQS.
var ErrMessageLeaseLost = errors.New("jobs: message lease lost")

// Body is the content of a queue message: the job id and kind only. Inputs live in the
// job record, PostgreSQL or the blob store.
type Body struct {
	JobID string `json:"job_id"`
	Kind  string `json:"kind"`
}

func (b Body) encode() (string, error) {
	if b.JobID == "" || b.Kind == "" {
		return "", fmt.Errorf("message body needs job id and kind, got %+v", b)
	}
	p, err := json.Marshal(b)
	return string(p), err
}

func decodeBody(s string) (Body, error) {
	var b Body
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		return Body{}, fmt.Errorf("decode message body: %w", err)
	}
	return b, nil
}

// SendInput is one message to send.
type SendInput struct {
	Body Body
	// Group is the FIFO message group (the tenant): messages of one group are delivered in
	// send order, one at a time. Ignored by standard queues; empty means "default".
	Group string
}

// ReceiveOptions controls one Receive call.
type ReceiveOptions struct {
	// Max is the most messages to return (1-10); zero means 1.
	Max int
	// Wait is how long to wait for a message (long polling, at most 20 s); zero returns at once.
	Wait time.Duration
	// Visibility is the lease: how long the messages stay invisible to other consumers
	// unless extended. Zero means 30 s.
	Visibility time.Duration
}

func (o ReceiveOptions) withDefaults() ReceiveOptions {
	if o.Max <= 0 {
		o.Max = 1
	}
	if o.Max > 10 {
		o.Max = 10
	}
	if o.Wait > 20*time.Second {
		o.Wait = 20 * time.Second
	}
	if o.Visibility <= 0 {
		o.Visibility = 30 * time.Second
	}
	return o
}

// Message is one delivery of a queued message.
type Message struct {
	// ID is the queue's message id.
	ID   string
	Body Body
	// Group is the FIFO group, empty on standard queues.
	Group string
	// ReceiveCount counts the deliveries of this message, this one included.
	ReceiveCount int
	// SentAt is when the message was sent.
	SentAt time.Time
	// Receipt identifies this delivery (SQS receipt handle, Redis lease token).
	Receipt string
}

// QueueStats describes the backlog of a queue.
type QueueStats struct {
	// Visible messages wait for a consumer; InFlight are leased; Delayed become visible later.
	Visible, InFlight, Delayed int64
	// Dead is the number of messages in the dead-letter queue.
	Dead int64
	// OldestAge is the age of the oldest visible message; HasOldestAge is false when the
	// driver cannot tell (SQS reports it only through CloudWatch).
	OldestAge    time.Duration
	HasOldestAge bool
}

// Queue is a reliable, at-least-once message queue with leases. Both drivers (SQSQueue,
// RedisQueue) pass the conformance suite in jobs/queuetest.
type Queue interface {
	// Name returns the logical queue name (optimization, files, capacity).
	Name() string
	// FIFO reports whether the queue keeps send order within a group and deduplicates by
	// job id.
	FIFO() bool
	// Send enqueues a message and returns its id. On a FIFO queue a second send of the same
	// job id within the deduplication window (5 minutes) is accepted and dropped.
	Send(ctx context.Context, in SendInput) (string, error)
	// Receive returns up to opts.Max messages, waiting up to opts.Wait for the first. A
	// message whose receive count would exceed the queue's maximum goes to the dead-letter
	// queue instead of being returned.
	Receive(ctx context.Context, opts ReceiveOptions) ([]*Message, error)
	// Extend resets the lease of m to d from now; ErrMessageLeaseLost when m's delivery is
	// no longer current.
	Extend(ctx context.Context, m *Message, d time.Duration) error
	// Delete acknowledges m. A stale receipt deletes nothing and returns nil.
	Delete(ctx context.Context, m *Message) error
	// Release ends the lease of m and makes it visible again after delay (0: at once).
	Release(ctx context.Context, m *Message, delay time.Duration) error
	// DeadLetter moves m to the dead-letter queue with a reason.
	DeadLetter(ctx context.Context, m *Message, reason string) error
	// Stats returns the backlog.
	Stats(ctx context.Context) (QueueStats, error)
}
