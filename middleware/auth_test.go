package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

const leakText = "db password is hunter2"

// app is the server most tests run against: a RESTful policy where viewers
// read posts, editors also write them and admins delete them; alice is an
// admin by shared policy, everybody else gets groups from their token.
func app(t *testing.T, key jwttest.Key, extra ...middleware.Option) (*httptest.Server, *syncBuffer) {
	t.Helper()
	e := newEnforcer(t, "restful",
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("editor", "/posts", "(GET)|(POST)"),
		enforcer.P("admin", "/posts/*", "DELETE"),
		enforcer.P("admin", "/posts", "(GET)|(POST)"),
		enforcer.G("alice", "admin"),
	)
	var vopt token.Option
	if hs, ok := key.Signer.([]byte); ok {
		vopt = token.WithHMACSecret(hs)
	} else {
		vopt = token.WithPublicKey(key.KID, key.Public)
	}
	logs := &syncBuffer{}
	opts := append([]middleware.Option{
		middleware.WithVerifier(newVerifier(t, vopt)),
		middleware.WithDecider(e),
		middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithPublic("GET /healthz"),
		middleware.WithLogger(slogJSON(logs)),
	}, extra...)
	a, err := middleware.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", ok)
	mux.Handle("/posts", a.Authorize(ok))
	mux.Handle("/posts/{id}", a.Authorize(ok))
	mux.Handle("GET /me", a.Authenticate(a.RequireAuthenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		groups, err := u.Groups(r.Context())
		if err != nil {
			http.Error(w, "groups", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "%s %v", u.ID(), groups)
	}))))
	mux.Handle("GET /admin", a.Authenticate(a.RequireAnyGroup("admin", "root")(ok)))
	mux.Handle("GET /forgotten", a.Authenticate(ok)) // authenticated, but no check
	mux.Handle("GET /bare", ok)                      // no middleware at all
	srv := httptest.NewServer(a.Strict(mux))
	t.Cleanup(srv.Close)
	return srv, logs
}

func TestAuthorizeHTTP(t *testing.T) {
	key := hmacKey(t)
	srv, logs := app(t, key)
	sign := func(sub string, groups ...string) http.Header { return bearer(key.Sign(t, claimsFor(sub, groups...))) }
	expired := claimsFor("carol", "viewer")
	expired["exp"] = time.Now().Add(-time.Minute).Unix()

	tests := []struct {
		name, method, path string
		header             http.Header
		status             int
		wwwAuth            string
	}{
		{"public healthz", "GET", "/healthz", nil, 200, ""},
		{"no header", "GET", "/posts", nil, 401, "Bearer"},
		{"empty header", "GET", "/posts", http.Header{"Authorization": {""}}, 401, `Bearer error="invalid_token"`},
		{"doubled header", "GET", "/posts", http.Header{"Authorization": {"Bearer a", "Bearer b"}}, 401, `Bearer error="invalid_token"`},
		{"basic scheme", "GET", "/posts", http.Header{"Authorization": {"Basic YTpi"}}, 401, `Bearer error="invalid_token"`},
		{"garbage token", "GET", "/posts", bearer("garbage"), 401, `Bearer error="invalid_token"`},
		{"expired", "GET", "/posts", bearer(key.Sign(t, expired)), 401, `Bearer error="invalid_token"`},
		{"lower-case scheme", "GET", "/posts", http.Header{"Authorization": {"bearer " + key.Sign(t, claimsFor("carol", "viewer"))}}, 200, ""},
		{"viewer reads", "GET", "/posts", sign("carol", "viewer"), 200, ""},
		{"viewer cannot write", "POST", "/posts", sign("carol", "viewer"), 403, ""},
		{"editor writes", "POST", "/posts", sign("bob", "editor"), 200, ""},
		{"editor cannot delete", "DELETE", "/posts/7", sign("bob", "editor"), 403, ""},
		{"admin from shared policy deletes", "DELETE", "/posts/7", sign("alice"), 200, ""},
		{"no groups", "GET", "/posts", sign("dave"), 403, ""},
		{"token group grants guard", "GET", "/admin", sign("erin", "root"), 200, ""},
		{"guard denies", "GET", "/admin", sign("carol", "viewer"), 403, ""},
		{"guard without token", "GET", "/admin", nil, 401, "Bearer"},
		{"me", "GET", "/me", sign("carol", "viewer"), 200, ""},
		{"strict: authenticated but unchecked", "GET", "/forgotten", sign("alice"), 403, ""},
		{"strict: no middleware", "GET", "/bare", nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, srv.URL+tt.path, tt.header)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", r.status, tt.status, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tt.wwwAuth {
				t.Fatalf("WWW-Authenticate = %q, want %q", got, tt.wwwAuth)
			}
			if tt.status >= 400 {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("Content-Type = %q", ct)
				}
				if r.json["error"] == nil || r.json["request_id"] == nil {
					t.Fatalf("body = %q", r.body)
				}
			}
		})
	}
	if !strings.Contains(logs.String(), `"pattern":"GET /forgotten"`) {
		t.Fatalf("strict refusal not logged with its route:\n%s", logs.String())
	}
}

func TestMeShowsUnionOfGroups(t *testing.T) {
	key := hmacKey(t)
	sqlGroups := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "alice" {
			return []string{"admin"}, nil
		}
		return nil, nil
	})
	srv, _ := app(t, key, middleware.WithGroups(sqlGroups))
	r := do(t, "GET", srv.URL+"/me", bearer(key.Sign(t, claimsFor("alice", "viewer"))))
	if r.status != 200 || r.body != "alice [viewer admin]" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
}

func TestUnavailableIs503WithoutInternalText(t *testing.T) {
	key := hmacKey(t)
	failing := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return nil, errors.New(leakText)
	})
	srv, logs := app(t, key, middleware.WithGroups(failing), middleware.WithRetryAfter(7*time.Second))
	r := do(t, "GET", srv.URL+"/posts", bearer(key.Sign(t, claimsFor("alice"))))
	if r.status != 503 || r.header.Get("Retry-After") != "7" {
		t.Fatalf("status %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	if strings.Contains(r.body, "hunter2") {
		t.Fatalf("body leaks the provider error: %q", r.body)
	}
	if !strings.Contains(logs.String(), "hunter2") {
		t.Fatal("the provider error should be in the log for operators")
	}
	// A guard asking for groups fails closed the same way.
	r = do(t, "GET", srv.URL+"/admin", bearer(key.Sign(t, claimsFor("alice"))))
	if r.status != 503 {
		t.Fatalf("guard: status %d", r.status)
	}
}

func TestJWKSDownIs503(t *testing.T) {
	k := jwttest.RSA(t, "k")
	j := jwttest.NewJWKS(t, k)
	e := newEnforcer(t, "restful", enforcer.P("viewer", "/posts", "GET"))
	a, err := middleware.New(
		middleware.WithVerifier(newVerifier(t, token.WithJWKSURL(j.URL()),
			token.WithJWKSRefresh(token.JWKSRefresh{UnknownKID: 50 * time.Millisecond, MaxWait: time.Second}))),
		middleware.WithDecider(e), middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(discard()),
	)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Authorize(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	j.SetDown(true)
	// Cached key: still decided.
	if r := do(t, "GET", srv.URL+"/posts", bearer(k.Sign(t, claimsFor("c", "viewer")))); r.status != 200 {
		t.Fatalf("cached key: %d", r.status)
	}
	// Unknown key while the endpoint is down: cannot decide.
	r := do(t, "GET", srv.URL+"/posts", bearer(jwttest.RSA(t, "new").Sign(t, claimsFor("c", "viewer"))))
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("unknown kid while down: %d %v", r.status, r.header)
	}
}

func TestCustomErrorHandler(t *testing.T) {
	key := hmacKey(t)
	srv, _ := app(t, key, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(middleware.StatusOf(err))
		_, _ = w.Write([]byte("custom"))
	}))
	r := do(t, "POST", srv.URL+"/posts", bearer(key.Sign(t, claimsFor("carol", "viewer"))))
	if r.status != 403 || r.body != "custom" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
}

func TestDecisionLogNeverHasToken(t *testing.T) {
	key := hmacKey(t)
	srv, logs := app(t, key)
	tok := key.Sign(t, claimsFor("carol", "viewer"))
	do(t, "GET", srv.URL+"/posts", http.Header{"Authorization": {"Bearer " + tok}, "X-Request-Id": {"req-42"}})
	do(t, "POST", srv.URL+"/posts", bearer(tok))
	out := logs.String()
	for _, want := range []string{`"request_id":"req-42"`, `"subject":"carol"`, `"object":"/posts"`, `"action":"GET"`,
		`"result":"allow"`, `"rule":"p, viewer, /posts, GET"`, `"result":"deny"`, `"latency"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	sig := tok[strings.LastIndex(tok, ".")+1:]
	if strings.Contains(out, sig) {
		t.Fatal("log contains the token")
	}
}

func TestMapper(t *testing.T) {
	key := hmacKey(t)
	// The domain comes from a header: rbac_domains decides per tenant.
	e := newEnforcer(t, "rbac_domains",
		enforcer.P("editor", "acme", "/posts", "GET"),
		enforcer.G("bob", "editor", "acme"),
	)
	a, err := middleware.New(
		middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithMapper(func(r *http.Request, sub string) ([]any, error) {
			tenant := r.Header.Get("X-Tenant")
			if tenant == "" {
				return nil, errors.New("no tenant")
			}
			return []any{sub, tenant, r.URL.Path, r.Method}, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Authorize(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	h := bearer(key.Sign(t, claimsFor("bob")))
	for tenant, want := range map[string]int{"acme": 200, "globex": 403, "": 403} {
		h.Set("X-Tenant", tenant)
		if r := do(t, "GET", srv.URL+"/posts", h); r.status != want {
			t.Errorf("tenant %q: %d, want %d", tenant, r.status, want)
		}
	}
}

func TestProvidersAskedOnceAndOnlyWhenNeeded(t *testing.T) {
	key := hmacKey(t)
	var calls atomic.Int64
	var fail atomic.Bool
	counting := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("down")
		}
		return []string{"admin"}, nil
	})
	e := newEnforcer(t, "restful", enforcer.P("admin", "/x", "GET"))
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithGroups(counting), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	asksTwice := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		_, err1 := u.Groups(r.Context())
		_, err2 := u.Groups(r.Context())
		if (err1 == nil) != (err2 == nil) {
			t.Error("second call disagrees with the first")
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/x", a.Authorize(a.RequireAnyGroup("admin")(asksTwice)))
	mux.Handle("/quiet", a.Authenticate(middleware.Public(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := bearer(key.Sign(t, claimsFor("alice")))

	if r := do(t, "GET", srv.URL+"/x", h); r.status != 200 || calls.Load() != 1 {
		t.Fatalf("status %d, provider calls %d, want 200 and 1", r.status, calls.Load())
	}
	if r := do(t, "GET", srv.URL+"/quiet", h); r.status != 200 || calls.Load() != 1 {
		t.Fatalf("nobody asked, yet provider calls = %d", calls.Load())
	}
	fail.Store(true)
	if r := do(t, "GET", srv.URL+"/x", h); r.status != 503 || calls.Load() != 2 {
		t.Fatalf("failing provider: status %d, calls %d", r.status, calls.Load())
	}
}

func TestNewNeedsAuthenticator(t *testing.T) {
	if _, err := middleware.New(); err == nil {
		t.Fatal("New without authenticator succeeded")
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{middleware.ErrUnauthenticated, 401},
		{token.ErrMissingToken, 401},
		{fmt.Errorf("x: %w", token.ErrInvalidToken), 401},
		{token.ErrKeysUnavailable, 503},
		{middleware.ErrUnavailable, 503},
		{middleware.ErrForbidden, 403},
		{middleware.ErrUnchecked, 403},
		{errors.New("anything else"), 403},
		// Bad caller data behind a provider failure is 403, not a 503
		// that invites retrying the same token.
		{errors.Join(middleware.ErrUnavailable, fmt.Errorf("groups provider 0: %w", claims.ErrClaimType)), 403},
		{errors.Join(middleware.ErrUnavailable, fmt.Errorf("groups provider 0: %w: name too long", sqlstore.ErrInvalid)), 403},
		{errors.Join(middleware.ErrUnavailable, fmt.Errorf("permissions provider 0: %w", adapters.ErrNoIdentity)), 403},
		{errors.Join(middleware.ErrUnavailable, errors.New("database down")), 503},
	}
	for _, tt := range tests {
		if got := middleware.StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

var _ = jwt.MapClaims{}
