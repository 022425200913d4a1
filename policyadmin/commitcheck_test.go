package policyadmin_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// TestApplySubjectCycleTwoInstances: under subjectPriority with Casbin's
// evaluation, Apply on an instance whose memory has not caught up with
// another's link grants the other half of a cycle below a top role. The
// enforcer's check in the transaction, before Apply's audit TxFunc,
// refuses it: ErrInvalidRule naming the links, no audit row, nothing
// stored; a grant that passes the check is audited in its transaction.
func TestApplySubjectCycleTwoInstances(t *testing.T) {
	ctx := context.Background()
	const text = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	m, err := enforcer.ParseModel(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			open := func() *enforcer.Enforcer {
				st, err := rulelog.New(ctx, db.DB, rulelog.WithLogger(quiet))
				if err != nil {
					t.Fatal(err)
				}
				e, err := enforcer.New(ctx, m, st, enforcer.WithCasbinEvaluation(), enforcer.WithLogger(quiet))
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			log, err := audit.New(ctx, db.DB, audit.WithLogger(quiet))
			if err != nil {
				t.Fatal(err)
			}
			entries := func() int {
				es, err := log.List(ctx, audit.Query{})
				if err != nil {
					t.Fatal(err)
				}
				return len(es)
			}
			grant := func(e *enforcer.Enforcer, rules ...enforcer.Rule) (policyadmin.Result, error) {
				return policyadmin.Apply(ctx, e, log, policyadmin.Change{Scope: policyadmin.ScopePolicy, Action: audit.ActionGrant,
					Rules: rules, Actor: "os:test", Source: "cli"})
			}
			first, second := open(), open()
			if _, err := grant(first, enforcer.G("a", "top"), enforcer.G("b", "a")); err != nil {
				t.Fatal(err)
			}
			if second.Has("g", []string{"b", "a"}) {
				t.Fatal("the second instance caught up: not the case under test")
			}
			before := entries()
			_, err = grant(second, enforcer.P("b", "data", "read", "allow"), enforcer.G("a", "b"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Fatalf("the other half of the cycle through Apply: %v", err)
			}
			if n := entries(); n != before {
				t.Fatalf("%d audit entries after the refusal, %d before", n, before)
			}
			if third := open(); third.Len("g") != 2 || third.Len("p") != 0 {
				t.Fatalf("stored: %v %v", third.Rules("g"), third.Rules("p"))
			}
			res, err := grant(second, enforcer.G("c", "b"))
			if err != nil || res.Changed != 1 || res.AuditID == 0 {
				t.Fatalf("a grant passing the check: %+v, %v", res, err)
			}
			if n := entries(); n != before+1 {
				t.Fatalf("%d audit entries after the grant, %d before", n, before)
			}
		})
	}
}
