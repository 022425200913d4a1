package enforcer_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestConditionalLinkOrderAfterRemoval: two rules give alice → admin,
// then alice → ops is added, and the first admin rule is removed. The
// policy then gives ops before admin (Rules), and Roles and Explain's
// chain and links must say so at once, as the rebuild that compaction
// makes and a Reload, both adding the rules in policy order, say: the
// admin link had kept the removed rule's place until the next rebuild,
// so the order changed then with no change to the policy. Decisions are
// Casbin's throughout (Casbin's role manager keeps a name's roles in a
// sync.Map, so it gives no order to compare).
func TestConditionalLinkOrderAfterRemoval(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, text string
		dom        []string // the domain, for the domain model
	}{
		{"no domain", temporalModel, nil},
		{"domain", temporalDomainModel, []string{"d1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// with puts the domain, if any, after the first n values.
			with := func(n int, vals ...string) []string {
				return slices.Concat(vals[:n], tc.dom, vals[n:])
			}
			g := func(vals ...string) enforcer.Rule { return enforcer.G(with(2, vals...)...) }
			p := func(sub, obj string) enforcer.Rule { return enforcer.P(with(1, sub, obj, "read")...) }
			firstAdmin := g("alice", "admin", "_", "_")
			policy := []enforcer.Rule{
				p("top", "data"),
				firstAdmin,
				g("alice", "ops", "_", "_"),
				g("alice", "admin", "1970-01-01 00:00:00", "_"),
				g("admin", "top", "_", "_"),
				g("ops", "top", "_", "_"),
			}
			m, err := enforcer.ParseModel(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			store := &storeAdapter{}
			store.set(policy...)
			w, err := enforcer.New(ctx, m, store)
			if err != nil {
				t.Fatal(err)
			}
			onIndex(t, w, "index")
			ref, err := enforcer.New(ctx, m, rulesLoader(policy), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatal(err)
			}
			subject := enforcer.Subject{Name: "alice"}
			if tc.dom != nil {
				subject.Domain = tc.dom[0]
			}
			var vals []any
			for _, v := range with(1, "alice", "data", "read") {
				vals = append(vals, v)
			}
			req := enforcer.NewRequest(vals...)
			check := func(when string, roles, chain []string, links []enforcer.Rule) {
				t.Helper()
				got, err := w.Roles(ctx, subject)
				if err != nil || !slices.Equal(got, roles) {
					t.Errorf("%s: Roles %v, %v; want %v", when, got, err, roles)
				}
				x, err := w.Explain(ctx, req)
				if err != nil || !x.Allowed || !slices.Equal(x.Chain, chain) || fmt.Sprint(x.Links) != fmt.Sprint(links) {
					t.Errorf("%s: Explain %+v, %v; want chain %v links %v", when, x, err, chain, links)
				}
				if c, err := ref.Decide(ctx, req); err != nil || c.Allowed != x.Allowed {
					t.Errorf("%s: Casbin decides %v, %v; the index %v", when, c.Allowed, err, x.Allowed)
				}
			}
			check("loaded", []string{"admin", "ops", "top"}, []string{"alice", "admin", "top"},
				[]enforcer.Rule{g("alice", "admin", "1970-01-01 00:00:00", "_"), g("admin", "top", "_", "_")})

			for _, e := range []*enforcer.Enforcer{w, ref} {
				if n, err := e.RemoveRules(ctx, firstAdmin); n != 1 || err != nil {
					t.Fatalf("remove %v: %d, %v", firstAdmin, n, err)
				}
			}
			wantRules := slices.Delete(slices.Clone(policy), 1, 2)
			for _, e := range []*enforcer.Enforcer{w, ref} {
				if got := e.Rules("g"); fmt.Sprint(got) != fmt.Sprint(wantRules[1:]) {
					t.Fatalf("g rules %v, want %v", got, wantRules[1:])
				}
			}
			roles, chain := []string{"ops", "admin", "top"}, []string{"alice", "ops", "top"}
			links := []enforcer.Rule{g("alice", "ops", "_", "_"), g("ops", "top", "_", "_")}
			check("removed", roles, chain, links)

			// Enough rules added and removed that the policy is rebuilt.
			fill := make([]enforcer.Rule, 0, 4200)
			for i := range cap(fill) {
				fill = append(fill, p(fmt.Sprint("f", i), "x"))
			}
			if _, err := w.AddRules(ctx, fill...); err != nil {
				t.Fatal(err)
			}
			if _, err := w.RemoveRules(ctx, fill...); err != nil {
				t.Fatal(err)
			}
			if enforcer.Compactions(w) != 1 {
				t.Fatalf("%d rebuilds, want 1", enforcer.Compactions(w))
			}
			check("rebuilt", roles, chain, links)

			if err := w.Reload(ctx); err != nil {
				t.Fatal(err)
			}
			check("reloaded", roles, chain, links)
		})
	}
}
