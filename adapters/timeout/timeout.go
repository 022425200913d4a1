package timeout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// ErrTimeout is returned (wrapped, together with context.DeadlineExceeded)
// when a fetch takes longer than its bound.
var ErrTimeout = errors.New("timeout: provider did not answer in time")

type result struct {
	list []string
	err  error
}

// Wrap returns p with each fetch bounded by d. The fetch gets a context
// that ends after d; if it does not return by then, Wrap returns at once and
// leaves it to finish in the background, so even a provider that ignores its
// context cannot hold the request. A panic in p is returned as an error
// wrapping adapters.ErrProviderPanic. A d <= 0 returns p unchanged.
func Wrap(p warden.Provider, d time.Duration) warden.Provider {
	if d <= 0 {
		return p
	}
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
	})
}
