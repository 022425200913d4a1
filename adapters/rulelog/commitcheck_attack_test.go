package rulelog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

const subjPriorityModel = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
	"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"

// TestCasbinSubjectCycleByRemoval: a cycle no top role reaches is
// harmless to Casbin's loader, and may be stored; removing the one link
// that made a name a member turns that name into a top role above the
// cycle, on which the loader loops. The removal must be refused like the
// link that closes such a cycle, or no instance loads the store again.
func TestCasbinSubjectCycleByRemoval(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			e, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatal(err)
			}
			// a and b in a cycle, t and a in another; every name is a
			// member, so no top role exists and the store loads.
			if _, err := e.AddRules(ctx, enforcer.G("a", "b"), enforcer.G("b", "a"), enforcer.G("t", "a"), enforcer.G("a", "t"),
				enforcer.P("a", "data", "read", "allow")); err != nil {
				t.Fatal(err)
			}
			if _, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
				t.Fatalf("the store without a top role: %v", err)
			}
			// Removing t's membership makes t a top role above a <-> b.
			_, err = e.RemoveRules(ctx, enforcer.G("t", "a"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "cycle") {
				t.Errorf("the removal that puts a top role above a cycle: %v", err)
			}
			if _, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
				t.Fatalf("loading the store after the removal: %v", err)
			}

			// Two instances: the second's memory lacks the first's link
			// a -> t, so to it t is no role at all once t -> a goes and
			// its own check passes; on the store, t becomes a top role
			// above a <-> b. The check in the transaction refuses it.
			if _, err := e.RemoveRules(ctx, enforcer.G("a", "t")); err != nil {
				t.Fatal(err)
			}
			second, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.AddRules(ctx, enforcer.G("a", "t")); err != nil {
				t.Fatal(err)
			}
			if second.Has("g", []string{"a", "t"}) {
				t.Fatal("the second instance caught up: not the case under test")
			}
			_, err = second.RemoveRules(ctx, enforcer.G("t", "a"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Errorf("the removal on a store the memory has not caught up with: %v", err)
			}
			if _, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
				t.Fatalf("loading the store after the second instance's removal: %v", err)
			}
			// A removal that leaves no cycle below a top role goes through.
			if _, err := second.RemoveRules(ctx, enforcer.G("a", "b")); err != nil {
				t.Fatalf("breaking the cycle: %v", err)
			}
			if _, err := second.RemoveRules(ctx, enforcer.G("t", "a")); err != nil {
				t.Fatalf("the removal once the cycle is gone: %v", err)
			}
			if _, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
				t.Fatalf("loading the store at the end: %v", err)
			}
		})
	}
}
