package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/internal/overhead"
	"github.com/wardenhq/warden/middleware/token"
)

// BenchmarkMiddleware measures the per-request cost of Strict + Authorize
// (token verification, request-scoped groups, one decision) against a bare
// handler in the same run; the difference is the middleware's overhead.
func BenchmarkMiddleware(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	e := newEnforcer(b, "restful", enforcer.P("viewer", "/posts/:id", "GET"))
	serve := func(b *testing.B, h http.Handler, authz string) {
		req := httptest.NewRequest("GET", "/posts/42", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { serve(b, ok, "") })
	keys := []struct {
		name string
		key  jwttest.Key
	}{
		{"HS256", jwttest.Secret(b)},
		{"RS256", jwttest.RSA(b, "r")},
		{"ES256", jwttest.ECDSA(b, "e")},
	}
	for _, k := range keys {
		var vopt token.Option
		if s, isHMAC := k.key.Signer.([]byte); isHMAC {
			vopt = token.WithHMACSecret(s)
		} else {
			vopt = token.WithPublicKey(k.key.KID, k.key.Public)
		}
		a, err := middleware.New(middleware.WithVerifier(newVerifier(b, vopt)), middleware.WithDecider(e),
			middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(discard()))
		if err != nil {
			b.Fatal(err)
		}
		h := a.Strict(a.Authorize(ok))
		tok := k.key.Sign(b, claimsFor("carol", "viewer"))
		b.Run(k.name, func(b *testing.B) { serve(b, h, "Bearer "+tok) })
	}
}

// BenchmarkOverhead is Warden's own per-request cost on a net/http app with
// 110,000 rules; see package overhead for how the parts are subtracted.
func BenchmarkOverhead(b *testing.B) {
	overhead.Run(b, func(a *middleware.Auth) http.Handler {
		ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
		mux := http.NewServeMux()
		if a == nil {
			mux.Handle("GET /{doc}", ok)
			return mux
		}
		mux.Handle("GET /{doc}", a.Authorize(ok))
		return a.Strict(mux)
	})
}
