package cache_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"log/slog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/httpapi"
	"github.com/wardenhq/warden/adapters/internal/guardedapp"
)

var observerSecret = []byte("0123456789abcdef0123456789abcdef-cache")

// groupsAPI is a directory service: alice is in editors, everyone else in
// no group.
func groupsAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		groups := []string{}
		if r.URL.Path == "/users/alice/groups" {
			groups = []string{"editors"}
		}
		_ = json.NewEncoder(w).Encode(groups)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// editorsApp is an HTTP service whose route lets editors through, with
// groups from p; it returns the status of a request by sub.
func editorsApp(t *testing.T, p warden.Provider) func(sub string) int {
	t.Helper()
	return guardedapp.Editors(t, observerSecret, p)
}

// A cache observer that panics on every event changes no answer: through
// a real service in front of a real directory, alice (an editor) is let
// through on the miss and on the hit, bob refused, as without the
// observer; the observer saw each Fetch, and its panics are logged, not
// every one. Before, the panic left Fetch: the middleware answered alice
// 503 (a provider panic), a decision made by a metrics hook.
func TestPanickingObserverChangesNoAnswer(t *testing.T) {
	api := groupsAPI(t)
	client, err := httpapi.New(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen []string
	)
	var logged strings.Builder
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logged.Write(p)
	}), nil))
	panicking, err := cache.Wrap(warden.ProviderFunc(client.Groups), cache.WithLogger(logger), cache.WithObserver(func(e cache.Event) {
		mu.Lock()
		seen = append(seen, e.Result.String())
		mu.Unlock()
		panic("metrics hook bug")
	}))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := cache.Wrap(warden.ProviderFunc(client.Groups))
	if err != nil {
		t.Fatal(err)
	}
	withObserver, without := editorsApp(t, panicking), editorsApp(t, plain)
	for _, c := range []struct {
		sub  string
		want int
	}{{"alice", 200}, {"alice", 200}, {"bob", 403}} {
		if got, base := withObserver(c.sub), without(c.sub); got != c.want || base != c.want {
			t.Errorf("%s: %d with the panicking observer, %d without; want %d", c.sub, got, base, c.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, " "); got != "miss hit miss" {
		t.Errorf("observer saw %q, want \"miss hit miss\"", got)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if n := strings.Count(logged.String(), "metrics hook bug"); n != 2 { // the 1st and the 2nd of 3
		t.Errorf("%d panics logged of 3, want 2:\n%s", n, logged.String())
	}
}

// The same without HTTP: Fetch returns the provider's answer, the list and
// the error alike.
func TestPanickingObserverFetch(t *testing.T) {
	src := &counting{}
	c, err := cache.Wrap(warden.ProviderFunc(src.fetch), cache.WithLogger(slog.New(slog.DiscardHandler)),
		cache.WithObserver(func(cache.Event) { panic("bug") }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		got, err := fetchRecovering(t, c, ctx, &warden.Token{Identity: "alice"})
		if err != nil || len(got) != 1 || got[0] != "alice-group" {
			t.Fatalf("Fetch = %v, %v; want [alice-group]", got, err)
		}
	}
	src.fail.Store(true)
	if got, err := fetchRecovering(t, c, ctx, &warden.Token{Identity: "bob"}); got != nil || err == nil || !strings.Contains(err.Error(), "upstream down") {
		t.Fatalf("Fetch of a failing source = %v, %v; want its error", got, err)
	}
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("upstream called %d times, want 2 (the second alice was a hit)", n)
	}
}

// fetchRecovering is c.Fetch, with a panic that leaves it a test failure
// instead of the end of the test binary.
func fetchRecovering(t *testing.T, c *cache.Cache, ctx context.Context, tok *warden.Token) (list []string, err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("Fetch panicked: %v", v)
		}
	}()
	return c.Fetch(ctx, tok)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
