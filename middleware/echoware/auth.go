package echoware

import (
	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
)

// Authenticate verifies the caller and puts the user in the request
// context; it does not authorize. It is middleware.Auth.Authenticate for
// echo: the same steps in the same order.
func Authenticate(a *middleware.Auth) echo.MiddlewareFunc {
	return AuthenticateWithConfig(Config{Auth: a})
}

// AuthenticateWithConfig is Authenticate with a Config.
func AuthenticateWithConfig(cfg Config) echo.MiddlewareFunc {
	mustAuth("Authenticate", cfg.Auth, false)
	cfg = cfg.withDefaults()
	s := &stage{r: runner(cfg.Auth.Authenticate(nil)), cfg: &cfg}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) { // authenticating is no check
				return next(c)
			}
			return run(s.r, s.cfg, c, next)
		}
	}
}

// Authorize authenticates the caller (unless done already) and asks the
// Auth's decider about every request, as middleware.Auth.Authorize.
func Authorize(a *middleware.Auth) echo.MiddlewareFunc {
	return AuthorizeWithConfig(Config{Auth: a})
}

// AuthorizeWithConfig is Authorize with a Config.
func AuthorizeWithConfig(cfg Config) echo.MiddlewareFunc {
	mustAuth("Authorize", cfg.Auth, true)
	cfg = cfg.withDefaults()
	s := &stage{r: runner(cfg.Auth.Authorize(nil)), cfg: &cfg}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				if s.cfg.Skipper(c) { // a skipped route is not checked here
					return next(c)
				}
				auditCheck(c)
				return nil
			}
			return run(s.r, s.cfg, c, next)
		}
	}
}

// Require is route middleware that asks the Auth's decider about
// (subject, values...), as middleware.Auth.Require: with the permissions
// model, Require(a, "read:posts").
func Require(a *middleware.Auth, values ...any) echo.MiddlewareFunc {
	mustAuth("Require", a, true)
	return routeCheck(a, a.Require(values...))
}
