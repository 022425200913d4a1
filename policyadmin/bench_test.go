package policyadmin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
)

// users returns n p rules of distinct subjects.
func users(n int) []enforcer.Rule {
	rules := make([]enforcer.Rule, n)
	for i := range rules {
		rules[i] = enforcer.P(fmt.Sprintf("user%d", i), "/data", "GET", "allow")
	}
	return rules
}

// BenchmarkApplyOneChange measures one audited grant through Apply:
//
//   - memory: the served policy held in memory only (no change log), so
//     Apply reads what the change finds before and after from memory; at
//     1,000 and 100,000 p rules, granting one more p rule. It used to copy
//     every p rule twice (present), 401,639 allocations a change at 100k;
//     with Enforcer.Has it is the same at both sizes.
//   - rulelog: the same on a rulelog store on SQLite, the deployment's
//     path, where the store reports what it changed.
//   - admin: an admin-scope grant, whose lockout guard evaluates the admin
//     policy (10 and 1,000 members of warden-admin) on one scratch
//     enforcer, on memory and again inside the write's transaction.
//
// Each change also writes one audit row to SQLite, which is most of its
// time.
func BenchmarkApplyOneChange(b *testing.B) {
	ctx := context.Background()
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		b.Fatal(err)
	}
	am, err := models.Load(models.Permissions)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, e *enforcer.Enforcer, log *audit.Log, scope string, rule func(i int) enforcer.Rule) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := policyadmin.Apply(ctx, e, log, policyadmin.Change{Scope: scope, Action: audit.ActionGrant,
				Rules: []enforcer.Rule{rule(i)}, Actor: "bench", Source: "cli"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	newLog := func(b *testing.B, db dbtest.DB) *audit.Log {
		log, err := audit.New(ctx, db.DB, audit.WithLogger(quiet))
		if err != nil {
			b.Fatal(err)
		}
		return log
	}
	grantUser := func(i int) enforcer.Rule { return enforcer.P(fmt.Sprintf("new%d", i), "/data", "GET", "allow") }
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("memory/rules=%d", n), func(b *testing.B) {
			db := dbtest.SQLite(b)
			e, err := enforcer.New(ctx, m, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.ApplyAdded(users(n)...); err != nil {
				b.Fatal(err)
			}
			run(b, e, newLog(b, db), policyadmin.ScopePolicy, grantUser)
		})
		b.Run(fmt.Sprintf("rulelog/rules=%d", n), func(b *testing.B) {
			db := dbtest.SQLite(b)
			e, err := policyadmin.OpenEnforcer(ctx, db.DB, m, policyadmin.DefaultPolicyTable, quiet)
			if err != nil {
				b.Fatal(err)
			}
			// In writes of 5,000: one of 100,000 outlasts the store's timeout.
			all := users(n)
			for i := 0; i < len(all); i += 5_000 {
				if _, err := e.AddRules(ctx, all[i:min(i+5_000, len(all))]...); err != nil {
					b.Fatal(err)
				}
			}
			run(b, e, newLog(b, db), policyadmin.ScopePolicy, grantUser)
		})
	}
	grantAdmin := func(i int) enforcer.Rule { return enforcer.G(fmt.Sprintf("new%d", i), policyadmin.AdminRole) }
	for _, n := range []int{10, 1_000} {
		members := append([]enforcer.Rule{}, policyadmin.AdminSeed...)
		for i := range n {
			members = append(members, enforcer.G(fmt.Sprintf("admin%d", i), policyadmin.AdminRole))
		}
		b.Run(fmt.Sprintf("admin-memory/admins=%d", n), func(b *testing.B) {
			db := dbtest.SQLite(b)
			e, err := enforcer.New(ctx, am, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.ApplyAdded(members...); err != nil {
				b.Fatal(err)
			}
			run(b, e, newLog(b, db), policyadmin.ScopeAdmin, grantAdmin)
		})
		b.Run(fmt.Sprintf("admin-rulelog/admins=%d", n), func(b *testing.B) {
			db := dbtest.SQLite(b)
			e, err := policyadmin.OpenEnforcer(ctx, db.DB, am, policyadmin.DefaultAdminTable, quiet)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.AddRules(ctx, members...); err != nil {
				b.Fatal(err)
			}
			run(b, e, newLog(b, db), policyadmin.ScopeAdmin, grantAdmin)
		})
	}
}
