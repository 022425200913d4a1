package echoware_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// authWith returns an Auth over a real RESTful enforcer holding rules.
func authWith(t *testing.T, key jwttest.Key, rules []enforcer.Rule, opts ...middleware.Option) *middleware.Auth {
	t.Helper()
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	m, err := models.Load(models.RESTful)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), rules...); err != nil {
		t.Fatal(err)
	}
	a, err := middleware.New(append([]middleware.Option{middleware.WithVerifier(v), middleware.WithDecider(e),
		middleware.WithLogger(discard())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEchoPublicNeedsCanonicalPathAndTheDeclaredRoute: echo routes on the
// escaped path, so /%68ealthz is served by /:slug while its decoded path is
// the public /healthz.
func TestEchoPublicNeedsCanonicalPathAndTheDeclaredRoute(t *testing.T) {
	key := jwttest.Secret(t)
	a := authWith(t, key, []enforcer.Rule{enforcer.P("carol", "/posts", "GET")},
		middleware.WithPublic("GET /healthz", "GET /docs"))
	named := func(name string) echo.HandlerFunc { return func(c echo.Context) error { return c.String(200, name) } }

	authz := echo.New()
	authz.Use(echoware.Strict(a), echoware.Authorize(a))
	authz.GET("/healthz", named("healthz"))
	authz.GET("/posts", named("posts"))
	authz.GET("/:slug", named("slug"))
	full := httptest.NewServer(authz)
	defer full.Close()

	bare := echo.New()
	bare.Use(echoware.Strict(a))
	bare.GET("/healthz", named("healthz"))
	bare.GET("/:slug", named("slug"))
	strict := httptest.NewServer(bare)
	defer strict.Close()

	carol := key.Sign(t, claimsFor("carol"))
	tests := []struct {
		name, url, tok string
		want           int
	}{
		{"public", full.URL + "/healthz", "", 200},
		{"escaped public path served by /:slug", full.URL + "/%68ealthz", "", 401},
		{"public path without its own route", full.URL + "/docs", "", 401},
		{"protected", full.URL + "/x", "", 401},
		{"allowed path", full.URL + "/posts", carol, 200},
		{"allowed path escaped into /:slug", full.URL + "/%70osts", carol, 403},
		{"strict: public", strict.URL + "/healthz", "", 200},
		{"strict: escaped public path", strict.URL + "/%68ealthz", "", 403},
		{"strict: public path without its own route", strict.URL + "/docs", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, body := get(t, "GET", tt.url, tt.tok); status != tt.want {
				t.Fatalf("status %d (%v), want %d", status, body, tt.want)
			}
		})
	}
}
