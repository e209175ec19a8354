package storage

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	errUnhealthy = errors.New("unhealthy")
	errAnswered  = errors.New("answered with an error")
	errIgnored   = errors.New("ignored")
)

// testClassify maps the three test errors to the three outcomes.
func testClassify(_ context.Context, err error) Outcome {
	switch {
	case err == nil, errors.Is(err, errAnswered):
		return OutcomeSuccess
	case errors.Is(err, errIgnored):
		return OutcomeIgnored
	default:
		return OutcomeFailure
	}
}

func TestBreakerStateMachine(t *testing.T) {
	t.Parallel()
	const (
		threshold = 3
		timeout   = 5 * time.Second
	)
	// A step either advances the clock or makes one call returning err
	// (when admitted); then the state is checked.
	type step struct {
		advance time.Duration
		call    bool
		err     error
		wantErr error // what Execute returns
		want    State
	}
	call := func(err error, want State) step {
		return step{call: true, err: err, wantErr: err, want: want}
	}
	rejected := func(want State) step {
		return step{call: true, err: nil, wantErr: ErrBreakerOpen, want: want}
	}
	wait := func(d time.Duration, want State) step { return step{advance: d, want: want} }
	// tripped opens a closed breaker.
	tripped := []step{
		call(errUnhealthy, StateClosed),
		call(errUnhealthy, StateClosed),
		call(errUnhealthy, StateOpen),
	}

	tests := []struct {
		name        string
		steps       []step
		transitions []State // the "to" state of every OnStateChange call
	}{
		{
			name:  "successes keep it closed",
			steps: []step{call(nil, StateClosed), call(nil, StateClosed)},
		},
		{
			name:        "consecutive failures open it",
			steps:       tripped,
			transitions: []State{StateOpen},
		},
		{
			name: "a success resets the failure run",
			steps: []step{
				call(errUnhealthy, StateClosed), call(errUnhealthy, StateClosed),
				call(nil, StateClosed),
				call(errUnhealthy, StateClosed), call(errUnhealthy, StateClosed),
				call(errUnhealthy, StateOpen),
			},
			transitions: []State{StateOpen},
		},
		{
			name: "errors the database answered with never open it",
			steps: []step{
				call(errAnswered, StateClosed), call(errAnswered, StateClosed),
				call(errAnswered, StateClosed), call(errAnswered, StateClosed),
			},
		},
		{
			name: "an answered error breaks a failure run",
			steps: []step{
				call(errUnhealthy, StateClosed), call(errUnhealthy, StateClosed),
				call(errAnswered, StateClosed),
				call(errUnhealthy, StateClosed), call(errUnhealthy, StateClosed),
			},
		},
		{
			name: "ignored calls neither count nor reset",
			steps: []step{
				call(errUnhealthy, StateClosed), call(errIgnored, StateClosed),
				call(errUnhealthy, StateClosed), call(errIgnored, StateClosed),
				call(errUnhealthy, StateOpen),
			},
			transitions: []State{StateOpen},
		},
		{
			name: "open rejects until the timeout",
			steps: append(slices.Clone(tripped),
				rejected(StateOpen),
				wait(timeout-time.Nanosecond, StateOpen),
				rejected(StateOpen),
				wait(time.Nanosecond, StateHalfOpen),
			),
			transitions: []State{StateOpen, StateHalfOpen},
		},
		{
			name: "probe success closes",
			steps: append(slices.Clone(tripped),
				wait(timeout, StateHalfOpen),
				call(nil, StateClosed),
				call(nil, StateClosed),
			),
			transitions: []State{StateOpen, StateHalfOpen, StateClosed},
		},
		{
			name: "probe answered with an error closes",
			steps: append(slices.Clone(tripped),
				wait(timeout, StateHalfOpen),
				call(errAnswered, StateClosed),
			),
			transitions: []State{StateOpen, StateHalfOpen, StateClosed},
		},
		{
			name: "probe failure re-opens for a full timeout",
			steps: append(slices.Clone(tripped),
				wait(2*timeout, StateHalfOpen),
				call(errUnhealthy, StateOpen),
				rejected(StateOpen),
				wait(timeout-time.Nanosecond, StateOpen),
				wait(time.Nanosecond, StateHalfOpen),
				call(nil, StateClosed),
			),
			transitions: []State{StateOpen, StateHalfOpen, StateOpen, StateHalfOpen, StateClosed},
		},
		{
			name: "ignored probe lets the next caller probe",
			steps: append(slices.Clone(tripped),
				wait(timeout, StateHalfOpen),
				call(errIgnored, StateHalfOpen),
				call(nil, StateClosed),
			),
			transitions: []State{StateOpen, StateHalfOpen, StateClosed},
		},
		{
			name: "closed again counts failures from zero",
			steps: append(slices.Clone(tripped),
				wait(timeout, StateHalfOpen),
				call(nil, StateClosed),
				call(errUnhealthy, StateClosed),
				call(errUnhealthy, StateClosed),
				call(errUnhealthy, StateOpen),
			),
			transitions: []State{StateOpen, StateHalfOpen, StateClosed, StateOpen},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			var transitions []State
			b := NewBreaker(BreakerSettings{
				FailureThreshold: threshold,
				OpenTimeout:      timeout,
				Clock:            clock,
				Classify:         testClassify,
				OnStateChange: func(from, to State) {
					if len(transitions) > 0 && transitions[len(transitions)-1] != from {
						t.Errorf("transition from %s, but the last one went to %s", from, transitions[len(transitions)-1])
					}
					transitions = append(transitions, to)
				},
			})
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				if s.call {
					ran := false
					err := b.Execute(t.Context(), func(context.Context) error {
						ran = true
						return s.err
					})
					if !errors.Is(err, s.wantErr) || (err == nil) != (s.wantErr == nil) {
						t.Fatalf("step %d: Execute = %v, want %v", i, err, s.wantErr)
					}
					if wantRan := !errors.Is(s.wantErr, ErrBreakerOpen); ran != wantRan {
						t.Fatalf("step %d: fn ran = %t, want %t", i, ran, wantRan)
					}
				}
				if got := b.State(); got != s.want {
					t.Fatalf("step %d: state %s, want %s", i, got, s.want)
				}
			}
			if !slices.Equal(transitions, tt.transitions) {
				t.Errorf("transitions %v, want %v", transitions, tt.transitions)
			}
		})
	}
}

func TestBreakerHalfOpenAdmitsOneProbe(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBreaker(BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Second, Clock: clock, Classify: testClassify})
	_ = b.Execute(t.Context(), func(context.Context) error { return errUnhealthy })
	clock.Advance(time.Second)

	probing, release := make(chan struct{}), make(chan struct{})
	probeDone := make(chan error)
	go func() {
		probeDone <- b.Execute(t.Context(), func(context.Context) error {
			close(probing)
			<-release
			return nil
		})
	}()
	<-probing
	// While the probe is in flight every other caller is turned away.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			err := b.Execute(t.Context(), func(context.Context) error {
				t.Error("a second caller got through while the probe was in flight")
				return nil
			})
			if !errors.Is(err, ErrBreakerOpen) {
				t.Errorf("concurrent caller: %v, want ErrBreakerOpen", err)
			}
		})
	}
	wg.Wait()
	if got := b.State(); got != StateHalfOpen {
		t.Fatalf("state during probe %s, want half-open", got)
	}
	close(release)
	if err := <-probeDone; err != nil {
		t.Fatalf("probe: %v", err)
	}
	if got := b.State(); got != StateClosed {
		t.Fatalf("state after probe %s, want closed", got)
	}
}

func TestBreakerIgnoresResultsFromAnEarlierState(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBreaker(BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Second, Clock: clock, Classify: testClassify})

	// A slow call starts while closed...
	started, release := make(chan struct{}), make(chan struct{})
	slowDone := make(chan error)
	go func() {
		slowDone <- b.Execute(t.Context(), func(context.Context) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	// ...the breaker opens meanwhile and turns half-open...
	_ = b.Execute(t.Context(), func(context.Context) error { return errUnhealthy })
	clock.Advance(time.Second)
	if got := b.State(); got != StateHalfOpen {
		t.Fatalf("state %s, want half-open", got)
	}
	// ...and the slow call's success must not close it: it says nothing
	// about the database now.
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	if got := b.State(); got != StateHalfOpen {
		t.Fatalf("state after stale success %s, want half-open", got)
	}
}

func TestBreakerPanicReleasesProbe(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBreaker(BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Second, Clock: clock})
	_ = b.Execute(t.Context(), func(context.Context) error { return errUnhealthy })
	clock.Advance(time.Second)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic was swallowed")
			}
		}()
		_ = b.Execute(t.Context(), func(context.Context) error { panic("boom") })
	}()
	if err := b.Execute(t.Context(), func(context.Context) error { return nil }); err != nil {
		t.Fatalf("probe after a panicking probe: %v", err)
	}
	if got := b.State(); got != StateClosed {
		t.Fatalf("state %s, want closed", got)
	}
}

func TestBreakerDefaults(t *testing.T) {
	t.Parallel()
	b := NewBreaker(BreakerSettings{})
	if b.threshold != DefaultBreakerFailureThreshold || b.openTimeout != DefaultBreakerOpenTimeout {
		t.Fatalf("defaults: threshold %d, open timeout %s", b.threshold, b.openTimeout)
	}
	for range DefaultBreakerFailureThreshold - 1 {
		_ = b.Execute(t.Context(), func(context.Context) error { return errUnhealthy })
	}
	if got := b.State(); got != StateClosed {
		t.Fatalf("state after threshold-1 failures %s, want closed", got)
	}
	_ = b.Execute(t.Context(), func(context.Context) error { return errUnhealthy })
	if got := b.State(); got != StateOpen {
		t.Fatalf("state after threshold failures %s, want open", got)
	}
}
