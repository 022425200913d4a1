package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
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

// Option configures Retry.
type Option func(*config)

// WithAttempts sets the total number of attempts, the first one included
// (DefaultAttempts if n < 1).
func WithAttempts(n int) Option { return func(c *config) { c.attempts = n } }

// WithBackoff sets the delay before the second attempt and the cap on any
// delay. Each further delay doubles, and each is drawn at random between
// half and all of its nominal value so that clients that failed together do
// not retry together.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) { c.base, c.max = base, max }
}

// WithRetryIf sets which errors are retried. By default every error is,
// except context errors, errors wrapping ErrPermanent and provider panics
// (adapters.ErrProviderPanic: a bug, not a transient failure), which never
// are.
func WithRetryIf(f func(error) bool) Option { return func(c *config) { c.retryIf = f } }

// Wrap returns p with retries. The last error is returned when all
// attempts fail; when the context ends during a wait, the context's error is
// returned joined with the last upstream error. A panic in p is returned as
// an error wrapping adapters.ErrProviderPanic.
func Wrap(p warden.Provider, opts ...Option) warden.Provider {
	c := config{attempts: DefaultAttempts, base: DefaultBase, max: DefaultMax,
		sleep: sleep, randN: rand.N[time.Duration]}
	for _, o := range opts {
		o(&c)
	}
	if c.attempts < 1 {
		c.attempts = DefaultAttempts
	}
	if c.base <= 0 {
		c.base = DefaultBase
	}
	if c.max < c.base {
		c.max = c.base
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
			if errors.Is(err, ErrPermanent) || errors.Is(err, adapters.ErrProviderPanic) ||
				errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
				(c.retryIf != nil && !c.retryIf(err)) {
				return nil, err
			}
		}
		return nil, err
	})
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
