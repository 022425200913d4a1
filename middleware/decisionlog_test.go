package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// Decision logs can be sampled or turned off; a failed decision (the
// groups provider down: 503) is logged whatever the sampling.
func TestDecisionLogSampling(t *testing.T) {
	e := newEnforcer(t, models.RBAC, enforcer.P("alice", "/posts", "GET"))
	down := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "broken" {
			return nil, errors.New("groups store down")
		}
		return nil, nil
	})
	tests := []struct {
		name       string
		opts       []middleware.Option
		wantLogged int // of 10 allows and 10 denials
	}{
		{"default logs all", nil, 20},
		{"every 1 logs all", []middleware.Option{middleware.WithDecisionLogSampling(1)}, 20},
		{"one in 5", []middleware.Option{middleware.WithDecisionLogSampling(5)}, 4},
		{"off", []middleware.Option{middleware.WithDecisionLogSampling(0)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &records{}
			a, err := middleware.New(append([]middleware.Option{
				middleware.WithAuthenticator(middleware.AuthenticatorFunc(nil)),
				middleware.WithDecider(e), middleware.WithGroups(down), middleware.WithLogger(slog.New(h)),
			}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/posts", nil)
			for i := range 20 {
				sub := map[bool]string{true: "alice", false: "mallory"}[i%2 == 0]
				u := middleware.NewUser(&warden.Token{Identity: sub}, []warden.GroupsProvider{down}, nil)
				_, _ = a.Decide(r, u, []any{sub, "/posts", "GET"})
			}
			if got := len(h.WithMessage("authorization decision")); got != tt.wantLogged {
				t.Fatalf("%d decisions logged; want %d", got, tt.wantLogged)
			}
			u := middleware.NewUser(&warden.Token{Identity: "broken"}, []warden.GroupsProvider{down}, nil)
			if _, err := a.Decide(r, u, []any{"broken", "/posts", "GET"}); !errors.Is(err, middleware.ErrUnavailable) {
				t.Fatalf("Decide with the groups store down: %v; want ErrUnavailable", err)
			}
			recs := h.WithMessage("authorization decision")
			if len(recs) != tt.wantLogged+1 || recs[len(recs)-1]["result"].String() != "error" {
				t.Fatalf("the failed decision was not logged: %d records", len(recs))
			}
		})
	}
}

// Guard records follow the same sampling.
func TestGuardLogSampling(t *testing.T) {
	key := hmacKey(t)
	for _, tt := range []struct {
		every, want int
	}{{1, 6}, {3, 2}, {0, 0}} {
		h := &records{}
		a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
			middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(slog.New(h)),
			middleware.WithDecisionLogSampling(tt.every))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("/admin/", a.RequireAnyGroup("admin")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
		srv := httptest.NewServer(a.Strict(a.Authenticate(mux)))
		tok := key.Sign(t, claimsFor("alice", "admin"))
		for range 6 {
			if r := do(t, "GET", srv.URL+"/admin/x", bearer(tok)); r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
		}
		srv.Close()
		if got := len(h.WithMessage("authorization guard")); got != tt.want {
			t.Errorf("every %d: %d guard records; want %d", tt.every, got, tt.want)
		}
	}
}

// An Auth logging through NewJSONHandler writes the decision records an
// Auth logging through slog's JSON handler writes: the same keys and
// values, time and latency aside, for allows, denials, failures (with
// their cause) and the other records, such as a failed authentication.
func TestDecisionLogDirectMatchesSlog(t *testing.T) {
	e := newEnforcer(t, models.RBAC, enforcer.P("alice", "/posts", "GET"))
	groups := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "broken" {
			return nil, errors.New("groups store down: \"quoted\"\n{\"forged\":1}")
		}
		return nil, nil
	})
	authn := middleware.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*warden.Token, error) {
		if id := r.Header.Get("X-User"); id != "" {
			return &warden.Token{Identity: id}, nil
		}
		return nil, token.ErrMissingToken
	})
	var direct, viaSlog bytes.Buffer
	lines := func(h slog.Handler, buf *bytes.Buffer) []map[string]any {
		a, err := middleware.New(middleware.WithAuthenticator(authn), middleware.WithDecider(e),
			middleware.WithGroups(groups), middleware.WithLogger(slog.New(h)))
		if err != nil {
			t.Fatal(err)
		}
		srv := a.Authorize(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		for _, c := range []struct{ user, path string }{
			{"alice", "/posts"}, {"mallory\u2028", "/posts"}, {"broken", "/posts"}, {"", "/posts"},
			{"alice\"", "/posts/\u00e9"}, {"alice", "/posts/<&>"},
		} {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = c.path
			r.Header.Set("X-Request-Id", "req-"+c.user[:min(len(c.user), 3)])
			if c.user != "" {
				r.Header.Set("X-User", c.user)
			}
			srv.ServeHTTP(httptest.NewRecorder(), r)
		}
		var out []map[string]any
		for _, l := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			if _, ok := m["time"].(string); !ok {
				t.Fatalf("no time in %q", l)
			}
			delete(m, "time")
			if m["msg"] == "authorization decision" {
				if _, ok := m["latency"].(float64); !ok {
					t.Fatalf("no latency in %q", l)
				}
				delete(m, "latency")
			}
			out = append(out, m)
		}
		return out
	}
	got, want := lines(middleware.NewJSONHandler(&direct, nil), &direct), lines(slog.NewJSONHandler(&viaSlog, nil), &viaSlog)
	if len(want) != 6 || !reflect.DeepEqual(got, want) {
		t.Fatalf("direct:\n%s\nslog:\n%s", direct.String(), viaSlog.String())
	}
}

// The direct writer honours the handler's level: at WARN, allows and
// denials are not logged, a failed decision is.
func TestDecisionLogDirectHonoursLevel(t *testing.T) {
	e := newEnforcer(t, models.RBAC, enforcer.P("alice", "/posts", "GET"))
	groups := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "broken" {
			return nil, errors.New("groups store down")
		}
		return nil, nil
	})
	var buf bytes.Buffer
	a, err := middleware.New(middleware.WithAuthenticator(middleware.AuthenticatorFunc(nil)), middleware.WithDecider(e),
		middleware.WithGroups(groups),
		middleware.WithLogger(slog.New(middleware.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/posts", nil)
	for _, sub := range []string{"alice", "mallory", "broken"} {
		u := middleware.NewUser(&warden.Token{Identity: sub}, []warden.GroupsProvider{groups}, nil)
		_, _ = a.Decide(r, u, []any{sub, "/posts", "GET"})
	}
	var m map[string]any
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 1 || json.Unmarshal(buf.Bytes(), &m) != nil ||
		m["level"] != "WARN" || m["result"] != "error" || m["subject"] != "broken" {
		t.Fatalf("at WARN: %q; want the failed decision only", buf.String())
	}
}
