package enforcer_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestPriorityChurnMatchesCasbin: a priority model's rules added, removed
// and added again, with fillers among them whose removal rebuilds the
// policy: after each phase, Rules, Len and Has are the policy as a Casbin
// enforcer that loads it orders it (sortedCasbin: Casbin's AddPolicy does
// not keep its order), and every decision names that enforcer's rule.
//
// The second model has a guard (r.sub == 'root' || ...): a decision the
// guard does not settle walks every rule in priority order (guard.go).
func TestPriorityChurnMatchesCasbin(t *testing.T) {
	guarded := strings.Replace(priorityFieldModel, "m = g(", "m = r.sub == 'root' || g(", 1)
	if guarded == priorityFieldModel {
		t.Fatal("the guarded model is the same")
	}
	for _, text := range []string{priorityFieldModel, guarded} {
		priorityChurnMatchesCasbin(t, text)
	}
}

func priorityChurnMatchesCasbin(t *testing.T, text string) {
	w := planEnforcer(t, text)
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("not on the fast path: %s", reason)
	}
	r := rand.New(rand.NewPCG(5, 8))
	rule := func() enforcer.Rule {
		if r.IntN(3) == 0 {
			return enforcer.G(one(r, "u0", "u1", "u2"), one(r, "r0", "r1"))
		}
		return enforcer.P(one(r, "1", "2", "3"), one(r, "u0", "r0", "r1"), one(r, "/a", "/b"), "read", one(r, "allow", "deny"))
	}
	// The policy in order, a rule added again going last: log holds every
	// add, at is the place in log of each rule held.
	var log []enforcer.Rule
	at := map[string]int{}
	policy := func() []enforcer.Rule {
		var out []enforcer.Rule
		for i, x := range log {
			if j, ok := at[x.String()]; ok && j == i {
				out = append(out, x)
			}
		}
		return out
	}
	both := func(rules []enforcer.Rule, add bool) {
		t.Helper()
		addOrRemove(t, w, rules, add)
		for _, x := range rules {
			k := x.String()
			_, held := at[k]
			switch {
			case add && !held:
				at[k] = len(log)
				log = append(log, x)
			case !add:
				delete(at, k)
			}
		}
	}
	same := func(phase string) {
		t.Helper()
		c := sortedCasbin(t, text, policy())
		for _, pt := range []string{"p", "g"} {
			want, err := c.GetNamedPolicy(pt)
			if pt == "g" {
				want, err = c.GetNamedGroupingPolicy(pt)
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, x := range w.Rules(pt) {
				got = append(got, x.Values)
			}
			if !slices.EqualFunc(got, want, slices.Equal) || w.Len(pt) != len(want) {
				i := 0
				for i < min(len(got), len(want)) && slices.Equal(got[i], want[i]) {
					i++
				}
				t.Fatalf("%s: %s rules: %d (Len %d), casbin %d; first difference at %d: warden %v, casbin %v",
					phase, pt, len(got), w.Len(pt), len(want), i, got[i:min(i+3, len(got))], want[i:min(i+3, len(want))])
			}
			for _, v := range want {
				if !w.Has(pt, v) {
					t.Fatalf("%s: Has(%s, %v) = false", phase, pt, v)
				}
			}
		}
		// Few decisions: each walks Casbin's 5,000 rules, and the rules
		// in order above already compare the whole policy.
		for range 15 {
			sub := one(r, "u0", "u1", "u2", "r0", "r1", "f1", "root")
			compare(t, w, c, enforcer.Request{Values: []any{sub, one(r, "/a", "/b", "/f"), "read"}})
		}
	}
	for round := range 2 {
		var fill []enforcer.Rule
		for i := range 60 {
			both([]enforcer.Rule{rule()}, true)
			batch := make([]enforcer.Rule, 0, 80)
			for j := range 80 {
				batch = append(batch, enforcer.P(one(r, "1", "2", "3", "4"), fmt.Sprintf("f%d-%d", round, i*80+j), "/f", "read", one(r, "allow", "deny")))
			}
			both(batch, true)
			fill = append(fill, batch...)
		}
		for range 80 {
			both([]enforcer.Rule{rule()}, r.IntN(2) == 0)
		}
		same(fmt.Sprintf("round %d, before the rebuild", round))
		before := enforcer.Compactions(w)
		for i := 0; i < len(fill); i += 1200 {
			both(fill[i:min(i+1200, len(fill))], false)
		}
		if enforcer.Compactions(w) == before {
			t.Fatalf("round %d: %d fillers removed, and the policy was not rebuilt", round, len(fill))
		}
		same(fmt.Sprintf("round %d, after the rebuild", round))
		for range 40 {
			both([]enforcer.Rule{rule()}, r.IntN(2) == 0)
		}
		same(fmt.Sprintf("round %d, after more changes", round))
	}
}
