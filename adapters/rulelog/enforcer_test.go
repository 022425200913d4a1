package rulelog_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestMemoryFollowsOnlyTheLog: on a store with a change log, an enforcer
// takes no rule from anywhere but the store: ApplyAdded and ApplyRemoved
// (what a watcher message used to drive) are refused, and the policy is
// what the store holds.
func TestMemoryFollowsOnlyTheLog(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	e := newEnforcer(t, newStore(t, db.DB))
	if _, err := e.ApplyAdded(enforcer.P("mallory", "d", "read")); !errors.Is(err, enforcer.ErrFromLog) {
		t.Fatalf("ApplyAdded = %v, want ErrFromLog", err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("deny-me", "d", "read")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ApplyRemoved(enforcer.P("deny-me", "d", "read")); !errors.Is(err, enforcer.ErrFromLog) {
		t.Fatalf("ApplyRemoved = %v, want ErrFromLog", err)
	}
	if allowed(t, e, "mallory", "d", "read") || !allowed(t, e, "deny-me", "d", "read") {
		t.Fatal("memory took a change from outside the log")
	}
	if st := e.SyncStatus(); !st.Logged || st.Applied != 1 || st.Head != 1 || st.LastSync.IsZero() || st.Err != nil {
		t.Fatalf("SyncStatus = %+v", st)
	}
}

// TestCatchUpConcurrent: many CatchUp calls at once while another enforcer
// writes: none fails, and they end at the head with the store's policy.
func TestCatchUpConcurrent(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	writer := newEnforcer(t, newStore(t, db.DB))
	reader := newEnforcer(t, newStore(t, reopen(t, db)))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := reader.CatchUp(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 20 {
		r := enforcer.P("u", "d", string(rune('a'+i)))
		if _, err := writer.AddRules(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := reader.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if st := reader.SyncStatus(); st.Applied != 20 || len(reader.Rules("p")) != 20 {
		t.Fatalf("reader at %+v with %d rules", st, len(reader.Rules("p")))
	}
}

// TestStoreErrorIsReported: a failed read of the store is SyncStatus.Err
// and the policy in force is kept.
func TestStoreErrorIsReported(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	e := newEnforcer(t, newStore(t, db.DB))
	if _, err := e.AddRules(ctx, enforcer.P("kept", "d", "read")); err != nil {
		t.Fatal(err)
	}
	if s, err := db.DB.DB(); err == nil {
		_ = s.Close()
	}
	if err := e.CatchUp(ctx); err == nil {
		t.Fatal("CatchUp on a closed database succeeded")
	}
	if st := e.SyncStatus(); st.Err == nil || st.Applied != 1 {
		t.Fatalf("SyncStatus after a failed read = %+v", st)
	}
	if !allowed(t, e, "kept", "d", "read") {
		t.Fatal("the policy in force was lost")
	}
}

// TestNoopRevokeOnAStaleWriter: B still allows a rule that A revoked (B has
// not read the log yet). B's own revoke of it changes nothing in the store,
// and is answered "0 changed": B must not go on allowing the key after that
// answer.
func TestNoopRevokeOnAStaleWriter(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	a := newEnforcer(t, newStore(t, db.DB))
	b := newEnforcer(t, newStore(t, reopen(t, db)))
	x := enforcer.P("xia", "d", "read")
	if _, err := a.AddRules(ctx, x); err != nil {
		t.Fatal(err)
	}
	if err := b.CatchUp(ctx); err != nil || !allowed(t, b, "xia", "d", "read") {
		t.Fatalf("B before: %v", err)
	}
	if _, err := a.RemoveRules(ctx, x); err != nil {
		t.Fatal(err)
	}
	if n, err := b.RemoveRules(ctx, x); err != nil || n != 0 {
		t.Fatalf("B's revoke = %d, %v; want 0 changed", n, err)
	}
	if allowed(t, b, "xia", "d", "read") {
		t.Fatal("B allows a key after its revoke was acknowledged")
	}
}
