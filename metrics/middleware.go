package metrics

import (
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
)

// Middleware returns the middleware option that decides with d and counts
// and times every decision, so that an application embedding Warden's
// middleware gets the same decision metrics as `warden serve`:
//
//	auth, err := middleware.New(
//		middleware.WithVerifier(v),
//		m.Middleware(e),
//		middleware.WithGroups(m.Provider("groups/claims", claimsGroups)),
//	)
//
// Serve m.Handler() at /metrics.
func (m *Metrics) Middleware(d enforcer.Decider) middleware.Option {
	return middleware.WithDecider(m.Decider(d))
}
