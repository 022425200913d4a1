package breaker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// ErrOpen is wrapped by the error of a fetch that the breaker refused
// because it is open (or half-open with its trial fetches in flight).
var ErrOpen = errors.New("breaker: circuit open")

// Defaults used when the matching option is not given.
const (
	DefaultFailures    = 5
	DefaultOpenTimeout = 30 * time.Second
)

// State is the state of a Breaker.
type State int

// The states of a Breaker.
const (
	Closed State = iota
	HalfOpen
	Open
)

// String returns "closed", "half-open" or "open".
func (s State) String() string {
	switch s {
	case HalfOpen:
		return "half-open"
	case Open:
		return "open"
	default:
		return "closed"
	}
}

func fromGobreaker(s gobreaker.State) State {
	switch s {
	case gobreaker.StateHalfOpen:
		return HalfOpen
	case gobreaker.StateOpen:
		return Open
	default:
		return Closed
	}
}

type config struct {
	name        string
	failures    uint32
	openTimeout time.Duration
	trials      uint32
	fallback    []string
	hasFallback bool
	onChange    func(name string, from, to State)
	failureIf   func(error) bool
}

// Option configures a Breaker.
type Option func(*config)

// WithName names the breaker in errors and state-change callbacks.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithFailures sets how many consecutive failures open the breaker
// (DefaultFailures if 0).
func WithFailures(n uint32) Option { return func(c *config) { c.failures = n } }

// WithOpenTimeout sets how long the breaker stays open before it lets a
// trial fetch through (DefaultOpenTimeout if <= 0).
func WithOpenTimeout(d time.Duration) Option { return func(c *config) { c.openTimeout = d } }

// WithTrials sets how many fetches may run while half-open (1 if 0); all of
// them must succeed to close the breaker.
func WithTrials(n uint32) Option { return func(c *config) { c.trials = n } }

// WithFallback makes an open breaker answer with list instead of failing.
// Use it only for a list that is safe to grant to every caller (for
// example an empty list, or a read-only group): it replaces the source for
// everyone while the breaker is open.
func WithFallback(list []string) Option {
	return func(c *config) { c.fallback, c.hasFallback = slices.Clone(list), true }
}

// WithFailureIf sets which errors count against the source's health. By
// default every error does; an error for which f returns false (say, an
// HTTP 404: the source answered) is passed through but counts as a success.
func WithFailureIf(f func(error) bool) Option { return func(c *config) { c.failureIf = f } }

// WithStateChange calls f on every state change, for logs and metrics.
func WithStateChange(f func(name string, from, to State)) Option {
	return func(c *config) { c.onChange = f }
}

// Breaker is a circuit breaker around a warden.Provider, and a
// warden.Provider itself. It is safe for concurrent use.
type Breaker struct {
	p   warden.Provider
	cb  *gobreaker.CircuitBreaker[[]string]
	cfg config
}

// New returns a closed Breaker around p.
func New(p warden.Provider, opts ...Option) *Breaker {
	c := config{failures: DefaultFailures, openTimeout: DefaultOpenTimeout, trials: 1}
	for _, o := range opts {
		o(&c)
	}
	if c.failures == 0 {
		c.failures = DefaultFailures
	}
	if c.openTimeout <= 0 {
		c.openTimeout = DefaultOpenTimeout
	}
	if c.trials == 0 {
		c.trials = 1
	}
	st := gobreaker.Settings{
		Name:        c.name,
		MaxRequests: c.trials,
		Timeout:     c.openTimeout,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= c.failures
		},
		// A caller that gave up says nothing about the source's health,
		// nor does a token the source cannot answer for: request data must
		// not open a breaker that every caller shares.
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled) || errors.Is(err, adapters.ErrNoIdentity) || errors.Is(err, adapters.ErrPerToken)
		},
	}
	if c.failureIf != nil {
		st.IsSuccessful = func(err error) bool { return err == nil || !c.failureIf(err) }
	}
	if c.onChange != nil {
		st.OnStateChange = func(name string, from, to gobreaker.State) {
			c.onChange(name, fromGobreaker(from), fromGobreaker(to))
		}
	}
	// gobreaker counts a panic as a failure and then re-panics in the
	// caller's goroutine; as an error it counts the same and denies.
	return &Breaker{p: adapters.Recover(p), cb: gobreaker.NewCircuitBreaker[[]string](st), cfg: c}
}

// Fetch calls the wrapped provider unless the breaker is open. A panic in the
// fetch is returned as an error wrapping adapters.ErrProviderPanic and
// counts as a failure.
func (b *Breaker) Fetch(ctx context.Context, tok *warden.Token) ([]string, error) {
	list, err := b.cb.Execute(func() ([]string, error) { return b.p.Fetch(ctx, tok) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		if b.cfg.hasFallback {
			return slices.Clone(b.cfg.fallback), nil
		}
		if b.cfg.name != "" {
			return nil, fmt.Errorf("%w (%s): %w", ErrOpen, b.cfg.name, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

// State returns the breaker's current state.
func (b *Breaker) State() State { return fromGobreaker(b.cb.State()) }
