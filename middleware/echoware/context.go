package echoware

import (
	"context"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// userKey is the echo context key of the user. It is a string because echo
// keys are strings; its odd spelling keeps it apart from application keys.
const userKey = "\x00warden.user"

// UserFrom returns the authenticated caller from the echo context (or, as a
// fallback, the request context).
func UserFrom(c echo.Context) (*middleware.User, bool) {
	if u, ok := c.Get(userKey).(*middleware.User); ok && u != nil {
		return u, true
	}
	return middleware.UserFrom(c.Request().Context())
}

func setUser(c echo.Context, u *middleware.User) {
	c.Set(userKey, u)
	c.SetRequest(c.Request().WithContext(middleware.WithUser(c.Request().Context(), u)))
}

// auditKey marks the dry-run requests of Audit; its value records whether
// a check of this package ran.
type auditKey struct{}

// auditing reports whether c is a dry run. A check calls it and, when true,
// records itself and stops the chain, so that no handler ever runs.
func auditing(c echo.Context) bool {
	_, ok := c.Request().Context().Value(auditKey{}).(*atomic.Bool)
	return ok
}

// auditCheck records that a check ran in a dry run.
func auditCheck(c echo.Context) {
	if f, ok := c.Request().Context().Value(auditKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

func withAudit(ctx context.Context, f *atomic.Bool) context.Context {
	return context.WithValue(ctx, auditKey{}, f)
}
