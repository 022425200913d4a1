package config_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/config"
)

// TestHookPanics: the hooks are observers, so a hook that panics changes
// nothing: the providers are built, every source answers as without hooks
// (answers and errors alike, the claims source that gets the fetch hook
// alone too), and the panic is logged.
func TestHookPanics(t *testing.T) {
	ctx := context.Background()
	file := writeFile(t, "people.json", `{"users": {"alice": ["read:files"]}, "roles": {}, "user_roles": {"alice": ["editor"]}}`)
	c := config.Defaults()
	c.Groups = config.Provider{Sources: []string{"claims", "file"}, Combine: "union", File: file, Retries: 1, BreakerFailures: 5}
	c.Permissions = config.Provider{Sources: []string{"file"}, Combine: "union", File: file}
	var fetches atomic.Int64
	hooks := config.Hooks{
		Fetch: func(string, time.Duration, error) {
			fetches.Add(1)
			panic("hook bug")
		},
		Breaker: func(string, breaker.State) { panic("breaker hook bug") },
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	p, err := config.BuildProviders(ctx, c, nil, hooks, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	alice := token("alice", map[string]any{"groups": []any{"from-token"}})
	g, err := p.Groups.Fetch(ctx, alice)
	if err != nil || !sameSet(g, []string{"from-token", "editor"}) {
		t.Fatalf("groups %v, %v", g, err)
	}
	perms, err := p.Permissions.Fetch(ctx, alice)
	if err != nil || !slices.Equal(perms, []string{"read:files"}) {
		t.Fatalf("permissions %v, %v", perms, err)
	}
	if fetches.Load() < 3 {
		t.Fatalf("the fetch hook ran %d times", fetches.Load())
	}
	if !strings.Contains(logs.String(), "hook bug") || !strings.Contains(logs.String(), "breaker hook bug") {
		t.Fatalf("panics not logged: %s", logs.String())
	}
	// An error stays the error it was: a bad claim fails the claims source.
	// (The union answers as soon as it fails; the file source's fetch may
	// still be logging, hence the lock on the buffer.)
	if _, err := p.Groups.Fetch(ctx, token("bob", map[string]any{"groups": 7})); err == nil {
		t.Fatal("a malformed claim was answered")
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
