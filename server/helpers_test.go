package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

const (
	issuer   = "https://issuer.test"
	audience = "warden"
)

var secret = []byte("0123456789abcdef0123456789abcdef-test")

// env is a running server on a fresh database seeded with conf/policy.csv,
// whose admin policy makes "root" an administrator.
type env struct {
	t       testing.TB
	db      dbtest.DB
	srv     *httptest.Server
	handler http.Handler
	policy  *enforcer.Enforcer
	admin   *enforcer.Enforcer
	audit   *audit.Log
	auth    *middleware.Auth
	logs    *lockedBuffer
}

func newEnv(t testing.TB, open func(testing.TB) dbtest.DB, opts ...server.Option) *env {
	t.Helper()
	ctx := context.Background()
	db := open(t)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	tables := policyadmin.TablesWithPrefix("")
	policy, err := policyadmin.OpenEnforcer(ctx, db.DB, m, tables.Policy, logger)
	if err != nil {
		t.Fatal(err)
	}
	am, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := policyadmin.OpenEnforcer(ctx, db.DB, am, tables.Admin, logger)
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(ctx, db.DB, audit.WithTable(tables.Audit), audit.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := policyadmin.ReadPolicyFile(ctx, m, "../conf/policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policyadmin.Seed(ctx, policy, log, policyadmin.ScopePolicy, "system", seed); err != nil {
		t.Fatal(err)
	}
	adminSeed := append(append([]enforcer.Rule{}, policyadmin.AdminSeed...), enforcer.G("root", policyadmin.AdminRole))
	if _, err := policyadmin.Seed(ctx, admin, log, policyadmin.ScopeAdmin, "system", adminSeed); err != nil {
		t.Fatal(err)
	}
	v, err := token.New(ctx, token.WithIssuer(issuer), token.WithAudience(audience), token.WithHMACSecret(secret))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := claims.New()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := middleware.New(middleware.WithVerifier(v), middleware.WithGroups(warden.ProviderFunc(cp.Groups)), middleware.WithPermissions(warden.ProviderFunc(cp.Permissions)), middleware.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	all := append([]server.Option{
		server.WithPolicy(policy), server.WithAdmin(admin), server.WithAuth(auth), server.WithAudit(log),
		server.WithLogger(logger), server.WithReadiness(server.DBCheck("database", db.DB)),
	}, opts...)
	s, err := server.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, handler: h, policy: policy, admin: admin, audit: log, auth: auth, logs: logs}
}

// opener opens a fresh database of one backend.
type opener = func(testing.TB) dbtest.DB

// forEachBackend runs f on SQLite, and on PostgreSQL and MySQL/MariaDB when
// their test services are configured.
func forEachBackend(t *testing.T, f func(t *testing.T, open opener)) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, b.Open) })
	}
}

// tok mints a token for sub with optional groups and permissions.
func tok(t testing.TB, sub string, groups, perms []string) string {
	t.Helper()
	s, err := token.MintHS256(secret, token.Claims{Issuer: issuer, Audience: []string{audience}, Subject: sub,
		Groups: groups, Permissions: perms, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

func (r response) errorBody(t *testing.T) server.ErrorBody {
	t.Helper()
	var b server.ErrorBody
	r.json(t, &b)
	return b
}

// do sends a request with bearer (none when empty) and body (none when empty).
func (e *env) do(method, path, bearer, body string, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// lockedBuffer is a log sink that handlers write to while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
