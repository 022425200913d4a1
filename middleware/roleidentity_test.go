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

// Decide, called by a handler with a caller another Auth identified, asks
// its own role sources as Authorize does; a missing caller is refused
// (401), not a panic.
func TestDecideRefusesRoleIdentityOfAnotherAuthsCaller(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.G("alice", "admin"), enforcer.P("admin", "doc", "read"))
	authn, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	authz, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	var own *middleware.User // a caller authz identified itself
	srv := httptest.NewServer(authn.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		if own != nil {
			if _, err := authz.Decide(r, own, []any{own.ID(), "doc", "read"}); err != nil {
				t.Errorf("authz's own caller: %v", err)
			}
		}
		_, err := authz.Decide(r, u, []any{u.ID(), "doc", "read"})
		status := http.StatusOK
		if err != nil {
			status = middleware.StatusOf(err)
		}
		w.WriteHeader(status)
		if _, err := authz.Decide(r, nil, []any{"alice", "doc", "read"}); middleware.StatusOf(err) != http.StatusUnauthorized {
			t.Errorf("Decide of no caller: %v, want a 401", err)
		}
	})))
	defer srv.Close()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header = bearer(key.Sign(t, claimsFor("alice")))
	if own, err = authz.Identify(req); err != nil {
		t.Fatal(err)
	}
	for sub, want := range map[string]int{"alice": 200, "admin": 403} {
		if got := do(t, "GET", srv.URL+"/", bearer(key.Sign(t, claimsFor(sub)))); got.status != want {
			t.Errorf("Decide for %s, identified by another Auth: %d, want %d", sub, got.status, want)
		}
	}
}
