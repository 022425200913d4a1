package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/attacktest"
	"github.com/wardenhq/warden/middleware/token"
)

// pathServer is a real net/http server with the issue's policy: Strict and
// Authorize (DefaultMapper) around a ServeMux whose GET /posts/{id} echoes
// the id. It returns the server's address and a token per subject.
func pathServer(t testing.TB) (string, map[string]string) {
	t.Helper()
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(attacktest.IssueEnforcer(t)), middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("id"))) })
	srv := httptest.NewServer(a.Strict(a.Authorize(mux)))
	t.Cleanup(srv.Close)
	tokens := map[string]string{}
	for _, s := range attacktest.Subjects {
		tokens[s.Name] = key.Sign(t, claimsFor(s.Name, s.Groups...))
	}
	return strings.TrimPrefix(srv.URL, "http://"), tokens
}

// TestPathAttacks runs the path attack suite against net/http.
func TestPathAttacks(t *testing.T) {
	addr, tokens := pathServer(t)
	attacktest.RunPathCases(t, addr, tokens)
}

// FuzzPathNoBypass: no request-target is allowed where plain Casbin denies
// its lenient form (attacktest.Lenient). The seeds are the attack suite.
func FuzzPathNoBypass(f *testing.F) {
	for _, c := range attacktest.PathCases {
		f.Add(c.Target)
	}
	addr, tokens := pathServer(f)
	oracle := attacktest.Oracle(f)
	f.Fuzz(func(t *testing.T, target string) { attacktest.CheckNoBypass(t, oracle, addr, tokens, target) })
}

// TestChecksWithoutPathRefuseUnsafePaths: Require and guards decide without
// the path, but their handler reads it, so they refuse what CheckPath
// refuses, with the mapper's status.
func TestChecksWithoutPathRefuseUnsafePaths(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(attacktest.IssueEnforcer(t)), middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	id := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("id"))) })
	mux := http.NewServeMux()
	mux.Handle("GET /require/{id}", a.Require("/posts/1", "GET")(id))
	mux.Handle("GET /guard/{id}", a.Authenticate(a.RequireAnyGroup("viewer")(id)))
	srv := httptest.NewServer(a.Strict(mux))
	defer srv.Close()
	dave := bearer(key.Sign(t, claimsFor("dave", "viewer")))
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/require/1", 200}, {"/require/1%0A", 403}, {"/require/%31", 403},
		{"/guard/1", 200}, {"/guard/1%0A", 403}, {"/guard/1%E2%80%AE", 403},
	} {
		if status, body := attacktest.Send(t, strings.TrimPrefix(srv.URL, "http://"), tt.target, dave); status != tt.want {
			t.Errorf("%s: status %d (%q), want %d", tt.target, status, body, tt.want)
		}
	}
}

// TestKeyMatch5QueryMarkRefused: keyMatch5 decides on the path up to its
// first "?", so a decoded "?" (%3F) made an allow on /files/public cover
// /files/public%3Fx/secret, which the handler served as "public?x/secret".
func TestKeyMatch5QueryMarkRefused(t *testing.T) {
	m, err := model.NewModelFromString(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && keyMatch5(r.obj, p.obj) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), enforcer.P("carol", "/files/public", "GET")); err != nil {
		t.Fatal(err)
	}
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{path...}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("path"))) })
	srv := httptest.NewServer(a.Strict(a.Authorize(mux)))
	defer srv.Close()
	carol := bearer(key.Sign(t, claimsFor("carol")))
	for target, want := range map[string]int{
		"/files/public": 200, "/files/public?x=1": 200, "/files/secret": 403,
		"/files/public%3Fx/secret": 403, "/files/public%3F": 403, "/files/public%23x/secret": 403,
	} {
		if status, body := attacktest.Send(t, strings.TrimPrefix(srv.URL, "http://"), target, carol); status != want {
			t.Errorf("%s: status %d (%q), want %d", target, status, body, want)
		}
	}
}
