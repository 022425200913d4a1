package policysync

import (
	"context"
	"log/slog"
	"time"
)

// Reloader is the part of *enforcer.Enforcer that Callback drives.
type Reloader interface {
	// Resync reloads from the store, retrying while it is briefly
	// unreachable.
	Resync(ctx context.Context) error
}

// Callback returns an update callback for a watcher that reloads r from the
// store on every announcement, whatever it says: no rule is ever taken from
// a message. A failed reload keeps the previous policy and is logged.
//
// Deprecated: use a Follower, which reads only the change log, coalesces
// hints and polls. Callback is kept for embedders that call it.
func Callback(r Reloader, opts ...Option) func(string) {
	c := config{logger: slog.New(slog.DiscardHandler), readTimeout: 30 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	return func(string) {
		ctx, cancel := context.WithTimeout(context.Background(), c.readTimeout)
		defer cancel()
		if err := r.Resync(ctx); err != nil {
			c.logger.Error("policysync: reload failed; keeping the previous policy", "err", err)
		}
	}
}
