package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/internal/option"
)

// Defaults used when the matching option is not given.
const (
	DefaultAttempts = 3
	DefaultBase     = 100 * time.Millisecond
	DefaultMax      = 2 * time.Second
)

// ErrPermanent marks an error as not worth retrying; wrap an error with
// Permanent to stop the retry loop at once.
var ErrPermanent = errors.New("retry: permanent error")

type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() []error { return []error{p.err, ErrPermanent} }

// Permanent wraps err so that Retry returns it without another attempt.
// errors.Is(Permanent(err), err) and errors.Is(Permanent(err), ErrPermanent)
// both hold.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

type config struct {
	attempts  int
	base, max time.Duration
	retryIf   func(error) bool

	// sleep waits d or until ctx ends, and randN draws in [0, n); both are
	// replaced in tests (export_test.go) to observe the backoff.
	sleep func(ctx context.Context, d time.Duration) error
	randN func(n time.Duration) time.Duration
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Option configures Wrap. An option given a value it cannot use makes Wrap
// fail with an error matching warden.ErrInvalid.
type Option func(*config) error

// WithAttempts sets the total number of attempts, the first one included
// (DefaultAttempts if not given). n must be at least 1.
func WithAttempts(n int) Option {
	return func(c *config) error { c.attempts = n; return option.Positive("retry: attempts", n) }
}

// WithBackoff sets the delay before the second attempt and the cap on any
// delay (DefaultBase and DefaultMax if not given); base must be positive and
// max at least base. Each further delay doubles, and each is drawn at random
// between half and all of its nominal value so that clients that failed
// together do not retry together.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) error {
		if base <= 0 || max < base {
			return fmt.Errorf("%w: retry: backoff from %v to %v", warden.ErrInvalid, base, max)
		}
		c.base, c.max = base, max
		return nil
	}
}

// WithRetryIf sets which errors are retried. By default every error is,
// except context errors, errors wrapping ErrPermanent and provider panics
// (adapters.ErrProviderPanic: a bug, not a transient failure), which never
// are, whatever f says.
func WithRetryIf(f func(error) bool) Option {
	return func(c *config) error { c.retryIf = f; return option.Given("retry: WithRetryIf function", f != nil) }
}

// Wrap returns p with retries. The last error is returned when all
// attempts fail; when the context ends during a wait, the context's error is
// returned joined with the last upstream error. A panic in p is returned as
// an error wrapping adapters.ErrProviderPanic. An error no attempt can
// change is returned at once, without another: one marked Permanent, a
// panic, an ended context, one of kind warden.ErrInvalid (the caller's own
// data) and adapters.ErrPerToken. Wrap fails, with an error matching
// warden.ErrInvalid, for a nil p or a bad option.
func Wrap(p warden.Provider, opts ...Option) (warden.Provider, error) {
	if err := option.Given("retry: provider", p != nil); err != nil {
		return nil, err
	}
	c := config{attempts: DefaultAttempts, base: DefaultBase, max: DefaultMax,
		sleep: sleep, randN: rand.N[time.Duration]}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	p = adapters.Recover(p)
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		var err error
		for attempt := range c.attempts {
			if attempt > 0 {
				if werr := c.sleep(ctx, c.delay(attempt)); werr != nil {
					return nil, errors.Join(werr, err)
				}
			}
			var list []string
			list, err = p.Fetch(ctx, tok)
			if err == nil {
				return list, nil
			}
			if ctx.Err() != nil {
				return nil, errors.Join(ctx.Err(), err)
			}
			if final(err) || (c.retryIf != nil && !c.retryIf(err)) {
				return nil, err
			}
		}
		return nil, err
	}), nil
}

// final reports whether err would come again on every attempt, so that
// another one only adds load and waiting: marked permanent, a panic, an
// ended context, an error of kind warden.ErrInvalid (the request's own
// data: an identity the source refuses, a token without one, which a
// hostile caller can send on every request), or a per-token source asked
// on behalf of a wrapper that shares answers.
func final(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, adapters.ErrProviderPanic) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, warden.ErrInvalid) || errors.Is(err, adapters.ErrPerToken)
}

// delay returns the jittered wait before the given attempt (1-based retry).
func (c config) delay(attempt int) time.Duration {
	d := c.base
	for i := 1; i < attempt && d < c.max; i++ {
		d *= 2
	}
	d = min(d, c.max)
	half := d / 2
	return half + c.randN(d-half+1)
}
