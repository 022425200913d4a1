package jwttest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key with its public half and algorithm.
type Key struct {
	KID    string
	Method jwt.SigningMethod
	Signer any // []byte for HMAC, otherwise a private key
	Public crypto.PublicKey
	// Use is the JWK "use" a JWKS publishes the key with: "" for "sig",
	// "enc", or "omit" for a JWK without "use".
	Use string
}

// Secret is an HMAC key of 32 bytes.
func Secret(t testing.TB) Key {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return Key{Method: jwt.SigningMethodHS256, Signer: b}
}

// RSA is a 2048-bit RSA key for RS256.
func RSA(t testing.TB, kid string) Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return Key{KID: kid, Method: jwt.SigningMethodRS256, Signer: k, Public: &k.PublicKey}
}

// ECDSA is a P-256 key for ES256.
func ECDSA(t testing.TB, kid string) Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Key{KID: kid, Method: jwt.SigningMethodES256, Signer: k, Public: &k.PublicKey}
}

// Ed25519 is an Ed25519 key for EdDSA.
func Ed25519(t testing.TB, kid string) Key {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Key{KID: kid, Method: jwt.SigningMethodEdDSA, Signer: priv, Public: pub}
}

// PEM returns the PKIX PEM of the public key.
func (k Key) PEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Sign signs claims with k, setting the kid header when k has one.
func (k Key) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.Method, claims)
	if k.KID != "" {
		tok.Header["kid"] = k.KID
	}
	s, err := tok.SignedString(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// JWKS is a real HTTP server publishing a set of public keys that tests can
// change while it runs, or take down.
type JWKS struct {
	Server *httptest.Server
	hits   atomic.Int64
	down   atomic.Bool
	mu     sync.Mutex
	keys   []Key
}

// NewJWKS starts a JWKS server publishing keys at /jwks.json. It also serves
// OpenID discovery at /.well-known/openid-configuration with the server URL
// as issuer.
func NewJWKS(t testing.TB, keys ...Key) *JWKS {
	t.Helper()
	j := &JWKS{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks.json", j.serveJWKS)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + j.Server.URL + `","jwks_uri":"` + j.URL() + `"}`))
	})
	j.Server = httptest.NewServer(mux)
	t.Cleanup(j.Server.Close)
	return j
}

// URL is the JWKS URL.
func (j *JWKS) URL() string { return j.Server.URL + "/jwks.json" }

// Hits counts JWKS fetches so far.
func (j *JWKS) Hits() int64 { return j.hits.Load() }

// Publish replaces the published keys.
func (j *JWKS) Publish(keys ...Key) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.keys = keys
}

// SetDown makes the server answer 503 (true) or serve keys again (false).
func (j *JWKS) SetDown(down bool) { j.down.Store(down) }

func (j *JWKS) serveJWKS(w http.ResponseWriter, r *http.Request) {
	j.hits.Add(1)
	if j.down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	j.mu.Lock()
	keys := j.keys
	j.mu.Unlock()
	store := jwkset.NewMemoryStorage()
	for _, k := range keys {
		use := jwkset.UseSig
		switch k.Use {
		case "omit":
			use = ""
		case "enc":
			use = jwkset.UseEnc
		}
		jwk, err := jwkset.NewJWKFromKey(k.Public, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			KID: k.KID, ALG: jwkset.ALG(k.Method.Alg()), USE: use,
		}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := store.KeyWrite(r.Context(), jwk); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	raw, err := store.JSONPublic(context.WithoutCancel(r.Context()))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}
