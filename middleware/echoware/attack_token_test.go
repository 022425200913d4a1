package echoware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/attacktest"
)

// tokenServer serves GET /posts/:id behind Strict and Authorize with a.
func tokenServer(t *testing.T, a *middleware.Auth) string {
	t.Helper()
	e := echo.New()
	e.Use(echoware.Strict(a), echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: echoware.PathMapper}))
	e.GET("/posts/:id", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func getWith(t *testing.T, url string, auth []string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestTokenAttacks runs the token attack suite against echo.
func TestTokenAttacks(t *testing.T) {
	k := attacktest.NewKeys(t)
	url := tokenServer(t, attacktest.Auth(t, k, middleware.WithLogger(discard()))) + "/posts/1"
	for _, c := range attacktest.TokenCases {
		t.Run(c.Name, func(t *testing.T) {
			if got := getWith(t, url, c.Auth(t, k)); got != c.Want {
				t.Fatalf("status %d, want %d", got, c.Want)
			}
		})
	}
}

// TestRoleIdentities runs the role-identity cases against echo.
func TestRoleIdentities(t *testing.T) {
	k := attacktest.NewKeys(t)
	for _, c := range attacktest.RoleCases {
		t.Run(c.Name, func(t *testing.T) {
			url := tokenServer(t, attacktest.Auth(t, k, append([]middleware.Option{middleware.WithLogger(discard())}, c.Opts...)...))
			tok := k.HS.Sign(t, attacktest.Claims(func(m jwt.MapClaims) { m["sub"] = c.Sub; delete(m, "groups") }))
			if got := getWith(t, url+"/posts/1", []string{"Bearer " + tok}); got != c.Want {
				t.Fatalf("status %d, want %d", got, c.Want)
			}
		})
	}
}
