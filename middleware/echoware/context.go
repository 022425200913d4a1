package echoware

import (
	"context"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// UserFrom returns the authenticated caller of c's request.
func UserFrom(c echo.Context) (*middleware.User, bool) {
	return middleware.UserFrom(c.Request().Context())
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
