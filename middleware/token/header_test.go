package token_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// signWithHeader signs claims(nil) with k after setting extra header fields.
func signWithHeader(t *testing.T, k jwttest.Key, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.Method, claims(nil))
	if k.KID != "" {
		tok.Header["kid"] = k.KID
	}
	for n, v := range header {
		tok.Header[n] = v
	}
	s, err := tok.SignedString(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCriticalHeaderRefused: RFC 7515, section 4.1.11 — a recipient that
// does not process the extensions "crit" lists must refuse the token, and
// Warden processes none.
func TestCriticalHeaderRefused(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	for name, crit := range map[string]any{
		"b64":          []string{"b64"},
		"unknown":      []string{"urn:example:must-understand"},
		"registered":   []string{"exp"},
		"empty list":   []string{},
		"not a list":   "b64",
		"null":         nil,
		"two entries":  []string{"a", "b"},
		"number entry": []any{1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), signWithHeader(t, hs, map[string]any{"crit": crit, "b64": true}))
			if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, token.ErrCriticalHeader) {
				t.Fatalf("err = %v, want ErrInvalidToken and ErrCriticalHeader", err)
			}
		})
	}
	if _, err := v.Verify(context.Background(), signWithHeader(t, hs, map[string]any{"b64": true})); err != nil {
		t.Fatalf("an unknown header outside crit is ignored (RFC 7515, section 4): %v", err)
	}
}

// respell returns s with its last base64url character changed so that its
// unused low bits differ: the same bytes, a second spelling.
func respell(t *testing.T, s string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	if i < 0 {
		t.Fatalf("%q does not end in base64url", s)
	}
	return s[:len(s)-1] + string(alphabet[i^1])
}

// TestNonCanonicalSignatureRefused: a 32- or 64-byte signature leaves
// unused bits in its last base64url character; flipping one gives another
// spelling that lax decoding reads as the same signature.
func TestNonCanonicalSignatureRefused(t *testing.T) {
	hs, es := jwttest.Secret(t), jwttest.ECDSA(t, "")
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)), token.WithPublicKey("", es.Public))
	for _, k := range []jwttest.Key{hs, es} {
		t.Run(k.Method.Alg(), func(t *testing.T) {
			raw := k.Sign(t, claims(nil))
			if _, err := v.Verify(context.Background(), raw); err != nil {
				t.Fatalf("canonical: %v", err)
			}
			if _, err := v.Verify(context.Background(), respell(t, raw)); !errors.Is(err, token.ErrInvalidToken) {
				t.Fatalf("respelled signature: err = %v, want ErrInvalidToken", err)
			}
		})
	}
	// The same for the header and the claims: strict decoding covers every
	// segment.
	raw := hs.Sign(t, claims(nil))
	parts := strings.Split(raw, ".")
	if _, err := v.Verify(context.Background(), respell(t, parts[0])+"."+parts[1]+"."+parts[2]); !errors.Is(err, token.ErrInvalidToken) {
		t.Fatalf("respelled header: err = %v", err)
	}
}

// TestJWKSEncryptionKeyNeverVerifies: a JWK published with "use": "enc"
// is not a signing key, with or without a kid; a JWK without "use" is.
func TestJWKSEncryptionKeyNeverVerifies(t *testing.T) {
	enc, plain := jwttest.RSA(t, "enc"), jwttest.ECDSA(t, "plain")
	enc.Use, plain.Use = "enc", "omit"
	j := jwttest.NewJWKS(t, enc, plain)
	v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
	noKID := func(k jwttest.Key) jwttest.Key { k.KID = ""; return k }
	tests := []struct {
		name string
		key  jwttest.Key
		ok   bool
	}{
		{"enc key by kid", enc, false},
		{"enc key without kid", noKID(enc), false},
		{"key without use by kid", plain, true},
		{"key without use, no kid", noKID(plain), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.key.Sign(t, claims(nil)))
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, token.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

// rawHS256 signs the given header and claims JSON, byte for byte, with k.
func rawHS256(t *testing.T, k jwttest.Key, header, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	sig, err := jwt.SigningMethodHS256.Sign(signing, k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + enc.EncodeToString(sig)
}

// TestDuplicateMembersRefused: a header or claims set that names a member
// twice reads differently to a first-wins and a last-wins parser.
func TestDuplicateMembersRefused(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	times := fmt.Sprintf(`"iat":%d,"exp":%d`, now.Add(-time.Minute).Unix(), now.Add(time.Hour).Unix())
	base := `"iss":"` + iss + `","aud":"` + aud + `",` + times
	hdr := `{"alg":"HS256","typ":"JWT"}`
	tests := []struct {
		name, header, claims string
		ok                   bool
	}{
		{"none", hdr, `{"sub":"alice",` + base + `}`, true},
		{"nested, different objects", hdr, `{"sub":"alice","a":{"x":1},"b":{"x":1},"l":[{"x":1},{"x":2}],` + base + `}`, true},
		{"sub twice", hdr, `{"sub":"alice","sub":"admin",` + base + `}`, false},
		{"alg twice", `{"alg":"none","alg":"HS256","typ":"JWT"}`, `{"sub":"alice",` + base + `}`, false},
		{"kid twice", `{"alg":"HS256","kid":"a","kid":"b"}`, `{"sub":"alice",` + base + `}`, false},
		{"nested groups twice", hdr, `{"sub":"alice","realm_access":{"roles":["viewer"],"roles":["admin"]},` + base + `}`, false},
		{"in a list", hdr, `{"sub":"alice","l":[{"x":1,"x":2}],` + base + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), rawHS256(t, hs, tt.header, tt.claims))
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, token.ErrDuplicateMember) {
				t.Fatalf("err = %v, want ErrInvalidToken and ErrDuplicateMember", err)
			}
		})
	}
}

// TestInvalidTextRefused: encoding/json reads bytes that are not UTF-8,
// and an escaped surrogate without its pair, as U+FFFD, so "dave\xff" and
// "dave\xfe" were one identity. Such a header or claims set is refused.
func TestInvalidTextRefused(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	times := fmt.Sprintf(`"iat":%d,"exp":%d`, now.Add(-time.Minute).Unix(), now.Add(time.Hour).Unix())
	base := `"iss":"` + iss + `","aud":"` + aud + `",` + times
	hdr := `{"alg":"HS256","typ":"JWT"}`
	tests := []struct {
		name, header, claims string
		ok                   bool
	}{
		{"UTF-8 and a surrogate pair", hdr, `{"sub":"dav\u00e9 \ud83d\ude00 é 😀","x":"\\ud800",` + base + `}`, true},
		{"invalid byte in sub", hdr, "{\"sub\":\"dave\xff\"," + base + "}", false},
		{"overlong encoding in a name", hdr, "{\"sub\":\"dave\",\"\xc0\xaf\":1," + base + "}", false},
		{"invalid byte in the header", "{\"alg\":\"HS256\",\"typ\":\"JWT\xff\"}", `{"sub":"dave",` + base + `}`, false},
		{"lone high surrogate", hdr, `{"sub":"dave\ud800",` + base + `}`, false},
		{"lone low surrogate", hdr, `{"sub":"dave\udc00",` + base + `}`, false},
		{"high surrogate, then a letter", hdr, `{"sub":"dave\ud800\u0041",` + base + `}`, false},
		{"reversed pair", hdr, `{"sub":"\ude00\ud83d",` + base + `}`, false},
		{"lone surrogate in a nested name", hdr, `{"sub":"dave","a":{"\ud800":1},` + base + `}`, false},
		{"lone surrogate in the header", `{"alg":"HS256","kid":"\udbff"}`, `{"sub":"dave",` + base + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), rawHS256(t, hs, tt.header, tt.claims))
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, token.ErrInvalidToken) || !errors.Is(err, token.ErrInvalidText) {
				t.Fatalf("err = %v, want ErrInvalidToken and ErrInvalidText", err)
			}
		})
	}
}

// TestLineBreakInTokenRefused: Go's base64 decoders skip '\r' and '\n',
// strict decoding included, and the signature segment is not part of the
// signed text, so a verified token with a line break anywhere in its
// signature, or after it, verified too: a second spelling of one token
// through Verify (a token read from a query parameter, a file, an
// environment variable), which a list of revoked raw tokens would not
// know. Only base64url and the two dots make a compact JWS.
func TestLineBreakInTokenRefused(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	raw := hs.Sign(t, claims(nil))
	if _, err := v.Verify(context.Background(), raw); err != nil {
		t.Fatalf("the token itself: %v", err)
	}
	n := len(raw)
	for _, s := range []string{
		raw[:n-3] + "\n" + raw[n-3:],
		raw[:n-3] + "\r\n" + raw[n-3:],
		raw + "\n",
		raw + "\r",
		raw[:strings.LastIndexByte(raw, '.')+1] + "\n" + raw[strings.LastIndexByte(raw, '.')+1:],
	} {
		if tok, err := v.Verify(context.Background(), s); !errors.Is(err, token.ErrInvalidToken) {
			t.Errorf("Verify(%q): %v, %v; want ErrInvalidToken", s, tok != nil, err)
		}
	}
}
