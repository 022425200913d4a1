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
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
	"github.com/wardenhq/warden/watcher"
)

// downTransport is a watcher transport whose subscription stays quiet and
// whose every publish fails, as when the pub/sub server went away after
// the watcher subscribed. The real transports' failure paths are tested in
// package watcher; here it drives a real watcher.Watcher into failing every
// hint.
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

// TestChangeWithWatcherDown: with the change log, a change whose hint
// could not be sent is an ordinary success (200 with no "announced" field,
// an audit row with no note, outcome "ok"), and it still reaches another
// instance: that one reads it from the store's log, not from a message.
func TestChangeWithWatcherDown(t *testing.T) {
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
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	other, err := policyadmin.OpenEnforcer(t.Context(), e.db.DB, m, policyadmin.TablesWithPrefix("").Policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := tok(t, "root", nil, nil)

	res := e.do("POST", "/v1/rules", root, `{"ptype":"p","values":["nora","/n","GET","allow"]}`, "X-Request-Id", "na-1")
	if res.status != http.StatusOK {
		t.Fatalf("grant with the watcher down: %d %s; want 200", res.status, res.body)
	}
	var c server.ChangeResult
	res.json(t, &c)
	if c.Changed != 1 || strings.Contains(string(res.body), `"announced"`) {
		t.Errorf("grant = %s; want changed 1 and no announced field", res.body)
	}
	if ok, err := e.policy.Enforce(t.Context(), "nora", "/n", "GET"); !ok || err != nil {
		t.Errorf("the stored change is not in force here: %v %v", ok, err)
	}
	if err := other.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ok, err := other.Enforce(t.Context(), "nora", "/n", "GET"); !ok || err != nil {
		t.Errorf("the other instance did not read the change from the log: %v %v", ok, err)
	}
	entries, err := e.audit.List(t.Context(), audit.Query{Actor: "root"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit rows = %+v, %v", entries, err)
	}
	if en := entries[0]; en.Error != "" || en.Changed != 1 || en.Note != "" {
		t.Errorf("audit row = %+v; want success, changed 1, no note", en)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(outcomes, ",") != "ok" {
		t.Errorf("outcomes = %v, want [ok]", outcomes)
	}
}
