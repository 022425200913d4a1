package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// named answers 200 with its name, so a test sees which route served.
func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(name)) })
}

// TestPublicNeedsCanonicalPathAndTheDeclaredRoute sends escaped spellings of
// public paths. ServeMux routes on the unescaped segments, so /a%2Fb is
// served by /{slug} although its decoded path /a/b is declared public.
func TestPublicNeedsCanonicalPathAndTheDeclaredRoute(t *testing.T) {
	key := hmacKey(t)
	rules := []enforcer.Rule{enforcer.P("carol", "/posts", "GET")}
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, models.RESTful, rules...)), middleware.WithLogger(discard()),
		middleware.WithPublic("GET /healthz", "GET /a/b"))
	if err != nil {
		t.Fatal(err)
	}
	// Outer middleware: it runs before the mux has chosen a route.
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", named("healthz"))
	mux.Handle("GET /a/b", named("a/b"))
	mux.Handle("GET /posts", named("posts"))
	mux.Handle("GET /{slug}", named("slug"))
	outer := httptest.NewServer(a.Strict(a.Authorize(mux)))
	defer outer.Close()

	// Strict alone, routes without checks: only WithPublic opens them.
	bare := http.NewServeMux()
	bare.Handle("GET /healthz", named("healthz"))
	bare.Handle("GET /a/b", named("a/b"))
	bare.Handle("GET /{slug}", named("slug"))
	strict := httptest.NewServer(a.Strict(bare))
	defer strict.Close()

	// Inner middleware: the route is known (r.Pattern), and /healthz has no
	// route of its own, so /{slug} serves it and it is not public.
	inner := http.NewServeMux()
	inner.Handle("GET /{slug}", a.Authorize(named("slug")))
	in := httptest.NewServer(a.Strict(inner))
	defer in.Close()

	carol := bearer(key.Sign(t, claimsFor("carol")))
	tests := []struct {
		name, url string
		header    http.Header
		want      int
	}{
		{"public", outer.URL + "/healthz", nil, 200},
		{"escaped public path", outer.URL + "/%68ealthz", nil, 401},
		{"escaped slash reaches /{slug}", outer.URL + "/a%2Fb", nil, 401},
		{"protected", outer.URL + "/x", nil, 401},
		{"allowed path", outer.URL + "/posts", carol, 200},
		{"allowed path escaped into /{slug}", outer.URL + "/%70osts", carol, 403},
		{"strict: public", strict.URL + "/healthz", nil, 200},
		{"strict: escaped public path", strict.URL + "/%68ealthz", nil, 403},
		{"strict: escaped slash", strict.URL + "/a%2Fb", nil, 403},
		{"strict: unchecked", strict.URL + "/x", nil, 403},
		{"routed: public path served by /{slug}", in.URL + "/healthz", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := do(t, "GET", tt.url, tt.header); r.status != tt.want {
				t.Fatalf("status %d (%q), want %d", r.status, r.body, tt.want)
			}
		})
	}
}

func TestDefaultMapperRefusesAmbiguousPaths(t *testing.T) {
	tests := []struct {
		target string
		object string
		err    error
	}{
		{"/admin/x", "/admin/x", nil},
		{"/a%20b", "/a b", nil}, // the standard escaping: one spelling
		{"/%61dmin/x", "", middleware.ErrAmbiguousPath},
		{"/a%2Fb", "", middleware.ErrAmbiguousPath},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		values, err := middleware.DefaultMapper(r, "carol")
		if !errors.Is(err, tt.err) {
			t.Fatalf("%s: err = %v, want %v", tt.target, err, tt.err)
		}
		if tt.err == nil && values[1] != tt.object {
			t.Fatalf("%s: object = %v, want %s", tt.target, values[1], tt.object)
		}
		if got := middleware.CanonicalPath(r.URL); got != (tt.err == nil) {
			t.Fatalf("%s: CanonicalPath = %v", tt.target, got)
		}
	}
	// A RawPath equal to the standard escaping is still one spelling.
	u := &url.URL{Path: "/a b", RawPath: "/a%20b"}
	if !middleware.CanonicalPath(u) {
		t.Fatal("standard escaping in RawPath counted as ambiguous")
	}
}
