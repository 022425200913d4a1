package enforcer_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// newMemEnforcer is an rbacModel enforcer whose adapter (memAdapter, no
// change log) loads base: its writers are serialised by writeMu alone.
func newMemEnforcer(t testing.TB, base []enforcer.Rule) *enforcer.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, &memAdapter{rules: base})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCompactionBesideReloads: ApplyRemoved rebuilds the policy without
// the read lock (compactLocked) while Reload and Resync swap whole
// policies in and Rules, Explain, Roles, RulesFor, Plan and the rest read
// it. Run under -race: a path that swapped or changed the state in force
// without writeMu would race with the rebuild. The adapter holds the
// churned rules too, so every round's removal rebuilds, whatever a reload
// did before it, and the policy ends as the adapter's.
func TestCompactionBesideReloads(t *testing.T) {
	ctx := context.Background()
	churn := fillers(diffModels[0], 5000, 0)
	base := append([]enforcer.Rule{enforcer.P("alice", "/a", "read"), enforcer.G("bob", "alice")}, churn...)
	e := newMemEnforcer(t, base)
	const rounds = 4
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(start)
		for range rounds {
			start <- struct{}{} // the reloads run beside this round's rebuild
			if n, err := e.ApplyRemoved(churn...); err != nil || n != len(churn) {
				t.Errorf("ApplyRemoved = %d, %v", n, err)
				return
			}
			if _, err := e.ApplyAdded(churn...); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for range start {
			for range 3 {
				if err := e.Reload(ctx); err != nil {
					t.Error(err)
					return
				}
				if err := e.Resync(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	wg.Go(func() {
		for range 200 {
			x, err := e.Explain(ctx, enforcer.Request{Values: []any{"bob", "/a", "read"}})
			if err != nil || !x.Allowed || !slices.Equal(x.Chain, []string{"bob", "alice"}) {
				t.Errorf("bob /a read = %+v, %v during the churn", x, err)
				return
			}
			if ok, err := e.Enforce(ctx, "bob", "/b", "read"); ok || err != nil {
				t.Errorf("bob /b read = %v, %v during the churn", ok, err)
				return
			}
			_ = e.Rules("p")
			if roles, err := e.Roles(ctx, enforcer.Subject{Name: "bob"}); err != nil || !slices.Contains(roles, "alice") {
				t.Errorf("Roles(bob) = %v, %v during the churn", roles, err)
				return
			}
			if gs, err := e.RulesFor(ctx, enforcer.Subject{Name: "bob"}); err != nil || len(gs) == 0 {
				t.Errorf("RulesFor(bob) = %v, %v during the churn", gs, err)
				return
			}
			if _, err := e.Plan(ctx, enforcer.Request{Values: []any{"bob", enforcer.Unknown{}, "read"}}); err != nil {
				t.Errorf("Plan = %v during the churn", err)
				return
			}
			if ok, err := e.IsRole(ctx, "alice"); !ok || err != nil || !e.Has("p", []string{"alice", "/a", "read"}) {
				t.Errorf("IsRole(alice) = %v, %v during the churn", ok, err)
				return
			}
			_ = e.Len("p")
		}
	})
	wg.Wait()
	if n := enforcer.Compactions(e); n != rounds {
		t.Fatalf("%d rebuilds, want one a round (%d)", n, rounds)
	}
	want := map[string]bool{}
	for _, r := range base {
		want[r.String()] = true
	}
	got := append(e.Rules("p"), e.Rules("g")...)
	for _, r := range got {
		if !want[r.String()] {
			t.Fatalf("%s is in force, not in the adapter", r)
		}
	}
	if len(got) != len(base) {
		t.Fatalf("%d rules in force after the churn, want %d", len(got), len(base))
	}
}

// TestCallerSlicesDoNotAliasThePolicy: the values a caller hands AddRules
// and ApplyAdded, and the slices Rules and Explain hand back, are the
// caller's: writing into them afterwards, before and after a rebuild,
// changes no stored rule and no later answer.
func TestCallerSlicesDoNotAliasThePolicy(t *testing.T) {
	ctx := context.Background()
	e := planEnforcer(t, rbacModel)
	vals := []string{"alice", "/a", "read"}
	link := []string{"bob", "alice"}
	if _, err := e.AddRules(ctx, enforcer.Rule{PType: "p", Values: vals}, enforcer.Rule{PType: "g", Values: link}); err != nil {
		t.Fatal(err)
	}
	applied := []string{"carol", "/c", "read"}
	if _, err := e.ApplyAdded(enforcer.Rule{PType: "p", Values: applied}); err != nil {
		t.Fatal(err)
	}
	vals[0], vals[1], link[1], applied[0] = "mallory", "/secret", "root", "mallory"
	check := func(when string) {
		t.Helper()
		want := "[p, alice, /a, read p, carol, /c, read]"
		if got := fmt.Sprint(e.Rules("p")); got != want {
			t.Fatalf("%s: Rules(p) = %s, want %s", when, got, want)
		}
		if got := fmt.Sprint(e.Rules("g")); got != "[g, bob, alice]" {
			t.Fatalf("%s: Rules(g) = %s", when, got)
		}
		for _, q := range [][]any{{"mallory", "/secret", "read"}, {"mallory", "/c", "read"}, {"bob", "/secret", "read"}} {
			if ok, err := e.Enforce(ctx, q...); ok || err != nil {
				t.Fatalf("%s: %v = %v, %v", when, q, ok, err)
			}
		}
		x, err := e.Explain(ctx, enforcer.Request{Values: []any{"bob", "/a", "read"}})
		if err != nil || !x.Allowed || fmt.Sprint(x.Rule) != "p, alice, /a, read" || !slices.Equal(x.Chain, []string{"bob", "alice"}) ||
			fmt.Sprint(x.Links) != "[g, bob, alice]" {
			t.Fatalf("%s: Explain bob /a read = %+v, %v", when, x, err)
		}
		// Scribble over every answer: the next answers must not see it.
		x.Rule.Values[0], x.Chain[1], x.Links[0].Values[1] = "x", "x", "x"
		for _, r := range e.Rules("p") {
			r.Values[0] = "x"
		}
		for _, r := range e.Rules("g") {
			r.Values[1] = "x"
		}
	}
	check("before a rebuild")
	check("after scribbling")
	before := enforcer.Compactions(e)
	rules := fillers(diffModels[0], 5000, 0)
	if _, err := e.AddRules(ctx, rules...); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RemoveRules(ctx, rules...); err != nil {
		t.Fatal(err)
	}
	if enforcer.Compactions(e) == before {
		t.Fatal("the churn did not rebuild the policy")
	}
	check("after a rebuild")
	check("after scribbling over the rebuilt policy's answers")
}

// TestChurnNearTheThresholdRebuildsRarely: adding and removing the same
// few rules over and over, around a policy of any size, rebuilds it once
// per compactMin (4096) removals at most, never on every write: the rebuilt
// state starts with nothing removed.
func TestChurnNearTheThresholdRebuildsRarely(t *testing.T) {
	ctx := context.Background()
	for _, size := range []int{10, 4000, 5000} {
		e := planEnforcer(t, rbacModel, fillers(diffModels[0], size, 99)...)
		churn := fillers(diffModels[0], 50, 0)
		removed := 0
		for range 400 {
			if _, err := e.AddRules(ctx, churn...); err != nil {
				t.Fatal(err)
			}
			n, err := e.RemoveRules(ctx, churn...)
			if err != nil {
				t.Fatal(err)
			}
			removed += n
		}
		got := enforcer.Compactions(e)
		if limit := uint64(removed / max(4096, size)); got > limit || got == 0 {
			t.Fatalf("%d rules: %d rebuilds for %d removals, want 1 to %d", size, got, removed, limit)
		}
		if n := len(e.Rules("p")) + len(e.Rules("g")); n != size {
			t.Fatalf("%d rules: %d after the churn", size, n)
		}
	}
}
