package echoware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/attacktest"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// issueAuth is an Auth over the issue's policy, groups from the token.
func issueAuth(t testing.TB, key jwttest.Key) *middleware.Auth {
	t.Helper()
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud), token.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(attacktest.IssueEnforcer(t)),
		middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// pathServer is a real echo server with the issue's policy: Strict and
// Authorize (PathMapper) for every route, GET /posts/:id echoing the id.
func pathServer(t testing.TB) (string, map[string]string) {
	t.Helper()
	key := jwttest.Secret(t)
	a := issueAuth(t, key)
	e := echo.New()
	e.Use(echoware.Strict(a), echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: echoware.PathMapper}))
	e.GET("/posts/:id", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	tokens := map[string]string{}
	for _, s := range attacktest.Subjects {
		tokens[s.Name] = key.Sign(t, claimsFor(s.Name, s.Groups...))
	}
	return strings.TrimPrefix(srv.URL, "http://"), tokens
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// TestPathAttacks runs the path attack suite against echo.
func TestPathAttacks(t *testing.T) {
	addr, tokens := pathServer(t)
	attacktest.RunPathCases(t, addr, tokens)
}

// FuzzPathNoBypass: no request-target is allowed where plain Casbin denies
// its lenient form (attacktest.Lenient). The seeds are the attack suite.
func FuzzPathNoBypass(f *testing.F) {
	for _, c := range attacktest.PathCases {
		f.Add(c.Target)
	}
	addr, tokens := pathServer(f)
	oracle := attacktest.Oracle(f)
	f.Fuzz(func(t *testing.T, target string) { attacktest.CheckNoBypass(t, oracle, addr, tokens, target) })
}

// TestChecksWithoutPathRefuseUnsafePaths: Require, guards and RouteMapper
// decide without the request path, but the handler reads it.
func TestChecksWithoutPathRefuseUnsafePaths(t *testing.T) {
	key := jwttest.Secret(t)
	a := issueAuth(t, key)
	id := func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) }
	e := echo.New()
	e.Use(echoware.Strict(a))
	e.GET("/require/:id", id, echoware.Require(a, "/posts/1", "GET"))
	e.GET("/guard/:id", id, echoware.Authenticate(a), echoware.RequireAnyGroup(a, "viewer"))
	e.GET("/posts/:id", id, echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: echoware.RouteMapper}))
	srv := httptest.NewServer(e)
	defer srv.Close()
	dave := bearer(key.Sign(t, claimsFor("dave", "viewer")))
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/require/1", 200}, {"/require/1%0A", 403}, {"/require/%31", 403},
		{"/guard/1", 200}, {"/guard/1%0A", 403}, {"/guard/1%E2%80%AE", 403},
		{"/posts/1", 200}, {"/posts/1%0A", 403}, {"/posts/1%FF", 403},
	} {
		if status, body := attacktest.Send(t, strings.TrimPrefix(srv.URL, "http://"), tt.target, dave); status != tt.want {
			t.Errorf("%s: status %d (%q), want %d", tt.target, status, body, tt.want)
		}
	}
}
