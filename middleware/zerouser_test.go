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

// A User that holds no token (a zero User, or NewUser of a nil token or
// of one without identity) that WithUser put in the context is no caller:
// UserFrom does not report it, and every check authenticates the request
// itself. Before, Require and the guards read its identity through the
// nil token and panicked, and Authorize decided for the subject "".
func TestUserWithoutTokenIsNoCaller(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.P("alice", "/x", "GET"), enforcer.P("", "/x", "GET"))
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithRoleIdentities())
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]*middleware.User{
		"zero":        {},
		"nil token":   middleware.NewUser(nil, nil, nil),
		"no identity": middleware.NewUser(&warden.Token{}, nil, nil),
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, found := middleware.UserFrom(r.Context())
		if !found || u.ID() != "alice" {
			w.WriteHeader(http.StatusTeapot)
		}
	})
	checks := map[string]http.Handler{
		"Authorize":            a.Authorize(ok),
		"Require":              a.Require("/x", "GET")(ok),
		"Authenticate":         a.Authenticate(ok),
		"RequireAuthenticated": a.RequireAuthenticated()(ok),
	}
	for un, u := range users {
		for cn, h := range checks {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r.WithContext(middleware.WithUser(r.Context(), u)))
			}))
			if got := do(t, "GET", srv.URL+"/x", nil); got.status != http.StatusUnauthorized {
				t.Errorf("%s user, %s, no token: %d, want 401", un, cn, got.status)
			}
			if cn != "RequireAuthenticated" { // a guard takes only a caller an earlier step authenticated
				if got := do(t, "GET", srv.URL+"/x", bearer(key.Sign(t, claimsFor("alice")))); got.status != http.StatusOK {
					t.Errorf("%s user, %s, alice's token: %d, want 200 for alice", un, cn, got.status)
				}
			}
			srv.Close()
		}
	}
}
