package echoware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

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

// TestTokenAttacks runs the token attack suite against echo.
func TestTokenAttacks(t *testing.T) {
	attacktest.RunTokenCases(t, tokenServer, middleware.WithLogger(discard()))
}

// TestRoleIdentities runs the role-identity cases against echo.
func TestRoleIdentities(t *testing.T) {
	attacktest.RunRoleCases(t, tokenServer, middleware.WithLogger(discard()))
}
