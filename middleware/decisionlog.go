package middleware

import "sync/atomic"

// WithDecisionLogSampling logs one in every n authorization decisions and
// guard checks (allows and denials alike; n = 1, the default, logs all of
// them, and n <= 0 none). Decisions that failed (a provider or the decider
// unavailable, answered 503) are always logged: they are what an operator
// must see. At tens of thousands of checks a second, a log line per
// decision costs more than the decision.
func WithDecisionLogSampling(n int) Option {
	return func(x *Auth) { x.decisionLog = &sampler{every: int64(n)} }
}

// sampler lets one in every n calls through; nil lets all through.
type sampler struct {
	every int64
	seen  atomic.Int64
}

func (s *sampler) take() bool {
	switch {
	case s == nil || s.every == 1:
		return true
	case s.every <= 0:
		return false
	}
	return (s.seen.Add(1)-1)%s.every == 0
}
