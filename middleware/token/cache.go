package token

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
)

// Defaults of the verified-token cache (WithCache).
const (
	// DefaultCacheSize is how many verified tokens a Verifier keeps.
	DefaultCacheSize = 1024
	// maxCachedToken is the longest raw token the cache keeps: with
	// DefaultCacheSize it bounds the cache to 4 MiB of tokens (and what
	// their claims decode to).
	maxCachedToken = 4 << 10
)

// WithCache keeps up to n verified tokens (DefaultCacheSize; 0 or less:
// none), so that a caller presenting the same token again is not verified
// again: the signature, the header, the issuer, the audience, the required
// claims and the identity of a token do not change, and the cache answers
// only for the very token that was verified.
//
//   - The key is the whole raw token: the map hashes all of it and a hit
//     compares it byte for byte, so a token differing anywhere (a forged
//     signature, another claim) is verified in full. Nothing is ever
//     found by identity.
//   - exp, nbf and iat are checked again on every hit, with the clock
//     (WithClock) and the leeway, exactly as jwt checks them: an expired
//     token is refused the moment it expires.
//   - Only tokens that verified are kept; a refusal is never cached.
//   - A JWKS refresh empties it: a token whose key the issuer withdrew
//     must not verify from the cache.
//   - It holds at most n tokens of at most 4 KiB (longer ones are not
//     kept); when full, an entry is dropped to make room.
//
// The cache keeps a copy of the verified token that nothing outside this
// module ever sees. Verify returns a fresh deep copy of it on every hit
// (its header and claims maps and every map and list in them), and the
// middleware makes one for the request the first time code that may
// modify it asks (User.Claims, User.Token, a provider), reading the
// cache's own copy until then: a handler, provider or claims reader that
// modifies the token of one request (adds a claim, appends to its groups,
// changes its identity) changes that request's copy only, exactly as
// without the cache, and never what the next request presenting the same
// raw token is handed. With an entry the middleware also keeps the groups
// list ClaimGroups reads from its claims, which it never modifies and
// hands to no code that may.
func WithCache(n int) Option { return func(c *config) { c.cacheSize = n } }

// cache is the verified-token cache of one Verifier.
type cache struct {
	mu      sync.RWMutex
	max     int
	entries map[string]*cached
	// gen counts JWKS refreshes; an entry of an older generation is gone.
	gen atomic.Uint64
}

// cached is one verified token and the times its next use is checked
// against, as jwt read them from its claims.
type cached struct {
	tok           *warden.Token
	gen           uint64
	exp, nbf, iat time.Time // zero: the claim is absent
	// token68: the raw token is token68, as FromHeader requires of
	// bearer credentials (Verify keeps only compact JWS, which is, but
	// the header path does not rely on it).
	token68 bool
	// memo remembers what is derived from tok alone (the groups a
	// claims provider reads), for the middleware: it goes with the entry.
	memo sharedtoken.Memo
}

func newCache(n int) *cache {
	if n <= 0 {
		return nil
	}
	return &cache{max: n, entries: make(map[string]*cached, min(n, 256))}
}

// get returns the entry of the token verified for raw when it is still
// valid at now: its token is the cache's own, which the caller must not
// modify (Verify hands out a copy of it).
func (c *cache) get(raw string, now time.Time, leeway time.Duration) *cached {
	e := c.entry(raw)
	if e == nil || !e.validAt(now, leeway) {
		return nil
	}
	return e
}

// getToken68 is get for an entry whose raw token is token68 only.
func (c *cache) getToken68(raw string, now time.Time, leeway time.Duration) *cached {
	e := c.entry(raw)
	if e == nil || !e.token68 || !e.validAt(now, leeway) {
		return nil
	}
	return e
}

// entry returns the entry of raw, if it is of the current generation.
func (c *cache) entry(raw string) *cached {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	e := c.entries[raw]
	c.mu.RUnlock()
	if e == nil || e.gen != c.gen.Load() {
		return nil
	}
	return e
}

// validAt is jwt's check of exp, nbf and iat (Validator.verifyExpiresAt,
// verifyNotBefore, verifyIssuedAt) on the times it read at verification.
func (e *cached) validAt(now time.Time, leeway time.Duration) bool {
	switch {
	case e.exp.IsZero() || !now.Before(e.exp.Add(leeway)): // exp is required
		return false
	case !e.nbf.IsZero() && now.Before(e.nbf.Add(-leeway)):
		return false
	case !e.iat.IsZero() && now.Before(e.iat.Add(-leeway)):
		return false
	}
	return true
}

// put keeps tok, verified with the keys of generation gen (read before the
// verification began, so that a refresh during it leaves the entry stale),
// and returns its entry, or nil when it kept nothing: nothing may modify a
// token it kept.
func (c *cache) put(raw string, tok *warden.Token, claims jwt.MapClaims, gen uint64) *cached {
	if c == nil || len(raw) > maxCachedToken {
		return nil
	}
	// The entry is tok itself: Verify hands its callers copies, and the
	// middleware reads it only.
	e := &cached{tok: tok, gen: gen, token68: isToken68(raw)}
	for _, f := range [...]struct {
		get func() (*jwt.NumericDate, error)
		to  *time.Time
	}{{claims.GetExpirationTime, &e.exp}, {claims.GetNotBefore, &e.nbf}, {claims.GetIssuedAt, &e.iat}} {
		d, err := f.get()
		if err != nil {
			return nil // jwt accepted it, so this cannot happen; keep nothing then
		}
		if d != nil {
			*f.to = d.Time
		}
	}
	if e.exp.IsZero() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k := range c.entries { // an arbitrary one: the map's order is random
			delete(c.entries, k)
			break
		}
	}
	c.entries[raw] = e
	return e
}

// memoOf returns e's Memo, nil without an entry.
func memoOf(e *cached) *sharedtoken.Memo {
	if e == nil {
		return nil
	}
	return &e.memo
}

// refreshed drops every entry: the keys they were verified with may be gone.
func (c *cache) refreshed() {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// len is the number of entries, for tests.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
