package watcher

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff spaces reconnection attempts: the n-th retry (from 0) waits
// Initial*Multiplier^n, capped at Max, shortened by a random fraction up to
// Jitter so that many instances cut off together do not reconnect in lockstep.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	Multiplier float64
	Jitter     float64 // in [0, 1]
}

// DefaultBackoff is used when no [WithBackoff] option is given.
var DefaultBackoff = Backoff{Initial: 100 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: 0.5}

// Delay returns how long to wait before retry number attempt (0 for the first).
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.normalized()
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(max(attempt, 0)))
	if d > float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(b.Max)
	}
	d -= d * b.Jitter * rand.Float64()
	return time.Duration(d)
}

// normalized replaces nonsensical fields by the defaults, so that a partly
// filled Backoff can never spin (zero delay) or wait forever.
func (b Backoff) normalized() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultBackoff.Initial
	}
	if b.Max < b.Initial {
		b.Max = max(b.Initial, DefaultBackoff.Max)
	}
	if b.Multiplier < 1 {
		b.Multiplier = DefaultBackoff.Multiplier
	}
	if b.Jitter < 0 || b.Jitter > 1 {
		b.Jitter = DefaultBackoff.Jitter
	}
	return b
}
