package policyadmin_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
)

// server is one `warden serve` process as the lockout guard sees it: its
// own pool, its stores of both policies, and what its middleware refuses
// as a token's subject (a role of either policy, or warden-admin).
type server struct {
	policy, admin *enforcer.Enforcer
	audit         *audit.Log
}

func openServer(t *testing.T, db *gorm.DB) server {
	t.Helper()
	ctx := context.Background()
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	am, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	tables := policyadmin.TablesWithPrefix("")
	var s server
	if s.policy, err = policyadmin.OpenEnforcer(ctx, db, m, tables.Policy, quiet); err != nil {
		t.Fatal(err)
	}
	if s.admin, err = policyadmin.OpenEnforcer(ctx, db, am, tables.Admin, quiet); err != nil {
		t.Fatal(err)
	}
	if s.audit, err = audit.New(ctx, db, audit.WithTable(tables.Audit), audit.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	return s
}

// refused is what warden serve's middleware refuses as a subject, on this
// process's memory (middleware.Auth.IsRoleIdentity with the served policy,
// the admin policy and warden-admin as role sources).
func (s server) refused(ctx context.Context, id string) (bool, error) {
	for _, e := range []*enforcer.Enforcer{s.policy, s.admin} {
		if is, err := e.IsRole(ctx, id); err != nil || is {
			return is, err
		}
	}
	return id == policyadmin.AdminRole, nil
}

// change is a change made through this server's API.
func (s server) change(ctx context.Context, scope, action string, rules ...enforcer.Rule) error {
	e, c := s.admin, policyadmin.Change{Scope: scope, Action: action, Rules: rules, Actor: "api:test", Source: "api",
		RefusedIdentity: s.refused}
	if scope == policyadmin.ScopePolicy {
		e, c.AdminPolicy = s.policy, s.admin
	} else {
		c.ServedPolicy = s.policy
	}
	_, err := policyadmin.Apply(ctx, e, s.audit, c)
	return err
}

// twoServers opens two processes on one database; the admin policy holds
// root and alice as members of warden-admin.
func twoServers(t *testing.T, b dbtest.Backend) (server, server, dbtest.DB) {
	t.Helper()
	ctx := context.Background()
	db := b.Open(t)
	other, err := config.OpenDB(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := other.DB(); err == nil {
			_ = s.Close()
		}
	})
	a := openServer(t, db.DB)
	seed := append([]enforcer.Rule{enforcer.G("root", policyadmin.AdminRole), enforcer.G("alice", policyadmin.AdminRole)}, policyadmin.AdminSeed...)
	if _, err := policyadmin.Seed(ctx, a.admin, a.audit, policyadmin.ScopeAdmin, "system", seed); err != nil {
		t.Fatal(err)
	}
	return a, openServer(t, other), db
}

// adminsLeft counts, on a fresh process's view of the store, the users
// holding warden:admin that its middleware would let in.
func adminsLeft(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	ctx := context.Background()
	s := openServer(t, db)
	var out []string
	for _, id := range []string{"root", "alice"} {
		no, err := s.refused(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := s.admin.Enforce(ctx, id, policyadmin.PermAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if ok && !no {
			out = append(out, id)
		}
	}
	return out
}

// TestServedGrantAndAdminRevokeAcrossProcesses: root and alice are the
// administrators. Process A grants, in the served policy, "g, mallory,
// alice" (alice becomes a role there, which the middleware refuses as a
// subject) while process B revokes root in the admin policy. Each alone
// leaves an administrator, and each passes its check on memory; together
// they leave none. In either order, one of them must be refused inside its
// transaction. SQLite, PostgreSQL and MariaDB, two pools on one database.
func TestServedGrantAndAdminRevokeAcrossProcesses(t *testing.T) {
	grant := enforcer.G("mallory", "alice")
	revoke := enforcer.G("root", policyadmin.AdminRole)
	for _, b := range dbtest.Backends() {
		for _, first := range []string{"served grant", "admin revoke"} {
			t.Run(b.Name+"/"+first+" first", func(t *testing.T) {
				ctx := context.Background()
				a, bs, db := twoServers(t, b)
				if err := bs.admin.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
				servedGrant := func(ctx context.Context) error {
					return a.change(ctx, policyadmin.ScopePolicy, audit.ActionGrant, grant)
				}
				adminRevoke := func(ctx context.Context) error {
					return bs.change(ctx, policyadmin.ScopeAdmin, audit.ActionRevoke, revoke)
				}
				held, other := servedGrant, adminRevoke
				if first == "admin revoke" {
					held, other = adminRevoke, servedGrant
				}
				// The first change is held inside its transaction, its guard
				// passed, until the second has passed its checks on memory and
				// starts to write.
				inTx, release := make(chan struct{}), make(chan struct{})
				var once sync.Once
				letGo := func() { once.Do(func() { close(release) }) }
				defer letGo()
				errFirst := make(chan error, 1)
				go func() { errFirst <- held(policyadmin.WithHooks(ctx, nil, func() { close(inTx); <-release })) }()
				<-inTx
				wrote := false
				errSecond := other(policyadmin.WithHooks(ctx, func() { wrote = true; letGo() }, nil))
				err1 := <-errFirst
				if !wrote {
					t.Fatalf("the second change was refused before it wrote (%v): its memory saw the first's uncommitted change", errSecond)
				}
				if err1 != nil {
					t.Fatalf("the first change: %v", err1)
				}
				if !errors.Is(errSecond, policyadmin.ErrLockout) {
					t.Errorf("the second change: %v, want ErrLockout", errSecond)
				}
				if left := adminsLeft(t, db.DB); len(left) == 0 {
					t.Fatal("no administrator left: both changes committed")
				}
			})
		}
	}
}

// TestAdminChangeReadsServedRolesFromTheStore: process A grants, in the
// served policy, "g, mallory, alice" (root is left, so it passes). Process
// B has not read it yet: its memory still takes alice for a user. B's
// revoke of root must be refused all the same: the guard reads the served
// policy's roles inside B's transaction, not from B's memory.
func TestAdminChangeReadsServedRolesFromTheStore(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			a, bs, db := twoServers(t, b)
			if err := bs.admin.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if err := a.change(ctx, policyadmin.ScopePolicy, audit.ActionGrant, enforcer.G("mallory", "alice")); err != nil {
				t.Fatal(err)
			}
			if is, _ := bs.policy.IsRole(ctx, "alice"); is {
				t.Fatal("B's memory already holds A's grant; the test needs it stale")
			}
			err := bs.change(ctx, policyadmin.ScopeAdmin, audit.ActionRevoke, enforcer.G("root", policyadmin.AdminRole))
			var le *policyadmin.LockoutError
			if !errors.As(err, &le) {
				t.Fatalf("B's revoke of root: %v, want a LockoutError", err)
			}
			if left := adminsLeft(t, db.DB); len(left) != 1 || left[0] != "root" {
				t.Fatalf("administrators left: %q, want root", left)
			}
		})
	}
}

// TestAdminGrantThatMakesTheLastAdminARole: root is the only user holding
// warden:admin. An admin-scope grant of "g, warden-admin, root" makes root a role
// of the admin policy, which the middleware refuses as a subject: nobody
// is left, so it is refused, whether root is configured with --admin or
// not, from the API (RefusedIdentity set) and from the command line.
func TestAdminGrantThatMakesTheLastAdminARole(t *testing.T) {
	ctx := context.Background()
	d := newDeployment(t, dbtest.SQLite)
	s := server{policy: d.policy, admin: d.admin, audit: d.audit}
	grant := enforcer.G(policyadmin.AdminRole, "root")
	for _, c := range []struct {
		name string
		c    policyadmin.Change
	}{
		{"command line", policyadmin.Change{}},
		{"api", policyadmin.Change{RefusedIdentity: s.refused, ServedPolicy: d.policy}},
		{"api, root configured with --admin", policyadmin.Change{RefusedIdentity: s.refused, ServedPolicy: d.policy, Admins: []string{"root"}}},
	} {
		ch := c.c
		ch.Scope, ch.Action, ch.Rules, ch.Actor, ch.Source = policyadmin.ScopeAdmin, audit.ActionGrant, []enforcer.Rule{grant}, "os:test", "cli"
		_, err := policyadmin.Apply(ctx, d.admin, d.audit, ch)
		if !errors.Is(err, policyadmin.ErrLockout) {
			t.Errorf("%s: granting %s: %v, want ErrLockout", c.name, grant, err)
		}
		if d.admin.Has("g", grant.Values) {
			t.Fatalf("%s: the grant is in force", c.name)
		}
	}
	// With another user holding warden:admin it is a plain change.
	if err := d.apply(t, d.admin, policyadmin.ScopeAdmin, audit.ActionGrant, nil, enforcer.G("bob", policyadmin.AdminRole)); err != nil {
		t.Fatal(err)
	}
	if err := d.apply(t, d.admin, policyadmin.ScopeAdmin, audit.ActionGrant, nil, grant); err != nil {
		t.Fatalf("with bob left: %v", err)
	}
}

// TestApplyRefusesHostileChanges: Apply is a library function, so what a
// caller passes is checked there too, not only by the API's validation: a
// rule without a ptype or without values is an invalid rule (never a
// panic of the guard, which reads the ptype's first letter), and a scope
// that is neither policy nor admin is refused before anything is written:
// with a misspelt scope the guard would not run on the admin policy.
func TestApplyRefusesHostileChanges(t *testing.T) {
	ctx := context.Background()
	d := newDeployment(t, dbtest.SQLite)
	s := server{policy: d.policy, admin: d.admin, audit: d.audit}
	before, err := d.audit.List(ctx, audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []enforcer.Rule{{PType: ""}, {PType: "", Values: []string{"mallory", "root"}}, {PType: "g"}, {PType: "p"}} {
		for _, scope := range []string{policyadmin.ScopePolicy, policyadmin.ScopeAdmin} {
			for _, action := range []string{audit.ActionGrant, audit.ActionRevoke} {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s %s %q: panic %v", scope, action, r, p)
						}
					}()
					if err := s.change(ctx, scope, action, r); !errors.Is(err, enforcer.ErrInvalidRule) {
						t.Errorf("%s %s %#v: %v, want ErrInvalidRule", scope, action, r, err)
					}
				}()
			}
		}
	}
	for _, scope := range []string{"", "Admin", "admin ", "policy\x00"} {
		_, err := policyadmin.Apply(ctx, d.admin, d.audit, policyadmin.Change{Scope: scope, Action: audit.ActionRevoke,
			Rules: []enforcer.Rule{enforcer.G("root", policyadmin.AdminRole)}, Actor: "os:test", Source: "cli"})
		if err == nil || errors.Is(err, policyadmin.ErrLockout) {
			t.Errorf("scope %q: %v, want refused as an unknown scope", scope, err)
		}
		if !d.admin.Has("g", []string{"root", policyadmin.AdminRole}) {
			t.Fatalf("scope %q: the last administrator was revoked", scope)
		}
	}
	after, err := d.audit.List(ctx, audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range after[len(before):] {
		if e.Error == "" {
			t.Errorf("a refused change was audited as made: %+v", e)
		}
	}
}
