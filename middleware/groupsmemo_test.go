package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// hostileDecider is a decider of the application: it decides with Warden's
// enforcer, then rewrites the groups it was handed, as a decider that
// normalises or annotates them in place would.
type hostileDecider struct{ e *enforcer.Enforcer }

func (d hostileDecider) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	dec, err := d.e.Decide(ctx, req)
	for i := range req.Groups {
		req.Groups[i] = "admin"
	}
	return dec, err
}

// The groups ClaimGroups reads for a cached token are kept with the token
// and shared by every request presenting it, so they are handed only to
// Warden's enforcer; a decider of the application gets a copy. Here such a
// decider rewrites the groups of every request to "admin": without the
// copy, the second request presenting the token was decided on the first
// one's rewritten list and /secret answered 204.
func TestKeptGroupsNeverReachAnotherRequest(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac",
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("admin", "/secret", "GET"))
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(hostileDecider{e}),
		middleware.WithLogger(discard()), middleware.WithGroups(token.ClaimGroups("groups")))
	if err != nil {
		t.Fatal(err)
	}
	var seen [][]string
	h := a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		g, err := u.Groups(r.Context())
		if err != nil {
			t.Error(err)
		}
		seen = append(seen, g)
		w.WriteHeader(http.StatusNoContent)
	}))
	auth := bearer(key.Sign(t, claimsFor("carol", "viewer")))
	get := func(path string) int {
		req := httptest.NewRequest("GET", path, nil)
		req.Header = auth.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 4 { // the miss, then hits of the cached token
		if code := get("/posts"); code != http.StatusNoContent {
			t.Fatalf("request %d to /posts: %d, want 204", i, code)
		}
		if code := get("/secret"); code != http.StatusForbidden {
			t.Fatalf("request %d to /secret: %d, want 403: another request's decider changed the groups", i, code)
		}
	}
	for i, g := range seen {
		if !slices.Equal(g, []string{"viewer"}) {
			t.Fatalf("handler %d saw the groups %q, want the token's [viewer]", i, g)
		}
	}
}

// Two Auths with different claim paths on one verifier share its cached
// tokens; each must be decided on its own claim. Without the provider as
// the key of the kept list, the second Auth read the first one's list.
func TestKeptGroupsAreEachProviders(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac",
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("admin", "/secret", "GET"))
	auth := func(path string) http.Handler {
		a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e),
			middleware.WithLogger(discard()), middleware.WithGroups(token.ClaimGroups(path)))
		if err != nil {
			t.Fatal(err)
		}
		return a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}))
	}
	byGroups, byRoles := auth("groups"), auth("roles")
	claims := claimsFor("carol", "viewer")
	claims["roles"] = []string{"admin"}
	hdr := bearer(key.Sign(t, claims))
	get := func(h http.Handler, path string) int {
		req := httptest.NewRequest("GET", path, nil)
		req.Header = hdr.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 3 {
		for _, c := range []struct {
			h          http.Handler
			name, path string
			want       int
		}{
			{byGroups, "groups", "/posts", http.StatusNoContent},
			{byGroups, "groups", "/secret", http.StatusForbidden},
			{byRoles, "roles", "/secret", http.StatusNoContent},
			{byRoles, "roles", "/posts", http.StatusForbidden},
		} {
			if code := get(c.h, c.path); code != c.want {
				t.Fatalf("round %d, groups from %q, %s: %d, want %d", i, c.name, c.path, code, c.want)
			}
		}
	}
}

// The groups kept with a cached token are handed to Warden's enforcer
// itself, uncopied, on the promise that a decision never modifies
// Request.Groups: here every model the middleware's tests use decides,
// allowing and denying, with groups that are roles with parents, repeats
// of stored links, and names no rule knows, and the list must come back
// as it went in.
func TestEnforcerLeavesGroupsAlone(t *testing.T) {
	cases := []struct {
		model  string
		rules  []enforcer.Rule
		values [][]any
	}{
		{"rbac", []enforcer.Rule{enforcer.P("viewer", "/posts", "GET"), enforcer.P("admin", "/secret", "GET"),
			enforcer.G("viewer", "reader"), enforcer.G("carol", "viewer")},
			[][]any{{"carol", "/posts", "GET"}, {"carol", "/secret", "GET"}, {"dave", "/posts", "GET"}}},
		{"rbac_deny", []enforcer.Rule{enforcer.P("viewer", "/posts", "GET", "allow"), enforcer.P("banned", "/posts", "GET", "deny"),
			enforcer.G("banned", "viewer")},
			[][]any{{"carol", "/posts", "GET"}, {"dave", "/posts", "GET"}}},
		{"rbac_domains", []enforcer.Rule{enforcer.P("viewer", "d1", "/posts", "GET"), enforcer.G("viewer", "reader", "d1"),
			enforcer.G("carol", "viewer", "d2")},
			[][]any{{"carol", "d1", "/posts", "GET"}, {"carol", "d2", "/posts", "GET"}}},
		{"restful", []enforcer.Rule{enforcer.P("viewer", "/posts/:id", "(GET)|(HEAD)"), enforcer.G("viewer", "reader")},
			[][]any{{"carol", "/posts/1", "GET"}, {"carol", "/posts/1", "DELETE"}}},
	}
	for _, c := range cases {
		e := newEnforcer(t, c.model, c.rules...)
		for _, groups := range [][]string{{"viewer"}, {"banned", "viewer"}, {"reader", "viewer", "nobody"}, {"nobody"}} {
			want := slices.Clone(groups)
			for _, v := range c.values {
				if _, err := e.Decide(context.Background(), enforcer.Request{Values: v, Groups: groups}); err != nil {
					t.Fatalf("%s %v %q: %v", c.model, v, groups, err)
				}
				if !slices.Equal(groups, want) {
					t.Fatalf("%s: deciding %v changed the groups %q to %q", c.model, v, want, groups)
				}
			}
		}
	}
}
