package rulelog_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestWriteReadsAnotherStore: inside a write of store a, Lock(b) reads b's
// rules in a's transaction and Roles counts, per name, the g rules naming
// it as a role (p rules are no roles; a's own uncommitted rows count on a).
// A store on another database handle is refused: the SQL would run on a's
// database, whatever table of that name it holds.
func TestWriteReadsAnotherStore(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			db := be.Open(t)
			a := newStore(t, db.DB, rulelog.WithTable("a_rule"))
			b := newStore(t, db.DB, rulelog.WithTable("b_rule"))
			ea, eb := newEnforcer(t, a), newEnforcer(t, b)
			if _, err := eb.AddRules(ctx, enforcer.G("alice", "admin"), enforcer.G("bob", "admin"), enforcer.G("carol", "editor"),
				enforcer.P("editor", "/x", "GET")); err != nil {
				t.Fatal(err)
			}
			other, err := config.OpenDB(db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if s, err := other.DB(); err == nil {
					_ = s.Close()
				}
			})
			elsewhere := newStore(t, other, rulelog.WithTable("b_rule"))

			var (
				loaded       []enforcer.Rule
				rolesB, mine map[string]int
				lockErr      error
			)
			fctx := rulelog.WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w rulelog.Write) error {
				if _, lockErr = w.Lock(ctx, elsewhere); lockErr == nil {
					return nil
				}
				if _, err := w.Roles(ctx, elsewhere); err == nil {
					t.Error("Roles of a store on another handle: no error")
				}
				bw, err := w.Lock(ctx, b)
				if err != nil {
					return err
				}
				m := rbacModel(t)
				if err := bw.LoadPolicy(ctx, m); err != nil {
					return err
				}
				loaded = enforcer.ModelRules(m)
				if rolesB, err = w.Roles(ctx, b); err != nil {
					return err
				}
				mine, err = w.Roles(ctx, nil)
				return err
			})
			if _, err := ea.AddRules(fctx, enforcer.G("dave", "ops")); err != nil {
				t.Fatal(err)
			}
			if lockErr == nil || !strings.Contains(lockErr.Error(), "not on the same database handle") {
				t.Fatalf("Lock of a store on another handle: %v", lockErr)
			}
			if len(loaded) != 4 {
				t.Errorf("b's rules read in a's write: %v", loaded)
			}
			if want := map[string]int{"admin": 2, "editor": 1}; !maps.Equal(rolesB, want) {
				t.Errorf("b's roles: %v, want %v", rolesB, want)
			}
			if want := map[string]int{"ops": 1}; !maps.Equal(mine, want) {
				t.Errorf("a's roles, its own write included: %v, want %v", mine, want)
			}
			if _, err := (rulelog.Write{}).Lock(ctx, b); err == nil {
				t.Error("Lock outside a write: no error")
			}
		})
	}
}
