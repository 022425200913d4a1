package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// An Authorize that wraps the whole ServeMux runs before the route is
// chosen, so it lets a path declared WithPublic through unauthenticated.
// Whether that path was public is known only once the mux has routed it:
// served by its own route it is, served by a catch-all (here one whose
// check was forgotten) it is not, and strict mode must refuse the
// catch-all's answer. Before, the early Authorize counted the request
// checked and strict mode let the catch-all's 200 through.
func TestStrictJudgesPublicOnTheRouteServed(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac", enforcer.P("alice", "/", "GET"))), middleware.WithLogger(discard()),
		middleware.WithPublic("GET /healthz", "GET /status"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("up")) })
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("catch-all")) })
	h := a.Strict(a.Authorize(mux))
	for path, want := range map[string]int{
		"/status":  http.StatusOK,        // public, and served by its own route
		"/healthz": http.StatusForbidden, // declared public, but served by the catch-all
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d %q, want %d", path, rec.Code, rec.Body, want)
		}
	}
}
