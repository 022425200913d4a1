package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// The verifier's cache and the middleware share one verified token across
// the requests that present it. Code that may modify a token (a provider
// of the application, a handler through User.Claims or User.Token) must
// only ever reach the request's own copy: here a hostile provider and a
// hostile handler rewrite every part of what they are handed, on every
// request, and every request presenting the same raw token, the first
// included, must still be decided on the token as verified. (A request's
// code shares that request's one copy, as without the cache.) Without the copies, the
// provider's "admin" group reached the cache, ClaimGroups read it on the
// next request, and /secret answered 200.
func TestSharedTokenIsNeverModified(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac",
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("admin", "/secret", "GET"))
	spoil := func(tok *warden.Token) {
		tok.Identity = "root"
		tok.Header["alg"] = "none"
		tok.Claims["sub"] = "root"
		tok.Claims["groups"].([]any)[0] = "admin"
		tok.Claims["admin"] = true
	}
	hostile := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		spoil(tok)
		return nil, nil
	})
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()),
		// The hostile provider runs first, so a change it made to a shared
		// token would be what ClaimGroups reads.
		middleware.WithGroups(hostile, token.ClaimGroups("groups")))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	srv := httptest.NewServer(a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		spoil(u.Token())
		seen = append(seen, u.ID()) // the verified identity, whatever the request's copy says
	})))
	defer srv.Close()

	h := bearer(key.Sign(t, claimsFor("carol", "viewer")))
	get := func(path string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header = h.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 4 { // the miss, then hits of the cached token
		if code := get("/secret"); code != http.StatusForbidden {
			t.Fatalf("request %d to /secret: %d, want 403: a change to another request's token granted", i, code)
		}
		if code := get("/posts"); code != http.StatusOK {
			t.Fatalf("request %d to /posts: %d, want 200", i, code)
		}
	}
	for i, s := range seen {
		if s != "carol" {
			t.Fatalf("handler %d saw the identity %q, want the verified carol", i, s)
		}
	}
	tok, err := v.Verify(context.Background(), h.Get("Authorization")[len("Bearer "):])
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s %v %v", tok.Identity, tok.Claims["groups"], tok.Claims["admin"]); got != "carol [viewer] <nil>" {
		t.Fatalf("the cached token became %s", got)
	}
}

// A request whose code only reads (the decision, ClaimGroups, the user's
// id) reads the verifier's cached token, without copying it; the copy is
// made the first time code that may modify the token asks for it. Without
// that laziness, every cached request paid a deep copy of the token: half
// a microsecond and six allocations (BenchmarkOverhead).
func TestCachedTokenIsCopiedOnlyWhenAsked(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.P("viewer", "/posts", "GET"))
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithGroups(token.ClaimGroups("groups")))
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		read          *warden.Token
		before, after bool
		own, ownAgain *warden.Token
	}
	var got []seen
	h := a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		var s seen
		s.read, s.before = middleware.TokenState(u)
		s.own, s.ownAgain = u.Token(), u.Token()
		_, s.after = middleware.TokenState(u)
		got = append(got, s)
	}))
	auth := bearer(key.Sign(t, claimsFor("carol", "viewer")))
	for range 3 {
		req := httptest.NewRequest("GET", "/posts", nil)
		req.Header = auth.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	for i, s := range got {
		switch {
		case s.before:
			t.Errorf("request %d: the token was copied before any code asked for it", i)
		case !s.after || s.own != s.ownAgain:
			t.Errorf("request %d: Token() did not make one copy for the request", i)
		case s.own == s.read:
			t.Errorf("request %d: Token() handed out the token the request reads, not a copy", i)
		}
	}
	// The first request verified the token; the others read the one the
	// verifier cached, the same one, uncopied.
	if got[1].read != got[2].read {
		t.Errorf("the cached requests read different tokens: the token was copied for each")
	}
	if got[1].own == got[2].own {
		t.Errorf("two requests were handed the same copy")
	}
}
