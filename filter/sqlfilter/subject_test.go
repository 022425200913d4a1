package sqlfilter_test

import (
	"context"
	"os"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// TestProofOpenSubjectDomainPattern: "which users may read data1 in
// dom1?" with links stored in domain patterns (keyMatch(r.dom, p.dom)
// makes Casbin read the domains of links as patterns): a user banned
// through a link in domain "*" or "dom*" is a member of the banned role
// in dom1, so the deny rule must leave them out, as Decide and Casbin do.
func TestProofOpenSubjectDomainPattern(t *testing.T) {
	ctx := context.Background()
	text := `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act, eft
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act`
	rules := [][]string{
		{"p", "reader", "dom1", "data1", "read", "allow"}, {"p", "banned", "dom1", "data1", "read", "deny"},
		{"p", "reader", "dom*", "data1", "read", "allow"},
		{"g", "eve", "reader", "dom1"}, {"g", "eve", "banned", "*"},
		{"g", "ann", "reader", "dom1"}, {"g", "ann", "banned", "other"},
		{"g", "max", "reader", "*"}, {"g", "max", "mid", "dom1"}, {"g", "mid", "banned", "dom*"},
		{"g", "kim", "reader", "dom*"}, {"g", "joe", "reader", "dom1"}, {"g", "joe", "banned", "dom2"},
	}
	subjects := []string{"eve", "ann", "max", "kim", "joe", "mid", "reader", "banned", "nobody"}

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
	for _, r := range rules {
		if r[0] == "p" {
			_, err = e.AddRules(ctx, enforcer.P(r[1:]...))
			if err == nil {
				_, err = ce.AddPolicy(r[1:])
			}
		} else {
			_, err = e.AddRules(ctx, enforcer.G(r[1:]...))
			if err == nil {
				_, err = ce.AddGroupingPolicy(r[1:])
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var tables []*table
	for _, b := range dbtest.Backends() {
		if env := map[string]string{"postgres": dbtest.PostgresEnv, "mysql": dbtest.MySQLEnv}[b.Name]; env != "" && os.Getenv(env) == "" {
			t.Logf("%s not configured: set %s to prove the filter on it", b.Name, env)
			continue
		}
		tables = append(tables, newTable(t, b, subjects))
	}
	s := shape{open: 0}
	for _, dom := range []string{"dom1", "dom2", "other"} {
		req := enforcer.NewRequest(enforcer.Unknown{}, dom, "data1", "read")
		p, want := truth(t, ctx, e, s, req, subjects)
		if dom == "dom1" && p.Kind != filter.Conditional {
			t.Fatalf("%v: %v", req, p.Kind)
		}
		var casbinWant []int64
		for i, sub := range subjects {
			ok, err := ce.Enforce(sub, dom, "data1", "read")
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
			tb.prove(t, req, p, sqlfilter.Columns{"sub": "obj"}, want)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
