package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A route whose check was forgotten sets a session cookie, then panics;
// the application's recovery middleware, outside Strict as recovery
// usually is, answers 500 through the writer beneath Strict, which shares
// the handler's header map. Strict must not let the headers of an
// unchecked request out that way either: before, the 500 carried the
// handler's Set-Cookie. A checked request keeps its headers.
func TestStrictPanicLeaksNoHeaderOfUncheckedRequest(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac", enforcer.P("alice", "/checked", "GET"))), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	recovery := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if recover() != nil {
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
	panicking := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret"})
		w.Header().Set("X-Leak", "yes")
		panic("boom")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /forgotten", panicking)
	mux.Handle("GET /checked", a.Authorize(panicking))
	srv := httptest.NewServer(recovery(a.Strict(mux)))
	defer srv.Close()
	h := bearer(key.Sign(t, claimsFor("alice")))

	got := do(t, "GET", srv.URL+"/forgotten", h)
	if got.status != http.StatusInternalServerError || got.header.Get("Set-Cookie") != "" || got.header.Get("X-Leak") != "" {
		t.Errorf("unchecked: %d with Set-Cookie %q, X-Leak %q; want the 500 without the handler's headers",
			got.status, got.header.Get("Set-Cookie"), got.header.Get("X-Leak"))
	}
	got = do(t, "GET", srv.URL+"/checked", h)
	if got.status != http.StatusInternalServerError || got.header.Get("X-Leak") != "yes" {
		t.Errorf("checked: %d with X-Leak %q; want the 500 with the handler's headers", got.status, got.header.Get("X-Leak"))
	}
}
