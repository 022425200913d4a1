package enforcer_test

import (
	"fmt"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// The priority shapes at 1k, 10k and 100k p rules, Warden beside plain
// Casbin in the same run (Casbin loads the same rules through its loader,
// which sorts them):
//
//	go test -run '^$' -bench 'BenchmarkShape(Subject)?Priority' -benchmem ./enforcer
//
// Each asks two requests: allow, which a rule decides after a deny rule of
// a lower rank also matched (Casbin evaluates every rule ranked before the
// deciding one: a third to a half of the policy), and deny, which no rule
// matches (Casbin evaluates them all).

const priorityFieldModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = priority, sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`

const subjectPriorityModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = subjectPriority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`

// priorityShape is n p rules with priorities 0..9 over n/10 roles, two
// roles per user, and alice, whose role "approvers" allows at priority 3
// what her role "auditors" denies at priority 7.
func priorityShape(n int) []enforcer.Rule {
	roles := n / 10
	var rules []enforcer.Rule
	for i := 0; i < n-2; i++ {
		eft := "allow"
		if i%3 == 0 {
			eft = "deny"
		}
		rules = append(rules, enforcer.P(fmt.Sprint(i*31%10), fmt.Sprintf("role%d", i%roles),
			fmt.Sprintf("obj%d", i*7919%(n/2)), []string{"read", "write"}[i%2], eft))
	}
	for u := 0; u < roles; u++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("role%d", u)),
			enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("role%d", (u+1)%roles)))
	}
	return append(rules,
		enforcer.P("7", "auditors", "ledger", "read", "deny"), enforcer.P("3", "approvers", "ledger", "read", "allow"),
		enforcer.G("alice", "auditors"), enforcer.G("alice", "approvers"), enforcer.G("alice", "role1"))
}

// subjectPriorityShape is n p rules on a three-level hierarchy (divisions,
// n/100 teams, users), a third on each level, and alice, whose own rule
// allows what her team and division deny.
func subjectPriorityShape(n int) []enforcer.Rule {
	teams := max(n/100, 2)
	users := n / 10
	var rules []enforcer.Rule
	for t := 0; t < teams; t++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("team%d", t), fmt.Sprintf("division%d", t%10)))
	}
	for u := 0; u < users; u++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("team%d", u%teams)))
	}
	for i := 0; i < n-3; i++ {
		var sub string
		switch i % 3 {
		case 0:
			sub = fmt.Sprintf("division%d", i%10)
		case 1:
			sub = fmt.Sprintf("team%d", i%teams)
		default:
			sub = fmt.Sprintf("user%d", i%users)
		}
		eft := "allow"
		if i%4 == 0 {
			eft = "deny"
		}
		rules = append(rules, enforcer.P(sub, fmt.Sprintf("obj%d", i*7919%(n/2)), []string{"read", "write"}[i%2], eft))
	}
	return append(rules,
		enforcer.G("alice", "team1"),
		enforcer.P("division1", "ledger", "read", "deny"), enforcer.P("team1", "ledger", "read", "deny"),
		enforcer.P("alice", "ledger", "read", "allow"))
}

func BenchmarkShapePriority(b *testing.B) {
	benchShape(b, priorityFieldModel, priorityShape, priorityAllow, priorityDeny, nil, nil)
}

func BenchmarkShapeSubjectPriority(b *testing.B) {
	benchShape(b, subjectPriorityModel, subjectPriorityShape, priorityAllow, priorityDeny, nil, nil)
}

// The priority shapes' requests: allow is decided after a deny rule of a
// lower rank matched too; deny matches no rule.
var priorityAllow, priorityDeny = []any{"alice", "ledger", "read"}, []any{"alice", "nothing", "read"}
