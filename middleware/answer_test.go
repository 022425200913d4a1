package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// An error handler (WithErrorHandler) that writes a body without a status
// would send the refusal as 200: the refusal's own status goes out with
// its body instead, on a step's refusal, strict mode's and Fail's alike. A
// status it writes itself stands.
func TestErrorHandlerWritingOnlyABodyKeepsTheRefusalsStatus(t *testing.T) {
	key := hmacKey(t)
	onError := func(w http.ResponseWriter, r *http.Request, err error) {
		if r.URL.Query().Has("teapot") {
			w.WriteHeader(http.StatusTeapot)
		}
		_, _ = w.Write([]byte("sorry"))
	}
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac", enforcer.P("alice", "/x", "GET"))), middleware.WithLogger(discard()),
		middleware.WithErrorHandler(onError))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux := http.NewServeMux()
	mux.Handle("GET /x", a.Authorize(ok))
	mux.Handle("GET /y", a.Authorize(ok))
	mux.Handle("GET /forgotten", ok)
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) { a.Fail(w, r, middleware.ErrUnavailable) })
	h := a.Strict(mux)
	for _, c := range []struct {
		path string
		tok  bool
		want int
	}{
		{"/x", true, http.StatusNoContent},
		{"/y", true, http.StatusForbidden},
		{"/x", false, http.StatusUnauthorized},
		{"/forgotten", true, http.StatusForbidden},
		{"/fail", true, http.StatusServiceUnavailable},
		{"/y?teapot", true, http.StatusTeapot},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		if c.tok {
			req.Header = bearer(key.Sign(t, claimsFor("alice")))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("GET %s: %d %q, want %d", c.path, rec.Code, rec.Body, c.want)
		}
	}
}
