package policyadmin

import "context"

// WithHooks returns a context under which Apply calls beforeWrite once its
// checks on memory have passed, just before it writes, and inTx inside the
// write's transaction once the guard there has passed: the points the
// concurrency tests synchronise on.
func WithHooks(ctx context.Context, beforeWrite, inTx func()) context.Context {
	return context.WithValue(ctx, hooksKey{}, hooks{beforeWrite: beforeWrite, inTx: inTx})
}
