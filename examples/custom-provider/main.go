package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/httpapi"
	"github.com/wardenhq/warden/adapters/retry"
	"github.com/wardenhq/warden/adapters/timeout"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "custom-provider:", err)
		os.Exit(1)
	}
}

// directory is the fake directory service.
type directory struct {
	calls atomic.Int64
	down  atomic.Bool
}

func (d *directory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := d.calls.Add(1)
	if r.Header.Get("Authorization") != "Bearer demo-key" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if n == 1 || d.down.Load() {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	groups := map[string]string{
		"/users/alice/groups": `["editors"]`,
		"/users/bob/groups":   `[]`,
	}[r.URL.EscapedPath()]
	if groups == "" {
		http.Error(w, "no such user", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, groups)
}

// policy is the shared policy: what each group may do.
var policy = []enforcer.Rule{
	enforcer.P("editors", "posts:*", "allow"),
}

// directoryGroups is the client's groups behind, from the outside in, a
// cache, a circuit breaker, retries and a bound on each attempt. The
// breaker reports its changes of state to onChange.
func directoryGroups(client *httpapi.Client, onChange func(breaker.Event)) (*cache.Cache, error) {
	p, err := timeout.Wrap(warden.ProviderFunc(client.Groups), timeout.WithDuration(time.Second))
	if err != nil {
		return nil, err
	}
	p, err = retry.Wrap(p, retry.WithAttempts(2), retry.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		retry.WithRetryIf(httpapi.Retryable)) // a 404 will not change if asked again
	if err != nil {
		return nil, err
	}
	br, err := breaker.Wrap(p, breaker.WithName("directory"), breaker.WithFailures(3), breaker.WithOpenTimeout(time.Minute),
		breaker.WithFailureIf(httpapi.Retryable), // a 404 says the directory is up
		breaker.WithObserver(onChange))
	if err != nil {
		return nil, err
	}
	return cache.Wrap(br, cache.WithTTL(time.Minute), cache.WithSize(10000))
}

func run(ctx context.Context, out io.Writer) error {
	dir := &directory{}
	srv := httptest.NewServer(dir)
	defer srv.Close()

	client, err := httpapi.New(srv.URL, httpapi.WithAPIKey("demo-key"), httpapi.WithTimeout(2*time.Second))
	if err != nil {
		return err
	}
	// The breaker reports from the fetch that changed its state, which
	// the cache runs while check waits for it.
	groups, err := directoryGroups(client, func(e breaker.Event) {
		fmt.Fprintf(out, "breaker %s: %s -> %s\n", e.Name, e.From, e.To)
	})
	if err != nil {
		return err
	}

	m, err := models.Load(models.Permissions)
	if err != nil {
		return err
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		return err
	}
	if _, err := e.AddRules(ctx, policy...); err != nil {
		return err
	}

	// check decides one request the way middleware would: fetch the
	// caller's groups, deny on any error, else ask the enforcer with the
	// groups as request-scoped data.
	check := func(user, perm string) {
		tok := &warden.Token{Identity: user}
		g, err := groups.Fetch(ctx, tok)
		if err != nil {
			fmt.Fprintf(out, "%-5s %-12s deny (groups unavailable: %s)\n", user, perm, reason(err))
			return
		}
		d, err := e.Decide(ctx, enforcer.NewRequest(user, perm).WithGroups(g...))
		if err != nil {
			fmt.Fprintf(out, "%-5s %-12s deny (decision failed)\n", user, perm)
			return
		}
		verdict := "deny"
		if d.Allowed {
			verdict = "allow"
		}
		fmt.Fprintf(out, "%-5s %-12s %s (groups %s)\n", user, perm, verdict, strings.Join(g, ","))
	}

	fmt.Fprintln(out, "# the first call fails and is retried; then cached")
	check("alice", "posts:write")
	check("alice", "posts:read")
	check("bob", "posts:read")
	check("carol", "posts:read") // unknown to the directory: 404, not retried
	fmt.Fprintf(out, "directory calls: %d\n", dir.calls.Load())

	fmt.Fprintln(out, "# the directory goes down: fetches fail and deny, then the breaker opens and fails fast")
	dir.down.Store(true)
	groups.InvalidateAll()
	for range 3 {
		check("alice", "posts:read")
	}
	before := dir.calls.Load()
	check("alice", "posts:read")
	fmt.Fprintf(out, "directory calls while open: %d\n", dir.calls.Load()-before)
	return nil
}

// reason names the failure without passing on the service's error text.
func reason(err error) string {
	switch {
	case errors.Is(err, breaker.ErrOpen):
		return "circuit open"
	case errors.Is(err, timeout.ErrTimeout):
		return "timeout"
	case errors.Is(err, httpapi.ErrStatus):
		var se *httpapi.StatusError
		errors.As(err, &se)
		return fmt.Sprintf("status %d", se.Code)
	default:
		return "error"
	}
}
