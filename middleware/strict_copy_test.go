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

// TestStrictJudgesPublicOnTheRouteServed with a middleware that copies the
// request (r.WithContext, as request loggers and tracing middleware do)
// between Strict and the ServeMux: the mux then records the route it chose
// (r.Pattern) on the copy, Strict's request never has it, Strict judges on
// the route "" as if before routing, and the catch-all whose check was
// forgotten answers a path declared public unauthenticated (200).
//
// KNOWN DEFECT, not fixed here: net/http gives Strict no other way to learn
// the route, and refusing when the route is unknown would also refuse the
// public routes of routers that never report one (see the report of branch
// attack-mw). Drop the Skip when it is fixed.
func TestStrictJudgesPublicOnTheRouteServedThroughACopy(t *testing.T) {
	t.Skip("known defect: Strict cannot see the route a ServeMux recorded on a copy of the request")
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
	for name, h := range map[string]http.Handler{
		"copy before Authorize": a.Strict(copying(a.Authorize(mux))),
		"copy after Authorize":  a.Strict(a.Authorize(copying(mux))),
	} {
		for path, want := range map[string]int{"/status": http.StatusOK, "/healthz": http.StatusForbidden} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != want {
				t.Errorf("%s: GET %s: %d %q, want %d", name, path, rec.Code, rec.Body, want)
			}
		}
	}
}
