package echoware

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// Guard is route middleware that runs check on the authenticated user, as
// middleware.Auth.Guard: without a user it answers 401, a passing guard
// marks the request checked, and every decision is logged under name
// through the Auth's logger. Refusals are answered by the Auth's error
// handler.
func Guard(a *middleware.Auth, name string, check middleware.Check) echo.MiddlewareFunc {
	return GuardWithConfig(Config{Auth: a}, name, check)
}

// GuardWithConfig is Guard with a Config, whose ErrorHandler answers the
// guard's refusals (its Skipper and Mapper do not apply to guards).
func GuardWithConfig(cfg Config, name string, c middleware.Check) echo.MiddlewareFunc {
	mustAuth("Guard", cfg.Auth, false)
	return check(runner(cfg.Auth.Guard(name, c)(nil)), cfg.withDefaults())
}

// routeCheck is the echo form of mw, one of the Auth's route checks.
func routeCheck(a *middleware.Auth, mw func(http.Handler) http.Handler) echo.MiddlewareFunc {
	return check(runner(mw(nil)), Config{Auth: a})
}

// RequireAuthenticated lets any authenticated caller through, as
// middleware.Auth.RequireAuthenticated.
func RequireAuthenticated(a *middleware.Auth) echo.MiddlewareFunc {
	mustAuth("RequireAuthenticated", a, false)
	return routeCheck(a, a.RequireAuthenticated())
}

// RequireAnyGroup allows callers in at least one of groups.
func RequireAnyGroup(a *middleware.Auth, groups ...string) echo.MiddlewareFunc {
	mustAuth("RequireAnyGroup", a, false)
	return routeCheck(a, a.RequireAnyGroup(groups...))
}

// RequireAllGroups allows callers in all of groups.
func RequireAllGroups(a *middleware.Auth, groups ...string) echo.MiddlewareFunc {
	mustAuth("RequireAllGroups", a, false)
	return routeCheck(a, a.RequireAllGroups(groups...))
}

// RequireAnyPermission allows callers granted at least one of perms.
func RequireAnyPermission(a *middleware.Auth, perms ...string) echo.MiddlewareFunc {
	mustAuth("RequireAnyPermission", a, false)
	return routeCheck(a, a.RequireAnyPermission(perms...))
}

// RequireAllPermissions allows callers granted all of perms.
func RequireAllPermissions(a *middleware.Auth, perms ...string) echo.MiddlewareFunc {
	mustAuth("RequireAllPermissions", a, false)
	return routeCheck(a, a.RequireAllPermissions(perms...))
}

// Public marks a route as deliberately open, as middleware.Public.
func Public() echo.MiddlewareFunc {
	return check(runner(middleware.Public(nil)), Config{})
}

// Strict refuses, at run time, to send a response for a request that no
// decision, guard or public marker checked (403, logged with the route), as
// middleware.Auth.Strict. Register it with e.Use so that it wraps every
// route. It panics when a is nil.
func Strict(a *middleware.Auth) echo.MiddlewareFunc {
	mustAuth("Strict", a, false)
	s := &stage{r: runner(a.Strict(nil)), cfg: &Config{Auth: a}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				return next(c)
			}
			return run(s.r, s.cfg, c, next)
		}
	}
}

// statusRecorder is the ResponseWriter of dry runs: nothing is sent.
type statusRecorder struct{ h http.Header }

func (s *statusRecorder) Header() http.Header {
	if s.h == nil {
		s.h = http.Header{}
	}
	return s.h
}
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(int)             {}
