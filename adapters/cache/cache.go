package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/internal/option"
)

// Defaults used when the matching option is not given.
const (
	DefaultTTL         = time.Minute
	DefaultSize        = 10000
	DefaultLoadTimeout = 10 * time.Second
)

// Cache wraps a warden.Provider with a bounded, expiring, per-identity cache.
// It is safe for concurrent use. Only sources whose answer depends on the
// identity alone may be cached: loads run with adapters.ShareByIdentity, so
// a source that reads the token's claims (package claims) fails every load
// with adapters.ErrPerToken instead of answering one token with another's
// claims.
type Cache struct {
	p           warden.Provider
	ttl         time.Duration
	negTTL      time.Duration
	loadTimeout time.Duration
	size        int
	now         func() time.Time
	observe     func(Event) // nil: no observer; panics recovered (Wrap)
	logger      *slog.Logger

	entries *lru.Cache[string, entry]
	group   singleflight.Group
	// gen changes on every invalidation. A load only stores its answer if
	// gen is unchanged since it started, so invalidation wins over a
	// concurrent slow load, and loads are keyed by identity and gen, so a
	// caller arriving after an invalidation never joins a load that
	// started before it.
	gen atomic.Uint64
	// mu makes "gen unchanged, so add" and "change gen, drop entries" each
	// atomic: without it an invalidation could run between a load's check
	// and its add, leaving a pre-invalidation answer cached for a full TTL.
	// Hits do not take it.
	mu sync.Mutex

	// Test hooks, nil outside tests (set in export_test.go).
	joinedHook    func()
	beforeAddHook func()
}

type entry struct {
	list    []string
	err     error
	expires time.Time
}

// Option configures a Cache. An option given a value it cannot use makes
// Wrap fail with an error matching warden.ErrInvalid, rather than fall back
// to a default the caller did not ask for.
type Option func(*Cache) error

// WithTTL sets how long an answer is kept (DefaultTTL if not given). d must
// be positive.
func WithTTL(d time.Duration) Option {
	return func(c *Cache) error { c.ttl = d; return option.Positive("cache: TTL", d) }
}

// WithSize bounds the number of identities kept (DefaultSize if not given).
// n must be positive.
func WithSize(n int) Option {
	return func(c *Cache) error { c.size = n; return option.Positive("cache: size", n) }
}

// WithNegativeTTL makes the cache remember an upstream error for d, so that a
// failing source is not hammered by every request. Off unless given: an
// error is normally retried on the next request. d must be positive; keep it
// short. Context errors are never remembered.
func WithNegativeTTL(d time.Duration) Option {
	return func(c *Cache) error { c.negTTL = d; return option.Positive("cache: negative TTL", d) }
}

// WithLoadTimeout bounds one upstream call (DefaultLoadTimeout if not
// given); d must be positive. A load runs detached from the context of the
// request that started it, so that one caller giving up does not fail the
// others waiting for the same identity; this bound keeps a hung source from
// holding the load forever.
func WithLoadTimeout(d time.Duration) Option {
	return func(c *Cache) error { c.loadTimeout = d; return option.Positive("cache: load timeout", d) }
}

// WithClock sets the clock used for expiry, for tests.
func WithClock(now func() time.Time) Option {
	return func(c *Cache) error { c.now = now; return option.Given("cache: clock", now != nil) }
}

// WithObserver makes the cache tell f about every Fetch of a token with an
// identity, once the Fetch knows how it was answered (see Event): for hit
// and miss metrics. f runs in the goroutine of the Fetch, on the request's
// path, so it must be quick and must not call the cache. A panic in f is
// recovered and logged (adapters.RecoverObserver, on WithLogger's logger)
// and the Fetch returns its answer as if f had returned: f is called once
// the answer is settled and stored, so the panic cannot have changed it,
// and a decision must not depend on telemetry (failing the request instead
// would turn a bug in a metrics hook into an outage).
func WithObserver(f func(Event)) Option {
	return func(c *Cache) error { c.observe = f; return option.Given("cache: observer", f != nil) }
}

// WithLogger sets where a panic of the observer is logged (slog.Default()
// if not given).
func WithLogger(l *slog.Logger) Option {
	return func(c *Cache) error { c.logger = l; return option.Given("cache: logger", l != nil) }
}

// Result says how a Fetch was answered.
type Result int

// The results of a Fetch.
const (
	// Hit: a stored entry answered (with WithNegativeTTL, possibly a
	// remembered error). No upstream call.
	Hit Result = iota
	// Joined: the Fetch waited for a load that another Fetch of the same
	// identity started, and got its answer. No upstream call of its own.
	Joined
	// Miss: the Fetch started a load that called the upstream provider.
	Miss
)

// String returns "hit", "joined" or "miss".
func (r Result) String() string {
	switch r {
	case Joined:
		return "joined"
	case Miss:
		return "miss"
	default:
		return "hit"
	}
}

// Event is what WithObserver's function learns about one Fetch.
type Event struct {
	// Result says whether the answer needed an upstream call of this Fetch.
	Result Result
	// Err is the error the Fetch returned, or nil: the upstream's error, a
	// remembered one, or the caller's context error when it gave up
	// waiting (the load it started, if any, still runs).
	Err error
}

// Wrap returns p behind a cache. It fails, with an error matching
// warden.ErrInvalid, for a nil p or an option given a value it cannot use.
func Wrap(p warden.Provider, opts ...Option) (*Cache, error) {
	if err := option.Given("cache: provider", p != nil); err != nil {
		return nil, err
	}
	// The load runs in singleflight's goroutine, where a panic could not
	// be recovered by any caller and would end the process.
	c := &Cache{p: adapters.Recover(p), now: time.Now, ttl: DefaultTTL, size: DefaultSize, loadTimeout: DefaultLoadTimeout}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.observe = adapters.RecoverObserver("cache", c.observe, c.logger)
	var err error
	if c.entries, err = lru.New[string, entry](c.size); err != nil {
		return nil, fmt.Errorf("%w: cache: %w", warden.ErrInvalid, err)
	}
	return c, nil
}

// Fetch returns the cached answer for tok's identity, or loads it. The
// returned slice is the caller's own copy. A token without identity is an
// error wrapping adapters.ErrNoIdentity; a panic in the upstream fetch is an
// error wrapping adapters.ErrProviderPanic.
func (c *Cache) Fetch(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	list, err, ok := c.lookup(id)
	res := Hit
	if !ok {
		list, res, err = c.load(ctx, id, tok)
	}
	if c.observe != nil {
		c.observe(Event{Result: res, Err: err})
	}
	return list, err
}

// load answers a miss: it starts a load of id, or joins the one in flight,
// and says which.
func (c *Cache) load(ctx context.Context, id string, tok *warden.Token) ([]string, Result, error) {
	gen := c.gen.Load()
	key := strconv.FormatUint(gen, 10) + "\x00" + id // digits hold no NUL: unique
	// how is set by this call's load function, which singleflight runs
	// only when this call starts the load; a call that joins another's
	// load keeps Joined. Atomic: the function runs in singleflight's
	// goroutine, and a caller that gives up reads it while it may run.
	var how atomic.Int32
	how.Store(int32(Joined))
	ch := c.group.DoChan(key, func() (any, error) {
		// A load that started just after another one stored its answer
		// finds it here instead of calling upstream again.
		if e, ok := c.entries.Get(id); ok && c.now().Before(e.expires) {
			how.Store(int32(Hit))
			return e.list, e.err
		}
		how.Store(int32(Miss))
		// The answer will serve every token of this identity: a source
		// that reads the token itself refuses it (adapters.ErrPerToken).
		lctx, cancel := context.WithTimeout(adapters.ShareByIdentity(context.WithoutCancel(ctx)), c.loadTimeout)
		defer cancel()
		list, err := c.p.Fetch(lctx, tok)
		if err == nil {
			list = adapters.Dedup(list)
		}
		c.store(id, gen, list, err)
		return list, err
	})
	if c.joinedHook != nil {
		c.joinedHook()
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, Result(how.Load()), r.Err
		}
		return slices.Clone(r.Val.([]string)), Result(how.Load()), nil
	case <-ctx.Done():
		return nil, Result(how.Load()), ctx.Err()
	}
}

func (c *Cache) lookup(id string) ([]string, error, bool) {
	e, ok := c.entries.Get(id)
	if !ok {
		return nil, nil, false
	}
	if !c.now().Before(e.expires) {
		c.entries.Remove(id)
		return nil, nil, false
	}
	if e.err != nil {
		return nil, e.err, true
	}
	return slices.Clone(e.list), nil, true
}

func (c *Cache) store(id string, gen uint64, list []string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if c.beforeAddHook != nil {
		c.beforeAddHook()
	}
	switch {
	case err == nil:
		c.entries.Add(id, entry{list: list, expires: c.now().Add(c.ttl)})
	case c.negTTL > 0 && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		c.entries.Add(id, entry{err: err, expires: c.now().Add(c.negTTL)})
	}
}

// Invalidate drops the answer for one identity; the next fetch loads it.
// Loads in flight (for any identity) do not store their answers, and
// callers that come after Invalidate returns start a new load rather than
// wait for one of them.
func (c *Cache) Invalidate(identity string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.entries.Remove(identity)
}

// InvalidateAll drops every answer, with the same guarantees for loads in
// flight as Invalidate.
func (c *Cache) InvalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.entries.Purge()
}

// Len returns the number of identities currently held, expired ones included
// until they are next looked up or evicted.
func (c *Cache) Len() int { return c.entries.Len() }
