package enforcer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// BenchmarkPlan measures planning for a caller who reaches 10 roles, with
// 1k, 100k and 1M rules in the policy: the cost follows the caller's rules,
// not the policy.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ctx := context.Background()
			m, err := models.Load(models.RBACDeny)
			if err != nil {
				b.Fatal(err)
			}
			e, err := enforcer.New(ctx, m, nil)
			if err != nil {
				b.Fatal(err)
			}
			rules := make([]enforcer.Rule, 0, n+10)
			for i := range n {
				eft := "allow"
				if i%10 == 0 {
					eft = "deny"
				}
				rules = append(rules, enforcer.P(fmt.Sprintf("role%d", i/10), fmt.Sprintf("/posts/%d", i), "read", eft))
			}
			rules = append(rules, enforcer.G("alice", "role0"))
			for i := 1; i < 10; i++ {
				rules = append(rules, enforcer.G(fmt.Sprintf("role%d", i-1), fmt.Sprintf("role%d", i)))
			}
			for i := 0; i < len(rules); i += 50_000 {
				if _, err := e.AddRules(ctx, rules[i:min(i+50_000, len(rules))]...); err != nil {
					b.Fatal(err)
				}
			}
			req := enforcer.NewRequest("alice", enforcer.Unknown{}, "read")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.Plan(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
