package attacktest

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// Issuer and Audience of every token of the suites.
const (
	Issuer   = "https://issuer.example"
	Audience = "posts-api"
)

// Keys are the keys of the token suite: HS is the configured HMAC secret;
// RS (kid "rs") and Enc (kid "enc", published with "use": "enc") are in the
// JWKS; Attacker is a key no one configured.
type Keys struct {
	HS, RS, Enc, Attacker jwttest.Key
	JWKS                  *jwttest.JWKS
}

// NewKeys makes the keys and starts the JWKS server.
func NewKeys(t testing.TB) Keys {
	t.Helper()
	k := Keys{HS: jwttest.Secret(t), RS: jwttest.RSA(t, "rs"), Enc: jwttest.RSA(t, "enc"), Attacker: jwttest.RSA(t, "rs")}
	k.Enc.Use = "enc"
	k.JWKS = jwttest.NewJWKS(t, k.RS, k.Enc)
	return k
}

// Auth is an Auth over the issue's policy (IssueEnforcer) that accepts the
// HMAC secret and the JWKS, with groups from the "groups" claim.
func Auth(t testing.TB, k Keys, opts ...middleware.Option) *middleware.Auth {
	t.Helper()
	v, err := token.New(context.Background(), token.WithIssuer(Issuer), token.WithAudience(Audience),
		token.WithHMACSecret(k.HS.Signer.([]byte)), token.WithJWKSURL(k.JWKS.URL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	a, err := middleware.New(append([]middleware.Option{middleware.WithVerifier(v),
		middleware.WithDecider(IssueEnforcer(t)), middleware.WithGroups(token.ClaimGroups("groups"))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Claims are valid claims for dave, a viewer by his token's groups: he may
// GET /posts/1. mod edits them.
func Claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "dave", "groups": []any{"viewer"},
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

// set returns a claims edit that sets and deletes claims.
func set(kv map[string]any, del ...string) func(jwt.MapClaims) {
	return func(c jwt.MapClaims) {
		for _, n := range del {
			delete(c, n)
		}
		for n, v := range kv {
			c[n] = v
		}
	}
}

// sign signs claims with key (any for jwt: a secret, a private key or
// jwt.UnsafeAllowNoneSignatureType) by method, with header edits.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for n, v := range header {
		if v == nil {
			delete(tok.Header, n)
			continue
		}
		tok.Header[n] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// raw signs header and claims JSON byte for byte with the HMAC secret.
func raw(t testing.TB, k Keys, header, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	sig, err := jwt.SigningMethodHS256.Sign(in, k.HS.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + enc.EncodeToString(sig)
}

// respell changes the unused low bits of s's last base64url character.
func respell(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i^1])
}

func pubPEM(t testing.TB, k jwttest.Key) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// jwkOf is the public JWK of an RSA key, for embedded-key attacks.
func jwkOf(k jwttest.Key) map[string]any {
	pub := k.Public.(*rsa.PublicKey)
	return map[string]any{"kty": "RSA", "kid": "rs", "n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

// bearer is one Authorization header value.
func bearer(tok string) []string { return []string{"Bearer " + tok} }

// TokenCase is one attack on the token edge: the Authorization header
// values a request carries (nil: none) and the status it must get for
// GET /posts/1.
type TokenCase struct {
	Name string
	Auth func(t testing.TB, k Keys) []string
	Want int
}

// TokenCases is the token attack suite.
var TokenCases = []TokenCase{
	// Valid tokens, the baseline.
	{"HS256", func(t testing.TB, k Keys) []string { return bearer(k.HS.Sign(t, Claims(nil))) }, 200},
	{"RS256 from the JWKS by kid", func(t testing.TB, k Keys) []string { return bearer(k.RS.Sign(t, Claims(nil))) }, 200},
	{"RS256 from the JWKS without kid", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.RS.Method, k.RS.Signer, Claims(nil), nil))
	}, 200},
	{"scheme in lower case", func(t testing.TB, k Keys) []string { return []string{"bearer " + k.HS.Sign(t, Claims(nil))} }, 200},

	// The header itself.
	{"no Authorization", func(testing.TB, Keys) []string { return nil }, 401},
	{"two Authorization headers", func(t testing.TB, k Keys) []string {
		return append(bearer(k.HS.Sign(t, Claims(nil))), bearer(k.HS.Sign(t, Claims(nil)))...)
	}, 401},
	{"empty Authorization", func(testing.TB, Keys) []string { return []string{""} }, 401},
	{"Basic scheme", func(testing.TB, Keys) []string { return []string{"Basic ZGF2ZTpwdw=="} }, 401},
	{"two spaces after Bearer", func(t testing.TB, k Keys) []string { return []string{"Bearer  " + k.HS.Sign(t, Claims(nil))} }, 401},
	{"two tokens", func(t testing.TB, k Keys) []string {
		return []string{"Bearer " + k.HS.Sign(t, Claims(nil)) + " " + k.HS.Sign(t, Claims(nil))}
	}, 401},
	{"overlong token", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"pad": strings.Repeat("x", 9000)}))))
	}, 401},
	{"padding appended", func(t testing.TB, k Keys) []string { return bearer(k.HS.Sign(t, Claims(nil)) + "=") }, 401},
	{"two segments", func(t testing.TB, k Keys) []string {
		s := k.HS.Sign(t, Claims(nil))
		return bearer(s[:strings.LastIndexByte(s, '.')])
	}, 401},
	{"four segments", func(t testing.TB, k Keys) []string { return bearer(k.HS.Sign(t, Claims(nil)) + ".x") }, 401},

	// Signatures and algorithms.
	{"alg none", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, Claims(nil), nil))
	}, 401},
	{"alg none with a kid of the JWKS", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, Claims(nil), map[string]any{"kid": "rs"}))
	}, 401},
	{"HS256 keyed with the JWKS key's PEM", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, jwt.SigningMethodHS256, pubPEM(t, k.RS), Claims(nil), map[string]any{"kid": "rs"}))
	}, 401},
	{"RS256 by a stranger claiming kid rs", func(t testing.TB, k Keys) []string { return bearer(k.Attacker.Sign(t, Claims(nil))) }, 401},
	{"RS256 by a stranger without kid", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), nil))
	}, 401},
	{"PS256 with the JWKS key published for RS256", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, jwt.SigningMethodPS256, k.RS.Signer, Claims(nil), map[string]any{"kid": "rs"}))
	}, 401},
	{"tampered claims", func(t testing.TB, k Keys) []string {
		good := strings.Split(k.HS.Sign(t, Claims(nil)), ".")
		evil := strings.Split(k.HS.Sign(t, Claims(set(map[string]any{"sub": "alice"}))), ".")
		return bearer(good[0] + "." + evil[1] + "." + good[2])
	}, 401},
	{"non-canonical signature", func(t testing.TB, k Keys) []string { return bearer(respell(k.HS.Sign(t, Claims(nil)))) }, 401},
	{"JWKS key for encryption, by kid", func(t testing.TB, k Keys) []string { return bearer(k.Enc.Sign(t, Claims(nil))) }, 401},
	{"JWKS key for encryption, without kid", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Enc.Method, k.Enc.Signer, Claims(nil), nil))
	}, 401},

	// Header parameters.
	{"crit b64", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.HS.Method, k.HS.Signer, Claims(nil), map[string]any{"crit": []string{"b64"}, "b64": true}))
	}, 401},
	{"crit naming a registered header", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.HS.Method, k.HS.Signer, Claims(nil), map[string]any{"crit": []string{"kid"}}))
	}, 401},
	{"embedded jwk of the signer", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), map[string]any{"kid": "x", "jwk": jwkOf(k.Attacker)}))
	}, 401},
	{"jku to the signer's keys", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), map[string]any{"kid": "x", "jku": "https://evil.example/jwks.json"}))
	}, 401},
	{"kid path traversal", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), map[string]any{"kid": "../../../../dev/null"}))
	}, 401},
	{"kid SQL injection", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), map[string]any{"kid": "x' UNION SELECT 'k"}))
	}, 401},
	{"kid a number", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.RS.Method, k.RS.Signer, Claims(nil), map[string]any{"kid": 1}))
	}, 401},
	{"kid empty", func(t testing.TB, k Keys) []string {
		return bearer(sign(t, k.Attacker.Method, k.Attacker.Signer, Claims(nil), map[string]any{"kid": ""}))
	}, 401},
	{"duplicate alg, none first", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, `{"alg":"none","alg":"HS256"}`, claimsJSON(`"sub":"dave","groups":["viewer"]`)))
	}, 401},

	// Registered claims.
	{"expired", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}))))
	}, 401},
	{"no exp", func(t testing.TB, k Keys) []string { return bearer(k.HS.Sign(t, Claims(set(nil, "exp")))) }, 401},
	{"not yet valid", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"nbf": time.Now().Add(time.Hour).Unix()}))))
	}, 401},
	{"nbf beyond int64 seconds", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"nbf": 1e300}))))
	}, 401},
	{"iat beyond int64 seconds", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"iat": 1e300}))))
	}, 401},
	{"exp after the year 9999", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"exp": 9.2e18}))))
	}, 401},
	{"iat negative", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"iat": -1}))))
	}, 401},
	{"other issuer", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"iss": "https://evil.example"}))))
	}, 401},
	{"other audience", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"aud": "other-api"}))))
	}, 401},

	// The identity (issue 10, item 2).
	{"sub a number", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": 42, "preferred_username": "root-admin"}))))
	}, 401},
	{"sub null", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": nil, "preferred_username": "root-admin"}))))
	}, 401},
	{"sub empty", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "", "preferred_username": "root-admin"}))))
	}, 401},
	{"no sub, preferred_username", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"preferred_username": "dave"}, "sub"))))
	}, 401},
	{"no sub, unverified email", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"email": "dave@example.com"}, "sub"))))
	}, 401},
	{"sub with a newline", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "dave\n"}))))
	}, 401},
	{"sub with a bidi override", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "da\u202eve"}))))
	}, 401},
	{"sub twice", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, `{"alg":"HS256","typ":"JWT"}`, claimsJSON(`"sub":"carol","sub":"dave","groups":["viewer"]`)))
	}, 401},
	{"sub with a byte that is not UTF-8", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, `{"alg":"HS256","typ":"JWT"}`, claimsJSON("\"sub\":\"dave\xff\",\"groups\":[\"viewer\"]")))
	}, 401},
	{"sub with a lone surrogate escape", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, `{"alg":"HS256","typ":"JWT"}`, claimsJSON(`"sub":"dave\ud800","groups":["viewer"]`)))
	}, 401},
	{"header with a byte that is not UTF-8", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, "{\"alg\":\"HS256\",\"typ\":\"JWT\xff\"}", claimsJSON(`"sub":"dave","groups":["viewer"]`)))
	}, 401},
	{"groups twice", func(t testing.TB, k Keys) []string {
		return bearer(raw(t, k, `{"alg":"HS256","typ":"JWT"}`, claimsJSON(`"sub":"erin","groups":[],"groups":["viewer"]`)))
	}, 401},

	// An identity that is a role (issue 10, item 3).
	{"sub viewer, a role", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "viewer"}, "groups"))))
	}, 403},
	{"sub viewer, a role, with the group too", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "viewer"}))))
	}, 403},

	// Decisions.
	{"carol, denied by the policy", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"sub": "carol"}, "groups"))))
	}, 403},
	{"dave without his group", func(t testing.TB, k Keys) []string { return bearer(k.HS.Sign(t, Claims(set(nil, "groups")))) }, 403},
	{"groups of the wrong type", func(t testing.TB, k Keys) []string {
		return bearer(k.HS.Sign(t, Claims(set(map[string]any{"groups": 7}))))
	}, 403},
}

// claimsJSON is a valid claims object, as raw JSON, with members before the
// registered ones.
func claimsJSON(members string) string {
	return fmt.Sprintf(`{%s,"iss":%q,"aud":%q,"iat":%d,"exp":%d}`, members, Issuer, Audience,
		time.Now().Add(-time.Minute).Unix(), time.Now().Add(time.Hour).Unix())
}
