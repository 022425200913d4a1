package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/middleware"
)

// TestAPIKeyCookieRepeatedRefused: two API key headers are refused, but
// two cookies of the key's name were read as the first one: a cookie a
// sibling subdomain set (cookie tossing) came before the caller's own and
// made the request the attacker's service identity, and a proxy that reads
// the last cookie saw another key than Warden. Repeated, the cookie is
// refused as the header is.
func TestAPIKeyCookieRepeatedRefused(t *testing.T) {
	keys, err := middleware.NewAPIKeys(map[string]string{
		middleware.HashAPIKey("k-billing-0123456789"): "svc-billing",
		middleware.HashAPIKey("k-mallory-0123456789"): "svc-mallory",
	}, middleware.APIKeyCookie("api_key"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := middleware.New(middleware.WithAuthenticator(keys), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		_, _ = w.Write([]byte(u.ID()))
	})))
	defer srv.Close()
	for _, c := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"one cookie", http.Header{"Cookie": {"api_key=k-billing-0123456789"}}, 200},
		{"two cookies in one header", http.Header{"Cookie": {"api_key=k-mallory-0123456789; api_key=k-billing-0123456789"}}, 401},
		{"two Cookie headers", http.Header{"Cookie": {"api_key=k-mallory-0123456789", "api_key=k-billing-0123456789"}}, 401},
		{"the same key twice", http.Header{"Cookie": {"api_key=k-billing-0123456789; api_key=k-billing-0123456789"}}, 401},
		{"another cookie beside it", http.Header{"Cookie": {"session=x; api_key=k-billing-0123456789"}}, 200},
	} {
		if got := do(t, "GET", srv.URL, c.header); got.status != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, got.status, got.body, c.want)
		}
	}
}
