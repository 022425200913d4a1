package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	casbinmodel "github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

func permissionsModel(t testing.TB) casbinmodel.Model {
	t.Helper()
	m, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadsIntoEnforcer(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		must(t, s.GrantGroup(ctx, "alice", "editors"))
		must(t, s.GrantGroup(ctx, "' OR 1=1 --", "viewers"))
		must(t, s.GrantPermission(ctx, "editors", "posts:*"))
		must(t, s.GrantPermission(ctx, "alice", "!posts:delete"))
		must(t, s.GrantPermission(ctx, "viewers", "posts:read"))

		e, err := enforcer.New(ctx, permissionsModel(t), s)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			sub, perm string
			want      bool
		}{
			{"alice", "posts:write", true},
			{"alice", "posts:delete", false}, // her own deny beats the group's wildcard
			{"Alice", "posts:write", false},  // exact identity
			{"' OR 1=1 --", "posts:read", true},
			{"' OR 1=1 --", "posts:write", false},
			{"bob", "posts:read", false},
		}
		for _, tt := range tests {
			got, err := e.Enforce(ctx, tt.sub, tt.perm)
			if err != nil || got != tt.want {
				t.Errorf("Enforce(%q, %q) = %v, %v; want %v", tt.sub, tt.perm, got, err, tt.want)
			}
		}

		// Rules added through the enforcer are persisted in the tables.
		if _, err := e.AddRules(ctx, enforcer.G("bob", "viewers"), enforcer.P("bob", "comments:*", "allow")); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.ListGroups(ctx, "bob"); len(g) != 1 || g[0] != "viewers" {
			t.Fatalf("bob's groups in the table: %v", g)
		}
		if p, _ := s.ListPermissions(ctx, "bob"); len(p) != 1 || p[0] != "comments:*" {
			t.Fatalf("bob's permissions in the table: %v", p)
		}
		if _, err := e.RemoveRules(ctx, enforcer.G("alice", "editors")); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.ListGroups(ctx, "alice"); len(g) != 0 {
			t.Fatalf("alice's groups after RemoveRules: %v", g)
		}

		// A fresh enforcer sees the same policy.
		e2, err := enforcer.New(ctx, permissionsModel(t), s)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sub, perm string
			want      bool
		}{{"bob", "comments:edit", true}, {"bob", "posts:read", true}, {"alice", "posts:write", false}} {
			if got, _ := e2.Enforce(ctx, c.sub, c.perm); got != c.want {
				t.Errorf("reloaded Enforce(%q, %q) = %v", c.sub, c.perm, got)
			}
		}
	})
}

func TestUnrepresentableValueFailsLoadAndKeepsPolicy(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		must(t, s.GrantGroup(ctx, "alice", "editors"))
		must(t, s.GrantPermission(ctx, "editors", "posts:*"))
		e, err := enforcer.New(ctx, permissionsModel(t), s)
		if err != nil {
			t.Fatal(err)
		}
		// Stored fine through the grant function (and served exactly by
		// the provider), but it cannot be a Casbin rule value.
		must(t, s.GrantGroup(ctx, "mallory", "editors,admins"))
		err = e.Reload(ctx)
		if !errors.Is(err, sqlstore.ErrNotRuleValue) {
			t.Fatalf("Reload err = %v, want ErrNotRuleValue", err)
		}
		g, _ := s.Tables()
		if !strings.Contains(err.Error(), g) || !strings.Contains(err.Error(), "group_name") {
			t.Fatalf("error does not name the table and column: %v", err)
		}
		if ok, _ := e.Enforce(ctx, "alice", "posts:read"); !ok {
			t.Fatal("failed reload dropped the previous policy")
		}
		if ok, _ := e.Enforce(ctx, "mallory", "posts:read"); ok {
			t.Fatal("unrepresentable row was applied")
		}
		if _, err := enforcer.New(ctx, permissionsModel(t), s); !errors.Is(err, sqlstore.ErrNotRuleValue) {
			t.Fatalf("New err = %v", err)
		}
		if err := s.AddPolicy("g", "g", []string{"bob", "a,b"}); !errors.Is(err, sqlstore.ErrNotRuleValue) {
			t.Fatalf("AddPolicy err = %v", err)
		}
		if err := s.AddPolicy("p", "p2", []string{"bob", "x", "allow"}); !errors.Is(err, sqlstore.ErrUnsupported) {
			t.Fatalf("AddPolicy p2 err = %v", err)
		}
	})
}

func TestSavePolicyAndRemoveFiltered(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		must(t, s.GrantGroup(ctx, "old", "gone"))
		m := permissionsModel(t)
		m.AddPolicy("g", "g", []string{"alice", "editors"})
		m.AddPolicy("g", "g", []string{"bob", "editors"})
		m.AddPolicy("p", "p", []string{"editors", "posts:*", "allow"})
		m.AddPolicy("p", "p", []string{"bob", "posts:delete", "deny"})
		must(t, s.SavePolicy(m))
		if g, _ := s.ListGroups(ctx, "old"); len(g) != 0 {
			t.Fatalf("SavePolicy kept old rows: %v", g)
		}
		if p, _ := s.ListPermissions(ctx, "bob"); len(p) != 1 || p[0] != "!posts:delete" {
			t.Fatalf("deny rule saved as %v", p)
		}
		must(t, s.RemoveFilteredPolicy("g", "g", 1, "editors"))
		if g, _ := s.ListGroups(ctx, "alice"); len(g) != 0 {
			t.Fatalf("RemoveFilteredPolicy left %v", g)
		}
		must(t, s.RemoveFilteredPolicy("p", "p", 0, "bob"))
		if p, _ := s.ListPermissions(ctx, "bob"); len(p) != 0 {
			t.Fatalf("RemoveFilteredPolicy left %v", p)
		}
		if p, _ := s.ListPermissions(ctx, "editors"); len(p) != 1 {
			t.Fatalf("RemoveFilteredPolicy removed too much: %v", p)
		}
	})
}

const rbacModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

func TestCasbinRuleAdapter(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		table := uniqueName("casbin_rule")
		t.Cleanup(func() { dropTables(db, table) })
		a, err := sqlstore.CasbinRuleAdapter(context.Background(), db, table)
		if err != nil {
			t.Fatal(err)
		}
		m, err := casbinmodel.NewModelFromString(rbacModel)
		if err != nil {
			t.Fatal(err)
		}
		ce, err := casbin.NewEnforcer(m, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ce.AddPolicy("editors", "/posts", "POST"); err != nil {
			t.Fatal(err)
		}
		if _, err := ce.AddGroupingPolicy("alice", "editors"); err != nil {
			t.Fatal(err)
		}
		// A second enforcer reads what the first one saved.
		m2, _ := casbinmodel.NewModelFromString(rbacModel)
		ce2, err := casbin.NewEnforcer(m2, a)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := ce2.Enforce("alice", "/posts", "POST"); err != nil || !ok {
			t.Fatalf("Enforce = %v, %v", ok, err)
		}
		if ok, _ := ce2.Enforce("bob", "/posts", "POST"); ok {
			t.Fatal("bob allowed")
		}
		if _, err := sqlstore.CasbinRuleAdapter(context.Background(), db, "x; DROP TABLE y"); err == nil {
			t.Fatal("bad table name accepted")
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSavePolicyRefusesRulesThatDoNotFit(t *testing.T) {
	db := openSQLite(t)
	s := newStore(t, db)
	must(t, s.GrantGroup(context.Background(), "alice", "editors"))
	m, err := casbinmodel.NewModelFromString(`
[request_definition]
r = sub, perm
[policy_definition]
p = sub, perm, eft
p2 = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.perm, p.perm)
`)
	if err != nil {
		t.Fatal(err)
	}
	m.AddPolicy("p", "p2", []string{"bob", "/x", "GET"})
	if err := s.SavePolicy(m); !errors.Is(err, sqlstore.ErrUnsupported) {
		t.Fatalf("SavePolicy err = %v, want ErrUnsupported", err)
	}
	// The transaction rolled back: the old rows are still there.
	if g, _ := s.ListGroups(context.Background(), "alice"); len(g) != 1 {
		t.Fatalf("failed save changed the tables: %v", g)
	}
}
