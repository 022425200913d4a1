package rulelog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
)

// TestNotifyInsideTheTransaction: with WithNotify the store announces each
// committed revision on PostgreSQL as a hint with no rule, and a write that
// rolls back announces nothing: the first two announcements are those of
// revisions 1 and 2, although a rolled-back write came first. The enforcer
// does not hint its watcher again (Written.Announced).
func TestNotifyInsideTheTransaction(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	channel := dbtest.Unique()
	got := make(chan string, 10)
	w, err := pgwatcher.New(ctx, db.DSN, watcher.WithChannel(channel), watcher.WithInstanceID("listener"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.SetUpdateCallback(func(p string) { got <- p }); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, db.DB, rulelog.WithNotify(channel, "writer"))
	e := newEnforcer(t, s)
	boom := errors.New("rolled back")
	rollback := rulelog.WithTxFunc(ctx, func(context.Context, *gorm.DB, rulelog.Write) error { return boom })
	if _, err := e.AddRules(rollback, enforcer.P("ghost", "d", "read")); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	w1, err := s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{enforcer.P("a", "d", "read")}})
	if err != nil || !w1.Announced || w1.Revision != 1 {
		t.Fatalf("write = %+v, %v", w1, err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("b", "d", "read")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{watcher.EncodeHint("writer", 1), watcher.EncodeHint("writer", 2)} {
		select {
		case p := <-got:
			if p != want {
				t.Fatalf("announcement %q, want %q", p, want)
			}
		case <-time.After(10 * time.Second): // a bound on a failure, not a synchronisation
			t.Fatalf("no announcement %q", want)
		}
	}
	if _, err := rulelog.New(ctx, dbtest.SQLite(t).DB, rulelog.WithNotify(channel, "x")); !errors.Is(err, rulelog.ErrInvalid) {
		t.Fatalf("WithNotify on SQLite = %v, want ErrInvalid", err)
	}
}
