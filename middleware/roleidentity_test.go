package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
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

// A caller another Auth identified is decided with the deciding Auth's own
// providers, not the first Auth's: authn reads the token's groups claim,
// authz groups from its own source (a fixed "viewer" here, as a database
// would answer), and a token claiming "admin" must not reach admin's rules
// through authn.Authenticate(authz.Authorize(...)), which authz alone
// refuses. authz's guard sees its own providers too; the handler keeps
// authn's caller.
func TestCallerOfAnotherAuthIsDecidedWithOwnProviders(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.P("admin", "/secret", "GET"), enforcer.P("viewer", "/posts", "GET"))
	authn, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()),
		middleware.WithGroups(token.ClaimGroups("groups")))
	if err != nil {
		t.Fatal(err)
	}
	fromStore := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return []string{"viewer"}, nil })
	authz, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithGroups(fromStore))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string][]string{} // path: the groups the guard or the handler saw
	record := func(path string, u *middleware.User, ctx context.Context) {
		g, err := u.Groups(ctx)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		seen[path] = g
		mu.Unlock()
	}
	ok := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		record(r.URL.Path+" handler", u, r.Context())
	})
	guard := authz.Guard("groups", func(ctx context.Context, u *middleware.User) error {
		record("/guard guard", u, ctx)
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("GET /secret", authn.Authenticate(authz.Authorize(ok)))
	mux.Handle("GET /posts", authn.Authenticate(authz.Authorize(ok)))
	mux.Handle("GET /direct/secret", authz.Authorize(ok))
	mux.Handle("GET /guard", authn.Authenticate(guard(ok)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	claimsAdmin := bearer(key.Sign(t, claimsFor("mallory", "admin")))
	for _, c := range []struct {
		path string
		want int
	}{
		{"/direct/secret", 403}, // the control: authz alone reads no groups claim
		{"/secret", 403},
		{"/posts", 200},
		{"/guard", 200},
	} {
		if got := do(t, "GET", srv.URL+c.path, claimsAdmin); got.status != c.want {
			t.Errorf("GET %s claiming admin: %d, want %d", c.path, got.status, c.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if g := seen["/guard guard"]; !slices.Equal(g, []string{"viewer"}) {
		t.Errorf("authz's guard saw groups %v, want authz's [viewer]", g)
	}
	if g := seen["/posts handler"]; !slices.Equal(g, []string{"admin"}) {
		t.Errorf("the handler saw groups %v, want authn's caller's [admin]", g)
	}
}
