package token_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
	"github.com/wardenhq/warden/middleware/token"
)

// movable is a clock the test sets.
type movable struct{ ns atomic.Int64 }

func (m *movable) now() time.Time  { return time.Unix(0, m.ns.Load()) }
func (m *movable) set(t time.Time) { m.ns.Store(t.UnixNano()) }

func TestCacheReturnsOnlyTheVerifiedToken(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	ctx := context.Background()
	viewer := hs.Sign(t, claims(func(c jwt.MapClaims) { c["groups"] = []any{"viewer"} }))
	admin := hs.Sign(t, claims(func(c jwt.MapClaims) { c["groups"] = []any{"admin"} })) // the same identity
	a1, err := v.Verify(ctx, viewer)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := v.Verify(ctx, viewer)
	if err != nil || a2.Identity != a1.Identity || fmt.Sprint(a2.Claims) != fmt.Sprint(a1.Claims) {
		t.Fatalf("second verification of the same token: %v, %v; want the cached %v", a2, err, a1)
	}
	b, err := v.Verify(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if b == a1 || fmt.Sprint(b.Claims["groups"]) != "[admin]" || fmt.Sprint(a1.Claims["groups"]) != "[viewer]" {
		t.Fatalf("another token of the same identity got %v (first %v): the cache must not key by identity",
			b.Claims["groups"], a1.Claims["groups"])
	}
	if n := token.CacheLen(v); n != 2 {
		t.Fatalf("%d cached tokens, want 2", n)
	}
	// A token that differs from a cached one in one character of its
	// signature is verified, and refused, not found.
	forged := viewer[:len(viewer)-2] + string('A'+(viewer[len(viewer)-2]-'A'+1)%26) + viewer[len(viewer)-1:]
	if _, err := v.Verify(ctx, forged); !errors.Is(err, token.ErrInvalidToken) {
		t.Fatalf("forged signature: %v", err)
	}
	if n := token.CacheLen(v); n != 2 {
		t.Fatalf("%d cached tokens after a refusal, want 2: refusals are never kept", n)
	}
}

// TestCacheChecksTimeLikeJWT verifies one token, cached, and then asks at
// times around its exp, nbf and iat, with leeway: the cached verifier
// must answer what a verifier without a cache answers at each time.
func TestCacheChecksTimeLikeJWT(t *testing.T) {
	hs := jwttest.Secret(t)
	base := time.Unix(1_700_000_000, 0)
	var clk movable
	for _, leeway := range []time.Duration{0, 30 * time.Second} {
		opts := []token.Option{token.WithHMACSecret(hs.Signer.([]byte)), token.WithClock(clk.now), token.WithLeeway(leeway)}
		cached := newVerifier(t, opts...)
		plain := newVerifier(t, append(opts, token.WithCache(0))...)
		raw := hs.Sign(t, claims(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = base.Unix(), base.Add(10*time.Second).Unix(), base.Add(time.Hour).Unix()
		}))
		var times []time.Time
		for _, edge := range []time.Time{base, base.Add(10 * time.Second), base.Add(time.Hour)} {
			for _, d := range []time.Duration{-leeway - time.Second, -leeway - time.Nanosecond, -leeway, -leeway + time.Nanosecond,
				0, leeway - time.Nanosecond, leeway, leeway + time.Nanosecond, time.Second} {
				times = append(times, edge.Add(d))
			}
		}
		ctx := context.Background()
		for _, at := range times {
			clk.set(base.Add(time.Minute)) // valid: this fills the cache
			if _, err := cached.Verify(ctx, raw); err != nil {
				t.Fatal(err)
			}
			clk.set(at)
			_, got := cached.Verify(ctx, raw)
			_, want := plain.Verify(ctx, raw)
			if (got == nil) != (want == nil) || !sameCause(got, want) {
				t.Errorf("leeway %v, at %v: cached %v, uncached %v", leeway, at.Sub(base), got, want)
			}
			// The middleware's path: the bearer header, answered from
			// the cache without FromHeader's character check.
			_, _, _, got = sharedtoken.VerifyHeader(cached, ctx, http.Header{"Authorization": {"Bearer " + raw}})
			if (got == nil) != (want == nil) || !sameCause(got, want) {
				t.Errorf("leeway %v, at %v: header, cached %v, uncached %v", leeway, at.Sub(base), got, want)
			}
		}
	}
}

func sameCause(a, b error) bool {
	for _, c := range []error{jwt.ErrTokenExpired, jwt.ErrTokenNotValidYet, jwt.ErrTokenUsedBeforeIssued} {
		if errors.Is(a, c) != errors.Is(b, c) {
			return false
		}
	}
	return true
}

func TestCacheIsBounded(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)), token.WithCache(3))
	for i := range 10 {
		raw := hs.Sign(t, claims(func(c jwt.MapClaims) { c["sub"] = fmt.Sprint("user", i) }))
		for range 2 { // a miss, then (if still kept) a hit
			if tok, err := v.Verify(context.Background(), raw); err != nil || tok.Identity != fmt.Sprint("user", i) {
				t.Fatalf("token %d: %v, %v", i, tok, err)
			}
		}
		if n := token.CacheLen(v); n > 3 {
			t.Fatalf("%d cached tokens, bound 3", n)
		}
	}
	long := hs.Sign(t, claims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 5000) }))
	before := token.CacheLen(v)
	if _, err := v.Verify(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	if token.CacheLen(v) > before {
		t.Fatal("a token over 4 KiB was cached")
	}
}

// TestCacheForgetsOnJWKSRefresh: a token verified with a JWKS key is
// refused from the moment a refresh finds the key withdrawn.
func TestCacheForgetsOnJWKSRefresh(t *testing.T) {
	k1, k2 := jwttest.RSA(t, "k1"), jwttest.RSA(t, "k2")
	j := jwttest.NewJWKS(t, k1)
	v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
	ctx := context.Background()
	raw := k1.Sign(t, claims(nil))
	for range 2 {
		if _, err := v.Verify(ctx, raw); err != nil {
			t.Fatal(err)
		}
	}
	if token.CacheLen(v) != 1 {
		t.Fatal("the JWKS token was not cached")
	}
	j.Publish(k2) // k1 withdrawn
	hits := j.Hits()
	if _, err := v.Verify(ctx, k2.Sign(t, claims(nil))); err != nil { // an unknown kid: refreshes now
		t.Fatal(err)
	}
	if j.Hits() == hits {
		t.Fatal("no JWKS refresh happened")
	}
	if _, err := v.Verify(ctx, raw); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("token of the withdrawn key: %v, want ErrUnknownKey", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	hs := jwttest.Secret(b)
	for _, size := range []int{token.DefaultCacheSize, 0} {
		v, err := token.New(context.Background(), token.WithHMACSecret(hs.Signer.([]byte)),
			token.WithIssuer(iss), token.WithAudience(aud), token.WithCache(size))
		if err != nil {
			b.Fatal(err)
		}
		raw := hs.Sign(b, jwt.MapClaims{"iss": iss, "aud": aud, "sub": "alice", "groups": []any{"a", "b"},
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
		b.Run(fmt.Sprintf("cache=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(context.Background(), raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCacheHandsOutCopies modifies, as a careless handler, provider or
// claims reader might, every part of the token one request got: the next
// request presenting the same raw token must get the token as verified,
// as it would without the cache. Without the copies, the first request's
// changes (an added claim, a group appended in place, another identity)
// became every later request's.
func TestCacheHandsOutCopies(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	ctx := context.Background()
	raw := hs.Sign(t, claims(func(c jwt.MapClaims) {
		c["groups"] = []any{"viewer"}
		c["org"] = map[string]any{"roles": []any{"member"}}
	}))
	want := ""
	for i := range 3 { // the miss, then two hits
		tok, err := v.Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(tok.Identity, tok.Header, tok.Claims)
		if i == 0 {
			want = got
		} else if got != want {
			t.Fatalf("verification %d got %s, want the token as verified %s: a change by an earlier request was shared", i, got, want)
		}
		tok.Identity = "admin"
		tok.Header["alg"] = "none"
		tok.Claims["admin"] = true
		tok.Claims["groups"].([]any)[0] = "admin"
		org := tok.Claims["org"].(map[string]any)
		org["roles"].([]any)[0] = "owner"
		org["tenant"] = "other"
		delete(tok.Claims, "exp")
	}
	if n := token.CacheLen(v); n != 1 {
		t.Fatalf("%d cached tokens, want 1", n)
	}
}

// The middleware's bearer path answers a header from the cache without
// FromHeader's token68 check only for a raw token the cache holds as
// token68. Base64 skips line breaks, so "header\n.claims.sig" signed as it
// is decodes; Verify refuses it (TestLineBreakInTokenRefused) and never
// caches it, and presented in a header it is refused as FromHeader
// refuses it; a token68 one is answered from the cache.
func TestHeaderFromCacheIsFromHeader(t *testing.T) {
	hs := jwttest.Secret(t)
	secret := hs.Signer.([]byte)
	v := newVerifier(t, token.WithHMACSecret(secret))
	ctx := context.Background()
	good := hs.Sign(t, claims(nil))
	h, c, _ := strings.Cut(good, ".")
	c, _, _ = strings.Cut(c, ".")
	input := h + "\n." + c
	sig, err := jwt.SigningMethodHS256.Sign(input, secret)
	if err != nil {
		t.Fatal(err)
	}
	broken := input + "." + base64.RawURLEncoding.EncodeToString(sig)
	if _, err := v.Verify(ctx, good); err != nil {
		t.Fatalf("Verify(%q): %v", good, err)
	}
	if _, err := v.Verify(ctx, broken); !errors.Is(err, token.ErrInvalidToken) {
		t.Fatalf("Verify(%q): %v; want ErrInvalidToken", broken, err)
	}
	if n := token.CacheLen(v); n != 1 {
		t.Fatalf("%d cached tokens; want the token68 one only", n)
	}
	for _, raw := range []string{good, broken} {
		hdr := http.Header{"Authorization": {"Bearer " + raw}}
		_, want := token.FromHeader(hdr)
		tok, shared, _, err := sharedtoken.VerifyHeader(v, ctx, hdr)
		switch {
		case want != nil && (err == nil || err.Error() != want.Error()):
			t.Errorf("%q: %v; want FromHeader's %v", raw, err, want)
		case want == nil && (err != nil || !shared || tok == nil):
			t.Errorf("%q: %v, %v, %v; want the cached token", raw, tok, shared, err)
		}
	}
}

// TestCacheKeptWhenARefreshChangesNoKey: a token naming a kid no key has
// makes the verifier fetch the JWKS again (at most once per
// WithJWKSRefresh's UnknownKID). When the fetched keys are the ones it
// holds, the tokens it verified stay verified: anyone could otherwise
// empty the cache every few seconds with forged kids, and every caller
// would pay a full verification. Keys that do change still empty it
// (TestCacheForgetsOnJWKSRefresh).
func TestCacheKeptWhenARefreshChangesNoKey(t *testing.T) {
	k1, forged := jwttest.RSA(t, "k1"), jwttest.RSA(t, "forged")
	j := jwttest.NewJWKS(t, k1)
	v := newVerifier(t, token.WithJWKSURL(j.URL()), fastRefresh)
	ctx := context.Background()
	raw := k1.Sign(t, claims(nil))
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatal(err)
	}
	hits := j.Hits()
	if _, err := v.Verify(ctx, forged.Sign(t, claims(nil))); !errors.Is(err, token.ErrUnknownKey) { // refreshes now
		t.Fatalf("forged kid: %v, want ErrUnknownKey", err)
	}
	if j.Hits() == hits {
		t.Fatal("no JWKS refresh happened")
	}
	if token.CacheLen(v) != 1 {
		t.Fatalf("after a refresh that changed no key the cache holds %d tokens, want 1", token.CacheLen(v))
	}
}
