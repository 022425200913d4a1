// Package breaker stops calling a provider that keeps failing. After a number
// of consecutive failures the breaker opens and fetches fail at once with an
// error wrapping ErrOpen — so requests are denied quickly instead of piling
// up on a dead source. After the open period one trial fetch is let through
// (half-open); if it succeeds the breaker closes, otherwise it opens again.
//
// A fallback list is returned while the breaker is open only if one was
// configured with WithFallback; by default an open breaker is an error, so
// the decision denies. WithObserver reports each change of state, for logs
// and metrics. It is built on github.com/sony/gobreaker/v2.
package breaker
