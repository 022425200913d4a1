package echoware_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

func panicOf(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// TestConstructorsRefuseUnusableAuth: like echo's own middleware, the
// constructors panic on a configuration that cannot work, instead of a nil
// dereference (Strict) or a 403 for everyone on the first request.
func TestConstructorsRefuseUnusableAuth(t *testing.T) {
	key := jwttest.Secret(t)
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	authnOnly, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	full := newAuth(t, key, discard())
	tests := []struct {
		name, want string
		build      func() echo.MiddlewareFunc
	}{
		{"Strict(nil)", "echoware: Strict needs a *middleware.Auth, got nil", func() echo.MiddlewareFunc { return echoware.Strict(nil) }},
		{"Authenticate(nil)", "echoware: Authenticate needs a *middleware.Auth, got nil", func() echo.MiddlewareFunc { return echoware.Authenticate(nil) }},
		{"Authorize(nil)", "echoware: Authorize needs a *middleware.Auth, got nil", func() echo.MiddlewareFunc { return echoware.Authorize(nil) }},
		{"Require(nil)", "echoware: Require needs a *middleware.Auth, got nil", func() echo.MiddlewareFunc { return echoware.Require(nil, "x") }},
		{"Authorize without decider", "echoware: Authorize needs an Auth built with middleware.WithDecider", func() echo.MiddlewareFunc { return echoware.Authorize(authnOnly) }},
		{"Require without decider", "echoware: Require needs an Auth built with middleware.WithDecider", func() echo.MiddlewareFunc { return echoware.Require(authnOnly, "x") }},
		{"Strict, authentication only", "", func() echo.MiddlewareFunc { return echoware.Strict(authnOnly) }},
		{"Authenticate, authentication only", "", func() echo.MiddlewareFunc { return echoware.Authenticate(authnOnly) }},
		{"Authorize with decider", "", func() echo.MiddlewareFunc { return echoware.Authorize(full) }},
		{"Require with decider", "", func() echo.MiddlewareFunc { return echoware.Require(full, "x") }},
	}
	for _, tt := range tests {
		var mw echo.MiddlewareFunc
		got := panicOf(func() { mw = tt.build() })
		if got != tt.want {
			t.Errorf("%s: panic %q, want %q", tt.name, got, tt.want)
		}
		if tt.want == "" && mw == nil {
			t.Errorf("%s: no middleware", tt.name)
		}
	}
}
