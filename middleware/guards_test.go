package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

func TestGuards(t *testing.T) {
	key := hmacKey(t)
	perms := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		return claimPermissions(tok)
	})
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithPermissions(perms), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/any-group", a.RequireAnyGroup("a", "b")(ok))
	mux.Handle("/all-groups", a.RequireAllGroups("a", "b")(ok))
	mux.Handle("/no-groups", a.RequireAllGroups()(ok))
	mux.Handle("/any-perm", a.RequireAnyPermission("delete:posts", "read:posts")(ok))
	mux.Handle("/all-perms", a.RequireAllPermissions("read:posts", "write:posts")(ok))
	mux.Handle("/delete", a.RequireAnyPermission("delete:posts")(ok))
	srv := httptest.NewServer(a.Strict(a.Authenticate(mux)))
	defer srv.Close()

	type caller struct {
		groups, perms []string
	}
	tests := []struct {
		path   string
		caller caller
		want   int
	}{
		{"/any-group", caller{groups: []string{"b"}}, 200},
		{"/any-group", caller{groups: []string{"c"}}, 403},
		{"/all-groups", caller{groups: []string{"a", "b"}}, 200},
		{"/all-groups", caller{groups: []string{"a"}}, 403},
		{"/no-groups", caller{groups: []string{"a"}}, 403},
		{"/any-perm", caller{perms: []string{"read:*"}}, 200},
		{"/any-perm", caller{perms: []string{"write:posts"}}, 403},
		{"/all-perms", caller{perms: []string{"read:posts", "write:posts"}}, 200},
		{"/all-perms", caller{perms: []string{"*", "!write:posts"}}, 403},
		{"/delete", caller{perms: []string{"*"}}, 200},
		{"/delete", caller{perms: []string{"*", "!delete:*"}}, 403},
	}
	for _, tt := range tests {
		c := claimsFor("u", tt.caller.groups...)
		if tt.caller.perms != nil {
			c["permissions"] = tt.caller.perms
		}
		if r := do(t, "GET", srv.URL+tt.path, bearer(key.Sign(t, c))); r.status != tt.want {
			t.Errorf("%s %+v: %d, want %d", tt.path, tt.caller, r.status, tt.want)
		}
	}
}

func TestStrictMode(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	leaky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "secret"})
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("data"))
	})
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	custom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.MarkChecked(r.Context())
		w.WriteHeader(http.StatusCreated)
	})
	mux := http.NewServeMux()
	mux.Handle("/leaky", leaky)
	mux.Handle("/silent", silent)
	mux.Handle("/public", middleware.Public(leaky))
	mux.Handle("/custom", custom)
	srv := httptest.NewServer(a.Strict(mux))
	defer srv.Close()
	tests := []struct {
		path   string
		status int
	}{{"/leaky", 403}, {"/silent", 403}, {"/public", 201}, {"/custom", 201}}
	for _, tt := range tests {
		r := do(t, "GET", srv.URL+tt.path, nil)
		if r.status != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, r.status, tt.status)
		}
		if tt.status == 403 && (r.header.Get("Set-Cookie") != "" || r.json["error"] != "forbidden") {
			t.Errorf("%s: refused response leaks headers or lacks the JSON body: %v %q", tt.path, r.header, r.body)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	keys, err := middleware.NewAPIKeys(map[string]string{
		middleware.HashAPIKey("k-billing-0123456789"): "svc-billing",
	}, middleware.APIKeyCookie("api_key"))
	if err != nil {
		t.Fatal(err)
	}
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithAuthenticator(middleware.FirstOf(
		middleware.Bearer(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))), keys)),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Authenticate(a.RequireAuthenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		_, _ = w.Write([]byte(u.ID()))
	}))))
	defer srv.Close()
	tests := []struct {
		name   string
		header http.Header
		status int
		id     string
	}{
		{"header", http.Header{"X-Api-Key": {"k-billing-0123456789"}}, 200, "svc-billing"},
		{"cookie", http.Header{"Cookie": {"api_key=k-billing-0123456789"}}, 200, "svc-billing"},
		{"wrong key", http.Header{"X-Api-Key": {"k-billing-0123456788"}}, 401, ""},
		{"empty key", http.Header{"X-Api-Key": {""}}, 401, ""},
		{"two keys", http.Header{"X-Api-Key": {"k-billing-0123456789", "x"}}, 401, ""},
		{"bad bearer does not fall back to the key", http.Header{"Authorization": {"Bearer bad"}, "X-Api-Key": {"k-billing-0123456789"}}, 401, ""},
		{"bearer", bearer(key.Sign(t, claimsFor("alice"))), 200, "alice"},
		{"nothing", nil, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "GET", srv.URL, tt.header)
			if r.status != tt.status || (tt.id != "" && r.body != tt.id) {
				t.Fatalf("got %d %q", r.status, r.body)
			}
		})
	}
	if _, err := middleware.NewAPIKeys(map[string]string{"plaintext-key": "x"}); err == nil {
		t.Fatal("a plaintext key was accepted as a hash")
	}
}
