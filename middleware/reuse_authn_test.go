package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// TestCallerOfAnotherAuthenticatorIsAuthenticatedAgain: an Authorize whose
// Auth authenticates with another authenticator than the Auth whose
// Authenticate identified the caller reused that caller as it was, so a
// credential the inner Auth refuses stood in for one it requires: a token
// for another audience, or an API key, reached a route whose Authorize
// accepts only tokens for its own audience. The inner Auth authenticates
// the request itself, and a caller it identifies otherwise (another
// identity) is refused; with the same authenticator the caller is reused.
func TestCallerOfAnotherAuthenticatorIsAuthenticatedAgain(t *testing.T) {
	key := hmacKey(t)
	secret := key.Signer.([]byte)
	webV := newVerifier(t, token.WithHMACSecret(secret), token.WithAudience("web-app"))
	apiV := newVerifier(t, token.WithHMACSecret(secret)) // audience aud only
	var rules []enforcer.Rule
	for _, path := range []string{"/direct/secret", "/web/secret", "/svc/secret", "/same/secret", "/first/secret"} {
		rules = append(rules, enforcer.P("alice", path, "GET"), enforcer.P("svc", path, "GET"))
	}
	e := newEnforcer(t, "rbac", rules...)
	keys, err := middleware.NewAPIKeys(map[string]string{middleware.HashAPIKey("k-123"): "svc"})
	if err != nil {
		t.Fatal(err)
	}
	web, err := middleware.New(middleware.WithVerifier(webV), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := middleware.New(middleware.WithAuthenticator(keys), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	api, err := middleware.New(middleware.WithVerifier(apiV), middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	apiAgain, err := middleware.New(middleware.WithVerifier(apiV), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	// FirstOf cannot be compared: the inner Auth authenticates again, and
	// finds the same caller.
	firstOuter, err := middleware.New(middleware.WithAuthenticator(middleware.FirstOf(middleware.Bearer(apiV), keys)),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	firstInner, err := middleware.New(middleware.WithAuthenticator(middleware.FirstOf(middleware.Bearer(apiV), keys)),
		middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("secret")) })
	mux := http.NewServeMux()
	mux.Handle("GET /direct/secret", api.Authorize(ok))
	mux.Handle("GET /web/secret", web.Authenticate(api.Authorize(ok)))
	mux.Handle("GET /svc/secret", svc.Authenticate(api.Authorize(ok)))
	mux.Handle("GET /same/secret", apiAgain.Authenticate(api.Authorize(ok)))
	mux.Handle("GET /first/secret", firstOuter.Authenticate(firstInner.Authorize(ok)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	webTok := func(sub string) string {
		c := claimsFor(sub)
		c["aud"] = "web-app"
		return key.Sign(t, c)
	}
	apiTok := key.Sign(t, claimsFor("alice"))
	both := func(tok string) http.Header {
		h := bearer(tok)
		h.Set("X-API-Key", "k-123")
		return h
	}
	for _, c := range []struct {
		name, path string
		header     http.Header
		want       int
	}{
		{"control: a web token on the API alone", "/direct/secret", bearer(webTok("alice")), 401},
		{"a web token through the web Authenticate", "/web/secret", bearer(webTok("alice")), 401},
		{"an API key through the API key Authenticate", "/svc/secret", http.Header{"X-Api-Key": {"k-123"}}, 401},
		{"an API key and an API token of another identity", "/svc/secret", both(apiTok), 401},
		{"an API token through the web Authenticate", "/web/secret", bearer(apiTok), 401}, // web refuses it first
		{"an API token, one verifier twice", "/same/secret", bearer(apiTok), 200},
		{"an API token on the API alone", "/direct/secret", bearer(apiTok), 200},
		{"an API token, FirstOf twice", "/first/secret", bearer(apiTok), 200},
		{"an API key, FirstOf twice", "/first/secret", http.Header{"X-Api-Key": {"k-123"}}, 200},
	} {
		if got := do(t, "GET", srv.URL+c.path, c.header); got.status != c.want {
			t.Errorf("%s: GET %s: %d, want %d", c.name, c.path, got.status, c.want)
		}
	}
}
