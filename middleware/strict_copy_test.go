package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// TestStrictJudgesPublicOnTheRouteServedBehindACopy: a middleware that
// copies the request (r.WithContext, as request loggers and tracing
// middleware do) wired outside Strict, as Strict's documentation asks,
// leaves Strict the request the ServeMux routes: a path declared public
// that only a catch-all serves (its check forgotten) is refused, the
// declared route is public. Wired between Strict and the mux, the copy
// hides the route (r.Pattern is set on the copy) and Strict judges the
// declared path by its path alone, as documented on Strict: that case
// answers the catch-all, which is why the documentation says where a copy
// goes.
func TestStrictJudgesPublicOnTheRouteServedBehindACopy(t *testing.T) {
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
	type traceKey struct{}
	copying := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), traceKey{}, "trace")))
		})
	}
	for _, tc := range []struct {
		name string
		h    http.Handler
		want map[string]int
	}{
		{"copy outside Strict, Authorize around the mux", copying(a.Strict(a.Authorize(mux))),
			map[string]int{"/status": http.StatusOK, "/healthz": http.StatusForbidden}},
		{"copy outside Strict, Authorize on the route", copying(a.Strict(mux)),
			map[string]int{"/status": http.StatusOK, "/healthz": http.StatusForbidden, "/other": http.StatusForbidden}},
		{"copy between Strict and the mux: judged by path", a.Strict(copying(a.Authorize(mux))),
			map[string]int{"/status": http.StatusOK, "/healthz": http.StatusOK}},
	} {
		for path, want := range tc.want {
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != want {
				t.Errorf("%s: GET %s: %d %q, want %d", tc.name, path, rec.Code, rec.Body, want)
			}
		}
	}
}
