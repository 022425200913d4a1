package echoware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// As in net/http: a caller another Auth identified, or that WithUser put
// in the context, is asked of the deciding Auth's role sources before it
// decides, so that a token whose sub is "admin" does not hold the role's
// rules.
func TestEchoRoleIdentityRefusedForCallerOfAnotherAuth(t *testing.T) {
	key := jwttest.Secret(t)
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	m, err := models.Load(models.RBAC)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), enforcer.G("alice", "admin"),
		enforcer.P("admin", "/admin", "GET"), enforcer.P("admin", "/other/admin", "GET"), enforcer.P("admin", "/user/admin", "GET")); err != nil {
		t.Fatal(err)
	}
	authn, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	authz, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	withUser := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := middleware.NewUser(&warden.Token{Identity: c.Request().Header.Get("X-Test-User")}, nil, nil)
			c.SetRequest(c.Request().WithContext(middleware.WithUser(c.Request().Context(), u)))
			return next(c)
		}
	}
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	ec := echo.New()
	ec.GET("/admin", ok, echoware.Authorize(authz))
	ec.GET("/other/admin", ok, echoware.Authenticate(authn), echoware.Authorize(authz))
	ec.GET("/other/require", ok, echoware.Authenticate(authn), echoware.Require(authz, "/admin", "GET"))
	ec.GET("/other/authenticate", ok, echoware.Authenticate(authn), echoware.Authenticate(authz))
	ec.GET("/user/admin", ok, withUser, echoware.Authorize(authz))
	ec.GET("/user/require", ok, withUser, echoware.Require(authz, "/admin", "GET"))
	srv := httptest.NewServer(ec)
	defer srv.Close()

	for _, c := range []struct {
		path, sub string
		want      int
	}{
		{"/admin", "admin", 403},
		{"/admin", "alice", 200},
		{"/other/admin", "admin", 403},
		{"/other/admin", "alice", 200},
		{"/other/require", "admin", 403},
		{"/other/require", "alice", 200},
		{"/other/authenticate", "admin", 403},
		{"/user/admin", "admin", 403},
		{"/user/admin", "alice", 200},
		{"/user/require", "admin", 403},
		{"/user/require", "alice", 200},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor(c.sub)))
		req.Header.Set("X-Test-User", c.sub)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.sub, resp.StatusCode, c.want)
		}
	}
}
