package enforcer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/casbin/casbin/v2/persist"
)

// Sync between instances has two directions, each with one owner:
//
//   - announcing: after a local change the enforcer tells the other
//     instances through one watcher (AnnounceThrough; notify and hint use
//     it);
//   - following: something reads the store when another instance
//     announces, or on a timer, and brings this enforcer up to it with
//     CatchUp. That is a policysync.Follower, or, for an embedder that does
//     not use policysync, SetWatcher's callback.
//
// Both are attached once. A second attach is refused (ErrSyncAttached)
// rather than replacing a callback or a watcher behind the first owner's
// back.

// AnnounceThrough makes this enforcer announce its local changes through w.
// With a change log, after each commit it hints the revision
// (AnnounceRevision when w has that method, as Warden's watchers do, else
// Update) unless the store announced it itself; without one, it tells w
// each changed rule when w implements persist.WatcherEx, else calls
// Update. It does not set w's callback and does not reload:
// following the other instances belongs to policysync
// (policysync.WithWatcher calls this for you) or to SetWatcher.
//
// An enforcer announces through one watcher: a second call, or one after
// SetWatcher or policysync.WithWatcher, returns an error matching
// ErrSyncAttached.
func (e *Enforcer) AnnounceThrough(w persist.Watcher) error {
	if w == nil {
		return errors.New("enforcer: AnnounceThrough: watcher is nil")
	}
	_, err := e.attach("", w)
	return err
}

// AttachFollower records that follower (a name for error messages, such as
// "policysync") keeps this enforcer in step with the store, calling CatchUp
// when a hint arrives or a poll is due, and, when w is not nil, makes the
// enforcer announce its local changes through w as AnnounceThrough does.
// It is for packages that follow the store (policysync.New calls it);
// SetWatcher uses it too.
//
// There is one follower and one watcher to announce through: if either is
// taken, nothing is attached and the error matches ErrSyncAttached. detach
// undoes the attachment, for a follower that fails to start.
func (e *Enforcer) AttachFollower(follower string, w persist.Watcher) (detach func(), err error) {
	if follower == "" {
		return nil, errors.New("enforcer: AttachFollower: follower has no name")
	}
	return e.attach(follower, w)
}

// attach takes the follower slot (when follower is not empty) and the
// announcing one (when w is not nil), both or neither.
func (e *Enforcer) attach(follower string, w persist.Watcher) (detach func(), err error) {
	e.watcherMu.Lock()
	defer e.watcherMu.Unlock()
	switch {
	case follower != "" && e.follower != "":
		return nil, fmt.Errorf("%w: %s already follows this enforcer's store, %s cannot", ErrSyncAttached, e.follower, follower)
	case w != nil && e.watcher != nil:
		return nil, fmt.Errorf("%w: this enforcer already announces through a watcher (use one of SetWatcher, AnnounceThrough, policysync.WithWatcher)", ErrSyncAttached)
	}
	if follower != "" {
		e.follower = follower
	}
	if w != nil {
		e.watcher = w
	}
	// Nobody else can take a slot this attach holds, so detach frees them
	// as they are; once, so that a second call cannot free a later owner's.
	return sync.OnceFunc(func() {
		e.watcherMu.Lock()
		defer e.watcherMu.Unlock()
		if follower != "" {
			e.follower = ""
		}
		if w != nil {
			e.watcher = nil
		}
	}), nil
}

// announcer is the watcher local changes are announced through, or nil.
func (e *Enforcer) announcer() persist.Watcher {
	e.watcherMu.Lock()
	defer e.watcherMu.Unlock()
	return e.watcher
}

// SetWatcher connects a watcher both ways, as Casbin's SetWatcher does:
// local changes are announced through it (AnnounceThrough), and its
// messages make this enforcer catch up with the store (CatchUp, retried
// like Resync, bounded by WithReloadTimeout). It is for embedders that do
// not use policysync; a policysync.Follower with policysync.WithWatcher(w)
// does both itself and also polls, so that a lost message delays an
// instance by one interval at most. Attaching both is refused: whichever
// comes second returns an error matching ErrSyncAttached.
//
// The callback is added with Listen: beside others on a watcher that can
// (Warden's, a Subscriber), so that several enforcers in one process can
// follow through one watcher; on any other watcher it replaces the
// callback (Casbin's meaning), so give each enforcer its own. Enforcers
// sharing one watcher do not hear each other's announcements (a watcher
// ignores its own instance's messages): on one store, give each its own
// watcher, or rely on policysync's poll.
//
// It catches up once itself, after the callback is in place, so that a
// change announced between the enforcer's first load and this call is not
// missed; an error means that read failed (the watcher stays connected and
// the policy in force is kept).
//
// With a change log (ChangeLog), after each commit the watcher is given a
// hint that carries no rule: AnnounceRevision(ctx, revision) when it has
// that method, else Update; not at all when the store announced the
// revision itself. A hint that fails is logged, not returned: the other
// instances poll the log. Without a change log, a message makes this
// enforcer reload, whatever the message says; if a change cannot be
// announced, AddRules and RemoveRules return an error matching
// ErrNotAnnounced (the change is stored and in force here), and a watcher
// that implements persist.WatcherEx is told each changed rule.
func (e *Enforcer) SetWatcher(w persist.Watcher) error {
	if w == nil {
		return errors.New("enforcer: SetWatcher: watcher is nil")
	}
	detach, err := e.attach("SetWatcher", w)
	if err != nil {
		return err
	}
	if _, err := Listen(w, func(string) {
		if err := e.catchUpBounded(); err != nil {
			e.opts.logger.Error("warden: reload after watcher message failed; keeping the previous policy", "err", err)
		}
	}); err != nil {
		detach()
		return err
	}
	// Changes announced after this enforcer loaded its policy but before the
	// callback was in place were not applied: catch up once to get them.
	if err := e.catchUpBounded(); err != nil {
		return fmt.Errorf("enforcer: reload after connecting the watcher: %w", err)
	}
	return nil
}

// catchUpBounded is what a follower does on a message: CatchUp (a full
// Reload without a change log), retried, within the reload timeout, so that
// a hung database cannot hold the watcher's goroutine forever.
func (e *Enforcer) catchUpBounded() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.opts.reloadTimeout)
	defer cancel()
	return e.catchUpRetry(ctx)
}

// Subscriber is the optional capability of a watcher that hands its
// messages to several functions (*watcher.Watcher): Subscribe adds f
// beside the update callback instead of replacing it.
type Subscriber interface {
	Subscribe(f func(string)) (cancel func())
}

// Listen has f receive w's messages: through Subscribe when w is a
// Subscriber, so that several enforcers, or an enforcer and other code,
// can follow through one watcher; else through SetUpdateCallback, which
// replaces whatever callback w had (Casbin's meaning: one follower per
// such watcher). cancel stops f's messages where w can (a Subscriber);
// elsewhere it does nothing.
func Listen(w interface{ SetUpdateCallback(func(string)) error }, f func(string)) (cancel func(), err error) {
	if s, ok := w.(Subscriber); ok {
		return s.Subscribe(f), nil
	}
	if err := w.SetUpdateCallback(f); err != nil {
		return nil, err
	}
	return func() {}, nil
}
