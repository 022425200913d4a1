package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/server"
	"github.com/wardenhq/warden/watcher"
)

// downTransport is a watcher transport whose subscription stays quiet and
// whose every publish fails, as when the pub/sub server went away after
// the watcher subscribed. The real transports' failure paths are tested in
// package watcher; here it drives a real watcher.Watcher into
// enforcer.ErrNotAnnounced.
type downTransport struct{}

func (downTransport) Subscribe(context.Context, string) (watcher.Subscription, error) {
	return quietSubscription{}, nil
}

func (downTransport) Publish(context.Context, string, string) error {
	return errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

func (downTransport) Close() error { return nil }

type quietSubscription struct{}

func (quietSubscription) Receive(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}
func (quietSubscription) Ping(context.Context) error { return nil }
func (quietSubscription) Close() error               { return nil }

// TestChangeNotAnnounced: a change that was stored and applied but could
// not be announced is a success with a warning (200, "announced": false,
// an audit row that is not failed but carries a note), not a 503 that
// would make the caller retry a change already made.
func TestChangeNotAnnounced(t *testing.T) {
	var (
		mu       sync.Mutex
		outcomes []string
	)
	e := newEnv(t, dbtest.SQLite, server.WithChangeObserver(func(_, _ string, _ int, outcome string) {
		mu.Lock()
		defer mu.Unlock()
		outcomes = append(outcomes, outcome)
	}))
	w, err := watcher.New(t.Context(), downTransport{}, watcher.WithChannel(dbtest.Unique()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := e.policy.SetWatcher(w); err != nil {
		t.Fatal(err)
	}
	root := tok(t, "root", nil, nil)

	res := e.do("POST", "/v1/rules", root, `{"ptype":"p","values":["nora","/n","GET","allow"]}`, "X-Request-Id", "na-1")
	if res.status != http.StatusOK {
		t.Fatalf("grant with the watcher down: %d %s; want 200", res.status, res.body)
	}
	var c server.ChangeResult
	res.json(t, &c)
	if c.Changed != 1 || c.Announced || !strings.Contains(string(res.body), `"announced":false`) {
		t.Errorf("grant = %s; want changed 1 and announced false", res.body)
	}
	if ok, err := e.policy.Enforce(t.Context(), "nora", "/n", "GET"); !ok || err != nil {
		t.Errorf("the stored change is not in force here: %v %v", ok, err)
	}

	entries, err := e.audit.List(t.Context(), audit.Query{Actor: "root"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit rows = %+v, %v", entries, err)
	}
	if en := entries[0]; en.Error != "" || en.Changed != 1 || !strings.HasPrefix(en.Note, audit.NoteNotAnnounced) {
		t.Errorf("audit row = %+v; want success, changed 1, not-announced note", en)
	}
	ar := e.do("GET", "/v1/audit?actor=root", root, "")
	var page server.AuditPage
	ar.json(t, &page)
	if len(page.Entries) != 1 || page.Entries[0].Failed || !page.Entries[0].NotAnnounced {
		t.Errorf("GET /v1/audit = %s; want not failed, not_announced", ar.body)
	}

	// A change with nothing to announce to (the admin policy has no watcher
	// here) is announced.
	res = e.do("POST", "/v1/groups?scope=admin", root, `{"member":"nora","role":"warden-admin"}`)
	c = server.ChangeResult{}
	res.json(t, &c)
	if res.status != http.StatusOK || !c.Announced {
		t.Errorf("announced change: %d %s", res.status, res.body)
	}

	mu.Lock()
	defer mu.Unlock()
	if strings.Join(outcomes, ",") != "not_announced,ok" {
		t.Errorf("outcomes = %v, want [not_announced ok]", outcomes)
	}
}
