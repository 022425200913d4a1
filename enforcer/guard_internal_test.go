package enforcer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGuardFirstsFollowChanges: after every one of random adds and removals
// (effects allow, deny and another), the first allow and deny rules the
// guard decides by are the stored rules of each effect with the lowest seq,
// and each effect's list holds at most about twice its stored rules.
func TestGuardFirstsFollowChanges(t *testing.T) {
	ctx := context.Background()
	m, err := ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == 'root' || r.sub == p.sub && r.obj == p.obj && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for step := range 20000 {
		rule := P(fmt.Sprint("u", r.IntN(40)), "o", "read", []string{"allow", "deny", "foo"}[r.IntN(3)])
		if r.IntN(2) == 0 {
			if _, err := w.AddRules(ctx, rule); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := w.RemoveRules(ctx, rule); err != nil {
				t.Fatal(err)
			}
		}
		st := w.eng.(*state)
		var want [2]*storedRule
		for sr := range st.rules["p"].all() {
			if i := st.cm.effectSlot(sr); i >= 0 && (want[i] == nil || sr.seq < want[i].seq) {
				want[i] = sr
			}
		}
		if want != st.ix.firsts() {
			t.Fatalf("step %d: firsts %v, want %v", step, st.ix.firsts(), want)
		}
		for i := range 2 {
			if n := len(st.ix.effects[i].list); n > 2*st.rules["p"].len()+2 {
				t.Fatalf("step %d: list %d for %d rules", step, n, st.rules["p"].len())
			}
		}
	}
}
