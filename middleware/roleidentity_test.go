package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A caller that another Auth identified (one that only authenticates, so
// has no role source), or that WithUser put in the context, was never
// asked of this Auth's role sources. The deciding Auth must ask them
// before it decides: otherwise a token whose sub is "admin" holds every
// rule of the role admin through Authorize or Require, which the same
// Auth alone refuses (ErrRoleIdentity, 403).
func TestRoleIdentityRefusedForCallerOfAnotherAuth(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.G("alice", "admin"), enforcer.P("admin", "/admin", "GET"),
		enforcer.P("admin", "/other/admin", "GET"), enforcer.P("admin", "/user/admin", "GET"))
	authn, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	authz, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	// withUser is code that authenticates by other means: the caller it
	// names by the X-Test-User header.
	withUser := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := middleware.NewUser(&warden.Token{Identity: r.Header.Get("X-Test-User")}, nil, nil)
			next.ServeHTTP(w, r.WithContext(middleware.WithUser(r.Context(), u)))
		})
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("GET /admin", authz.Authorize(ok))
	mux.Handle("GET /other/admin", authn.Authenticate(authz.Authorize(ok)))
	mux.Handle("GET /other/require", authn.Authenticate(authz.Require("/admin", "GET")(ok)))
	mux.Handle("GET /other/authenticate", authn.Authenticate(authz.Authenticate(ok)))
	mux.Handle("GET /user/admin", withUser(authz.Authorize(ok)))
	mux.Handle("GET /user/require", withUser(authz.Require("/admin", "GET")(ok)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, c := range []struct {
		path, sub string
		want      int
	}{
		{"/admin", "admin", 403}, // the control: the same Auth alone refuses the role's name
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
		h := bearer(key.Sign(t, claimsFor(c.sub)))
		h.Set("X-Test-User", c.sub)
		if got := do(t, "GET", srv.URL+c.path, h); got.status != c.want {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.sub, got.status, c.want)
		}
	}
}
