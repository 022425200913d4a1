package breaker_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/httpapi"
	"github.com/wardenhq/warden/adapters/internal/guardedapp"
)

var observerSecret = []byte("0123456789abcdef0123456789abcdef-breaker")

// editorsApp is an HTTP service whose route lets editors through, with
// groups from p; it returns the status of a request by sub.
func editorsApp(t *testing.T, p warden.Provider) func(sub string) int {
	t.Helper()
	return guardedapp.Editors(t, observerSecret, p)
}

// A breaker observer that panics on every change of state changes no
// answer. Through a real service in front of a real directory that fails
// and then recovers: the failure opens the breaker (503, the source's
// error), and once the source is back the next request is the half-open
// trial, which succeeds and closes the breaker (200), then closed (200),
// as without the observer. The open timeout is a nanosecond, so the
// breaker, which changes state when asked, is half-open at the request
// after the one that opened it: no wait. The observer saw the three
// changes, and its panics are logged, not every one. (The HTTP servers
// cannot run in a synctest bubble; between the request that opens the
// breaker and the next lies a whole round trip, many nanoseconds of the
// monotonic clock.) Before, the panic of
// open->half-open left Fetch: alice was refused 503 although the source
// answered.
func TestPanickingObserverChangesNoAnswer(t *testing.T) {
	var down atomic.Bool
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode([]string{"editors"})
	}))
	t.Cleanup(api.Close)
	client, err := httpapi.New(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		changes []string
		logged  strings.Builder
	)
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))
	opts := []breaker.Option{breaker.WithFailures(1), breaker.WithOpenTimeout(time.Nanosecond)}
	panicking := wrap(warden.ProviderFunc(client.Groups), append(opts, breaker.WithName("groups-api"), breaker.WithLogger(logger),
		breaker.WithObserver(func(e breaker.Event) {
			mu.Lock()
			changes = append(changes, e.From.String()+"->"+e.To.String())
			mu.Unlock()
			panic("metrics hook bug")
		}))...)
	plain := wrap(warden.ProviderFunc(client.Groups), opts...)
	withObserver, without := editorsApp(t, panicking), editorsApp(t, plain)
	for i, c := range []struct {
		down bool
		want int
	}{{true, 503}, {false, 200}, {false, 200}} {
		down.Store(c.down)
		if got, base := withObserver("alice"), without("alice"); got != c.want || base != c.want {
			t.Errorf("request %d (source down: %v): %d with the panicking observer, %d without; want %d", i, c.down, got, base, c.want)
		}
	}
	if panicking.State() != breaker.Closed {
		t.Errorf("state = %v, want closed", panicking.State())
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := strings.Join(changes, " "), "closed->open open->half-open half-open->closed"; got != want {
		t.Errorf("observer saw %q, want %q", got, want)
	}
	if n := strings.Count(logged.String(), "metrics hook bug"); n != 2 || !strings.Contains(logged.String(), "breaker groups-api") {
		t.Errorf("%d panics logged of 3, want 2, naming the breaker:\n%s", n, logged.String())
	}
}

// The same without HTTP: Fetch returns the source's own error when the
// change it causes panics the observer, and the source's list on the trial
// that closes the breaker. In a synctest bubble, whose clock the sleep
// moves past the open timeout at once.
func TestPanickingObserverFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &source{}
		src.fail.Store(true)
		b := wrap(warden.ProviderFunc(src.fetch), breaker.WithFailures(1), breaker.WithOpenTimeout(time.Minute),
			breaker.WithLogger(slog.New(slog.DiscardHandler)), breaker.WithObserver(func(breaker.Event) { panic("bug") }))
		ctx := context.Background()
		fetch := func() (list []string, err error) {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("Fetch panicked: %v", v)
				}
			}()
			return b.Fetch(ctx, tok)
		}
		if got, err := fetch(); got != nil || !errors.Is(err, errDown) || errors.Is(err, adapters.ErrProviderPanic) {
			t.Fatalf("failure that opens: %v, %v; want the source's error", got, err)
		}
		src.fail.Store(false)
		time.Sleep(time.Minute + time.Nanosecond)
		if got, err := fetch(); err != nil || len(got) != 1 || got[0] != "editors" {
			t.Fatalf("trial that closes: %v, %v; want [editors]", got, err)
		}
		if b.State() != breaker.Closed {
			t.Fatalf("state = %v, want closed", b.State())
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
