package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// An error handler (WithErrorHandler) that flushes before it writes (an
// answer streamed through http.ResponseController), or that sends an
// informational status (103 Early Hints) first, would have the writer
// beneath send the refusal as 200: the refusal's own status goes out
// first, on a step's refusal, strict mode's and Fail's alike.
func TestErrorHandlerFlushingOrSendingEarlyHintsKeepsTheRefusalsStatus(t *testing.T) {
	key := hmacKey(t)
	onError := func(w http.ResponseWriter, r *http.Request, err error) {
		if r.URL.Query().Has("hints") {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
		} else {
			_ = http.NewResponseController(w).Flush()
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
	srv := httptest.NewServer(a.Strict(mux))
	defer srv.Close()
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
		{"/y?hints", true, http.StatusForbidden},
		{"/x?hints", false, http.StatusUnauthorized},
		{"/forgotten?hints", true, http.StatusForbidden},
		{"/fail?hints", true, http.StatusServiceUnavailable},
	} {
		var h http.Header
		if c.tok {
			h = bearer(key.Sign(t, claimsFor("alice")))
		}
		if r := do(t, "GET", srv.URL+c.path, h); r.status != c.want {
			t.Errorf("GET %s: %d %q, want %d", c.path, r.status, r.body, c.want)
		}
	}
}
