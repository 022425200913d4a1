package timeout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/internal/option"
)

// ErrTimeout is returned (wrapped, together with context.DeadlineExceeded)
// when a fetch takes longer than its bound.
var ErrTimeout = warden.NewError(warden.ErrUnavailable, "timeout: provider did not answer in time")

// DefaultDuration is the bound of a fetch when WithDuration is not given.
const DefaultDuration = 2 * time.Second

type result struct {
	list []string
	err  error
}

type config struct{ d time.Duration }

// Option configures Wrap. An option given a value it cannot use makes Wrap
// fail with an error matching warden.ErrInvalid.
type Option func(*config) error

// WithDuration sets the bound of each fetch (DefaultDuration if not given).
// d must be positive.
func WithDuration(d time.Duration) Option {
	return func(c *config) error { c.d = d; return option.Positive("timeout: duration", d) }
}

// Wrap returns p with each fetch bounded (by DefaultDuration, or
// WithDuration's). The fetch gets a context that ends at the bound; if it
// does not return by then, Wrap's provider returns at once and leaves it to
// finish in the background, so even a provider that ignores its context
// cannot hold the request. A panic in p is returned as an error wrapping
// adapters.ErrProviderPanic. Wrap fails, with an error matching
// warden.ErrInvalid, for a nil p or a bad option.
func Wrap(p warden.Provider, opts ...Option) (warden.Provider, error) {
	if err := option.Given("timeout: provider", p != nil); err != nil {
		return nil, err
	}
	c := config{d: DefaultDuration}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	d := c.d
	// The fetch runs in a goroutine of its own: a panic there could not be
	// recovered by the caller and would end the process.
	p = adapters.Recover(p)
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		tctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		done := make(chan result, 1) // buffered: a late answer must not block
		go func() {
			list, err := p.Fetch(tctx, tok)
			done <- result{list, err}
		}()
		select {
		case r := <-done:
			if r.err != nil && ctx.Err() == nil && errors.Is(r.err, context.DeadlineExceeded) && tctx.Err() != nil {
				return nil, fmt.Errorf("%w after %s: %w", ErrTimeout, d, r.err)
			}
			return r.list, r.err
		case <-tctx.Done():
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w after %s: %w", ErrTimeout, d, context.DeadlineExceeded)
		}
	}), nil
}
