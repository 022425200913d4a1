package enforcer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestStateWithClashingRules drives a state (a guard model: the firsts of
// each effect follow removals through ruleSet.find) with random adds and
// removals, rules whose values join alike among them, so that the state's
// rule sets take their clash path for every operation: holds, count,
// ordered, the guard's firsts and compacted (a rebuild every so often)
// must agree with a plain map keyed by the exact values. The values reach
// the state directly: the enforcer refuses control characters in rule
// values (modelcheck), so only a chance clash of the seeded hash takes
// this path in use.
func TestStateWithClashingRules(t *testing.T) {
	ctx := context.Background()
	m, err := ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == 'root' || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := w.eng.(*state)
	if st.ix.cm.guard == nil {
		t.Fatal("the model has no guard: the test would not reach firstsRemove")
	}
	var pool []Rule
	for _, eft := range []string{"allow", "deny", "foo"} {
		// Each three join to "a\x00b\x00c\x00d\x00<eft>".
		pool = append(pool,
			P("a\x00b", "c", "d", eft), P("a", "b\x00c", "d", eft), P("a", "b", "c\x00d", eft),
			P("a", "b", "c", "d\x00"+eft)) // joins alike with a 5th value: never stored with the width 4
		for i := range 6 {
			pool = append(pool, P(fmt.Sprint("u", i), "o", "read", eft))
		}
	}
	for i := range 4 {
		// g rules clash too: "x\x00y\x00z" three ways.
		pool = append(pool, G(fmt.Sprint("x", i, "\x00y"), "z"), G(fmt.Sprint("x", i), "y\x00z"), G(fmt.Sprint("u", i), "r"))
	}
	r := rand.New(rand.NewPCG(3, 5))
	want := map[string]map[string]uint64{"p": {}, "g": {}} // ptype → exactKey → seq
	for step := range 20000 {
		rule := pool[r.IntN(len(pool))]
		k := exactKey(rule.Values)
		if r.IntN(2) == 0 {
			_, held := want[rule.PType][k]
			if got := st.add(rule); got == held {
				t.Fatalf("step %d: add %q = %v, held %v", step, rule.Values, got, held)
			}
			if !held {
				want[rule.PType][k] = st.seq
			}
		} else {
			_, held := want[rule.PType][k]
			if got := st.remove(rule); got != held {
				t.Fatalf("step %d: remove %q = %v, held %v", step, rule.Values, got, held)
			}
			delete(want[rule.PType], k)
		}
		if step%997 == 0 {
			st = st.compacted(w.model)
		}
		for _, pt := range []string{"p", "g"} {
			if st.count(pt) != len(want[pt]) {
				t.Fatalf("step %d: %s count %d, want %d", step, pt, st.count(pt), len(want[pt]))
			}
			var got []string
			var seqs []uint64
			for _, sr := range st.ordered(pt) {
				got = append(got, exactKey(sr.vals))
				seqs = append(seqs, sr.seq)
				if want[pt][exactKey(sr.vals)] != sr.seq {
					t.Fatalf("step %d: %s %q has seq %d, want %d", step, pt, sr.vals, sr.seq, want[pt][exactKey(sr.vals)])
				}
			}
			if len(got) != len(want[pt]) || !slices.IsSorted(seqs) {
				t.Fatalf("step %d: %s ordered %q (seqs %v), want %d rules in seq order", step, pt, got, seqs, len(want[pt]))
			}
		}
		for _, rule := range pool {
			_, held := want[rule.PType][exactKey(rule.Values)]
			if st.holds(rule.PType, rule.Values) != held {
				t.Fatalf("step %d: holds %q = %v, want %v", step, rule.Values, !held, held)
			}
		}
		var first [2]*storedRule
		for _, sr := range st.ordered("p") {
			if i := st.cm.effectSlot(sr); i >= 0 && first[i] == nil {
				first[i] = sr
			}
		}
		if got := st.ix.firsts(); got != first {
			t.Fatalf("step %d: firsts %v, want %v", step, got, first)
		}
	}
}
