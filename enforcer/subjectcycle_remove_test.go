package enforcer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestCasbinSubjectCycleRemove: a cycle no top role reaches is not walked
// by Casbin's loader, but removing the last membership of a name above it
// makes that name a top role, and every later load loops. RemoveRules and
// ApplyRemoved refuse such a removal as AddRules refuses the link that
// closes the cycle; nothing is removed from the store or from memory.
func TestCasbinSubjectCycleRemove(t *testing.T) {
	ctx := context.Background()
	// a <-> b and a <-> t: every name is a member, no top role, it loads.
	base := []enforcer.Rule{
		enforcer.G("a", "b"), enforcer.G("b", "a"), enforcer.G("t", "a"), enforcer.G("a", "t"),
		enforcer.P("a", "data", "read", "allow"),
	}
	for _, mode := range casbinSubjectModes() {
		t.Run(mode.name, func(t *testing.T) {
			a := &storeAdapter{}
			a.set(base...)
			w, err := newSubjectCasbin(t, a, mode.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.RemoveRules(ctx, enforcer.G("t", "a"))
			wantCycleError(t, "RemoveRules", err)
			_, err = w.ApplyRemoved(enforcer.G("t", "a"))
			wantCycleError(t, "ApplyRemoved", err)
			if got := w.Rules("g"); len(got) != 4 || len(a.rules) != len(base) {
				t.Fatalf("after a refused removal: memory %v, stored %v", got, a.rules)
			}
			if _, err := returns(t, "Reload", func() (struct{}, error) { return struct{}{}, w.Reload(ctx) }); err != nil {
				t.Fatal(err)
			}
			// Removed together with a link of the cycle, it leaves none.
			if n, err := w.RemoveRules(ctx, enforcer.G("t", "a"), enforcer.G("a", "b")); n != 2 || err != nil {
				t.Fatalf("RemoveRules breaking the cycle: %d, %v", n, err)
			}
			if _, err := returns(t, "Reload", func() (struct{}, error) { return struct{}{}, w.Reload(ctx) }); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(w.Rules("g"), func(r enforcer.Rule) bool { return slices.Equal(r.Values, []string{"b", "a"}) }) {
				t.Fatalf("after the removal: %v", w.Rules("g"))
			}
		})
	}
}
