package echoware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// A Config.ErrorHandler that writes a body without a status (through
// c.Response().Write, as an io.Copy or a template's Execute does) would
// send the refusal as echo's default 200: the refusal's own status goes
// out with its body instead, for Authorize and a guard alike, as the
// Auth's WithErrorHandler does in net/http; so does one that flushes
// first (echo's Response.Flush reaches the writer beneath it). A status it
// writes stands.
func TestEchoErrorHandlerWritingOnlyABodyKeepsTheRefusalsStatus(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	cfg := echoware.Config{Auth: a, ErrorHandler: func(c echo.Context, err error) error {
		if c.QueryParam("teapot") != "" {
			c.Response().WriteHeader(http.StatusTeapot)
		}
		if c.QueryParam("flush") != "" {
			c.Response().Flush() // echo flushes the writer beneath its Response
		}
		_, werr := c.Response().Write([]byte("sorry"))
		return werr
	}}
	unavailable := func(context.Context, *middleware.User) error { return middleware.ErrUnavailable }
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "data") }
	e := echo.New()
	e.GET("/posts", ok, echoware.AuthorizeWithConfig(cfg))
	e.DELETE("/posts/:id", ok, echoware.AuthorizeWithConfig(cfg))
	e.GET("/guarded", ok, echoware.Authenticate(a), echoware.GuardWithConfig(cfg, "unavailable", unavailable))
	for _, c := range []struct {
		method, path string
		tok          bool
		want         int
	}{
		{"GET", "/posts", true, http.StatusOK},
		{"GET", "/posts", false, http.StatusUnauthorized},
		{"DELETE", "/posts/1", true, http.StatusForbidden},
		{"GET", "/guarded", true, http.StatusServiceUnavailable},
		{"DELETE", "/posts/1?teapot=1", true, http.StatusTeapot},
		{"GET", "/posts?flush=1", false, http.StatusUnauthorized},
		{"DELETE", "/posts/1?flush=1", true, http.StatusForbidden},
		{"GET", "/guarded?flush=1", true, http.StatusServiceUnavailable},
		{"DELETE", "/posts/1?flush=1&teapot=1", true, http.StatusTeapot},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.tok {
			req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("bob", "viewer")))
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s %s: %d %q, want %d", c.method, c.path, rec.Code, rec.Body, c.want)
		}
	}
}

// A Config.ErrorHandler that hands the refusal back to echo (return err,
// the idiom for "let echo's error handler answer"), or wraps it, would get
// echo's 500, with the error's text (a provider's: a database address) in
// echo's Debug mode. The Auth answers instead, as for a handler that wrote
// nothing: the refusal's status, no internal text. An error of the
// handler's own is echo's to answer.
func TestEchoErrorHandlerReturningTheRefusalGetsTheAuthsAnswer(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	secret := "dial tcp 10.0.0.7:5432: connection refused"
	down := func(context.Context, *middleware.User) error {
		return errors.Join(middleware.ErrUnavailable, errors.New(secret))
	}
	handBack := echoware.Config{Auth: a, ErrorHandler: func(c echo.Context, err error) error {
		switch c.QueryParam("how") {
		case "wrap":
			return fmt.Errorf("refused: %w", err)
		case "own":
			return echo.NewHTTPError(http.StatusTeapot, "mine")
		}
		return err
	}}
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "data") }
	e := echo.New()
	e.Debug = true // echo's error handler then answers with err's text
	e.GET("/posts", ok, echoware.AuthorizeWithConfig(handBack))
	e.DELETE("/posts/:id", ok, echoware.AuthorizeWithConfig(handBack))
	e.GET("/guarded", ok, echoware.Authenticate(a), echoware.GuardWithConfig(handBack, "down", down))
	for _, c := range []struct {
		method, path string
		tok          bool
		want         int
	}{
		{"GET", "/posts", false, http.StatusUnauthorized},
		{"DELETE", "/posts/1", true, http.StatusForbidden},
		{"GET", "/guarded", true, http.StatusServiceUnavailable},
		{"GET", "/guarded?how=wrap", true, http.StatusServiceUnavailable},
		{"DELETE", "/posts/1?how=wrap", true, http.StatusForbidden},
		{"DELETE", "/posts/1?how=own", true, http.StatusTeapot},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.tok {
			req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("bob", "viewer")))
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != c.want || strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Errorf("%s %s: %d %q, want %d without the provider's text", c.method, c.path, rec.Code, rec.Body, c.want)
		}
	}
}
