package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBreakerOpen is returned, without touching the database, while the
// circuit breaker is open or while its single half-open probe is in flight.
var ErrBreakerOpen = errors.New("database unavailable: circuit breaker open after repeated connection failures; " +
	"check that PostgreSQL is reachable (database url, network, server status); " +
	"calls resume by themselves once a probe succeeds")

// Clock tells the time. Production code passes nil to Open (meaning the
// system clock); tests pass a clock they move by hand.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// State is a circuit breaker state. Its numeric value is the value of the
// networx_db_breaker_state gauge.
type State int

// The breaker states.
const (
	// StateClosed lets every call through and counts consecutive failures.
	StateClosed State = 0
	// StateHalfOpen lets one probe through; its outcome closes or re-opens
	// the breaker.
	StateHalfOpen State = 1
	// StateOpen fails every call with ErrBreakerOpen until OpenTimeout has
	// passed.
	StateOpen State = 2
)

// String returns the lower-case state name used in logs.
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateHalfOpen:
		return "half-open"
	case StateOpen:
		return "open"
	default:
		return fmt.Sprintf("state(%d)", int(s))
	}
}

// Outcome is how a finished call counts toward the breaker.
type Outcome int

// The outcomes a BreakerSettings.Classify function can return.
const (
	// OutcomeSuccess means the dependency answered, even if with an error
	// of the caller's making (a syntax error, a constraint violation).
	OutcomeSuccess Outcome = iota
	// OutcomeFailure means the call suggests the dependency is unhealthy:
	// it could not be reached, the connection broke, it timed out.
	OutcomeFailure
	// OutcomeIgnored means the call says nothing about the dependency's
	// health, e.g. the caller cancelled it.
	OutcomeIgnored
)

// BreakerSettings configures a Breaker. The zero value is usable.
type BreakerSettings struct {
	// FailureThreshold is the number of consecutive failures (calls
	// classified OutcomeFailure, ignored ones not breaking the run) that
	// open the breaker. Default 5.
	FailureThreshold int

	// OpenTimeout is how long the breaker stays open before it turns
	// half-open and lets one probe through. Default 5s.
	OpenTimeout time.Duration

	// Clock tells the time. Default: the system clock.
	Clock Clock

	// Classify maps the context and error of a finished call to its
	// Outcome. The context is the one given to Execute, so a classifier can
	// tell a caller that gave up from a dependency that timed out.
	// Default: nil error is a success, any other a failure.
	Classify func(ctx context.Context, err error) Outcome

	// OnStateChange, if set, is called on every state change, with the
	// breaker's lock held (so calls arrive in order): it must be quick and
	// must not call back into the breaker.
	OnStateChange func(from, to State)
}

// Breaker is a consecutive-failure circuit breaker. Closed, it counts
// consecutive failures and opens at FailureThreshold; open, it rejects every
// call with ErrBreakerOpen for OpenTimeout; then half-open, it lets exactly
// one probe through (concurrent callers are rejected), closing on the
// probe's success and re-opening on its failure. It is safe for concurrent
// use.
type Breaker struct {
	threshold     int
	openTimeout   time.Duration
	clock         Clock
	classify      func(ctx context.Context, err error) Outcome
	onStateChange func(from, to State)

	mu       sync.Mutex
	state    State
	failures int       // consecutive failures while closed
	openedAt time.Time // when the breaker last opened
	probing  bool      // a half-open probe is in flight
	// generation changes on every state change; a call finishing in
	// another generation than it started in is not counted, so a slow call
	// that began before the breaker opened cannot close it.
	generation uint64
}

// NewBreaker returns a closed Breaker configured by s.
func NewBreaker(s BreakerSettings) *Breaker {
	b := &Breaker{
		threshold:     s.FailureThreshold,
		openTimeout:   s.OpenTimeout,
		clock:         s.Clock,
		classify:      s.Classify,
		onStateChange: s.OnStateChange,
	}
	if b.threshold <= 0 {
		b.threshold = DefaultBreakerFailureThreshold
	}
	if b.openTimeout <= 0 {
		b.openTimeout = DefaultBreakerOpenTimeout
	}
	if b.clock == nil {
		b.clock = systemClock{}
	}
	if b.classify == nil {
		b.classify = func(_ context.Context, err error) Outcome {
			if err == nil {
				return OutcomeSuccess
			}
			return OutcomeFailure
		}
	}
	return b
}

// State returns the current state, turning open into half-open once
// OpenTimeout has passed.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.currentState()
}

// Execute runs fn if the breaker lets it through, records its outcome, and
// returns its error; otherwise it returns ErrBreakerOpen without calling fn.
// A panic in fn is recorded as OutcomeIgnored and re-raised.
func (b *Breaker) Execute(ctx context.Context, fn func(ctx context.Context) error) error {
	gen, err := b.allow()
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			b.record(gen, OutcomeIgnored)
		}
	}()
	err = fn(ctx)
	finished = true
	b.record(gen, b.classify(ctx, err))
	return err
}

// allow admits a call or rejects it with ErrBreakerOpen.
func (b *Breaker) allow() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.currentState() {
	case StateOpen:
		return 0, ErrBreakerOpen
	case StateHalfOpen:
		if b.probing {
			return 0, ErrBreakerOpen
		}
		b.probing = true
	}
	return b.generation, nil
}

// record counts the outcome of a call admitted in generation gen.
func (b *Breaker) record(gen uint64, o Outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.generation {
		return
	}
	switch b.state {
	case StateClosed:
		switch o {
		case OutcomeSuccess:
			b.failures = 0
		case OutcomeFailure:
			b.failures++
			if b.failures >= b.threshold {
				b.setState(StateOpen)
			}
		}
	case StateHalfOpen:
		switch o {
		case OutcomeSuccess:
			b.setState(StateClosed)
		case OutcomeFailure:
			b.setState(StateOpen)
		default:
			b.probing = false // the probe told nothing: let the next caller probe
		}
	}
}

// currentState moves open to half-open when due. b.mu must be held.
func (b *Breaker) currentState() State {
	if b.state == StateOpen && !b.clock.Now().Before(b.openedAt.Add(b.openTimeout)) {
		b.setState(StateHalfOpen)
	}
	return b.state
}

// setState changes state and starts a new generation. b.mu must be held.
func (b *Breaker) setState(to State) {
	from := b.state
	if from == to {
		return
	}
	b.state = to
	b.generation++
	b.failures = 0
	b.probing = false
	if to == StateOpen {
		b.openedAt = b.clock.Now()
	}
	if b.onStateChange != nil {
		b.onStateChange(from, to)
	}
}
