package policysync

import (
	"errors"
	"log/slog"
	"time"
)

// Defaults of a Follower.
const (
	// DefaultInterval is how often the log is polled: an instance whose
	// store answers applies any committed change within this interval plus
	// one read, announced or not.
	DefaultInterval = 2 * time.Second
	// DefaultReadTimeout bounds one read of the log.
	DefaultReadTimeout = 10 * time.Second
)

// Errors of the readiness checks. They name the check, never a cause, so
// that a probe's answer reveals nothing internal; the cause is in Status.
var (
	// ErrNeverSynced: no read of the log has succeeded yet.
	ErrNeverSynced = errors.New("policysync: not synced with the store yet")
	// ErrStale: the last successful read of the log is older than the
	// maximum lag, or the store has been ahead of this instance for longer.
	ErrStale = errors.New("policysync: behind the store beyond the maximum lag")
	// ErrSubscriptionDown: the watcher's subscription is lost; hints are
	// missed and only the poll keeps the instance in step.
	ErrSubscriptionDown = errors.New("policysync: watcher subscription is down")

	// ErrNotAttachable is returned by New for a Target without an
	// AttachFollower method (such as a wrapper of *enforcer.Enforcer that
	// does not forward it), unless WithUnattachedTarget is given: without
	// it the enforcer cannot refuse a second follower.
	ErrNotAttachable = errors.New("policysync: the target cannot record its follower (no AttachFollower)")
)

// Hints is a source of announcements: any Casbin persist.Watcher. Every
// payload it hands the callback, whatever it says, only asks for a read.
type Hints interface {
	SetUpdateCallback(func(string)) error
}

// connectedHints is the optional capability of a watcher that knows whether
// its subscription is up (*watcher.Watcher).
type connectedHints interface {
	Connected() bool
}

// Option configures New.
type Option func(*config)

type config struct {
	interval    time.Duration
	maxLag      time.Duration
	readTimeout time.Duration
	logger      *slog.Logger
	hints       Hints
	now         func() time.Time
	unattached  bool // WithUnattachedTarget
}

// WithUnattachedTarget accepts a Target that has no AttachFollower method,
// which New otherwise refuses (ErrNotAttachable): a Target that is no
// enforcer and wraps none (a test double, a store of one's own), or a
// wrapper whose owner keeps to one follower per enforcer itself. Nothing
// then stops the enforcer behind it from being synced twice (by this
// follower and by SetWatcher or another follower), which is why it must be
// asked for.
func WithUnattachedTarget() Option { return func(c *config) { c.unattached = true } }

// WithInterval sets how often the log is polled (DefaultInterval). It is the
// bound on how long a committed change can stay unapplied here when its
// announcement is lost; choose it from how stale an instance may be after a
// revoke (docs/operations.md).
func WithInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// WithMaxLag sets how stale the instance may be before Ready fails: the
// last successful read older than d, or the store ahead for longer than d.
// The default is three intervals, so that one slow or failed poll does not
// flap readiness.
func WithMaxLag(d time.Duration) Option { return func(c *config) { c.maxLag = d } }

// WithReadTimeout bounds one read of the log (DefaultReadTimeout).
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithLogger sets where failed reads are reported; the default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithWatcher makes w's announcements hints of this follower (New sets w's
// update callback) and, when the target is an enforcer and w a
// persist.Watcher, makes the enforcer announce its local changes through w
// (enforcer.AnnounceThrough): one line for both directions. Do not also
// call enforcer.SetWatcher: New refuses (enforcer.ErrSyncAttached).
func WithWatcher(w Hints) Option { return func(c *config) { c.hints = w } }

// withClock replaces time.Now, for tests of the lag rules.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
