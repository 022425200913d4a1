package rulelog_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestLoggedRemovalsRebuildBesideCatchUpAndReload: with a change log, a
// removal of 5,000 rules makes the writer rebuild its policy (follow, then
// compactLocked, without the read lock) while CatchUp and Reload on the
// same enforcer read the log and swap policies in, and decisions go on.
// Run under -race: the rebuild is safe only if every one of those paths
// holds sem, as follow does. Both instances end on the store's policy.
func TestLoggedRemovalsRebuildBesideCatchUpAndReload(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	w := newEnforcer(t, newStore(t, db.DB, slowWrites))
	r := newEnforcer(t, newStore(t, reopen(t, db), slowWrites))
	if _, err := w.AddRules(ctx, enforcer.P("editor", "d", "write"), enforcer.G("ann", "editor")); err != nil {
		t.Fatal(err)
	}
	const rounds = 2
	var wg sync.WaitGroup
	wg.Go(func() {
		for round := range rounds {
			churn := make([]enforcer.Rule, 5000)
			for i := range churn {
				churn[i] = enforcer.P(fmt.Sprintf("filler%d-%d", round, i), "/f", "read")
			}
			if _, err := w.AddRules(ctx, churn...); err != nil {
				t.Error(err)
				return
			}
			if n, err := w.RemoveRules(ctx, churn...); err != nil || n != len(churn) {
				t.Errorf("RemoveRules = %d, %v", n, err)
				return
			}
		}
	})
	for _, e := range []*enforcer.Enforcer{w, r} {
		wg.Go(func() {
			for range 20 {
				if err := e.CatchUp(ctx); err != nil {
					t.Error(err)
					return
				}
				if err := e.Reload(ctx); err != nil {
					t.Error(err)
					return
				}
				if !allowed(t, e, "ann", "d", "write") || allowed(t, e, "ann", "/f", "read") {
					t.Error("the policy that never changes changed during the churn")
					return
				}
			}
		})
	}
	wg.Wait()
	for _, e := range []*enforcer.Enforcer{w, r} {
		if err := e.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(e.Rules("p"), e.Rules("g")); got != "[p, editor, d, write] [g, ann, editor]" {
			t.Fatalf("policy after the churn = %s", got)
		}
	}
}
