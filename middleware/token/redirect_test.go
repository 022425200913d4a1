package token_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// TestJWKSRedirectToPlainHTTPRefused: the keys decide every token, so a
// JWKS URL over https whose server redirects to plain http (a moved file,
// a misconfigured proxy) would have its keys fetched in the clear, where
// anyone on the path could publish a key and sign any caller's token. The
// redirect is refused, whatever client WithHTTPClient gives; a redirect
// that stays on https is followed.
func TestJWKSRedirectToPlainHTTPRefused(t *testing.T) {
	forged := jwttest.RSA(t, "k") // the key a party on the plain path publishes
	plain := jwttest.NewJWKS(t, forged)
	var target string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jwks.json":
			http.Redirect(w, r, target, http.StatusFound)
			return
		case "/moved/jwks.json":
			r.URL.Path = "/jwks.json"
		}
		plain.Server.Config.Handler.ServeHTTP(w, r) // the same keys, over https
	}))
	defer srv.Close()
	tok := forged.Sign(t, jwt.MapClaims{"iss": "https://issuer.example", "aud": aud, "sub": "mallory",
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	for _, c := range []struct {
		target string
		refuse bool
	}{{plain.URL(), true}, {srv.URL + "/moved/jwks.json", false}} {
		target = c.target
		v, err := token.New(context.Background(), token.WithIssuer("https://issuer.example"), token.WithAudience(aud),
			token.WithJWKSURL(srv.URL+"/jwks.json"), token.WithHTTPClient(srv.Client()),
			token.WithLogger(slog.New(slog.DiscardHandler))) // the refused fetch is logged
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), tok)
		_ = v.Close()
		if c.refuse != (err != nil) {
			t.Errorf("JWKS redirected to %s: Verify err %v, want refused %v", c.target, err, c.refuse)
		}
	}
}
