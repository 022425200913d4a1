// Package retry retries a failing provider fetch a bounded number of times
// with exponential backoff and jitter, and stops as soon as the request's
// context ends. An error the request's own data caused (kind
// warden.ErrInvalid) is not retried: it would come again on every attempt.
//
// Put Retry inside a circuit breaker (breaker around retry), so that a
// source that is down opens the breaker after a few attempts per request
// instead of tripling the load on it, and inside a cache so that only misses
// retry.
package retry
