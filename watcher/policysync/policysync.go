package policysync

import (
	"context"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
)

// Target is the part of *enforcer.Enforcer a callback changes.
type Target interface {
	ApplyAdded(rules ...enforcer.Rule) (int, error)
	ApplyRemoved(rules ...enforcer.Rule) (int, error)
	// Resync reloads, retrying while the store is briefly unreachable.
	Resync(ctx context.Context) error
}

// Option configures Callback.
type Option func(*config)

type config struct {
	logger        *slog.Logger
	reloadTimeout time.Duration
}

// WithLogger sets where failed reloads are reported; the default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithReloadTimeout bounds each reload, retries included; the default is 30s.
func WithReloadTimeout(d time.Duration) Option { return func(c *config) { c.reloadTimeout = d } }

// Callback returns an update callback for a watcher that keeps t in step with
// the other instances. A failed reload keeps t's previous policy and is
// logged: decisions go on from the last good policy.
func Callback(t Target, opts ...Option) func(string) {
	c := config{logger: slog.New(slog.DiscardHandler), reloadTimeout: 30 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	return func(payload string) {
		m, err := watcher.Decode(payload)
		if err != nil {
			c.reload(t, "undecodable message", err)
			return
		}
		var apply func(...enforcer.Rule) (int, error)
		switch m.Op {
		case watcher.OpAdd:
			apply = t.ApplyAdded
		case watcher.OpRemove:
			apply = t.ApplyRemoved
		default: // reload, save, update, remove_filtered: no single-rule form
			c.reload(t, string(m.Op), nil)
			return
		}
		rules := make([]enforcer.Rule, len(m.Rules))
		for i, r := range m.Rules {
			rules[i] = enforcer.Rule{PType: m.PType, Values: r}
		}
		if _, err := apply(rules...); err != nil {
			c.reload(t, "apply "+string(m.Op)+" failed", err)
		}
	}
}

func (c config) reload(t Target, why string, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.reloadTimeout)
	defer cancel()
	if err := t.Resync(ctx); err != nil {
		c.logger.Error("policysync: reload failed; keeping the previous policy", "why", why, "cause", cause, "err", err)
	}
}
