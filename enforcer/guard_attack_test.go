package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// Guards (guard.go) against plain Casbin, on the side cases of the issue 12
// review: effects, eft values, priorities, role functions and
// request-scoped data in the guard, removals, reloads, failing guards.

// guardCaseModel is a guard model; prio says p starts with a priority,
// effts are the eft values its rules take.
type guardCaseModel struct {
	name  string
	text  string
	prio  bool
	effts []string
}

// guardCaseModels are the guard shapes: one per effect, with and without
// priorities and roles, and a pattern index under the guard.
var guardCaseModels = []guardCaseModel{
	{name: "subject_priority", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = subjectPriority(p.eft) || deny
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "pattern", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.act == 'audit' || g(r.sub, 'admins') || g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "no_roles_guard_first_allow", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == 'u2' || r.sub == p.sub && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "allowdeny_roles", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, 'admins') || r.act == 'audit' || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo", "Allow"}},
	{name: "allow_override_eft", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "deny_override_eft", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = !some(where (p.eft == deny))
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "priority_field", prio: true, text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = priority, sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "priority_noprio", text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
	{name: "allow_override_prio_field", prio: true, text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = priority, sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, 'admins') || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`, effts: []string{"allow", "deny", "foo"}},
}

// genGuardCaseRule is a random rule of gm.
func genGuardCaseRule(r *rand.Rand, gm guardCaseModel) enforcer.Rule {
	vals := []string{fmt.Sprintf("role%d", r.IntN(4)), pick(r, []string{"d0", "d1", "d2", "d*"}), []string{"read", "write"}[r.IntN(2)], gm.effts[r.IntN(len(gm.effts))]}
	if gm.prio {
		vals = append([]string{fmt.Sprint(r.IntN(5))}, vals...)
	}
	return enforcer.Rule{PType: "p", Values: vals}
}

// TestGuardSideCasesDifferential holds guards (leading disjuncts that read
// no rule field, guard.go) to Casbin rule for rule: with each effect, eft
// values other than allow and deny, priorities, a pattern index, role
// functions in the guard with request-scoped groups, request-scoped
// policies, and the first rules removed and added again.
func TestGuardSideCasesDifferential(t *testing.T) {
	ctx := context.Background()
	for _, gm := range guardCaseModels {
		t.Run(gm.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 10; seed++ {
				r := rand.New(rand.NewPCG(seed, 5))
				rules := []enforcer.Rule{
					enforcer.G("u0", "role0"), enforcer.G("u1", "role1"), enforcer.G("u2", "admins"), enforcer.G("role1", "role2"),
				}
				if gm.name == "no_roles_guard_first_allow" {
					rules = nil
				}
				seen := map[string]bool{}
				for range 3 + r.IntN(8) {
					rule := genGuardCaseRule(r, gm)
					if !seen[rule.String()] {
						seen[rule.String()] = true
						rules = append(rules, rule)
					}
				}
				w, _ := pairWith(t, gm.text, rules, nil, func(*casbin.Enforcer) error { return nil })
				if ok, reason := w.FastPath(); !ok {
					t.Fatalf("not fast: %s", reason)
				}
				check := func(rules []enforcer.Rule) {
					for range 60 {
						sub := fmt.Sprintf("u%d", r.IntN(4))
						var groups []string
						var pols [][]string
						if r.IntN(3) == 0 && gm.name != "subject_priority" && gm.name != "no_roles_guard_first_allow" {
							sub = "token-user"
							groups = []string{[]string{"admins", "role1", "role3"}[r.IntN(3)]}
						}
						if r.IntN(3) == 0 {
							for range 1 + r.IntN(2) {
								pols = append(pols, genGuardCaseRule(r, gm).Values)
							}
						}
						all := slices.Clone(rules)
						for _, g := range groups {
							all = append(all, enforcer.G("token-user", g))
						}
						for _, p := range pols {
							dup := false
							for _, x := range all {
								if x.PType == "p" && slices.Equal(x.Values, p) {
									dup = true
								}
							}
							if !dup {
								all = append(all, enforcer.Rule{PType: "p", Values: p})
							}
						}
						c := sortedCasbin(t, gm.text, all)
						req := enforcer.Request{Values: []any{sub, fmt.Sprintf("d%d", r.IntN(3)), []string{"read", "write", "audit"}[r.IntN(3)]}, Groups: groups, Policies: pols}
						compareEval(t, w, c, req)
					}
				}
				check(rules)
				// remove the first p rules one by one, re-adding some.
				for i := 0; i < 4; i++ {
					j := slices.IndexFunc(rules, func(x enforcer.Rule) bool { return x.PType == "p" })
					if j < 0 {
						break
					}
					rm := rules[j]
					if _, err := w.RemoveRules(ctx, rm); err != nil {
						t.Fatal(err)
					}
					rules = slices.Delete(rules, j, j+1)
					check(rules)
					if i%2 == 0 {
						if _, err := w.AddRules(ctx, rm); err != nil {
							t.Fatal(err)
						}
						rules = append(rules, rm)
						check(rules)
					}
				}
			}
		})
	}
}

// TestGuardReloadAndFailingGuards: the guard models decide as Casbin after
// each Reload; and the abac model's guard, failing on requests without the
// attributes it reads (or with some of them nil), fails closed as Casbin
// does, with and without request-scoped policies.
func TestGuardReloadAndFailingGuards(t *testing.T) {
	ctx := context.Background()
	for _, gm := range guardCaseModels {
		r := rand.New(rand.NewPCG(7, 7))
		rules := []enforcer.Rule{enforcer.G("u0", "role0"), enforcer.G("u2", "admins")}
		if !strings.Contains(gm.text, "[role_definition]") {
			rules = nil
		}
		seen := map[string]bool{}
		for range 12 {
			rule := genGuardCaseRule(r, gm)
			if !seen[rule.String()] {
				seen[rule.String()] = true
				rules = append(rules, rule)
			}
		}
		w := newWarden(t, gm.text, rules)
		c := sortedCasbin(t, gm.text, rules)
		for round := 0; round < 3; round++ {
			for range 100 {
				req := enforcer.NewRequest(pick(r, []string{"u0", "u1", "u2"}), pick(r, []string{"d0", "d1", "d2"}), pick(r, []string{"read", "write", "audit"}))
				compareEval(t, w, c, req)
			}
			if err := w.Reload(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// guard errors for some requests: abac with objects missing Owner.
	text := mustModelText("abac")
	rules := []enforcer.Rule{enforcer.P("r.sub.Age > 18", "doc", "read"), enforcer.P("r.sub.Role == 'x'", "doc", "write")}
	w := newWarden(t, text, rules)
	c := sortedCasbin(t, text, rules)
	for _, obj := range []any{map[string]any{"Type": "doc"}, map[string]any{"Owner": 5, "Type": "doc"}, map[string]any{"Owner": nil, "Type": "doc"}, thing{Owner: "x", Type: "doc"}, nil, "str"} {
		for _, sub := range []any{person{Name: "x", Age: 30}, map[string]any{"Age": 30}, map[string]any{"Name": nil, "Age": 30}, nil, "x"} {
			for _, act := range []string{"read", "write"} {
				compareEval(t, w, c, enforcer.NewRequest(sub, obj, act))
				compareEval(t, w, c, enforcer.Request{Values: []any{sub, obj, act}, Policies: [][]string{{"r.sub.Age > 1", "doc", "write"}}})
			}
		}
	}
}

// TestGuardNotBoolDifferential: a guard whose value is not a bool (a
// number, a string, nil, a missing attribute), alone or before another,
// with each effect: Casbin fails on every rule, so must Warden; a true one
// decides as Casbin's short-circuit does.
func TestGuardNotBoolDifferential(t *testing.T) {
	for _, e := range []string{"some(where (p.eft == allow))", "!some(where (p.eft == deny))", "priority(p.eft) || deny", "some(where (p.eft == allow)) && !some(where (p.eft == deny))"} {
		for _, m := range []string{"r.sub.Flag || eval(p.sub_rule) && r.act == p.act", "r.sub.Flag || r.sub.Other || eval(p.sub_rule) && r.act == p.act", "(r.sub.Flag) || (eval(p.sub_rule) && r.act == p.act)"} {
			text := `[request_definition]
r = sub, act
[policy_definition]
p = sub_rule, act, eft
[policy_effect]
e = ` + e + `
[matchers]
m = ` + m
			rules := []enforcer.Rule{enforcer.P("r.sub.Age > 1", "read", "deny"), enforcer.P("r.sub.Age > 1", "read", "allow"), enforcer.P("r.sub.Age > 5", "write", "allow"), enforcer.P("r.sub.X == 1", "play", "deny")}
			w, c := pairWith(t, text, rules, nil, func(*casbin.Enforcer) error { return nil })
			if ok, reason := w.FastPath(); !ok {
				t.Fatal(reason)
			}
			for _, flag := range []any{true, false, 1, 0, "x", nil, "missing"} {
				for _, other := range []any{true, false, 2, "missing"} {
					for _, act := range []string{"read", "write", "play", "none"} {
						sub := map[string]any{"Age": 3}
						if flag != "missing" {
							sub["Flag"] = flag
						}
						if other != "missing" {
							sub["Other"] = other
						}
						compareEval(t, w, c, enforcer.NewRequest(sub, act))
					}
				}
			}
		}
	}
}
