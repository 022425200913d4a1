package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// fillers returns n rules of dm's shape that no generated request asks
// about, p and g rules mixed: churn for the pack.
func fillers(dm diffModel, n, round int) []enforcer.Rule {
	out := make([]enforcer.Rule, 0, n)
	for i := range n {
		sub := fmt.Sprintf("filler%d-%d", round, i)
		switch {
		case i%3 == 0 && dm.domains:
			out = append(out, enforcer.G(sub, "role1", "t1"))
		case i%3 == 0:
			out = append(out, enforcer.G(sub, "role1"))
		default:
			vals := []string{sub}
			if dm.domains {
				vals = append(vals, "t2")
			}
			vals = append(vals, fmt.Sprintf("/filler/%d", i), "read")
			if dm.eft {
				vals = append(vals, "allow")
			}
			out = append(out, enforcer.P(vals...))
		}
	}
	return out
}

// casbinChange adds or removes rules on Casbin's side, removing runs of
// one ptype in a batch (its batch removal keeps the policy order, as the
// index does).
func casbinChange(t testing.TB, c *casbin.Enforcer, rules []enforcer.Rule, add bool) {
	t.Helper()
	for len(rules) > 0 {
		r, n := rules[0], 1
		var err error
		switch {
		case add && strings.HasPrefix(r.PType, "g"):
			_, err = c.AddNamedGroupingPolicy(r.PType, r.Values)
		case add:
			_, err = c.AddNamedPolicy(r.PType, r.Values)
		default:
			batch := [][]string{r.Values}
			for n < len(rules) && rules[n].PType == r.PType {
				batch = append(batch, rules[n].Values)
				n++
			}
			if strings.HasPrefix(r.PType, "g") {
				_, err = c.RemoveNamedGroupingPolicies(r.PType, batch)
			} else {
				_, err = c.RemoveNamedPolicies(r.PType, batch)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		rules = rules[n:]
	}
}

// TestCompactionKeepsThePolicy: once removals leave more space behind
// than the rules hold, the enforcer rebuilds its policy (pack.go); the
// rebuilt policy must be the same one, rule for rule and in Casbin's
// policy order, deciding as Casbin does, and rules added after it must
// come after every rule it kept. The churn is filler rules interleaved
// with the generated policy, then removed, so that the rules kept are
// spread over the whole pack.
func TestCompactionKeepsThePolicy(t *testing.T) {
	for _, dm := range diffModels {
		t.Run(dm.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 11))
			w, c := pair(t, dm.text, nil, nil, "")
			both := func(rules []enforcer.Rule, add bool) {
				t.Helper()
				addOrRemove(t, w, rules, add)
				casbinChange(t, c, rules, add)
			}
			policy := genPolicy(r, dm)
			fill := fillers(dm, 6000, 0)
			per := len(fill) / len(policy)
			for i, rule := range policy {
				both([]enforcer.Rule{rule}, true)
				both(fill[i*per:(i+1)*per], true)
			}
			both(fill[len(policy)*per:], true)
			// Some of the policy goes and comes back: it moves to the end
			// of the policy order, on both sides.
			moved := policy[:len(policy)/3]
			both(moved, false)
			both(moved, true)
			// By ptype, in batches: Casbin's batch removal costs the
			// whole policy each.
			gone := slices.Clone(fill)
			slices.SortStableFunc(gone, func(a, b enforcer.Rule) int { return strings.Compare(a.PType, b.PType) })
			for i := 0; i < len(gone); i += 1000 {
				both(gone[i:min(i+1000, len(gone))], false)
			}
			if n := enforcer.Compactions(w); n == 0 {
				t.Fatalf("%d rules removed of %d, and the policy was never rebuilt", len(fill), len(fill)+len(policy))
			}
			// After the rebuild, new rules go last.
			both(genPolicy(r, dm), true)
			both(fillers(dm, 10, 1), true)

			for _, ptype := range []string{"p", "g", "g2"} {
				if !dm.g2 && ptype == "g2" {
					continue
				}
				want, err := c.GetNamedPolicy(ptype)
				if strings.HasPrefix(ptype, "g") {
					want, err = c.GetNamedGroupingPolicy(ptype)
				}
				if err != nil {
					t.Fatal(err)
				}
				var got [][]string
				for _, rule := range w.Rules(ptype) {
					got = append(got, rule.Values)
				}
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Fatalf("%s rules after the rebuild:\n warden %v\n casbin %v", ptype, got, want)
				}
			}
			subjects := []string{"nobody", "filler1-1", "filler0-1"}
			for i := range 16 {
				subjects = append(subjects, fmt.Sprintf("user%d", i), fmt.Sprintf("role%d", i))
			}
			for range 400 {
				compare(t, w, c, enforcer.Request{Values: genRequest(r, dm, subjects)})
			}
		})
	}
}

// heapOf returns the heap that the enforcer build makes holds after a
// collection, and the enforcer.
func heapOf(build func() *enforcer.Enforcer) (uint64, *enforcer.Enforcer) {
	base, _ := memSnapshot()
	e := build()
	heap, _ := memSnapshot()
	return heap - base, e
}

// TestRemovalsGiveTheirSpaceBack: rules added and mostly removed again,
// round after round, keeping one in 64, must not leave the enforcer
// holding their space. Without the rebuild each rule kept pins the
// chunks it shares with 63 removed ones; with it the enforcer holds
// about what one loaded with the rules it keeps holds. It counts bytes
// after a collection, not time.
func TestRemovalsGiveTheirSpaceBack(t *testing.T) {
	ctx := context.Background()
	dm := diffModels[0]
	churned, w := heapOf(func() *enforcer.Enforcer {
		w := planEnforcer(t, dm.text)
		for round := range 12 {
			rules := fillers(dm, 8192, round)
			if _, err := w.AddRules(ctx, rules...); err != nil {
				t.Fatal(err)
			}
			var gone []enforcer.Rule
			for i, rule := range rules {
				if i%64 != 0 {
					gone = append(gone, rule)
				}
			}
			if _, err := w.RemoveRules(ctx, gone...); err != nil {
				t.Fatal(err)
			}
		}
		return w
	})
	kept := append(w.Rules("p"), w.Rules("g")...)
	fresh, f := heapOf(func() *enforcer.Enforcer {
		return planEnforcer(t, dm.text, kept...)
	})
	runtime.KeepAlive(f)
	holdsAboutTheRulesKept(t, w, churned, fresh, len(kept))
}

// holdsAboutTheRulesKept fails t when w, churned, holds more than twice
// the fresh bytes of an enforcer given only its kept rules (+1 MiB).
func holdsAboutTheRulesKept(t *testing.T, w *enforcer.Enforcer, churned, fresh uint64, kept int) {
	t.Helper()
	runtime.KeepAlive(w)
	t.Logf("%d rules kept: the churned enforcer holds %d bytes, one given only them %d; %d rebuilds",
		kept, churned, fresh, enforcer.Compactions(w))
	if limit := 2*fresh + 1<<20; churned > limit {
		t.Fatalf("after the churn the enforcer holds %d bytes for %d rules, over twice the %d bytes of one given only them (+1 MiB)",
			churned, kept, fresh)
	}
}

// TestCompactionUnderDecisions: decisions made while removals rebuild the
// policy again and again see the rules that never change, every time
// (run under -race: the rebuild reads the policy without the read lock,
// which only the exclusion of writers makes safe).
func TestCompactionUnderDecisions(t *testing.T) {
	ctx := context.Background()
	e := planEnforcer(t, rbacModel, enforcer.P("alice", "/a", "read"), enforcer.G("bob", "alice"))
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if ok, err := e.Enforce(ctx, "bob", "/a", "read"); !ok || err != nil {
					t.Errorf("bob /a read = %v, %v during the churn", ok, err)
					return
				}
				if ok, err := e.Enforce(ctx, "bob", "/b", "read"); ok || err != nil {
					t.Errorf("bob /b read = %v, %v during the churn", ok, err)
					return
				}
			}
		})
	}
	for round := range 4 {
		rules := fillers(diffModels[0], 5000, round)
		if _, err := e.AddRules(ctx, rules...); err != nil {
			t.Fatal(err)
		}
		if _, err := e.RemoveRules(ctx, rules...); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if n := enforcer.Compactions(e); n != 4 {
		t.Fatalf("%d rebuilds, want one per round (4)", n)
	}
}

// addOrRemove adds rules to w, or removes them, failing t on an error.
func addOrRemove(t *testing.T, w *enforcer.Enforcer, rules []enforcer.Rule, add bool) {
	t.Helper()
	var err error
	if add {
		_, err = w.AddRules(context.Background(), rules...)
	} else {
		_, err = w.RemoveRules(context.Background(), rules...)
	}
	if err != nil {
		t.Fatal(err)
	}
}
