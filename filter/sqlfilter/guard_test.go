package sqlfilter_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// TestProofGuard: a matcher whose leading disjunct reads the open field
// and no rule field (r.obj == "public" || g(r.sub, p.sub) && …) matches
// every rule of the policy when it holds, deny rules of other subjects
// included: the plan must read every rule, not only those of the caller's
// roles, as Decide and Casbin do.
func TestProofGuard(t *testing.T) {
	ctx := context.Background()
	base := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = `
	matchers := []string{
		`r.obj == "public" || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`,
		// A guard on known values: root's requests match every rule.
		`r.sub == "root" || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`,
	}
	rows := []string{"public", "data1", "data2", "x", "Public", "public "}
	subjects := []string{"alice", "bob", "mallory", "editor", "nobody", "root"}
	var tables []*table
	for _, b := range dbtest.Backends() {
		if env := map[string]string{"postgres": dbtest.PostgresEnv, "mysql": dbtest.MySQLEnv}[b.Name]; env != "" && os.Getenv(env) == "" {
			t.Logf("%s not configured: set %s to prove the filter on it", b.Name, env)
			continue
		}
		tables = append(tables, newTable(t, b, rows))
	}
	policies := map[string][][]string{
		"allow only": {{"editor", "data1", "read", "allow"}, {"mallory", "data2", "read", "allow"}},
		"with a deny rule of another subject": {{"editor", "data1", "read", "allow"}, {"mallory", "data2", "read", "deny"},
			{"alice", "data2", "read", "allow"}, {"root", "x", "read", "allow"}},
	}
	for mi, matcher := range matchers {
		text := base + matcher
		for name, pol := range policies {
			t.Run(fmt.Sprint(mi, "/", name), func(t *testing.T) {
				m, err := enforcer.ParseModel(text)
				if err != nil {
					t.Fatal(err)
				}
				e, err := enforcer.New(ctx, m, nil)
				if err != nil {
					t.Fatal(err)
				}
				cm, err := model.NewModelFromString(text)
				if err != nil {
					t.Fatal(err)
				}
				ce, err := casbin.NewEnforcer(cm)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range pol {
					if _, err := e.AddRules(ctx, enforcer.P(r...)); err != nil {
						t.Fatal(err)
					}
					if _, err := ce.AddPolicy(r); err != nil {
						t.Fatal(err)
					}
				}
				for _, link := range [][]string{{"bob", "editor"}} {
					if _, err := e.AddRules(ctx, enforcer.G(link...)); err != nil {
						t.Fatal(err)
					}
					if _, err := ce.AddGroupingPolicy(link); err != nil {
						t.Fatal(err)
					}
				}
				s := shape{open: 1}
				for _, sub := range subjects {
					for _, act := range []string{"read", "write"} {
						req := enforcer.NewRequest(sub, enforcer.Unknown{}, act)
						p, want := truth(t, ctx, e, s, req, rows)
						var casbinWant []int64
						for i, obj := range rows {
							ok, err := ce.Enforce(sub, obj, act)
							if err != nil {
								t.Fatal(err)
							}
							if ok {
								casbinWant = append(casbinWant, int64(i+1))
							}
						}
						if !equalIDs(want, casbinWant) {
							t.Fatalf("%v: Decide allows %v, Casbin %v", req, want, casbinWant)
						}
						for _, tb := range tables {
							tb.prove(t, req, p, sqlfilter.Columns{"obj": "obj"}, want)
						}
					}
				}
			})
		}
	}
}
