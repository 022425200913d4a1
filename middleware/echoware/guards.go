package echoware

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// Guard is route middleware that runs check on the authenticated user (see
// middleware.Check), like middleware.Guard: without a user it answers 401, a
// passing guard marks the request checked, and every decision is logged
// under name through the Auth's logger (the same record as net/http
// guards). onError may be nil for the default error response.
func Guard(name string, check middleware.Check, onError func(c echo.Context, err error) error) echo.MiddlewareFunc {
	cfg := Config{ErrorHandler: onError}.withDefaults()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				auditCheck(c)
				return nil
			}
			u, ok := UserFrom(c)
			if !ok {
				return cfg.fail(c, middleware.ErrUnauthenticated)
			}
			if err := middleware.RunGuard(c.Request(), name, u, check); err != nil {
				return cfg.fail(c, err)
			}
			middleware.MarkChecked(c.Request().Context())
			return next(c)
		}
	}
}

// RequireAuthenticated lets any authenticated caller through.
func RequireAuthenticated() echo.MiddlewareFunc {
	return Guard("authenticated", func(context.Context, *middleware.User) error { return nil }, nil)
}

// RequireAnyGroup allows callers in at least one of groups.
func RequireAnyGroup(groups ...string) echo.MiddlewareFunc {
	return Guard("any group", func(ctx context.Context, u *middleware.User) error {
		return middleware.AnyGroup(ctx, u, groups...)
	}, nil)
}

// RequireAllGroups allows callers in all of groups.
func RequireAllGroups(groups ...string) echo.MiddlewareFunc {
	return Guard("all groups", func(ctx context.Context, u *middleware.User) error {
		return middleware.AllGroups(ctx, u, groups...)
	}, nil)
}

// RequireAnyPermission allows callers granted at least one of perms.
func RequireAnyPermission(perms ...string) echo.MiddlewareFunc {
	return Guard("any permission", func(ctx context.Context, u *middleware.User) error {
		return middleware.AnyPermission(ctx, u, perms...)
	}, nil)
}

// RequireAllPermissions allows callers granted all of perms.
func RequireAllPermissions(perms ...string) echo.MiddlewareFunc {
	return Guard("all permissions", func(ctx context.Context, u *middleware.User) error {
		return middleware.AllPermissions(ctx, u, perms...)
	}, nil)
}

// Public marks a route as deliberately open.
func Public() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				auditCheck(c)
				return nil
			}
			middleware.MarkChecked(c.Request().Context())
			return next(c)
		}
	}
}

// Strict refuses, at run time, to send a response for a request that no
// decision, guard or public marker checked (403, logged with the route).
// Register it with e.Use so that it wraps every route. It panics when a is
// nil.
func Strict(a *middleware.Auth) echo.MiddlewareFunc {
	mustAuth("Strict", a, false)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				return next(c)
			}
			r := c.Request()
			if c.Path() != "" {
				r = r.Clone(r.Context())
				r.Pattern = r.Method + " " + c.Path()
			}
			w, r, done := a.StrictWriter(c.Response().Writer, r)
			c.Response().Writer = w
			c.SetRequest(r)
			err := next(c)
			if err != nil && !middleware.Checked(c.Request().Context()) {
				// An unchecked handler's error must not reach echo's error
				// handler, which would write it without the marker.
				err = nil
			}
			done()
			return err
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
