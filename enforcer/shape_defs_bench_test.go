package enforcer_test

import (
	"fmt"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// The two-definition shape at 1k, 10k and 100k rules, half of them p2,
// Warden beside plain Casbin in the same run, each request asked with the
// second definitions (Request.Definition; Casbin's EnforceContext):
//
//	go test -run '^$' -bench 'BenchmarkShapeDefinitions' -benchmem ./enforcer
//
// allow is decided by an allow rule of the subject's role in its domain;
// deny matches no rule (Casbin evaluates every p2 rule).

const twoDefsShapeModel = `[request_definition]
r = sub, obj, act
r2 = sub, dom, obj, act
[policy_definition]
p = sub, obj, act
p2 = sub, dom, obj, act, eft
[role_definition]
g = _, _
g2 = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
e2 = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = g2(r2.sub, p2.sub, r2.dom) && r2.dom == p2.dom && keyMatch2(r2.obj, p2.obj) && r2.act == p2.act`

// twoDefsShape is n/2 p rules over n/20 roles and n/2 p2 rules over the
// same roles in ten domains, every user in two roles of each definition,
// and alice, an editor in d1.
func twoDefsShape(n int) []enforcer.Rule {
	roles := max(n/20, 2)
	var rules []enforcer.Rule
	for i := 0; i < n/2; i++ {
		rules = append(rules, enforcer.P(fmt.Sprintf("role%d", i%roles), fmt.Sprintf("obj%d", i*7919%(n/4)), []string{"read", "write"}[i%2]))
	}
	for i := 0; i < n/2-2; i++ {
		eft := "allow"
		if i%5 == 0 {
			eft = "deny"
		}
		rules = append(rules, enforcer.Rule{PType: "p2", Values: []string{fmt.Sprintf("role%d", i%roles), fmt.Sprintf("d%d", i%10),
			fmt.Sprintf("/res%d/:id", i*7919%(n/4)), []string{"read", "write"}[i%2], eft}})
	}
	for u := 0; u < roles; u++ {
		user := fmt.Sprintf("user%d", u)
		rules = append(rules, enforcer.G(user, fmt.Sprintf("role%d", u)), enforcer.G(user, fmt.Sprintf("role%d", (u+1)%roles)),
			enforcer.Rule{PType: "g2", Values: []string{user, fmt.Sprintf("role%d", u), fmt.Sprintf("d%d", u%10)}},
			enforcer.Rule{PType: "g2", Values: []string{user, fmt.Sprintf("role%d", (u+1)%roles), fmt.Sprintf("d%d", u%10)}})
	}
	return append(rules,
		enforcer.Rule{PType: "p2", Values: []string{"editors", "d1", "/docs/:id", "read", "allow"}},
		enforcer.Rule{PType: "p2", Values: []string{"editors", "d2", "/docs/:id", "read", "deny"}},
		enforcer.Rule{PType: "g2", Values: []string{"alice", "editors", "d1"}},
		enforcer.Rule{PType: "g2", Values: []string{"alice", "role1", "d1"}})
}

func BenchmarkShapeDefinitions(b *testing.B) {
	benchShapeDef(b, twoDefsShapeModel, twoDefsShape, enforcer.Definitions("2"),
		[]any{"alice", "d1", "/docs/7", "read"}, []any{"alice", "d1", "/secret/7", "read"}, nil, nil)
}
