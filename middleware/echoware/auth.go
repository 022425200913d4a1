package echoware

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// Authenticate verifies the caller and puts the user in the echo and
// request contexts; it does not authorize.
func Authenticate(a *middleware.Auth) echo.MiddlewareFunc {
	return AuthenticateWithConfig(Config{Auth: a})
}

// AuthenticateWithConfig is Authenticate with a Config.
func AuthenticateWithConfig(cfg Config) echo.MiddlewareFunc {
	mustAuth("Authenticate", cfg.Auth, false)
	cfg = cfg.withDefaults()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) || cfg.Skipper(c) {
				return next(c)
			}
			c.SetRequest(cfg.Auth.Prepare(c.Request()))
			if cfg.Auth.IsPublicRequest(c.Request(), c.Path()) {
				middleware.MarkChecked(c.Request().Context())
				return next(c)
			}
			if _, err := identify(c, cfg.Auth); err != nil {
				return cfg.fail(c, err)
			}
			return next(c)
		}
	}
}

// identify returns the user, authenticating once per request.
func identify(c echo.Context, a *middleware.Auth) (*middleware.User, error) {
	if u, ok := UserFrom(c); ok {
		return u, nil
	}
	u, err := a.Identify(c.Request())
	if err != nil {
		return nil, err
	}
	setUser(c, u)
	return u, nil
}

// Authorize authenticates the caller (unless done already) and asks the
// Auth's decider about every request.
func Authorize(a *middleware.Auth) echo.MiddlewareFunc {
	return AuthorizeWithConfig(Config{Auth: a})
}

// AuthorizeWithConfig is Authorize with a Config.
func AuthorizeWithConfig(cfg Config) echo.MiddlewareFunc {
	mustAuth("Authorize", cfg.Auth, true)
	cfg = cfg.withDefaults()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			if auditing(c) {
				auditCheck(c)
				return nil
			}
			c.SetRequest(cfg.Auth.Prepare(c.Request()))
			if cfg.Auth.IsPublicRequest(c.Request(), c.Path()) {
				middleware.MarkChecked(c.Request().Context())
				return next(c)
			}
			u, err := identify(c, cfg.Auth)
			if err != nil {
				return cfg.fail(c, err)
			}
			values, err := cfg.Mapper(c, u.ID())
			if err != nil {
				c.Logger().Warnf("echoware: mapper failed for %s %s: %v", c.Request().Method, c.Path(), err)
				return cfg.fail(c, errors.Join(middleware.ErrForbidden, err))
			}
			if _, err := cfg.Auth.Decide(c.Request(), u, values); err != nil {
				return cfg.fail(c, err)
			}
			middleware.MarkChecked(c.Request().Context())
			return next(c)
		}
	}
}

// Require is route middleware that asks the Auth's decider about
// (subject, values...), as middleware.Auth.Require: with the permissions
// model, Require(a, "read:posts").
func Require(a *middleware.Auth, values ...any) echo.MiddlewareFunc {
	mustAuth("Require", a, true)
	cfg := Config{Auth: a}.withDefaults()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				auditCheck(c)
				return nil
			}
			c.SetRequest(a.Prepare(c.Request()))
			u, err := identify(c, a)
			if err != nil {
				return cfg.fail(c, err)
			}
			if err := middleware.CheckPath(c.Request().URL); err != nil {
				// The decision does not read the path, the handler does.
				return cfg.fail(c, errors.Join(middleware.ErrForbidden, err))
			}
			if _, err := a.Decide(c.Request(), u, append([]any{u.ID()}, values...)); err != nil {
				return cfg.fail(c, err)
			}
			middleware.MarkChecked(c.Request().Context())
			return next(c)
		}
	}
}
