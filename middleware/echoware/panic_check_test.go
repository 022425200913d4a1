package echoware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// The application's code on echo's decision path (the Config's skipper,
// mapper and error handler, a guard's check) may panic. The request is
// then refused with an answer, as in net/http: never dropped (no Recover
// middleware here), never the handler, never the panic's text.
func TestEchoPanickingAppCodeRefuses(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	tok := key.Sign(t, claimsFor("alice"))
	for _, c := range []struct {
		name string
		mw   echo.MiddlewareFunc
		tok  string
		want int
	}{
		{"skipper", echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Skipper: func(echo.Context) bool { panic("secret") }}), "", http.StatusUnauthorized},
		{"error handler", echoware.AuthorizeWithConfig(echoware.Config{Auth: a, ErrorHandler: func(echo.Context, error) error { panic("secret") }}), "", http.StatusUnauthorized},
		{"mapper", echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: func(echo.Context, string) ([]any, error) { panic("secret") }}), tok, http.StatusForbidden},
		{"guard", echoware.Guard(a, "boom", func(context.Context, *middleware.User) error { panic("secret") }), tok, http.StatusServiceUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := echo.New()
			reached := false
			mws := []echo.MiddlewareFunc{c.mw}
			if c.name == "guard" {
				mws = []echo.MiddlewareFunc{echoware.Authenticate(a), c.mw}
			}
			e.GET("/x", func(echo.Context) error { reached = true; return nil }, mws...)
			req := httptest.NewRequest("GET", "/x", nil)
			if c.tok != "" {
				req.Header = bearer(c.tok)
			}
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("the panic %v left the middleware", p)
					}
				}()
				e.ServeHTTP(rec, req)
			}()
			if reached || rec.Code != c.want || strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("reached %v, status %d, body %q; want %d without the panic's text", reached, rec.Code, rec.Body, c.want)
			}
		})
	}
}

// panickingDecider is an application's decider that panics.
type panickingDecider struct{}

func (panickingDecider) Decide(context.Context, enforcer.Request) (enforcer.Decision, error) {
	panic("secret")
}

// A panicking Authenticator or decider of the application is refused on
// echo as on net/http: 503, answered, never the handler, never the panic's
// text. Before, the panic left the middleware.
func TestEchoPanickingAuthenticatorOrDeciderRefuses(t *testing.T) {
	for name, opt := range map[string]middleware.Option{
		"authenticator": middleware.WithAuthenticator(middleware.AuthenticatorFunc(func(context.Context, *http.Request) (*warden.Token, error) {
			panic("secret")
		})),
		"decider": middleware.WithDecider(panickingDecider{}),
	} {
		t.Run(name, func(t *testing.T) {
			a, err := middleware.New(middleware.WithAuthenticator(middleware.AuthenticatorFunc(func(context.Context, *http.Request) (*warden.Token, error) {
				return &warden.Token{Identity: "alice", Claims: map[string]any{"sub": "alice"}}, nil
			})), middleware.WithDecider(panickingDecider{}), middleware.WithLogger(discard()), opt)
			if err != nil {
				t.Fatal(err)
			}
			e := echo.New()
			reached := false
			e.GET("/x", func(echo.Context) error { reached = true; return nil }, echoware.Authorize(a))
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("the panic %v left the middleware", p)
					}
				}()
				e.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			}()
			if reached || rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("reached %v, status %d, body %q; want 503 without the panic's text", reached, rec.Code, rec.Body)
			}
		})
	}
}

// A Config.ErrorHandler that writes nothing and returns nil, or an Auth
// WithErrorHandler that writes nothing, must not leave a refusal answered
// 200 with an empty body on echo either. Before, both did.
func TestEchoSilentErrorHandlerStillRefuses(t *testing.T) {
	key := jwttest.Secret(t)
	silent, err := middleware.New(middleware.WithAuthenticator(middleware.Bearer(nil)), middleware.WithDecider(newAuth(t, key, discard()).Decider()),
		middleware.WithLogger(discard()), middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	for name, mw := range map[string]echo.MiddlewareFunc{
		"Config.ErrorHandler": echoware.AuthorizeWithConfig(echoware.Config{Auth: newAuth(t, key, discard()),
			ErrorHandler: func(echo.Context, error) error { return nil }}),
		"Auth's error handler": echoware.Authorize(silent),
	} {
		e := echo.New()
		e.GET("/x", func(c echo.Context) error { return c.String(http.StatusOK, "data") }, mw)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d %q, want 401", name, rec.Code, rec.Body)
		}
	}
}
