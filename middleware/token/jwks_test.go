package token_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// fastRefresh keeps the unknown-kid limiter short so that the bounded waits
// below stay short too.
var fastRefresh = token.WithJWKSRefresh(token.JWKSRefresh{UnknownKID: 100 * time.Millisecond, MaxWait: time.Second})

func TestJWKSKeyTypes(t *testing.T) {
	rs, es, ed := jwttest.RSA(t, "rs"), jwttest.ECDSA(t, "es"), jwttest.Ed25519(t, "ed")
	j := jwttest.NewJWKS(t, rs, es, ed)
	v := newVerifier(t, token.WithJWKSURL(j.URL()))
	for _, k := range []jwttest.Key{rs, es, ed} {
		t.Run(k.Method.Alg(), func(t *testing.T) {
			if _, err := v.Verify(context.Background(), k.Sign(t, claims(nil))); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("no kid", func(t *testing.T) {
		noKID := jwttest.Key{Method: es.Method, Signer: es.Signer}
		if _, err := v.Verify(context.Background(), noKID.Sign(t, claims(nil))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("HS256 never", func(t *testing.T) {
		hs := jwttest.Secret(t)
		hs.KID = "rs"
		if _, err := v.Verify(context.Background(), hs.Sign(t, claims(nil))); !errors.Is(err, token.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestJWKSUnknownKIDRefreshesThenRejects(t *testing.T) {
	j := jwttest.NewJWKS(t, jwttest.RSA(t, "known"))
	v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
	before := j.Hits()
	_, err := v.Verify(context.Background(), jwttest.RSA(t, "stranger").Sign(t, claims(nil)))
	if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrInvalidToken and ErrUnknownKey", err)
	}
	if j.Hits() != before+1 {
		t.Fatalf("JWKS fetched %d times for an unknown kid, want 1", j.Hits()-before)
	}
}

func TestJWKSRotationAcceptedWithoutRestart(t *testing.T) {
	old, rotated := jwttest.RSA(t, "k1"), jwttest.ECDSA(t, "k2")
	j := jwttest.NewJWKS(t, old)
	v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
	if _, err := v.Verify(context.Background(), old.Sign(t, claims(nil))); err != nil {
		t.Fatal(err)
	}
	// A forged kid spends the limiter right before the rotation: the real
	// new key must still be accepted within a bounded wait, not minutes.
	_, _ = v.Verify(context.Background(), jwttest.RSA(t, "forged").Sign(t, claims(nil)))
	j.Publish(old, rotated)
	raw := rotated.Sign(t, claims(nil))
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := v.Verify(context.Background(), raw)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rotated key not accepted after 10s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Removing a key revokes it at the next refresh.
	j.Publish(rotated)
	for {
		_, err := v.Verify(context.Background(), jwttest.RSA(t, "another").Sign(t, claims(nil)))
		if err != nil && errors.Is(err, token.ErrUnknownKey) {
			if _, err := v.Verify(context.Background(), old.Sign(t, claims(nil))); err != nil {
				break // the refresh that saw "another" missing also dropped k1
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("removed key still accepted after 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestJWKSDown(t *testing.T) {
	t.Run("never reachable", func(t *testing.T) {
		srv := httptest.NewServer(nil)
		url := srv.URL + "/jwks.json"
		srv.Close()
		v := newVerifier(t, token.WithJWKSURL(url), fastRefresh)
		_, err := v.Verify(context.Background(), jwttest.RSA(t, "k").Sign(t, claims(nil)))
		if !errors.Is(err, token.ErrKeysUnavailable) || errors.Is(err, token.ErrInvalidToken) {
			t.Fatalf("err = %v, want only ErrKeysUnavailable", err)
		}
	})
	t.Run("down after caching", func(t *testing.T) {
		k := jwttest.RSA(t, "k")
		j := jwttest.NewJWKS(t, k)
		v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
		j.SetDown(true)
		// The cached key still decides.
		if _, err := v.Verify(context.Background(), k.Sign(t, claims(nil))); err != nil {
			t.Fatalf("cached key: %v", err)
		}
		// An unknown kid cannot be decided while the endpoint is down.
		_, err := v.Verify(context.Background(), jwttest.RSA(t, "new").Sign(t, claims(nil)))
		if !errors.Is(err, token.ErrKeysUnavailable) {
			t.Fatalf("unknown kid while down: %v", err)
		}
		// A bad signature under a cached kid is still invalid, not unavailable.
		forged := jwttest.Key{KID: "k", Method: jwt.SigningMethodRS256, Signer: jwttest.RSA(t, "").Signer}
		if _, err := v.Verify(context.Background(), forged.Sign(t, claims(nil))); !errors.Is(err, token.ErrInvalidToken) {
			t.Fatalf("forged under cached kid: %v", err)
		}
	})
}

func TestOIDCDiscovery(t *testing.T) {
	k := jwttest.ECDSA(t, "k")
	j := jwttest.NewJWKS(t, k)
	v, err := token.New(context.Background(), token.OIDC(j.Server.URL, aud), token.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	raw := k.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = j.Server.URL }))
	if _, err := v.Verify(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	// A discovery document for another issuer is refused.
	_, err = token.New(context.Background(), token.OIDC(j.Server.URL+"/", aud))
	if !errors.Is(err, token.ErrConfig) {
		t.Fatalf("issuer mismatch: %v", err)
	}
}

func TestPresets(t *testing.T) {
	k := jwttest.RSA(t, "k")
	j := jwttest.NewJWKS(t, k)
	cognitoIss := "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"
	entraIss := "https://login.microsoftonline.com/tenant-1/v2.0"
	cognito := func(use token.TokenUse) *token.Verifier {
		v, err := token.New(context.Background(), token.Cognito("eu-west-1", "eu-west-1_pool", "client-1", use),
			token.WithJWKSURL(j.URL()), token.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = v.Close() })
		return v
	}
	access, id := cognito(token.CognitoAccess), cognito(token.CognitoID)
	entra, err := token.New(context.Background(), token.EntraID("tenant-1", "api://app"), token.WithJWKSURL(j.URL()), token.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer entra.Close()

	accessTok := func(mod func(jwt.MapClaims)) string {
		return k.Sign(t, claims(func(c jwt.MapClaims) {
			c["iss"] = cognitoIss
			delete(c, "aud")
			c["client_id"] = "client-1"
			c["token_use"] = "access"
			if mod != nil {
				mod(c)
			}
		}))
	}
	idTok := k.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = cognitoIss; c["aud"] = "client-1"; c["token_use"] = "id" }))
	tests := []struct {
		name string
		v    *token.Verifier
		raw  string
		ok   bool
	}{
		{"Cognito access", access, accessTok(nil), true},
		{"Cognito access, other client", access, accessTok(func(c jwt.MapClaims) { c["client_id"] = "client-2" }), false},
		{"Cognito access, no client", access, accessTok(func(c jwt.MapClaims) { delete(c, "client_id") }), false},
		{"Cognito ID token where access expected", access, idTok, false},
		{"Cognito ID", id, idTok, true},
		{"Cognito access token where ID expected", id, accessTok(func(c jwt.MapClaims) { c["aud"] = "client-1" }), false},
		{"Cognito other pool", access, accessTok(func(c jwt.MapClaims) { c["iss"] = "https://cognito-idp.eu-west-1.amazonaws.com/other" }), false},
		{"Entra", entra, k.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = entraIss; c["aud"] = "api://app"; c["oid"] = "o-1" })), true},
		{"Entra other tenant", entra, k.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = "https://login.microsoftonline.com/t2/v2.0"; c["aud"] = "api://app" })), false},
		{"Entra other audience", entra, k.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = entraIss; c["aud"] = "api://other" })), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.v.Verify(context.Background(), tt.raw)
			if tt.ok && err != nil {
				t.Fatal(err)
			}
			if !tt.ok && !errors.Is(err, token.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestKeycloakPresetAndGroups(t *testing.T) {
	k := jwttest.RSA(t, "k")
	j := jwttest.NewJWKS(t, k)
	// Keycloak serves its keys under the realm; the test JWKS serves them at
	// /jwks.json, so only the URL is overridden and the issuer is the preset's.
	v, err := token.New(context.Background(), token.Keycloak(j.Server.URL, "acme", "account"),
		token.WithJWKSURL(j.URL()), token.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	raw := k.Sign(t, claims(func(c jwt.MapClaims) {
		c["iss"] = j.Server.URL + "/realms/acme"
		c["aud"] = "account"
		c["realm_access"] = map[string]any{"roles": []string{"editor", "viewer"}}
	}))
	tok, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := token.ClaimGroups(token.KeycloakGroupsClaim).Fetch(context.Background(), tok)
	if err != nil || len(groups) != 2 || groups[0] != "editor" || groups[1] != "viewer" {
		t.Fatalf("groups = %v, %v", groups, err)
	}
}

// A flood of tokens with forged kids costs the JWKS endpoint one fetch per
// UnknownKID interval, not one per token; the others are refused without
// waiting for the limiter (its next slot is beyond MaxWait).
func TestJWKSForgedKIDFloodIsRateLimited(t *testing.T) {
	j := jwttest.NewJWKS(t, jwttest.RSA(t, "known"))
	v := newVerifier(t, token.WithJWKSURL(j.URL()),
		token.WithJWKSRefresh(token.JWKSRefresh{UnknownKID: time.Hour, MaxWait: time.Second}))
	before := j.Hits()
	forger := jwttest.RSA(t, "")
	for i := range 50 {
		forger.KID = "forged-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := v.Verify(context.Background(), forger.Sign(t, claims(nil))); !errors.Is(err, token.ErrUnknownKey) {
			t.Fatalf("forged kid %d: %v", i, err)
		}
	}
	if got := j.Hits() - before; got != 1 {
		t.Fatalf("%d JWKS fetches for 50 forged kids, want 1", got)
	}
}
