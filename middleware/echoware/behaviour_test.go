package echoware_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/behaviour"
)

// TestBehaviour runs the shared behaviour table on echo.
func TestBehaviour(t *testing.T) { behaviour.Run(t, serveBehaviour) }

// TestBehaviourStrictBeforeRouting runs the table with Strict registered
// with e.Pre, where it runs before echo has routed the request, as on
// net/http before the ServeMux: strict mode must judge a public path on the
// route that serves it all the same.
func TestBehaviourStrictBeforeRouting(t *testing.T) {
	behaviour.Run(t, func(t *testing.T, app behaviour.App) string { return serveEcho(t, app, true) })
}

func serveBehaviour(t *testing.T, app behaviour.App) string { return serveEcho(t, app, false) }

// serveEcho serves app on echo, with Strict under e.Pre when pre is set,
// else under e.Use.
func serveEcho(t *testing.T, app behaviour.App, pre bool) string {
	a := app.Auth
	e := echo.New()
	switch {
	case app.Strict && pre:
		e.Pre(echoware.Strict(a))
	case app.Strict:
		e.Use(echoware.Strict(a))
	}
	cfg := echoware.Config{Auth: a, Skipper: func(c echo.Context) bool { return app.Skipper(c.Request().URL.Path) }}
	h := echo.WrapHandler(behaviour.Handler(app))
	for _, r := range app.Routes {
		var chain []echo.MiddlewareFunc
		for _, c := range r.Chain {
			chain = append(chain, echoCheck(cfg, c))
		}
		path := r.Path
		if r.Prefix {
			path += "*"
		}
		e.Add(r.Method, path, h, chain...)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func echoCheck(cfg echoware.Config, c behaviour.Check) echo.MiddlewareFunc {
	switch c.Kind {
	case behaviour.Authenticate:
		return echoware.AuthenticateWithConfig(cfg)
	case behaviour.Authorize:
		return echoware.AuthorizeWithConfig(cfg)
	case behaviour.Require:
		return echoware.Require(cfg.Auth, anys(c.Args)...)
	case behaviour.RequireAuthenticated:
		return echoware.RequireAuthenticated(cfg.Auth)
	case behaviour.RequireAnyGroup:
		return echoware.RequireAnyGroup(cfg.Auth, c.Args...)
	case behaviour.RequireAllGroups:
		return echoware.RequireAllGroups(cfg.Auth, c.Args...)
	case behaviour.RequireAnyPermission:
		return echoware.RequireAnyPermission(cfg.Auth, c.Args...)
	case behaviour.RequireAllPermissions:
		return echoware.RequireAllPermissions(cfg.Auth, c.Args...)
	case behaviour.GuardUnavailable:
		return echoware.Guard(cfg.Auth, "unavailable", func(context.Context, *middleware.User) error { return middleware.ErrUnavailable })
	case behaviour.Public:
		return echoware.Public()
	}
	panic("unknown check")
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
