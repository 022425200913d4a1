package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/behaviour"
)

// TestBehaviour runs the shared behaviour table on net/http.
func TestBehaviour(t *testing.T) { behaviour.Run(t, serveBehaviour) }

func serveBehaviour(t *testing.T, app behaviour.App) string {
	a := app.Auth
	mux := http.NewServeMux()
	for _, r := range app.Routes {
		var h http.Handler = behaviour.Handler(app)
		for i := len(r.Chain) - 1; i >= 0; i-- {
			h = netHTTPCheck(a, r.Chain[i])(h)
		}
		mux.Handle(r.Method+" "+r.Path, h) // "/p" is exact, "/p/" (Prefix) a subtree
	}
	var h http.Handler = mux
	if app.Strict {
		h = a.Strict(mux)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func netHTTPCheck(a *middleware.Auth, c behaviour.Check) func(http.Handler) http.Handler {
	switch c.Kind {
	case behaviour.Authenticate:
		return a.Authenticate
	case behaviour.Authorize:
		return a.Authorize
	case behaviour.Require:
		return a.Require(anys(c.Args)...)
	case behaviour.RequireAuthenticated:
		return a.RequireAuthenticated()
	case behaviour.RequireAnyGroup:
		return a.RequireAnyGroup(c.Args...)
	case behaviour.RequireAllGroups:
		return a.RequireAllGroups(c.Args...)
	case behaviour.RequireAnyPermission:
		return a.RequireAnyPermission(c.Args...)
	case behaviour.RequireAllPermissions:
		return a.RequireAllPermissions(c.Args...)
	case behaviour.GuardUnavailable:
		return a.Guard("unavailable", func(context.Context, *middleware.User) error { return middleware.ErrUnavailable })
	case behaviour.Public:
		return middleware.Public
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
