package echoware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

const (
	iss = "https://issuer.example"
	aud = "posts-api"
)

func claimsFor(sub string, groups ...string) jwt.MapClaims {
	c := jwt.MapClaims{"iss": iss, "aud": aud, "sub": sub,
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	if groups != nil {
		c["groups"] = groups
	}
	return c
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newAuth returns an Auth over a real enforcer with the RESTful model and
// rules written against echo route patterns.
func newAuth(t testing.TB, key jwttest.Key, logger *slog.Logger) *middleware.Auth {
	t.Helper()
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	m, err := models.Load(models.RESTful)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(),
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("editor", "/posts", "(GET)|(POST)"),
		enforcer.P("admin", "/posts/:id", "DELETE"),
		enforcer.G("alice", "admin"),
	); err != nil {
		t.Fatal(err)
	}
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e),
		middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type app struct {
	srv     *httptest.Server
	audit   *echoware.Audit
	global  []echo.MiddlewareFunc
	handled atomic.Int64
	logs    *strings.Builder
}

func newApp(t *testing.T, key jwttest.Key) *app {
	t.Helper()
	ap := &app{logs: &strings.Builder{}}
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return ap.logs.Write(p)
	}), nil))
	a := newAuth(t, key, logger)
	e := echo.New()
	ap.audit = echoware.NewAudit(e)
	ap.global = []echo.MiddlewareFunc{echoware.Strict(a)}
	e.Use(ap.global...)
	ok := func(c echo.Context) error { ap.handled.Add(1); return c.String(200, "ok") }
	authz := echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: echoware.RouteMapper})
	e.GET("/healthz", ok, echoware.Public())
	e.GET("/posts", ok, authz)
	e.POST("/posts", ok, authz)
	e.DELETE("/posts/:id", ok, authz)
	e.GET("/me", func(c echo.Context) error {
		ap.handled.Add(1)
		u, _ := echoware.UserFrom(c)
		groups, err := u.Groups(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(200, map[string]any{"id": u.ID(), "groups": groups})
	}, echoware.Authenticate(a), echoware.RequireAuthenticated(a))
	admin := e.Group("/admin", echoware.Authenticate(a), echoware.RequireAnyGroup(a, "admin"))
	admin.GET("/stats", ok)
	e.GET("/forgotten", ok, echoware.Authenticate(a))
	e.POST("/bare", ok)
	ap.srv = httptest.NewServer(e)
	t.Cleanup(ap.srv.Close)
	return ap
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func get(t *testing.T, method, url, tok string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header, body
}

func TestEchoAuthorize(t *testing.T) {
	key := jwttest.Secret(t)
	ap := newApp(t, key)
	sign := func(sub string, groups ...string) string { return key.Sign(t, claimsFor(sub, groups...)) }
	tests := []struct {
		name, method, path, tok string
		status                  int
	}{
		{"public", "GET", "/healthz", "", 200},
		{"no token", "GET", "/posts", "", 401},
		{"garbage", "GET", "/posts", "x.y.z", 401},
		{"viewer reads", "GET", "/posts", sign("carol", "viewer"), 200},
		{"viewer cannot write", "POST", "/posts", sign("carol", "viewer"), 403},
		{"editor writes", "POST", "/posts", sign("bob", "editor"), 200},
		{"route pattern rule", "DELETE", "/posts/42", sign("alice"), 200},
		{"editor cannot delete", "DELETE", "/posts/42", sign("bob", "editor"), 403},
		{"me", "GET", "/me", sign("carol", "viewer"), 200},
		{"group guard allows", "GET", "/admin/stats", sign("x", "admin"), 200},
		{"group guard denies", "GET", "/admin/stats", sign("x", "viewer"), 403},
		{"strict: authenticated, unchecked", "GET", "/forgotten", sign("alice"), 403},
		{"strict: no middleware", "POST", "/bare", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, tt.method, ap.srv.URL+tt.path, tt.tok)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%v)", status, tt.status, body)
			}
			if status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", h.Get("WWW-Authenticate"))
			}
			if status >= 400 && body["error"] == nil {
				t.Fatalf("no JSON error body: %v", body)
			}
		})
	}
	status, _, body := get(t, "GET", ap.srv.URL+"/me", sign("carol", "viewer", "beta"))
	if status != 200 || body["id"] != "carol" || fmt.Sprint(body["groups"]) != "[viewer beta]" {
		t.Fatalf("/me = %d %v", status, body)
	}
	if !strings.Contains(ap.logs.String(), `"pattern":"GET /forgotten"`) {
		t.Fatalf("strict refusal not logged with its route:\n%s", ap.logs.String())
	}
}

func TestEchoAuditListsRoutesWithoutCheck(t *testing.T) {
	ap := newApp(t, jwttest.Secret(t))
	before := ap.handled.Load()
	var got []string
	for _, r := range ap.audit.Unchecked(ap.global...) {
		got = append(got, r.Method+" "+r.Path)
	}
	if want := "POST /bare,GET /forgotten"; strings.Join(got, ",") != want {
		t.Fatalf("unchecked = %v, want %s", got, want)
	}
	if ap.handled.Load() != before {
		t.Fatal("the audit ran a route handler")
	}
	// With Authorize for every route, nothing is unchecked.
	a := newAuth(t, jwttest.Secret(t), discard())
	if n := len(ap.audit.Unchecked(echoware.Authorize(a))); n != 0 {
		t.Fatalf("%d unchecked routes under a global Authorize", n)
	}
}

func TestEchoErrorHandlerAndSkipper(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	e := echo.New()
	var seen error
	e.Use(echoware.AuthorizeWithConfig(echoware.Config{
		Auth:    a,
		Skipper: func(c echo.Context) bool { return c.Path() == "/skipped" },
		ErrorHandler: func(c echo.Context, err error) error {
			seen = err
			return c.String(middleware.StatusOf(err), "custom")
		},
	}))
	e.GET("/posts", func(c echo.Context) error { return c.String(200, "ok") })
	e.GET("/skipped", func(c echo.Context) error { return c.String(200, "skipped") })
	srv := httptest.NewServer(e)
	defer srv.Close()
	if status, _, _ := get(t, "GET", srv.URL+"/posts", ""); status != 401 || seen == nil {
		t.Fatalf("status %d, handler saw %v", status, seen)
	}
	if status, _, _ := get(t, "GET", srv.URL+"/skipped", ""); status != 200 {
		t.Fatalf("skipped route: %d", status)
	}
}

func TestEchoIsolation(t *testing.T) {
	key := jwttest.Secret(t)
	ap := newApp(t, key)
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			group, want := "viewer", 403 // viewers may not POST
			if i%2 == 0 {
				group, want = "editor", 200
			}
			tok := key.Sign(t, claimsFor("svc", group))
			for range 20 {
				req, _ := http.NewRequest("POST", ap.srv.URL+"/posts", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					wrong.Add(1)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if wrong.Load() != 0 {
		t.Fatalf("%d requests decided with another caller's groups", wrong.Load())
	}
}

func TestEchoRequireAndPermissionGuards(t *testing.T) {
	key := jwttest.Secret(t)
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	m, _ := models.Load(models.Permissions)
	enf, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = enf.AddRules(context.Background(), enforcer.P("editor", "posts:*", "allow"), enforcer.P("intern", "posts:delete", "deny"))
	perms := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		return claimPermissions(tok)
	})
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(enf),
		middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithPermissions(perms), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(echoware.Strict(a))
	ok := func(c echo.Context) error { return c.NoContent(204) }
	e.DELETE("/posts/:id", ok, echoware.Require(a, "posts:delete"))
	e.GET("/any", ok, echoware.Authenticate(a), echoware.RequireAnyPermission(a, "a:x", "b:x"))
	e.GET("/all", ok, echoware.Authenticate(a), echoware.RequireAllPermissions(a, "a:x", "b:x"))
	e.GET("/groups", ok, echoware.Authenticate(a), echoware.RequireAllGroups(a, "g1", "g2"))
	srv := httptest.NewServer(e)
	defer srv.Close()
	tok := func(groups, perms []string) string {
		c := claimsFor("u", groups...)
		if perms != nil {
			c["permissions"] = perms
		}
		return key.Sign(t, c)
	}
	tests := []struct {
		name, method, path, tok string
		want                    int
	}{
		{"editor deletes", "DELETE", "/posts/1", tok([]string{"editor"}, nil), 204},
		{"intern editor denied", "DELETE", "/posts/1", tok([]string{"editor", "intern"}, nil), 403},
		{"no token", "DELETE", "/posts/1", "", 401},
		{"any permission", "GET", "/any", tok(nil, []string{"b:*"}), 204},
		{"none of the permissions", "GET", "/any", tok(nil, []string{"c:x"}), 403},
		{"all permissions", "GET", "/all", tok(nil, []string{"a:x", "b:x"}), 204},
		{"all permissions but one denied", "GET", "/all", tok(nil, []string{"*", "!b:x"}), 403},
		{"all groups", "GET", "/groups", tok([]string{"g2", "g1"}, nil), 204},
		{"some groups", "GET", "/groups", tok([]string{"g1"}, nil), 403},
	}
	for _, tt := range tests {
		if status, _, _ := get(t, tt.method, srv.URL+tt.path, tt.tok); status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, status, tt.want)
		}
	}
}

// claimPermissions reads the "permissions" claim the way a service would,
// through adapters/claims.
func claimPermissions(tok *warden.Token) ([]string, error) {
	p, err := claims.New(claims.WithPermissionsClaim("permissions"))
	if err != nil {
		return nil, err
	}
	return p.Permissions(context.Background(), tok)
}
