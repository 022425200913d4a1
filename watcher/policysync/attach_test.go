package policysync_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

// signal is a channel with room for one pending token: a send never
// blocks, and a receiver learns that something happened since it last
// looked.
type signal chan struct{}

func newSignal() signal { return make(signal, 1) }

func (s signal) fire() {
	select {
	case s <- struct{}{}:
	default:
	}
}

// until waits, bounded by wait, for cond; it re-checks cond each time s
// fires, never on a timer.
func until(t *testing.T, s signal, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-s:
		case <-deadline.C:
			t.Fatalf("%s: not within %v", what, wait)
		}
	}
}

// signalledTarget is an enforcer as a follower's target that fires after
// every read of the store. It passes AttachFollower on, so that the
// follower owns the enforcer's sync exactly as with the enforcer itself.
type signalledTarget struct {
	e     *enforcer.Enforcer
	reads *atomic.Int64
	read  signal
}

func (s signalledTarget) CatchUp(ctx context.Context) error {
	err := s.e.CatchUp(ctx)
	s.reads.Add(1)
	s.read.fire()
	return err
}

func (s signalledTarget) SyncStatus() enforcer.SyncStatus { return s.e.SyncStatus() }

func (s signalledTarget) AttachFollower(name string, w persist.Watcher) (func(), error) {
	return s.e.AttachFollower(name, w)
}

// signalledWatcher is a watcher whose update callback fires after it
// returns: for SetWatcher, whose callback reads the store before returning.
type signalledWatcher struct {
	*watcher.Watcher
	done signal
}

func (w signalledWatcher) SetUpdateCallback(f func(string)) error {
	return w.Watcher.SetUpdateCallback(func(p string) { f(p); w.done.fire() })
}

func (w signalledWatcher) Subscribe(f func(string)) func() {
	return w.Watcher.Subscribe(func(p string) { f(p); w.done.fire() })
}

// syncRig is a store on PostgreSQL with a change log that announces
// nothing itself (no NOTIFY in the transaction), so that every hint other
// instances get is one an enforcer sent through its watcher after the
// commit; and a way to open watchers on one channel.
type syncRig struct {
	db      dbtest.DB
	channel string
	open    func(ctx context.Context, id string) (*watcher.Watcher, error)
}

func syncRigs(t *testing.T) map[string]*syncRig {
	db := dbtest.Postgres(t)
	rigs := map[string]*syncRig{}
	pg := &syncRig{db: db, channel: dbtest.Unique()}
	pg.open = func(ctx context.Context, id string) (*watcher.Watcher, error) {
		return pgwatcher.New(ctx, db.DSN, watcher.WithChannel(pg.channel), watcher.WithInstanceID(id), watcher.WithLogger(quiet))
	}
	rigs["pgwatcher"] = pg
	if addr := os.Getenv("WARDEN_TEST_REDIS_ADDR"); addr != "" {
		rd := &syncRig{db: db, channel: dbtest.Unique()}
		rd.open = func(ctx context.Context, id string) (*watcher.Watcher, error) {
			return rediswatcher.New(ctx, addr, watcher.WithChannel(rd.channel), watcher.WithInstanceID(id), watcher.WithLogger(quiet))
		}
		rigs["rediswatcher"] = rd
	} else {
		t.Log("WARDEN_TEST_REDIS_ADDR is not set: rediswatcher is not exercised")
	}
	return rigs
}

// instance opens an enforcer on the rig's store (its own pool) and a
// watcher with its own instance id, closed with the test.
func (r *syncRig) instance(t *testing.T, table, id string) (*enforcer.Enforcer, *watcher.Watcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	db, err := config.OpenDB(r.db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	store, err := rulelog.New(ctx, db, rulelog.WithTable(table), rulelog.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.ParseModel(rbac)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, store, enforcer.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return e, w
}

// follower starts a policysync follower of e with w that only hints make
// read (the poll is an hour away) and returns the signal of its reads.
func follower(t *testing.T, e *enforcer.Enforcer, w *watcher.Watcher) (*policysync.Follower, signal) {
	t.Helper()
	read, reads := newSignal(), new(atomic.Int64)
	f, err := policysync.New(signalledTarget{e: e, reads: reads, read: read}, policysync.WithWatcher(w), policysync.WithInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	until(t, read, "the follower's first read", func() bool { return reads.Load() >= 1 })
	return f, read
}

// TestOneOwnerOfSync: policysync.WithWatcher is the one line that connects
// both directions, SetWatcher alone still does both for an embedder without
// policysync, and a second owner is refused instead of replacing a
// callback. On real PostgreSQL (the store, and pgwatcher) and Redis
// (rediswatcher); the followers poll once an hour, so every convergence
// below comes from an enforcer's own announcement.
func TestOneOwnerOfSync(t *testing.T) {
	for name, rig := range syncRigs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			table := "sync_" + dbtest.Unique()
			eA, wA := rig.instance(t, table, "a")
			eB, wB := rig.instance(t, table, "b")
			eC, wC := rig.instance(t, table, "c")
			fA, readA := follower(t, eA, wA)
			fB, readB := follower(t, eB, wB)

			// A change on A is announced through A's watcher (nothing
			// else announces) and B, following through policysync,
			// reaches its revision.
			if _, err := eA.AddRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
				t.Fatal(err)
			}
			rev := eA.SyncStatus().Applied
			until(t, readB, "B applying A's revision", func() bool { return eB.SyncStatus().Applied >= rev })
			if !decide(t, eB, "alice", "data1", "read") {
				t.Fatal("B applied A's revision and denies A's grant")
			}
			if s := fB.Status(); s.Hints == 0 {
				t.Fatalf("B converged without a hint: %+v", s)
			}
			// And the other way round.
			if _, err := eB.RemoveRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
				t.Fatal(err)
			}
			rev = eB.SyncStatus().Applied
			until(t, readA, "A applying B's revision", func() bool { return eA.SyncStatus().Applied >= rev })
			if decide(t, eA, "alice", "data1", "read") {
				t.Fatal("A applied B's revoke and still allows")
			}
			if s := fA.Status(); s.Hints == 0 {
				t.Fatalf("A converged without a hint: %+v", s)
			}

			// A second owner of A's or B's sync is refused, whichever kind.
			for what, attach := range map[string]func() error{
				"SetWatcher after a follower":                  func() error { return eA.SetWatcher(wA) },
				"AnnounceThrough after policysync.WithWatcher": func() error { return eA.AnnounceThrough(wA) },
				"a second follower with a watcher": func() error {
					_, err := policysync.New(eB, policysync.WithWatcher(wB))
					return err
				},
				"a second follower polling only": func() error {
					_, err := policysync.New(eB)
					return err
				},
			} {
				if err := attach(); !errors.Is(err, enforcer.ErrSyncAttached) {
					t.Errorf("%s: %v; want ErrSyncAttached", what, err)
				}
			}

			// SetWatcher alone: C announces and follows without policysync.
			doneC := newSignal()
			if err := eC.SetWatcher(signalledWatcher{Watcher: wC, done: doneC}); err != nil {
				t.Fatal(err)
			}
			// ... and, attached that way, refuses a follower too; the
			// refused New replaced nothing (C keeps following below).
			for what, attach := range map[string]func() error{
				"policysync.WithWatcher after SetWatcher": func() error {
					_, err := policysync.New(eC, policysync.WithWatcher(wC))
					return err
				},
				"a polling follower after SetWatcher": func() error {
					_, err := policysync.New(eC)
					return err
				},
				"SetWatcher twice": func() error { return eC.SetWatcher(wC) },
			} {
				if err := attach(); !errors.Is(err, enforcer.ErrSyncAttached) {
					t.Errorf("%s: %v; want ErrSyncAttached", what, err)
				}
			}
			if _, err := eA.AddRules(ctx, enforcer.P("bob", "data2", "write")); err != nil {
				t.Fatal(err)
			}
			rev = eA.SyncStatus().Applied
			until(t, doneC, "C (SetWatcher) applying A's revision", func() bool { return eC.SyncStatus().Applied >= rev })
			until(t, readB, "B applying A's second revision", func() bool { return eB.SyncStatus().Applied >= rev })
			if _, err := eC.AddRules(ctx, enforcer.P("carol", "data3", "read")); err != nil {
				t.Fatal(err)
			}
			rev = eC.SyncStatus().Applied
			until(t, readA, "A applying C's revision (announced by SetWatcher's side)", func() bool { return eA.SyncStatus().Applied >= rev })
			for _, e := range []*enforcer.Enforcer{eA, eB, eC} {
				if !decide(t, e, "bob", "data2", "write") {
					t.Error("bob's grant from A is not in force everywhere")
				}
			}
			if !decide(t, eA, "carol", "data3", "read") {
				t.Error("carol's grant from C is not in force on A")
			}
		})
	}
}

// TestAttachFailureDetaches: a follower whose watcher refuses the callback
// does not start, and leaves the enforcer free for another owner.
func TestAttachFailureDetaches(t *testing.T) {
	e := setup(t)
	if _, err := policysync.New(e, policysync.WithWatcher(&refusingWatcher{})); err == nil {
		t.Fatal("New with a watcher that refuses its callback succeeded")
	}
	w := &recordedWatcher{}
	if err := e.SetWatcher(w); err != nil {
		t.Fatalf("SetWatcher after a failed New: %v", err)
	}
	if w.cb == nil {
		t.Fatal("SetWatcher set no callback")
	}
}

// refusingWatcher is a watcher that cannot take a callback.
type refusingWatcher struct{ recordedWatcher }

func (refusingWatcher) SetUpdateCallback(func(string)) error {
	return errors.New("this watcher takes no callback")
}

// recordedWatcher keeps the callback it is given.
type recordedWatcher struct{ cb func(string) }

func (w *recordedWatcher) SetUpdateCallback(f func(string)) error { w.cb = f; return nil }
func (*recordedWatcher) Update() error                            { return nil }
func (*recordedWatcher) Close()                                   {}

// TestFollowersShareOneWatcher: two enforcers in one process follow
// through one watcher, one with SetWatcher and one with a policysync
// follower. With SetUpdateCallback's single slot, the second to attach
// took following away from the first, which then kept a revoked grant
// for good (SetWatcher does not poll); they subscribe instead, and both
// apply every change another instance announces. Close frees the
// follower's enforcer for a new follower.
func TestFollowersShareOneWatcher(t *testing.T) {
	for name, rig := range syncRigs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			table := "share_" + dbtest.Unique()
			eA, wA := rig.instance(t, table, "a")
			if err := eA.AnnounceThrough(wA); err != nil {
				t.Fatal(err)
			}
			eD, shared := rig.instance(t, table, "shared")
			eE, _ := rig.instance(t, table, "e")
			doneD := newSignal()
			if err := eD.SetWatcher(signalledWatcher{Watcher: shared, done: doneD}); err != nil {
				t.Fatal(err)
			}
			fE, readE := follower(t, eE, shared)

			for i, change := range []func() error{
				func() error { _, err := eA.AddRules(ctx, enforcer.P("alice", "data1", "read")); return err },
				func() error { _, err := eA.RemoveRules(ctx, enforcer.P("alice", "data1", "read")); return err },
			} {
				if err := change(); err != nil {
					t.Fatal(err)
				}
				rev := eA.SyncStatus().Applied
				until(t, doneD, fmt.Sprintf("change %d: the SetWatcher enforcer applying it", i), func() bool { return eD.SyncStatus().Applied >= rev })
				until(t, readE, fmt.Sprintf("change %d: the policysync enforcer applying it", i), func() bool { return eE.SyncStatus().Applied >= rev })
				want := i == 0
				for who, e := range map[string]*enforcer.Enforcer{"SetWatcher": eD, "policysync": eE} {
					if got := decide(t, e, "alice", "data1", "read"); got != want {
						t.Errorf("change %d: the %s enforcer decides %v, want %v", i, who, got, want)
					}
				}
			}

			// A closed follower frees its enforcer: a new one attaches.
			if _, err := policysync.New(eE, policysync.WithWatcher(shared)); !errors.Is(err, enforcer.ErrSyncAttached) {
				t.Fatalf("a second follower before Close: %v, want ErrSyncAttached", err)
			}
			fE.Close()
			fE.Close() // idempotent
			f2, err := policysync.New(eE, policysync.WithWatcher(shared))
			if err != nil {
				t.Fatalf("a follower after Close: %v", err)
			}
			f2.Close()
		})
	}
}
