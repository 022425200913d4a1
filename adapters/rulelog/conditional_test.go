package rulelog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestConditionalLinksLoad: a link of a conditional role definition
// (g = _, _, (_, _)) carries its parameters as values past the
// definition's tokens. The store writes them; its load must read them
// back, or the link commits and no instance loads the store again.
func TestConditionalLinksLoad(t *testing.T) {
	ctx := context.Background()
	const text = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\ng = _, _, (_, _)\n" +
		"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	for _, eng := range []struct {
		name string
		opts []enforcer.Option
	}{{"index", nil}, {"casbin", []enforcer.Option{enforcer.WithCasbinEvaluation()}}} {
		t.Run(eng.name, func(t *testing.T) {
			m, err := enforcer.ParseModel(text, eng.opts...)
			if err != nil {
				t.Fatal(err)
			}
			db := dbtest.SQLite(t)
			e, err := enforcer.New(ctx, m, newStore(t, db.DB), eng.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.AddRules(ctx, enforcer.G("alice", "admin", "_", "_"), enforcer.P("admin", "data", "read")); err != nil {
				t.Fatal(err)
			}
			other, err := enforcer.New(ctx, m, newStore(t, db.DB), eng.opts...)
			if err != nil {
				t.Fatalf("loading the store with a conditional link: %v", err)
			}
			if !other.Has("g", []string{"alice", "admin", "_", "_"}) || !allowed(t, other, "alice", "data", "read") {
				t.Fatalf("loaded: %v", other.Rules("g"))
			}
		})
	}
}

// TestCasbinSubjectCycleConditional: a conditional role definition under
// subjectPriority is decided by Casbin's enforcer (the index refuses the
// combination), so the cycle check applies, and inside the transaction it
// reads the links with their parameters: a link closing no cycle commits,
// the other half of a cycle written by an instance behind is refused.
func TestCasbinSubjectCycleConditional(t *testing.T) {
	ctx := context.Background()
	const text = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _, (_, _)\n" +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	m, err := enforcer.ParseModel(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			first, err := enforcer.New(ctx, m, newStore(t, db.DB))
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := first.FastPath(); ok {
				t.Fatal("the index decides: not the case under test")
			}
			second, err := enforcer.New(ctx, m, newStore(t, db.DB))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := first.AddRules(ctx, enforcer.G("a", "top", "_", "_"), enforcer.G("b", "a", "_", "_")); err != nil {
				t.Fatalf("links closing no cycle: %v", err)
			}
			_, err = second.AddRules(ctx, enforcer.G("a", "b", "_", "_"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, a, b, _, _") {
				t.Fatalf("the other half of the cycle: %v", err)
			}
			if _, err := enforcer.New(ctx, m, newStore(t, db.DB)); err != nil {
				t.Fatalf("loading the store: %v", err)
			}
		})
	}
}
