package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// TestEnginesAgree drives the two engines behind the Enforcer's methods, the
// index and Casbin's enforcer (WithCasbinEvaluation), through the same
// random changes, and after each compares every read of the policy: Has,
// Len, Rules, IsRole, CheckRule and decisions, with the rule that decided.
// What only the index can do (RulesFor, Roles, request-scoped data) is
// refused by Casbin's engine with ErrUnsupported.
func TestEnginesAgree(t *testing.T) {
	ctx := context.Background()
	text := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && r.act == p.act`
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	index, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	casbin, err := enforcer.New(ctx, m, nil, enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := index.FastPath(); !ok {
		t.Fatal("the model is meant for the index")
	}
	r := rand.New(rand.NewPCG(5, 6))
	subs := []string{"alice", "bob", "editor", "viewer", "admin"}
	objs := []string{"/a", "/a/:id", "/b/*", "/a/1", "/b/x"}
	acts := []string{"read", "write"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	randomRule := func() enforcer.Rule {
		if r.IntN(3) == 0 {
			return enforcer.G(pick(subs), pick(subs[2:]))
		}
		return enforcer.P(pick(subs), pick(objs), pick(acts), pick([]string{"allow", "allow", "deny"}))
	}
	for step := range 300 {
		rules := []enforcer.Rule{randomRule(), randomRule()}
		add := r.IntN(3) != 0
		var n1, n2 int
		var e1, e2 error
		if add {
			n1, e1 = index.AddRules(ctx, rules...)
			n2, e2 = casbin.AddRules(ctx, rules...)
		} else {
			n1, e1 = index.RemoveRules(ctx, rules...)
			n2, e2 = casbin.RemoveRules(ctx, rules...)
		}
		if n1 != n2 || (e1 == nil) != (e2 == nil) {
			t.Fatalf("step %d: change %v (add %v): index %d, %v; casbin %d, %v", step, rules, add, n1, e1, n2, e2)
		}
		for _, pt := range []string{"p", "g", "x"} {
			if a, b := index.Len(pt), casbin.Len(pt); a != b {
				t.Fatalf("step %d: Len(%s) %d, %d", step, pt, a, b)
			}
		}
		for _, pt := range []string{"p", "g"} {
			if a, b := fmt.Sprint(index.Rules(pt)), fmt.Sprint(casbin.Rules(pt)); a != b {
				t.Fatalf("step %d: Rules(%s):\n index %s\ncasbin %s", step, pt, a, b)
			}
		}
		probe := randomRule()
		if a, b := index.Has(probe.PType, probe.Values), casbin.Has(probe.PType, probe.Values); a != b {
			t.Fatalf("step %d: Has(%v) %v, %v", step, probe, a, b)
		}
		if a, b := index.CheckRule(enforcer.P("x")), casbin.CheckRule(enforcer.P("x")); !errors.Is(a, enforcer.ErrInvalidRule) || !errors.Is(b, enforcer.ErrInvalidRule) {
			t.Fatalf("step %d: CheckRule of a short rule: %v, %v", step, a, b)
		}
		name := pick(subs)
		a, _ := index.IsRole(ctx, name)
		b, _ := casbin.IsRole(ctx, name)
		if a != b {
			t.Fatalf("step %d: IsRole(%s) %v, %v", step, name, a, b)
		}
		req := enforcer.NewRequest(pick(subs[:2]), pick([]string{"/a", "/a/1", "/b/x", "/c"}), pick(acts))
		d1, err1 := index.Decide(ctx, req)
		d2, err2 := casbin.Decide(ctx, req)
		if err1 != nil || err2 != nil || d1.Allowed != d2.Allowed || d1.Effect != d2.Effect || !slices.Equal(d1.Rule.Values, d2.Rule.Values) {
			t.Fatalf("step %d: %v: index %+v (%v), casbin %+v (%v)", step, req.Values, d1, err1, d2, err2)
		}
	}
	s := enforcer.Subject{Name: "alice"}
	if _, err := index.RulesFor(ctx, s); err != nil {
		t.Fatalf("RulesFor on the index: %v", err)
	}
	if _, err := index.Roles(ctx, s); err != nil {
		t.Fatalf("Roles on the index: %v", err)
	}
	if _, err := casbin.RulesFor(ctx, s); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("RulesFor on Casbin's engine: %v", err)
	}
	if _, err := casbin.Roles(ctx, s); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("Roles on Casbin's engine: %v", err)
	}
	scoped := enforcer.Request{Values: []any{"zed", "/z", "read"}, Policies: [][]string{{"zed", "/z", "read", "allow"}}}
	if d, err := index.Decide(ctx, scoped); err != nil || !d.Allowed {
		t.Fatalf("a request-scoped policy on the index: %v, %v", d, err)
	}
	if _, err := casbin.Decide(ctx, scoped); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("a request-scoped policy on Casbin's engine: %v", err)
	}
	if _, err := casbin.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("Plan on Casbin's engine: %v", err)
	}
}
