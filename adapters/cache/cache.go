package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
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
	now         func() time.Time

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

// Option configures a Cache.
type Option func(*Cache)

// WithTTL sets how long an answer is kept (DefaultTTL if not given or <= 0).
func WithTTL(d time.Duration) Option { return func(c *Cache) { c.ttl = d } }

// WithSize bounds the number of identities kept (DefaultSize if <= 0).
func WithSize(n int) Option {
	return func(c *Cache) {
		if n > 0 {
			c.entries, _ = lru.New[string, entry](n)
		}
	}
}

// WithNegativeTTL makes the cache remember an upstream error for d, so that a
// failing source is not hammered by every request. Off by default: an error
// is normally retried on the next request. Keep d short; context errors are
// never remembered.
func WithNegativeTTL(d time.Duration) Option { return func(c *Cache) { c.negTTL = d } }

// WithLoadTimeout bounds one upstream call (DefaultLoadTimeout if <= 0).
// A load runs detached from the context of the request that started it, so
// that one caller giving up does not fail the others waiting for the same
// identity; this bound keeps a hung source from holding the load forever.
func WithLoadTimeout(d time.Duration) Option { return func(c *Cache) { c.loadTimeout = d } }

// WithClock sets the clock used for expiry, for tests.
func WithClock(now func() time.Time) Option { return func(c *Cache) { c.now = now } }

// New returns a Cache in front of p.
func New(p warden.Provider, opts ...Option) *Cache {
	// The load runs in singleflight's goroutine, where a panic could not
	// be recovered by any caller and would end the process.
	c := &Cache{p: adapters.Recover(p), now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.ttl <= 0 {
		c.ttl = DefaultTTL
	}
	if c.loadTimeout <= 0 {
		c.loadTimeout = DefaultLoadTimeout
	}
	if c.entries == nil {
		c.entries, _ = lru.New[string, entry](DefaultSize)
	}
	return c
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
	if list, err, ok := c.lookup(id); ok {
		return list, err
	}
	gen := c.gen.Load()
	key := strconv.FormatUint(gen, 10) + "\x00" + id // digits hold no NUL: unique
	ch := c.group.DoChan(key, func() (any, error) {
		// A load that started just after another one stored its answer
		// finds it here instead of calling upstream again.
		if e, ok := c.entries.Get(id); ok && c.now().Before(e.expires) {
			return e.list, e.err
		}
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
			return nil, r.Err
		}
		return slices.Clone(r.Val.([]string)), nil
	case <-ctx.Done():
		return nil, ctx.Err()
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
