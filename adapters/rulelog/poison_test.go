package rulelog_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestRowsAboveTheHead: a log row at a revision the head has not reached is
// not a committed change (a writer raises the head in the row's own
// transaction), so a reader ignores it. Written by hand above the head, a
// well-formed row would otherwise mark the revision applied, and the real
// change committed later under that revision would be skipped for good; a
// malformed one would make every reload fail (the reload reads the log
// after the head), leaving every instance on its old policy.
func TestRowsAboveTheHead(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			s := newStore(t, db.DB)
			e := newEnforcer(t, s)
			if _, err := e.AddRules(ctx, enforcer.P("alice", "d", "read")); err != nil {
				t.Fatal(err)
			}
			// Revision 2, seq 9: no writer committed it; the head is 1.
			forge := "INSERT INTO casbin_rule_log (revision, seq, op, ptype, vals, change_id, created_ms) VALUES (?, ?, ?, ?, ?, ?, 0)"
			if err := db.DB.Exec(forge, 2, 9, "add", "p", `["mallory","d","read"]`, "x").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.DB.Exec(forge, 3, 1, "add", "p", `not json`, "y").Error; err != nil {
				t.Fatal(err)
			}
			if err := e.CatchUp(ctx); err != nil {
				t.Fatalf("CatchUp with rows above the head: %v", err)
			}
			if st := e.SyncStatus(); st.Applied != 1 {
				t.Fatalf("applied %d, the head is 1", st.Applied)
			}
			if allowed(t, e, "mallory", "d", "read") {
				t.Fatal("a row above the head is in force")
			}
			// Another instance's real change commits under revision 2.
			other := newEnforcer(t, newStore(t, db.DB))
			if _, err := other.AddRules(ctx, enforcer.P("bob", "d", "read")); err != nil {
				t.Fatal(err)
			}
			if err := e.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if !allowed(t, e, "bob", "d", "read") {
				t.Fatal("the change committed under revision 2 was skipped")
			}
		})
	}
}

// TestStoreReset: the tables dropped and created again (an operator's
// reset) restart the revisions at 1. An instance that applied revisions of
// the old tables, and reads the log only after the new ones passed its
// revision, must reload, not replay the new log on top of rules the store
// no longer holds.
func TestStoreReset(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			e := newEnforcer(t, newStore(t, db.DB))
			if _, err := e.AddRules(ctx, enforcer.P("mallory", "d", "read")); err != nil {
				t.Fatal(err)
			}
			for _, tb := range []string{"casbin_rule", "casbin_rule_log", "casbin_rule_head"} {
				if err := db.DB.Exec("DROP TABLE " + tb).Error; err != nil {
					t.Fatal(err)
				}
			}
			other := newEnforcer(t, newStore(t, db.DB))
			for _, who := range []string{"bob", "carol"} {
				if _, err := other.AddRules(ctx, enforcer.P(who, "d", "read")); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if allowed(t, e, "mallory", "d", "read") {
				t.Fatal("a rule of the tables before the reset is still in force")
			}
			if !allowed(t, e, "bob", "d", "read") || !allowed(t, e, "carol", "d", "read") {
				t.Fatal("the rules of the new tables are not in force")
			}
		})
	}
}

// TestEpochAddedToAnOlderHead: a head table created before the epoch
// existed gets the column and a name, and keeps its revision.
func TestEpochAddedToAnOlderHead(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			if err := db.DB.Exec("CREATE TABLE casbin_rule_head (id INTEGER NOT NULL PRIMARY KEY, revision BIGINT NOT NULL, pruned BIGINT NOT NULL)").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.DB.Exec("INSERT INTO casbin_rule_head (id, revision, pruned) VALUES (1, 5, 5)").Error; err != nil {
				t.Fatal(err)
			}
			s := newStore(t, db.DB)
			epoch, err := s.Epoch(ctx)
			if err != nil || len(epoch) != 32 {
				t.Fatalf("Epoch = %q, %v", epoch, err)
			}
			if h, err := s.Head(ctx); err != nil || h != 5 {
				t.Fatalf("Head = %d, %v", h, err)
			}
			if again, err := newStore(t, db.DB).Epoch(ctx); err != nil || again != epoch {
				t.Fatalf("a second New renamed the epoch: %q, %v (was %q)", again, err, epoch)
			}
		})
	}
}
