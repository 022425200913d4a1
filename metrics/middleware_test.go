package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/metrics"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/models"
)

func TestMiddlewareOption(t *testing.T) {
	ctx := context.Background()
	mod, err := models.Load(models.RBAC)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("alice", "/ok", "GET")); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.WithoutRuntime())
	authn := middleware.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*warden.Token, error) {
		return &warden.Token{Identity: r.Header.Get("X-User")}, nil
	})
	groups := m.Provider("groups/static", warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, nil }))
	auth, err := middleware.New(middleware.WithAuthenticator(authn), m.Middleware(e), middleware.WithGroups(groups))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auth.Authorize(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
	defer srv.Close()
	for _, path := range []string{"/ok", "/ok", "/no"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-User", "alice")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[string]int{"/ok": 200, "/no": 403}[path]; res.StatusCode != want {
			t.Fatalf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	if got := value(t, m, "warden_decisions_total", map[string]string{"result": "allow"}); got != 2 {
		t.Errorf("allowed = %v", got)
	}
	if got := value(t, m, "warden_decisions_total", map[string]string{"result": "deny"}); got != 1 {
		t.Errorf("denied = %v", got)
	}
	if got := value(t, m, "warden_provider_fetch_duration_seconds", map[string]string{"source": "groups/static"}); got != 3 {
		t.Errorf("group fetches = %v", got)
	}
}
