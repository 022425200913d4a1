package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

func TestSkipperIsNotACheck(t *testing.T) {
	key := hmacKey(t)
	e := newEnforcer(t, "restful")
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithSkipper(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/static/") }))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/static/", a.Authorize(ok))
	mux.Handle("/static/public/", a.Authorize(middleware.Public(ok)))
	mux.Handle("/x", a.Authorize(ok))
	srv := httptest.NewServer(a.Strict(mux))
	defer srv.Close()
	for path, want := range map[string]int{
		"/static/app.js":        403, // skipped, so unchecked: strict refuses
		"/static/public/app.js": 200, // skipped, then explicitly public
		"/x":                    401, // not skipped: needs a token
	} {
		if r := do(t, "GET", srv.URL+path, nil); r.status != want {
			t.Errorf("%s: %d, want %d", path, r.status, want)
		}
	}
	// Without strict mode a skipped route is simply served.
	plain := httptest.NewServer(mux)
	defer plain.Close()
	if r := do(t, "GET", plain.URL+"/static/app.js", nil); r.status != 200 {
		t.Errorf("skipped route without strict mode: %d", r.status)
	}
}

func TestPanickingProviderFailsClosed(t *testing.T) {
	key := hmacKey(t)
	// A deny rule for a group: if a panicking provider looked like "no
	// groups", the deny would silently not apply.
	e := newEnforcer(t, "permissions",
		enforcer.P("staff", "read:*", "allow"),
		enforcer.P("contractor", "read:salaries", "deny"),
		enforcer.G("carol", "staff"),
	)
	panicky := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { panic("boom") })
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithGroups(panicky), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Require("read:salaries")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	if r := do(t, "GET", srv.URL, bearer(key.Sign(t, claimsFor("carol")))); r.status != 503 {
		t.Fatalf("status %d, want 503", r.status)
	}
}

func TestRequireWithPermissionsModel(t *testing.T) {
	key := hmacKey(t)
	e := newEnforcer(t, "permissions",
		enforcer.P("admin", "*", "allow"),
		enforcer.P("contractor", "delete:*", "deny"),
		enforcer.P("viewer", "read:posts", "allow"),
	)
	perms := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		return claimPermissions(tok)
	})
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithPermissions(perms), middleware.WithPermissionPolicies(), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/read", a.Require("read:posts")(ok))
	mux.Handle("/delete", a.Require("delete:posts")(ok))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	withPerms := func(sub string, perms []string, groups ...string) http.Header {
		c := claimsFor(sub, groups...)
		if perms != nil {
			c["permissions"] = perms
		}
		return bearer(key.Sign(t, c))
	}
	tests := []struct {
		name, path string
		h          http.Header
		want       int
	}{
		{"role from token", "/read", withPerms("u1", nil, "viewer"), 200},
		{"no role", "/read", withPerms("u2", nil), 403},
		{"admin deletes", "/delete", withPerms("u3", nil, "admin"), 200},
		{"deny overrides admin", "/delete", withPerms("u4", nil, "admin", "contractor"), 403},
		{"token permission as request-scoped policy", "/delete", withPerms("u5", []string{"delete:posts"}), 200},
		{"token deny permission", "/delete", withPerms("u6", []string{"*", "!delete:posts"}), 403},
		{"invalid token permission fails closed", "/read", withPerms("u7", []string{"read:posts", "bad perm"}, "viewer"), 403},
	}
	for _, tt := range tests {
		if r := do(t, "GET", srv.URL+tt.path, tt.h); r.status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, r.status, tt.want)
		}
	}
	// The policies were request-scoped: u5's token permission left no rule.
	for _, r := range e.Rules("p") {
		if r.Values[0] == "u5" {
			t.Fatalf("request-scoped permission stored: %v", r)
		}
	}
}

func TestDeciderErrors(t *testing.T) {
	key := hmacKey(t)
	e := newEnforcer(t, "restful", enforcer.P("viewer", "/posts", "GET"))
	slow := deciderFunc(func(ctx context.Context, _ enforcer.Request) (enforcer.Decision, error) {
		return enforcer.Decision{}, context.DeadlineExceeded
	})
	for _, tt := range []struct {
		name string
		d    enforcer.Decider
		mw   func(a *middleware.Auth) func(http.Handler) http.Handler
		want int
	}{
		{"request that does not fit the model", e, func(a *middleware.Auth) func(http.Handler) http.Handler { return a.Require("/posts") }, 403},
		{"decider timeout", slow, func(a *middleware.Auth) func(http.Handler) http.Handler { return a.Require("/posts", "GET") }, 503},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
				middleware.WithDecider(tt.d), middleware.WithLogger(discard()))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(tt.mw(a)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
			defer srv.Close()
			if r := do(t, "GET", srv.URL, bearer(key.Sign(t, claimsFor("carol", "viewer")))); r.status != tt.want {
				t.Fatalf("status %d, want %d", r.status, tt.want)
			}
		})
	}
}

type deciderFunc func(ctx context.Context, req enforcer.Request) (enforcer.Decision, error)

func (f deciderFunc) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	return f(ctx, req)
}
