package watcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2/persist"
)

// Compile-time proof that a Watcher plugs into every Casbin watcher slot.
var (
	_ persist.Watcher          = (*Watcher)(nil)
	_ persist.WatcherEx        = (*Watcher)(nil)
	_ persist.UpdatableWatcher = (*Watcher)(nil)
)

// Watcher announces local policy changes to other instances and hands their
// announcements to an update callback. It is safe for concurrent use.
type Watcher struct {
	cfg       config
	transport Transport

	mu       sync.RWMutex
	callback func(string)
	subs     []subscription // Subscribe's, in order
	nextSub  uint64

	ctx    context.Context // lives until Close
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	lastDelay time.Duration // backoff before the latest attempt; run's goroutine only
	up        atomic.Bool   // the subscription is believed alive

	published, publishFailures, received, ignored, malformed, reconnects atomic.Uint64
}

// New subscribes to the configured channel through t and starts receiving in
// a background goroutine. ctx bounds only the first subscription; the
// background work lives until Close. If the first subscription fails the
// error wraps [ErrUnavailable] and t is left open for the caller to close.
func New(ctx context.Context, t Transport, opts ...Option) (*Watcher, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errors.New("watcher: New: transport is nil")
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	sub, err := t.Subscribe(sctx, cfg.channel)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("watcher: subscribe to channel %q: %w: %w", cfg.channel, ErrUnavailable, err)
	}
	w := &Watcher{cfg: cfg, transport: t, done: make(chan struct{})}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.up.Store(true)
	go w.run(sub)
	return w, nil
}

// InstanceID returns the id this watcher stamps on its messages.
func (w *Watcher) InstanceID() string { return w.cfg.instance }

// Channel returns the channel this watcher publishes and listens on.
func (w *Watcher) Channel() string { return w.cfg.channel }

// Connected reports whether the subscription is up. It turns false as soon
// as a receive fails (a reset, a killed connection: at once) or a liveness
// check does (a silently dropped connection: within the health interval
// plus the timeout), before the EventDisconnected observation, and true
// again when a new subscription is active. While it is false, hints are
// missed, and only a poll of the store keeps the instance in step.
func (w *Watcher) Connected() bool { return w.up.Load() && w.ctx.Err() == nil }

// SetUpdateCallback sets the function receiving a [Hint] payload for every
// announcement from another instance, for every payload that is not a hint,
// and after a reconnection (the last two with revision 0). The payload is
// always re-encoded by the watcher ([Hint.String]), never the sender's text.
// Calls are sequential, in arrival order, on the watcher's goroutine: a slow
// callback delays later hints but loses none; it should only schedule a read
// of the store (see watcher/policysync). The callback must not call Close.
func (w *Watcher) SetUpdateCallback(f func(string)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.callback = f
	return nil
}

// Subscribe adds f to the functions receiving what SetUpdateCallback's
// receives, after it, in the order of subscription, each on its own
// (a panic in one is recovered and reported, as the callback's is, and the
// others still run). cancel removes f; it is idempotent.
//
// SetUpdateCallback has Casbin's meaning, one callback that a later call
// replaces, which is what persist.Watcher's users expect. Two enforcers
// that follow through one watcher would each replace the other's; the
// enforcer (SetWatcher) and policysync subscribe instead, when the watcher
// can, so that every one of them hears every hint.
func (w *Watcher) Subscribe(f func(string)) (cancel func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nextSub++
	id := w.nextSub
	w.subs = append(w.subs, subscription{id: id, f: f})
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.subs = slices.DeleteFunc(slices.Clone(w.subs), func(s subscription) bool { return s.id == id })
		})
	}
}

// subscription is one function of Subscribe.
type subscription struct {
	id uint64
	f  func(string)
}

// Close stops the background goroutine, closes the subscription and the
// transport, and returns once the callback can no longer be called. It is
// idempotent.
func (w *Watcher) Close() {
	w.once.Do(func() {
		w.cancel()
		<-w.done
		if err := w.transport.Close(); err != nil {
			w.cfg.logger.Warn("watcher: close transport", "channel", w.cfg.channel, "err", err)
		}
	})
}

// Done is closed when the background goroutine has stopped (after Close).
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Stats returns a snapshot of the running counters.
func (w *Watcher) Stats() Stats {
	return Stats{
		Published:       w.published.Load(),
		PublishFailures: w.publishFailures.Load(),
		Received:        w.received.Load(),
		Ignored:         w.ignored.Load(),
		Malformed:       w.malformed.Load(),
		Reconnects:      w.reconnects.Load(),
	}
}

// observe reports ev. A panicking observer (metrics code) must not take the
// subscription down with it: the observer is recovered
// (adapters.RecoverObserver, in newConfig), as the cache's and the
// breaker's are.
func (w *Watcher) observe(ev Event) {
	ev.Channel = w.cfg.channel
	w.cfg.observer(ev)
}
