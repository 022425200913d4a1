package enforcer_test

import (
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
)

// The custom-function shape: RBAC whose object test is a function
// registered in code (WithFunction; Casbin's AddFunction on Casbin's side),
// at 1k, 10k and 100k p rules, Warden beside plain Casbin in the same run:
//
//	go test -run '^$' -bench BenchmarkShapeCustomFunction -benchmem ./enforcer
//
// The function runs on the candidates the role and action terms find.

const customFunctionBenchModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && underPath(r.obj, p.obj) && r.act == p.act`

// customFunctionShape is n p rules over n/10 roles (ten object prefixes
// and both actions each), a user per role, and alice in role1 and role2,
// which may read under /shared (the last rule: Casbin evaluates them all).
func customFunctionShape(n int) []enforcer.Rule {
	roles := n / 10
	var rules []enforcer.Rule
	for i := 0; i < n; i++ {
		rules = append(rules, enforcer.P(fmt.Sprintf("role%d", i%roles), fmt.Sprintf("/docs/%d", i*7919%(n/2)), []string{"read", "write"}[i/roles%2]))
	}
	for u := 0; u < roles; u++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("role%d", u)))
	}
	return append(rules, enforcer.G("alice", "role1"), enforcer.G("alice", "role2"), enforcer.P("role2", "/shared", "read"))
}

func BenchmarkShapeCustomFunction(b *testing.B) {
	benchShape(b, customFunctionBenchModel, customFunctionShape,
		[]any{"alice", "/shared/page", "read"}, []any{"alice", "/nothing", "read"},
		[]enforcer.Option{enforcer.WithFunction("underPath", pathPrefix)},
		func(_ testing.TB, c *casbin.Enforcer) { c.AddFunction("underPath", pathPrefix) })
}

// The pattern-roles shape: Casbin's rbac_with_pattern, object groups whose
// links name their members by keyMatch2 pattern ("g2, /res/7/:id,
// group7"), registered with WithMatchingFunction("g2", "keyMatch2", nil)
// (Casbin's AddNamedMatchingFunc("g2", "", util.KeyMatch2) on Casbin's
// side):
//
//	go test -run '^$' -bench BenchmarkShapePatternRoles -benchmem ./enforcer
//
// The subject's roles key the index; g2 of the object runs on the
// candidates, the patterns the object matches found by literal prefix.

const patternRolesBenchModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act`

// patternRolesShape is n p rules over n/10 roles and n/100 object groups,
// each group the keyMatch2 pattern /res/K/:id, a user per role, and alice
// in role1 and role2, which may read /shared/:id (the last rule). (Casbin
// matches every new name of g2 against every stored one as it loads the
// links, with a regular expression compiled per call: n/10 groups would
// take it minutes to load at 100k rules.)
func patternRolesShape(n int) []enforcer.Rule {
	roles, groups := n/10, n/100
	var rules []enforcer.Rule
	for i := 0; i < n; i++ {
		rules = append(rules, enforcer.P(fmt.Sprintf("role%d", i%roles), fmt.Sprintf("group%d", i*7919%groups), []string{"read", "write"}[i/roles%2]))
	}
	for k := 0; k < roles; k++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", k), fmt.Sprintf("role%d", k)))
	}
	for k := 0; k < groups; k++ {
		rules = append(rules, enforcer.Rule{PType: "g2", Values: []string{fmt.Sprintf("/res/%d/:id", k), fmt.Sprintf("group%d", k)}})
	}
	return append(rules, enforcer.G("alice", "role1"), enforcer.G("alice", "role2"),
		enforcer.Rule{PType: "g2", Values: []string{"/shared/:id", "shared"}}, enforcer.P("role2", "shared", "read"))
}

func BenchmarkShapePatternRoles(b *testing.B) {
	benchShape(b, patternRolesBenchModel, patternRolesShape,
		[]any{"alice", "/shared/7", "read"}, []any{"alice", "/res/3/x/y", "read"},
		[]enforcer.Option{enforcer.WithMatchingFunction("g2", "keyMatch2", nil)},
		func(t testing.TB, c *casbin.Enforcer) {
			c.AddNamedMatchingFunc("g2", "", util.KeyMatch2)
			if err := c.BuildRoleLinks(); err != nil {
				t.Fatal(err)
			}
		})
}
