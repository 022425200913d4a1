package enforcer_test

import (
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
)

// The temporal-role shape at 1k, 10k and 100k p rules, Warden beside
// plain Casbin with util.TimeMatchFunc on every link, in the same run:
//
//	go test -run '^$' -bench 'BenchmarkShapeTemporal' -benchmem ./enforcer
//
// n p rules over n/10 roles; each user has a current link to one role
// and an expired one to the next; alice's link to approvers is current and
// her link to auditors ended in 2000. allow is granted through the current
// link; deny is what only the expired link would grant (Casbin evaluates
// every rule, walking alice's links for each).

func temporalShape(n int) []enforcer.Rule {
	roles := n / 10
	var rules []enforcer.Rule
	for i := 0; i < n-2; i++ {
		rules = append(rules, enforcer.P(fmt.Sprintf("role%d", i%roles), fmt.Sprintf("obj%d", i*7919%(n/2)), []string{"read", "write"}[i%2]))
	}
	for u := 0; u < roles; u++ {
		rules = append(rules,
			enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("role%d", u), "2000-01-01 00:00:00", "9999-12-30 00:00:00"),
			enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("role%d", (u+1)%roles), "_", "2000-01-01 00:00:00"))
	}
	return append(rules,
		enforcer.P("approvers", "ledger", "read"), enforcer.P("auditors", "ledger", "write"),
		enforcer.G("alice", "approvers", "_", "9999-12-30 00:00:00"), enforcer.G("alice", "auditors", "1970-01-01 00:00:00", "2000-01-01 00:00:00"),
		enforcer.G("alice", "role1", "_", "_"))
}

func BenchmarkShapeTemporal(b *testing.B) {
	benchShape(b, temporalModel, temporalShape, []any{"alice", "ledger", "read"}, []any{"alice", "ledger", "write"},
		nil, func(t testing.TB, c *casbin.Enforcer) { registerConditions(t, c, util.TimeMatchFunc) })
}
