package token_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// TestDiscoveryRefusesPlainJWKSForHTTPSIssuer: an issuer served over https
// whose discovery document names a jwks_uri over plain http had its keys
// fetched in the clear, and anyone on the path could publish a key and
// sign any caller's token. Such a document is refused (ErrConfig); a
// jwks_uri over https is taken.
func TestDiscoveryRefusesPlainJWKSForHTTPSIssuer(t *testing.T) {
	k := jwttest.ECDSA(t, "k")
	plain := jwttest.NewJWKS(t, k) // http
	var jwksURI string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://" + r.Host, "jwks_uri": jwksURI})
			return
		}
		plain.Server.Config.Handler.ServeHTTP(w, r) // the same keys, over https
	}))
	defer srv.Close()
	for _, c := range []struct {
		uri    string
		refuse bool
	}{{plain.Server.URL + "/jwks.json", true}, {srv.URL + "/jwks.json", false}} {
		jwksURI = c.uri
		v, err := token.New(context.Background(), token.OIDC(srv.URL, aud), token.WithHTTPClient(srv.Client()))
		if v != nil {
			_ = v.Close()
		}
		if c.refuse != errors.Is(err, token.ErrConfig) {
			t.Errorf("jwks_uri %s for issuer %s: err %v, want refused %v", c.uri, srv.URL, err, c.refuse)
		}
	}
}
