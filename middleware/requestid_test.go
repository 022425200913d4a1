package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A request without a usable X-Request-Id gets a made-up id: 24 hex
// digits, a new one for every request (the logs of two requests must never
// read as one), the same one for the whole of a request.
func TestMadeUpRequestIDs(t *testing.T) {
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(hmacKey(t).Signer.([]byte)))),
		middleware.WithLogger(discard()), middleware.WithPublic("/"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	hexID := regexp.MustCompile(`^[0-9a-f]{24}$`)
	h := a.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := middleware.RequestID(r.Context())
		if !hexID.MatchString(id) || middleware.RequestID(r.Context()) != id {
			t.Fatalf("request id %q: not 24 hex digits, or not stable within the request", id)
		}
		if seen[id] {
			t.Fatalf("request id %q made twice", id)
		}
		seen[id] = true
	}))
	for i := range 20_000 {
		req := httptest.NewRequest("GET", "/", nil)
		if i%2 == 1 {
			req.Header.Set("X-Request-Id", "bad id") // not printable: replaced
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if len(seen) != 20_000 {
		t.Fatalf("%d ids for 20000 requests", len(seen))
	}
}
