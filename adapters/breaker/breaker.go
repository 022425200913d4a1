package breaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/internal/option"
)

// ErrOpen is wrapped by the error of a fetch that the breaker refused
// because it is open (or half-open with its trial fetches in flight).
var ErrOpen = warden.NewError(warden.ErrUnavailable, "breaker: circuit open")

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
	observe     func(Event)
	logger      *slog.Logger
	failureIf   func(error) bool
}

// Option configures a Breaker. An option given a value it cannot use makes
// Wrap fail with an error matching warden.ErrInvalid.
type Option func(*config) error

// WithName names the breaker in errors and events.
func WithName(name string) Option { return func(c *config) error { c.name = name; return nil } }

// WithFailures sets how many consecutive failures open the breaker
// (DefaultFailures if not given). n must be positive.
func WithFailures(n uint32) Option {
	return func(c *config) error { c.failures = n; return option.Positive("breaker: failures", n) }
}

// WithOpenTimeout sets how long the breaker stays open before it lets a
// trial fetch through (DefaultOpenTimeout if not given). d must be
// positive.
func WithOpenTimeout(d time.Duration) Option {
	return func(c *config) error { c.openTimeout = d; return option.Positive("breaker: open timeout", d) }
}

// WithTrials sets how many fetches may run while half-open (1 if not
// given); all of them must succeed to close the breaker. n must be
// positive.
func WithTrials(n uint32) Option {
	return func(c *config) error { c.trials = n; return option.Positive("breaker: trials", n) }
}

// WithFallback makes an open breaker answer with list instead of failing.
// Use it only for a list that is safe to grant to every caller (for
// example an empty list, or a read-only group): it replaces the source for
// everyone while the breaker is open.
func WithFallback(list []string) Option {
	return func(c *config) error {
		c.fallback, c.hasFallback = slices.Clone(list), true
		return nil
	}
}

// WithFailureIf sets which errors count against the source's health. By
// default every error does; an error for which f returns false (say, an
// HTTP 404: the source answered) is passed through but counts as a success.
func WithFailureIf(f func(error) bool) Option {
	return func(c *config) error {
		c.failureIf = f
		return option.Given("breaker: WithFailureIf function", f != nil)
	}
}

// Event is a change of a breaker's state, as WithObserver's function
// learns it.
type Event struct {
	// Name is the breaker's (WithName).
	Name string
	// From and To are the states before and after the change.
	From, To State
}

// WithObserver makes the breaker tell f about every change of its state,
// for logs and metrics. f runs in the goroutine of the fetch that caused
// the change, while the breaker holds its lock: it must be quick and must
// not call the breaker. A panic in f is recovered and logged
// (adapters.RecoverObserver, on WithLogger's logger) and the fetch goes on
// as if f had returned: f is told of a change the breaker has already made
// (its state and counts are set before f runs), so nothing the fetch
// returns depends on f, and a decision must not depend on telemetry. Left
// unrecovered, the panic would leave the fetch with no answer (a failed
// request, or a crashed process where the breaker runs in a goroutine of
// its own, under package timeout) even when the source answered.
func WithObserver(f func(Event)) Option {
	return func(c *config) error { c.observe = f; return option.Given("breaker: observer", f != nil) }
}

// WithLogger sets where a panic of the observer is logged (slog.Default()
// if not given).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return option.Given("breaker: logger", l != nil) }
}

// Breaker is a circuit breaker around a warden.Provider, and a
// warden.Provider itself. It is safe for concurrent use.
type Breaker struct {
	p   warden.Provider
	cb  *gobreaker.CircuitBreaker[[]string]
	cfg config
}

// Wrap returns a closed Breaker around p. It fails, with an error matching
// warden.ErrInvalid, for a nil p or a bad option.
func Wrap(p warden.Provider, opts ...Option) (*Breaker, error) {
	if err := option.Given("breaker: provider", p != nil); err != nil {
		return nil, err
	}
	c := config{failures: DefaultFailures, openTimeout: DefaultOpenTimeout, trials: 1}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	st := gobreaker.Settings{
		Name:        c.name,
		MaxRequests: c.trials,
		Timeout:     c.openTimeout,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= c.failures
		},
		// A caller that gave up says nothing about the source's health,
		// nor does a token the source cannot answer for, nor any error of
		// kind warden.ErrInvalid (the caller's own data, such as an
		// identity the source refuses: httpapi's "..", sqlstore's 501
		// characters): request data must not open a breaker that every
		// caller shares.
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled) || errors.Is(err, adapters.ErrNoIdentity) ||
				errors.Is(err, adapters.ErrPerToken) || errors.Is(err, warden.ErrInvalid)
		},
	}
	if c.failureIf != nil {
		st.IsSuccessful = func(err error) bool { return err == nil || !c.failureIf(err) }
	}
	if c.observe != nil {
		observe := adapters.RecoverObserver("breaker "+c.name, c.observe, c.logger)
		st.OnStateChange = func(name string, from, to gobreaker.State) {
			observe(Event{Name: name, From: fromGobreaker(from), To: fromGobreaker(to)})
		}
	}
	// gobreaker counts a panic as a failure and then re-panics in the
	// caller's goroutine; as an error it counts the same and denies.
	return &Breaker{p: adapters.Recover(p), cb: gobreaker.NewCircuitBreaker[[]string](st), cfg: c}, nil
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
