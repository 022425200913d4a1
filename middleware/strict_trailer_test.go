package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A handler whose check was forgotten writes its response, which strict
// mode refuses (403), and then sets a trailer (a header key with
// http.TrailerPrefix), through w.Header() or the header map it took
// before writing. The server sends such a trailer after the body of the
// response that went out, over HTTP/2 even undeclared: the refusal carried
// the forgotten route's data. A checked route's trailer still goes out.
func TestStrictRefusalCarriesNoTrailerOfUncheckedRequest(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac", enforcer.P("alice", "/posts", "GET"))), middleware.WithLogger(discard()),
		middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			_ = http.NewResponseController(w).Flush()
			middleware.DefaultErrorHandler(w, r, err)
		}))
	if err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		_, _ = w.Write([]byte("data"))
		_ = http.NewResponseController(w).Flush()
		h.Set(http.TrailerPrefix+"X-Checksum", "s3cret")
		w.Header().Set(http.TrailerPrefix+"X-Result", "s3cret")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /forgotten", handler)
	mux.Handle("GET /posts", a.Authorize(handler))
	for _, h2 := range []bool{false, true} {
		srv := httptest.NewUnstartedServer(a.Strict(mux))
		srv.EnableHTTP2 = h2
		srv.StartTLS()
		get := func(path string) (*http.Response, string) {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("alice")))
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body) // the trailer is read with the body
			return resp, string(b)
		}
		if r, body := get("/forgotten"); r.StatusCode != http.StatusForbidden || len(r.Trailer) != 0 {
			t.Errorf("%s unchecked: %d %q with trailer %v; want 403 without any", r.Proto, r.StatusCode, body, r.Trailer)
		}
		if r, body := get("/posts"); r.StatusCode != http.StatusOK || body != "data" ||
			r.Trailer.Get("X-Checksum") != "s3cret" || r.Trailer.Get("X-Result") != "s3cret" {
			t.Errorf("%s checked: %d %q with trailer %v; want 200 with both", r.Proto, r.StatusCode, body, r.Trailer)
		}
		srv.Close()
	}
}
