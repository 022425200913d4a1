package enforcer_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// TestRemovedLongRulesGiveTheirSpaceBack: rules with long values, each
// added beside a short rule that stays, then removed, must not leave the
// enforcer holding their bytes. As many rules are removed as are kept, so
// a rebuild counted in rules alone (more removed than kept) never comes;
// but every short rule kept shares a chunk with the values or the key of a
// long rule removed, and its record's chunk keeps the removed record's
// values too. Without a rebuild counted in bytes the enforcer holds the
// long rules' bytes for as long as it lives: at the default limit of 1024
// bytes a value, about 6 KB per short rule kept; at a limit raised with
// WithLimits, as much as the limit allows.
func TestRemovedLongRulesGiveTheirSpaceBack(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, length int
		limits    enforcer.Limits
	}{
		{"default limits", 6000, 1000, enforcer.Limits{}},
		{"raised limit", 200, 50_000, enforcer.Limits{RuleValue: 100_000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			build := func(rules []enforcer.Rule) *enforcer.Enforcer {
				m, err := model.NewModelFromString(rbacModel)
				if err != nil {
					t.Fatal(err)
				}
				e, err := enforcer.New(ctx, m, nil, enforcer.WithLimits(tc.limits))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.AddRules(ctx, rules...); err != nil {
					t.Fatal(err)
				}
				return e
			}
			churned, w := heapOf(func() *enforcer.Enforcer {
				w := build(nil)
				var rules, long []enforcer.Rule
				for i := range tc.n {
					pad := strings.Repeat("x", tc.length)
					big := enforcer.P(fmt.Sprintf("%06d", i)+pad, "/"+pad, "read"+pad)
					rules = append(rules, big, enforcer.P(fmt.Sprintf("keep%d", i), "/d", "read"))
					long = append(long, big)
				}
				if _, err := w.AddRules(ctx, rules...); err != nil {
					t.Fatal(err)
				}
				if _, err := w.RemoveRules(ctx, long...); err != nil {
					t.Fatal(err)
				}
				return w
			})
			kept := w.Rules("p")
			if len(kept) != tc.n {
				t.Fatalf("%d rules kept, want %d", len(kept), tc.n)
			}
			fresh, f := heapOf(func() *enforcer.Enforcer { return build(kept) })
			runtime.KeepAlive(f)
			holdsAboutTheRulesKept(t, w, churned, fresh, len(kept))
		})
	}
}
