// Package cache remembers what a provider answered for each caller for a
// while, so that a per-request lookup does not become a per-request call to a
// database or an API.
//
// Entries are keyed by the caller's identity, never by the raw token: a
// token is a credential that must not sit in memory as a map key, and keying
// by it would make every token refresh a miss. The cache therefore answers
// with the same list for every token of one identity, which is right for
// sources that look callers up by identity (SQL, Redis, HTTP API) and wrong
// for sources that read the token itself (claims), which need no cache.
//
// The number of entries is bounded (least recently used entries go first),
// entries expire after a TTL, concurrent misses for one identity share one
// upstream call, and errors are not remembered unless WithNegativeTTL is
// given. Invalidate and InvalidateAll drop entries when the source is known to
// have changed; a fetch that was in flight when they were called does not
// write its (possibly stale) answer back, and callers that come after them
// start a new load instead of waiting for that one.
//
// Wrap is the one constructor; WithObserver reports how each fetch was
// answered (Hit, Joined or Miss), for metrics.
package cache
