package policyadmin_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// TestResultOnEveryAdapter: what a change reports it found before and
// after, and what it changed, is the same on a rulelog store (the store's
// own count) and on a policy in memory (asked of the enforcer rule by
// rule), for a rule already present, one absent and one new.
func TestResultOnEveryAdapter(t *testing.T) {
	ctx := context.Background()
	d := newDeployment(t, dbtest.SQLite)
	mem, err := enforcer.New(ctx, d.policy.Model(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.ApplyAdded(policyadmin.AllRules(d.policy)...); err != nil {
		t.Fatal(err)
	}
	held, fresh := enforcer.G("bob", "editor"), enforcer.G("zoe", "editor")
	if !d.policy.Has("g", held.Values) || d.policy.Has("g", fresh.Values) {
		t.Fatal("conf/policy.csv changed: bob is no editor, or zoe is")
	}
	str := func(rules []enforcer.Rule) []string {
		var out []string
		for _, r := range rules {
			out = append(out, r.String())
		}
		return out
	}
	for name, e := range map[string]*enforcer.Enforcer{"rulelog": d.policy, "memory": mem} {
		t.Run(name, func(t *testing.T) {
			for _, step := range []struct {
				action        string
				changed       int
				before, after []string
			}{
				{audit.ActionGrant, 1, []string{"g, bob, editor"}, []string{"g, bob, editor", "g, zoe, editor"}},
				{audit.ActionGrant, 0, []string{"g, bob, editor", "g, zoe, editor"}, []string{"g, bob, editor", "g, zoe, editor"}},
				{audit.ActionRevoke, 2, []string{"g, bob, editor", "g, zoe, editor"}, nil},
				{audit.ActionRevoke, 0, nil, nil},
			} {
				res, err := policyadmin.Apply(ctx, e, d.audit, policyadmin.Change{Scope: policyadmin.ScopePolicy,
					Action: step.action, Rules: []enforcer.Rule{held, fresh}, Actor: "os:test", Source: "cli"})
				if err != nil {
					t.Fatal(err)
				}
				if res.Changed != step.changed || !slices.Equal(str(res.Before), step.before) || !slices.Equal(str(res.After), step.after) {
					t.Errorf("%s: changed %d, before %q, after %q; want %d, %q, %q", step.action,
						res.Changed, str(res.Before), str(res.After), step.changed, step.before, step.after)
				}
			}
		})
	}
}

// TestChangeCostDoesNotGrowWithThePolicy: one audited grant allocates as
// much on a policy of 50,000 rules as on one of 500. Before Enforcer.Has,
// Apply copied every rule of the ptype twice (some 200,000 allocations
// more at 50,000 rules).
func TestChangeCostDoesNotGrowWithThePolicy(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.SQLite(t)
	log, err := audit.New(ctx, db.DB, audit.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	allocs := func(n int) float64 {
		e, err := enforcer.New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ApplyAdded(users(n)...); err != nil {
			t.Fatal(err)
		}
		i := 0
		return testing.AllocsPerRun(20, func() {
			i++
			r := enforcer.P(fmt.Sprintf("new%d", i), "/data", "GET", "allow")
			if _, err := policyadmin.Apply(ctx, e, log, policyadmin.Change{Scope: policyadmin.ScopePolicy,
				Action: audit.ActionGrant, Rules: []enforcer.Rule{r}, Actor: "os:test", Source: "cli"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(500), allocs(50_000)
	if large > small+50 {
		t.Errorf("a change allocates %.0f times at 50,000 rules, %.0f at 500: it grows with the policy", large, small)
	}
	t.Logf("allocations per change: %.0f at 500 rules, %.0f at 50,000", small, large)
}
