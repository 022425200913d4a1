package retry

import (
	"context"
	"time"
)

// WithTestHooks replaces the wait between attempts and the jitter's random
// draw (which must return a value in [0, n)), so tests can see each delay
// without sleeping.
func WithTestHooks(sleep func(ctx context.Context, d time.Duration) error, randN func(n time.Duration) time.Duration) Option {
	return func(c *config) error {
		if sleep != nil {
			c.sleep = sleep
		}
		if randN != nil {
			c.randN = randN
		}
		return nil
	}
}
