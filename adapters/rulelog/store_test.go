package rulelog_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	casbin "github.com/casbin/casbin/v2"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestWriteReportsWhatTheStoreChanged: a write's revision and changed rules
// are the store's (a rule already there is not counted and logs nothing), a
// write that changes nothing takes no revision, and the log holds exactly
// the changes, in order.
func TestWriteReportsWhatTheStoreChanged(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			s := newStore(t, db.DB)
			alice, bob := enforcer.P("alice", "d", "read"), enforcer.P("bob", "d", "read")
			w, err := s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{alice, bob}})
			if err != nil || w.Revision != 1 || len(w.Changed) != 2 {
				t.Fatalf("first add = %+v, %v", w, err)
			}
			// Another writer (the store, not this process's memory) already
			// added alice: only carol is new.
			carol := enforcer.G("carol", "admin")
			w, err = s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{alice, carol}})
			if err != nil || w.Revision != 2 || !slices.EqualFunc(w.Changed, []enforcer.Rule{carol}, ruleEq) {
				t.Fatalf("second add = %+v, %v", w, err)
			}
			w, err = s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{alice}})
			if err != nil || w.Revision != 0 || len(w.Changed) != 0 {
				t.Fatalf("no-op add = %+v, %v", w, err)
			}
			w, err = s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpRemove, Rules: []enforcer.Rule{bob, enforcer.P("nobody", "d", "read")}})
			if err != nil || w.Revision != 3 || !slices.EqualFunc(w.Changed, []enforcer.Rule{bob}, ruleEq) {
				t.Fatalf("remove = %+v, %v", w, err)
			}
			if h, err := s.Head(ctx); err != nil || h != 3 {
				t.Fatalf("Head = %d, %v", h, err)
			}
			got, err := s.Since(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			want := []enforcer.LogEntry{
				{Revision: 1, Op: enforcer.OpAdd, Rule: alice}, {Revision: 1, Op: enforcer.OpAdd, Rule: bob},
				{Revision: 2, Op: enforcer.OpAdd, Rule: carol}, {Revision: 3, Op: enforcer.OpRemove, Rule: bob},
			}
			if !slices.EqualFunc(got, want, func(a, b enforcer.LogEntry) bool {
				return a.Revision == b.Revision && a.Op == b.Op && ruleEq(a.Rule, b.Rule)
			}) {
				t.Fatalf("Since(0) = %+v, want %+v", got, want)
			}
			if got, err := s.Since(ctx, 1, 1); err != nil || len(got) != 1 || got[0].Revision != 2 {
				t.Fatalf("Since(1, 1) = %+v, %v", got, err)
			}
			if got, err := s.Since(ctx, 3, 10); err != nil || len(got) != 0 {
				t.Fatalf("Since(head) = %+v, %v", got, err)
			}
		})
	}
}

func ruleEq(a, b enforcer.Rule) bool { return a.PType == b.PType && slices.Equal(a.Values, b.Values) }

// TestCasbinToolsReadTheTable: the rule table stays in Casbin's layout, so
// gorm-adapter loads what the Store wrote.
func TestCasbinToolsReadTheTable(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			s := newStore(t, db.DB)
			e := newEnforcer(t, s)
			if _, err := e.AddRules(ctx, enforcer.P("editor", "d", "write"), enforcer.G("alice", "editor")); err != nil {
				t.Fatal(err)
			}
			gormadapter.TurnOffAutoMigrate(db.DB)
			a, err := gormadapter.NewAdapterByDBUseTableName(db.DB, "", rulelog.DefaultTable)
			if err != nil {
				t.Fatal(err)
			}
			ce, err := casbin.NewEnforcer(rbacModel(t), a)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := ce.Enforce("alice", "d", "write"); err != nil || !ok {
				t.Fatalf("Casbin on gorm-adapter: %v, %v", ok, err)
			}
		})
	}
}

// TestPruneGap: pruning keeps the newest revisions; a reader behind the
// pruned mark is told with ErrLogGap, and an enforcer that far behind
// reloads the whole policy and ends at the head.
func TestPruneGap(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			clock := time.Now()
			s := newStore(t, db.DB, rulelog.WithRetention(2, time.Minute), rulelog.WithClock(func() time.Time { return clock }))
			behind := newEnforcer(t, s)
			writer := newEnforcer(t, s)
			for _, who := range []string{"a", "b", "c", "d", "e"} {
				if _, err := writer.AddRules(ctx, enforcer.P(who, "d", "read")); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Since(ctx, 0, 10); err != nil || len(got) != 5 {
				t.Fatalf("rows younger than the age are kept: %d, %v", len(got), err)
			}
			clock = clock.Add(2 * time.Minute)
			if err := s.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Since(ctx, 2, 10); !errors.Is(err, enforcer.ErrLogGap) {
				t.Fatalf("Since(2) after pruning to 3 = %v, want ErrLogGap", err)
			}
			if got, err := s.Since(ctx, 3, 10); err != nil || len(got) != 2 {
				t.Fatalf("Since(3) = %d rows, %v", len(got), err)
			}
			if err := behind.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if st := behind.SyncStatus(); st.Applied != 5 || st.Head != 5 || st.Err != nil {
				t.Fatalf("status after the gap = %+v", st)
			}
			if !allowed(t, behind, "a", "d", "read") || !allowed(t, behind, "e", "d", "read") {
				t.Fatal("the reload after the gap lost rules")
			}
		})
	}
}

// TestTxFuncIsPartOfTheWrite: the caller's rows commit with the change, and
// its failure leaves no rule, no log row and no revision.
func TestTxFuncIsPartOfTheWrite(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			if err := db.Exec("CREATE TABLE side (note VARCHAR(50) NOT NULL)").Error; err != nil {
				t.Fatal(err)
			}
			s := newStore(t, db.DB)
			e := newEnforcer(t, s)
			boom := errors.New("side insert failed")
			var saw rulelog.Write
			fctx := rulelog.WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w rulelog.Write) error {
				saw = w
				if err := tx.Exec("INSERT INTO side (note) VALUES ('x')").Error; err != nil {
					return err
				}
				return boom
			})
			if _, err := e.AddRules(fctx, enforcer.P("alice", "d", "read")); !errors.Is(err, boom) {
				t.Fatalf("AddRules = %v, want the TxFunc's error", err)
			}
			if saw.Revision != 1 || len(saw.Changed) != 1 || saw.ChangeID == "" {
				t.Fatalf("TxFunc saw %+v", saw)
			}
			if n := count(t, db.DB, rulelog.DefaultTable, "1 = 1"); n != 0 {
				t.Fatalf("%d rule rows after a failed TxFunc", n)
			}
			if n := count(t, db.DB, "side", "1 = 1"); n != 0 {
				t.Fatalf("%d side rows after a failed TxFunc", n)
			}
			if h, _ := s.Head(ctx); h != 0 || allowed(t, e, "alice", "d", "read") {
				t.Fatalf("head %d / allowed after a failed TxFunc", h)
			}
			fctx = rulelog.WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w rulelog.Write) error {
				return tx.Exec("INSERT INTO side (note) VALUES ('y')").Error
			})
			if n, err := e.AddRules(fctx, enforcer.P("alice", "d", "read")); err != nil || n != 1 {
				t.Fatalf("AddRules = %d, %v", n, err)
			}
			if count(t, db.DB, "side", "1 = 1") != 1 || !allowed(t, e, "alice", "d", "read") {
				t.Fatal("the change and the TxFunc's row did not commit together")
			}
		})
	}
}

// TestLoadKeepsAnEmptyLastValue: a rule whose last value is "" loads with
// as many values as the model defines (gorm-adapter would drop it), and a
// row with more values than its ptype defines fails the load by name.
func TestLoadKeepsAnEmptyLastValue(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	s := newStore(t, db.DB)
	e := newEnforcer(t, s)
	if _, err := e.AddRules(ctx, enforcer.P("alice", "d", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.New(ctx, rbacModel(t), s); err != nil {
		t.Fatalf("reload of a rule with an empty last value: %v", err)
	}
	if err := db.Exec(`INSERT INTO casbin_rule (ptype, v0, v1, v2, v3) VALUES ('p', 'x', 'y', 'z', 'extra')`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.New(ctx, rbacModel(t), s); err == nil || !strings.Contains(err.Error(), "v3 is set") {
		t.Fatalf("load of a row wider than its ptype = %v", err)
	}
}

// TestWriteLoadPolicy: a TxFunc reads the rules as its write leaves them,
// its own change included and another store's earlier commit too, and the
// Write it was given reads nothing once the transaction is over.
func TestWriteLoadPolicy(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			s := newStore(t, db.DB)
			e := newEnforcer(t, s)
			other := newEnforcer(t, newStore(t, db.DB))
			if _, err := e.AddRules(ctx, enforcer.P("alice", "d", "read"), enforcer.G("bob", "r")); err != nil {
				t.Fatal(err)
			}
			// A second store on the same table commits a change this
			// enforcer has not read: the transaction sees it all the same.
			if _, err := other.AddRules(ctx, enforcer.P("carol", "d", "read")); err != nil {
				t.Fatal(err)
			}
			var seen []string
			var kept rulelog.Write
			fctx := rulelog.WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w rulelog.Write) error {
				kept = w
				m := rbacModel(t)
				if err := w.LoadPolicy(ctx, m); err != nil {
					return err
				}
				for _, r := range enforcer.ModelRules(m) {
					seen = append(seen, r.String())
				}
				return nil
			})
			if _, err := e.RemoveRules(fctx, enforcer.P("alice", "d", "read")); err != nil {
				t.Fatal(err)
			}
			if want := []string{"p, carol, d, read", "g, bob, r"}; !slices.Equal(seen, want) {
				t.Errorf("inside the revoke of alice the store holds %q, want %q", seen, want)
			}
			if err := kept.LoadPolicy(ctx, rbacModel(t)); err == nil {
				t.Error("LoadPolicy after the transaction ended: no error")
			}
			if err := (rulelog.Write{}).LoadPolicy(ctx, rbacModel(t)); err == nil {
				t.Error("LoadPolicy of a Write no transaction gave: no error")
			}
		})
	}
}
