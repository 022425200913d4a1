package token_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

const (
	iss = "https://issuer.example"
	aud = "warden-api"
)

// now is a fixed clock, so that expiry cases do not depend on when tests run.
var now = time.Unix(1_700_000_000, 0)

func clock() time.Time { return now }

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": iss, "aud": aud, "sub": "alice",
		"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func newVerifier(t *testing.T, opts ...token.Option) *token.Verifier {
	t.Helper()
	base := []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithClock(clock),
		token.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	v, err := token.New(context.Background(), append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func TestVerifyStaticKeys(t *testing.T) {
	hs := jwttest.Secret(t)
	rs := jwttest.RSA(t, "")
	es := jwttest.ECDSA(t, "")
	ed := jwttest.Ed25519(t, "")
	v := newVerifier(t,
		token.WithHMACSecret(hs.Signer.([]byte)),
		token.WithPublicKeyPEM("", rs.PEM(t)),
		token.WithPublicKeyPEM("", es.PEM(t)),
		token.WithPublicKeyPEM("", ed.PEM(t)),
	)
	rsPEM := string(rs.PEM(t))
	hsWithPEM := func() string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte(rsPEM))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	none := func() string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tamper := func(tok string) string {
		parts := strings.Split(tok, ".")
		other := strings.Split(hs.Sign(t, claims(func(c jwt.MapClaims) { c["sub"] = "root" })), ".")
		return parts[0] + "." + other[1] + "." + parts[2]
	}

	tests := []struct {
		name  string
		raw   string
		want  error // nil for a valid token
		cause error
	}{
		{"HS256", hs.Sign(t, claims(nil)), nil, nil},
		{"RS256", rs.Sign(t, claims(nil)), nil, nil},
		{"ES256", es.Sign(t, claims(nil)), nil, nil},
		{"EdDSA", ed.Sign(t, claims(nil)), nil, nil},
		{"PS256", jwttest.Key{Method: jwt.SigningMethodPS256, Signer: rs.Signer}.Sign(t, claims(nil)), nil, nil},
		{"expired", hs.Sign(t, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() })), token.ErrInvalidToken, jwt.ErrTokenExpired},
		{"nbf in the future", hs.Sign(t, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() })), token.ErrInvalidToken, jwt.ErrTokenNotValidYet},
		{"iat in the future", hs.Sign(t, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() })), token.ErrInvalidToken, jwt.ErrTokenUsedBeforeIssued},
		{"wrong iss", hs.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), token.ErrInvalidToken, jwt.ErrTokenInvalidIssuer},
		{"missing iss", hs.Sign(t, claims(func(c jwt.MapClaims) { delete(c, "iss") })), token.ErrInvalidToken, jwt.ErrTokenRequiredClaimMissing},
		{"wrong aud", hs.Sign(t, claims(func(c jwt.MapClaims) { c["aud"] = "other-api" })), token.ErrInvalidToken, jwt.ErrTokenInvalidAudience},
		{"missing aud", hs.Sign(t, claims(func(c jwt.MapClaims) { delete(c, "aud") })), token.ErrInvalidToken, jwt.ErrTokenRequiredClaimMissing},
		{"aud list with ours", hs.Sign(t, claims(func(c jwt.MapClaims) { c["aud"] = []string{"x", aud} })), nil, nil},
		{"missing exp", hs.Sign(t, claims(func(c jwt.MapClaims) { delete(c, "exp") })), token.ErrInvalidToken, jwt.ErrTokenRequiredClaimMissing},
		{"alg none", none(), token.ErrInvalidToken, jwt.ErrTokenSignatureInvalid},
		{"HS256 with the RSA public key as secret", hsWithPEM(), token.ErrInvalidToken, jwt.ErrTokenSignatureInvalid},
		{"tampered payload", tamper(rs.Sign(t, claims(nil))), token.ErrInvalidToken, jwt.ErrTokenSignatureInvalid},
		{"oversized", hs.Sign(t, claims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 9000) })), token.ErrInvalidToken, token.ErrTooLarge},
		{"garbage", "not-a-jwt", token.ErrInvalidToken, jwt.ErrTokenMalformed},
		{"three garbage parts", "a.b.c", token.ErrInvalidToken, jwt.ErrTokenMalformed},
		{"empty", "", token.ErrMissingToken, nil},
		{"no identity", hs.Sign(t, claims(func(c jwt.MapClaims) { delete(c, "sub") })), token.ErrInvalidToken, token.ErrNoIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), tt.raw)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tok.Identity != "alice" || tok.Raw != tt.raw {
					t.Fatalf("got identity %q", tok.Identity)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("err = %v, want cause %v", err, tt.cause)
			}
			if tok != nil {
				t.Fatal("token returned with an error")
			}
		})
	}
}

func TestAlgorithmsDerivedFromKeys(t *testing.T) {
	rsaOnly := newVerifier(t, token.WithPublicKeyPEM("", jwttest.RSA(t, "").PEM(t)))
	for _, a := range rsaOnly.Algorithms() {
		if strings.HasPrefix(a, "HS") || a == "none" {
			t.Fatalf("RSA-only verifier allows %s", a)
		}
	}
	// The classic confusion attack: an HS256 token whose "secret" is the
	// public key PEM the verifier holds.
	rs := jwttest.RSA(t, "")
	pemOnly := newVerifier(t, token.WithPublicKeyPEM("", rs.PEM(t)))
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString(rs.PEM(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pemOnly.Verify(context.Background(), forged); !errors.Is(err, token.ErrInvalidToken) {
		t.Fatalf("HS256 with the public key as secret: %v", err)
	}
	hs := jwttest.Secret(t)
	hmacOnly := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	if got := strings.Join(hmacOnly.Algorithms(), ","); got != "HS256,HS384,HS512" {
		t.Fatalf("HMAC-only verifier allows %s", got)
	}
	// An RS256 token is refused by an HMAC-only verifier even with a good
	// shape: its algorithm is not in the allow-list.
	_, err = hmacOnly.Verify(context.Background(), jwttest.RSA(t, "").Sign(t, claims(nil)))
	if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestLeeway(t *testing.T) {
	hs := jwttest.Secret(t)
	expired := hs.Sign(t, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-30 * time.Second).Unix() }))
	if _, err := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte))).Verify(context.Background(), expired); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("no leeway: err = %v", err)
	}
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)), token.WithLeeway(time.Minute))
	if _, err := v.Verify(context.Background(), expired); err != nil {
		t.Fatalf("with leeway: %v", err)
	}
}

// TestIdentityClaims: the identity is "sub", a non-empty string; a claim
// the user can edit decides only when configured, only when the earlier
// claims are absent, and "email" only when verified (issue 10, item 2).
func TestIdentityClaims(t *testing.T) {
	hs := jwttest.Secret(t)
	edit := func(set map[string]any, del ...string) string {
		return hs.Sign(t, claims(func(c jwt.MapClaims) {
			for _, k := range del {
				delete(c, k)
			}
			for k, v := range set {
				c[k] = v
			}
		}))
	}
	fallback := []string{"sub", "preferred_username", "email"}
	tests := []struct {
		name   string
		claims []string // identity claims configured; nil for the default
		raw    string
		want   string // "" when refused
	}{
		{"sub", nil, edit(map[string]any{"preferred_username": "root-admin"}), "alice"},
		{"sub a number", nil, edit(map[string]any{"sub": 42, "preferred_username": "root-admin"}), ""},
		{"sub null", nil, edit(map[string]any{"sub": nil, "preferred_username": "root-admin"}), ""},
		{"sub empty", nil, edit(map[string]any{"sub": "", "preferred_username": "root-admin"}), ""},
		{"no sub, preferred_username", nil, edit(map[string]any{"preferred_username": "root-admin"}, "sub"), ""},
		{"no sub, username", nil, edit(map[string]any{"username": "root-admin"}, "sub"), ""},
		{"no sub, unverified email", nil, edit(map[string]any{"email": "root-admin@x"}, "sub"), ""},
		{"no sub, verified email, default", nil, edit(map[string]any{"email": "a@x", "email_verified": true}, "sub"), ""},
		{"configured: sub a number", fallback, edit(map[string]any{"sub": 42, "preferred_username": "root-admin"}), ""},
		{"configured: sub null", fallback, edit(map[string]any{"sub": nil, "preferred_username": "root-admin"}), ""},
		{"configured: sub empty", fallback, edit(map[string]any{"sub": "", "preferred_username": "root-admin"}), ""},
		{"configured: no sub", fallback, edit(map[string]any{"preferred_username": "al"}, "sub"), "al"},
		{"configured: unverified email", fallback, edit(map[string]any{"email": "a@x"}, "sub"), ""},
		{"configured: email_verified as a string", fallback, edit(map[string]any{"email": "a@x", "email_verified": "true"}, "sub"), ""},
		{"configured: verified email", fallback, edit(map[string]any{"email": "a@x", "email_verified": true}, "sub"), "a@x"},
		{"sub with a newline", nil, edit(map[string]any{"sub": "alice\n"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []token.Option{token.WithHMACSecret(hs.Signer.([]byte))}
			if tt.claims != nil {
				opts = append(opts, token.WithIdentityClaims(tt.claims...))
			}
			tok, err := newVerifier(t, opts...).Verify(context.Background(), tt.raw)
			if tt.want == "" {
				if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, token.ErrNoIdentity) {
					t.Fatalf("got %v, %v; want ErrInvalidToken and ErrNoIdentity", tok, err)
				}
				return
			}
			if err != nil || tok.Identity != tt.want {
				t.Fatalf("got %v, %v; want identity %q", tok, err, tt.want)
			}
		})
	}
}

func TestStaticKIDSelectsKey(t *testing.T) {
	a, b := jwttest.RSA(t, "a"), jwttest.RSA(t, "b")
	v := newVerifier(t, token.WithPublicKey("a", a.Public), token.WithPublicKey("b", b.Public))
	for _, k := range []jwttest.Key{a, b} {
		if _, err := v.Verify(context.Background(), k.Sign(t, claims(nil))); err != nil {
			t.Fatalf("kid %s: %v", k.KID, err)
		}
	}
	// b's signature under a's kid must not verify with b's key.
	forged := jwttest.Key{KID: "a", Method: b.Method, Signer: b.Signer}.Sign(t, claims(nil))
	if _, err := v.Verify(context.Background(), forged); !errors.Is(err, token.ErrInvalidToken) {
		t.Fatalf("forged kid: %v", err)
	}
	other := jwttest.RSA(t, "c").Sign(t, claims(nil))
	if _, err := v.Verify(context.Background(), other); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	secret := jwttest.Secret(t).Signer.([]byte)
	tests := []struct {
		name string
		opts []token.Option
	}{
		{"no issuer", []token.Option{token.WithAudience(aud), token.WithHMACSecret(secret)}},
		{"no audience", []token.Option{token.WithIssuer(iss), token.WithHMACSecret(secret)}},
		{"no key", []token.Option{token.WithIssuer(iss), token.WithAudience(aud)}},
		{"short secret", []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithHMACSecret([]byte("secret"))}},
		{"not PEM", []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithPublicKeyPEM("", []byte("nope"))}},
		{"private key PEM", []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithPublicKeyPEM("", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))}},
		{"bad Cognito use", []token.Option{token.Cognito("eu-west-1", "pool", "client", "refresh")}},
		{"Entra common", []token.Option{token.EntraID("common", aud)}},
		{"no identity claim", []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithHMACSecret(secret), token.WithIdentityClaims()}},
		{"empty identity claim", []token.Option{token.WithIssuer(iss), token.WithAudience(aud), token.WithHMACSecret(secret), token.WithIdentityClaims("sub", "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := token.New(context.Background(), tt.opts...)
			if !errors.Is(err, token.ErrConfig) {
				t.Fatalf("err = %v", err)
			}
			if v != nil {
				t.Fatal("verifier returned with an error")
			}
		})
	}
}

// TestNumericDatesInRange: jwt converts exp, nbf and iat to int64 seconds,
// and nbf or iat 1e300 overflowed to the distant past, so such a token
// verified. Dates before 1970 or after 9999 are refused, whatever the claim.
func TestNumericDatesInRange(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	hdr := `{"alg":"HS256","typ":"JWT"}`
	claims := func(dates string) string {
		return `{"sub":"dave","iss":"` + iss + `","aud":"` + aud + `",` + dates + `}`
	}
	iat, exp := fmt.Sprint(now.Add(-time.Minute).Unix()), fmt.Sprint(now.Add(time.Hour).Unix())
	tests := []struct {
		name, dates string
		ok          bool
	}{
		{"in range", `"iat":` + iat + `,"exp":` + exp + `,"nbf":` + iat, true},
		{"fractional seconds", `"iat":` + iat + `.5,"exp":` + exp + `.999`, true},
		{"exp in the year 9999", `"iat":` + iat + `,"exp":253402300799`, true},
		{"nbf 1e300", `"iat":` + iat + `,"exp":` + exp + `,"nbf":1e300`, false},
		{"iat 1e300", `"iat":1e300,"exp":` + exp, false},
		{"iat -1e300", `"iat":-1e300,"exp":` + exp, false},
		{"iat negative", `"iat":-1,"exp":` + exp, false},
		{"exp after the year 9999", `"iat":` + iat + `,"exp":253402300800`, false},
		{"exp 9.2e18", `"iat":` + iat + `,"exp":9.2e18`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), rawHS256(t, hs, hdr, claims(tt.dates)))
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, jwt.ErrTokenInvalidClaims) {
				t.Fatalf("err = %v, want ErrInvalidToken and jwt.ErrTokenInvalidClaims", err)
			}
		})
	}
}
