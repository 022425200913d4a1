package policysync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
)

// Target is the part of *enforcer.Enforcer a Follower drives.
//
// A Target should also have the method
//
//	AttachFollower(follower string, w persist.Watcher) (detach func(), err error)
//
// as *enforcer.Enforcer has, so that the enforcer records its one follower
// and refuses a second (enforcer.ErrSyncAttached): a wrapper of an
// enforcer forwards it (examples/fleet does). New refuses a Target without
// it (ErrNotAttachable) unless WithUnattachedTarget says that is meant: a
// wrapper that did not forward it would otherwise let SetWatcher, or
// another follower, sync the same enforcer twice without a word.
type Target interface {
	// CatchUp reads the store's change log after the applied revision and
	// applies it (or reloads); it is safe to call concurrently.
	CatchUp(ctx context.Context) error
	// SyncStatus tells the applied revision and the store's.
	SyncStatus() enforcer.SyncStatus
}

// Follower drives one Target from hints and a poll of the store's log.
type Follower struct {
	t    Target
	cfg  config
	kick chan struct{} // capacity 1: the one pending read

	mu          sync.Mutex
	lastOK      time.Time // start of the last successful read
	lastErr     error
	behindSince time.Time // first read that saw the store ahead; zero when not

	reads, hints, skipped atomic.Uint64

	close     func() // stops the hints and detaches from the target
	closeOnce sync.Once
}

// New returns a follower of t; Run starts it.
//
// t must have AttachFollower (see Target), or WithUnattachedTarget must be
// given; else New returns an error matching ErrNotAttachable. With it, the
// follower is the one that follows t: New returns an error matching
// enforcer.ErrSyncAttached if t already has a follower (another Follower,
// or enforcer.SetWatcher) or, with WithWatcher, already announces through
// a watcher. With WithWatcher(w) and a w that is a persist.Watcher, t then
// announces its local changes through w as well, so that
//
//	policysync.New(e, policysync.WithWatcher(w))
//
// connects both directions.
func New(t Target, opts ...Option) (*Follower, error) {
	if t == nil {
		return nil, errors.New("policysync: New: target is nil")
	}
	c := config{interval: DefaultInterval, readTimeout: DefaultReadTimeout, logger: slog.New(slog.DiscardHandler), now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	switch {
	case c.interval <= 0:
		return nil, fmt.Errorf("policysync: option WithInterval: %v is not positive", c.interval)
	case c.maxLag < 0:
		return nil, fmt.Errorf("policysync: option WithMaxLag: %v is negative", c.maxLag)
	case c.readTimeout <= 0:
		return nil, fmt.Errorf("policysync: option WithReadTimeout: %v is not positive", c.readTimeout)
	case c.logger == nil:
		return nil, errors.New("policysync: option WithLogger: logger is nil")
	}
	if c.maxLag == 0 {
		c.maxLag = 3 * c.interval
	}
	f := &Follower{t: t, cfg: c, kick: make(chan struct{}, 1)}
	// The follower is the one that follows t; with a watcher that can
	// announce, t announces its own changes through it too.
	detach := func() {}
	a, ok := t.(attacher)
	if !ok && !c.unattached {
		return nil, fmt.Errorf("%w: %T; forward *enforcer.Enforcer's AttachFollower from it, or pass WithUnattachedTarget if it wraps no enforcer", ErrNotAttachable, t)
	}
	if ok {
		w, _ := c.hints.(persist.Watcher)
		d, err := a.AttachFollower("a policysync.Follower", w)
		if err != nil {
			return nil, fmt.Errorf("policysync: New: %w", err)
		}
		detach = d
	}
	stop := func() {}
	if c.hints != nil {
		var err error
		if stop, err = enforcer.Listen(c.hints, f.onPayload); err != nil {
			detach()
			return nil, fmt.Errorf("policysync: set the watcher's callback: %w", err)
		}
	}
	f.close = func() { stop(); detach() }
	return f, nil
}

// Close detaches the follower: its hints stop (with a watcher that can
// stop them, such as Warden's), and the enforcer it followed is free for
// another follower (policysync.New, SetWatcher) and announces through no
// watcher. A Run still going polls the store until its context is
// cancelled: cancel it too. Close is idempotent.
func (f *Follower) Close() { f.closeOnce.Do(f.close) }

// attacher is the optional part of a Target that records who follows it
// and what it announces through (*enforcer.Enforcer).
type attacher interface {
	AttachFollower(follower string, w persist.Watcher) (detach func(), err error)
}

// Interval is the poll interval.
func (f *Follower) Interval() time.Duration { return f.cfg.interval }

// MaxLag is the staleness beyond which Ready fails.
func (f *Follower) MaxLag() time.Duration { return f.cfg.maxLag }

// onPayload is the watcher callback. It never blocks the watcher: it only
// schedules a read.
func (f *Follower) onPayload(payload string) {
	h, err := watcher.DecodeHint(payload)
	if err != nil {
		h = watcher.Hint{} // a foreign watcher's payload: read anyway
	}
	f.Hint(h)
}

// Hint schedules a read of the log, unless h names a revision this
// instance has applied already (a replay, or its own change). It never
// blocks: a read already pending absorbs it.
func (f *Follower) Hint(h watcher.Hint) {
	f.hints.Add(1)
	if h.Revision != 0 && h.Revision <= f.t.SyncStatus().Applied {
		f.skipped.Add(1)
		return
	}
	select {
	case f.kick <- struct{}{}:
	default: // a read is pending already; it will see this change too
	}
}

// Run reads the log at once, then on every hint and every interval, until
// ctx ends; it returns ctx's error. Reads are sequential: one in flight at
// most, and one pending.
func (f *Follower) Run(ctx context.Context) error {
	t := time.NewTicker(f.cfg.interval)
	defer t.Stop()
	for {
		f.read(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-f.kick:
		}
	}
}

// read is one CatchUp, bounded, with its outcome recorded.
func (f *Follower) read(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	start := f.cfg.now()
	rctx, cancel := context.WithTimeout(ctx, f.cfg.readTimeout)
	err := f.t.CatchUp(rctx)
	cancel()
	f.reads.Add(1)
	st := f.t.SyncStatus()
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil && f.lastErr == nil { // log the first failure of a streak
			f.cfg.logger.Warn("policysync: read of the store's log failed; deciding from the last applied revision", "err", err)
		}
		f.lastErr = err
		return
	}
	if f.lastErr != nil {
		f.cfg.logger.Info("policysync: reading the store's log again")
	}
	f.lastErr = nil
	f.lastOK = start
	if st.Head > st.Applied {
		if f.behindSince.IsZero() {
			f.behindSince = start
		}
	} else {
		f.behindSince = time.Time{}
	}
}

// Status is a snapshot of a follower, for metrics and logs.
type Status struct {
	// Applied is the revision of the log applied in memory; Head the
	// store's latest revision as last read.
	Applied, Head uint64
	// LastSync is when the last successful read of the log started (zero
	// before the first): everything committed before it is applied.
	LastSync time.Time
	// Lag is how long ago LastSync was: an upper bound on how stale the
	// instance is. Before the first successful read it is zero and
	// Synced false.
	Lag    time.Duration
	Synced bool
	// Err is the last read's error; nil after a success.
	Err error
	// Watching tells whether hints come from a watcher that knows its
	// subscription, and Subscribed whether that subscription is up.
	Watching, Subscribed bool
	// Reads counts reads of the log; Hints the hints received, of which
	// Skipped named a revision applied already.
	Reads, Hints, Skipped uint64
}

// Status returns a snapshot.
func (f *Follower) Status() Status {
	st := f.t.SyncStatus()
	f.mu.Lock()
	last, err := f.lastOK, f.lastErr
	f.mu.Unlock()
	if st.LastSync.After(last) { // a read the enforcer made itself
		last = st.LastSync
	}
	s := Status{Applied: st.Applied, Head: st.Head, LastSync: last, Err: err, Synced: !last.IsZero(),
		Reads: f.reads.Load(), Hints: f.hints.Load(), Skipped: f.skipped.Load()}
	if s.Synced {
		s.Lag = max(f.cfg.now().Sub(last), 0)
	}
	if c, ok := f.cfg.hints.(connectedHints); ok {
		s.Watching, s.Subscribed = true, c.Connected()
	}
	return s
}

// Ready is a readiness check: it fails with ErrNeverSynced before the first
// successful read, and with ErrStale when the last one is older than the
// maximum lag or the store has been ahead for longer than it.
func (f *Follower) Ready(context.Context) error {
	s := f.Status()
	now := f.cfg.now()
	f.mu.Lock()
	behind := f.behindSince
	f.mu.Unlock()
	switch {
	case !s.Synced:
		return ErrNeverSynced
	case s.Lag > f.cfg.maxLag:
		return fmt.Errorf("%w: last successful read %v ago (%v allowed)", ErrStale, s.Lag.Round(time.Millisecond), f.cfg.maxLag)
	case !behind.IsZero() && now.Sub(behind) > f.cfg.maxLag:
		return fmt.Errorf("%w: store at revision %d, applied %d, for %v", ErrStale, s.Head, s.Applied, now.Sub(behind).Round(time.Millisecond))
	}
	return nil
}

// Subscribed is a readiness check: it fails with ErrSubscriptionDown while
// the watcher's subscription is lost. Without a watcher that can tell, it
// always passes.
func (f *Follower) Subscribed(context.Context) error {
	if s := f.Status(); s.Watching && !s.Subscribed {
		return ErrSubscriptionDown
	}
	return nil
}
