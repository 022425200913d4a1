package policyadmin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// TestApplyLockout: Apply refuses the lockout for every caller (the
// command line uses it), with an error matching ErrLockout, changes
// nothing and audits nothing.
func TestApplyLockout(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			d := newDeployment(t, b.Open)
			ctx := context.Background()
			before, _ := d.audit.List(ctx, audit.Query{Limit: 1000})
			_, err := policyadmin.Apply(ctx, d.admin, d.audit, policyadmin.Change{Scope: policyadmin.ScopeAdmin,
				Action: audit.ActionRevoke, Rules: policyadmin.AdminSeed, Actor: "os:test", Source: "cli"})
			var le *policyadmin.LockoutError
			if !errors.Is(err, policyadmin.ErrLockout) || !errors.As(err, &le) || le.Index != 0 {
				t.Fatalf("err = %v, want a LockoutError for rule 0", err)
			}
			if !d.admin.Has("p", policyadmin.AdminSeed[0].Values) {
				t.Error("the refused revoke changed the admin policy")
			}
			if after, _ := d.audit.List(ctx, audit.Query{Limit: 1000}); len(after) != len(before) {
				t.Errorf("the refused revoke was audited: %d entries, %d before", len(after), len(before))
			}
			// The culprit of a list is named by its index.
			err = d.apply(t, d.admin, policyadmin.ScopeAdmin, audit.ActionRevoke, nil,
				enforcer.G("nobody", policyadmin.AdminRole), enforcer.G("root", policyadmin.AdminRole))
			if !errors.As(err, &le) || le.Index != 1 || le.Rule.String() != "g, root, warden-admin" {
				t.Errorf("err = %v, want a LockoutError for rule 1", err)
			}
			// The served policy has no such guard: its rules are not about Warden.
			if err := d.apply(t, d.policy, policyadmin.ScopePolicy, audit.ActionRevoke, nil, enforcer.G("bob", "editor")); err != nil {
				t.Errorf("served-policy revoke: %v", err)
			}
		})
	}
}

// TestLockoutCountsConfiguredAdmins: an identity configured as an
// administrator (Change.Admins, warden serve --admin) counts even where
// the policy also grants it as a role.
func TestLockoutCountsConfiguredAdmins(t *testing.T) {
	d := newDeployment(t, dbtest.SQLite)
	apply := func(action string, admins []string, rules ...enforcer.Rule) error {
		return d.apply(t, d.admin, policyadmin.ScopeAdmin, action, admins, rules...)
	}
	// ops holds warden-admin and is granted to carol: a role, as the policy reads.
	for _, r := range []enforcer.Rule{enforcer.G("ops", policyadmin.AdminRole), enforcer.G("carol", "ops")} {
		if err := apply(audit.ActionGrant, nil, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := apply(audit.ActionRevoke, nil, enforcer.G("root", policyadmin.AdminRole)); err != nil {
		t.Fatal(err) // carol is left
	}
	deny := enforcer.P("carol", policyadmin.PermAdmin, "deny")
	if err := apply(audit.ActionGrant, nil, deny); !errors.Is(err, policyadmin.ErrLockout) {
		t.Fatalf("denying the last user: %v, want ErrLockout", err)
	}
	if err := apply(audit.ActionGrant, []string{"ops"}, deny); err != nil {
		t.Fatalf("with ops configured as an admin: %v", err)
	}
}

// TestLockoutWithoutAChangeLog: on an adapter without a change log (here
// the policy in memory only) the guard still refuses, on memory.
func TestLockoutWithoutAChangeLog(t *testing.T) {
	d := newDeployment(t, dbtest.SQLite)
	ctx := context.Background()
	mem, err := enforcer.New(ctx, d.admin.Model(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.apply(t, mem, policyadmin.ScopeAdmin, audit.ActionGrant, nil,
		policyadmin.AdminSeed[0], enforcer.G("root", policyadmin.AdminRole)); err != nil {
		t.Fatal(err)
	}
	err = d.apply(t, mem, policyadmin.ScopeAdmin, audit.ActionRevoke, nil, enforcer.G("root", policyadmin.AdminRole))
	if !errors.Is(err, policyadmin.ErrLockout) || !mem.Has("g", []string{"root", policyadmin.AdminRole}) {
		t.Fatalf("revoke of the last member in memory: %v (still held: %v), want ErrLockout",
			err, mem.Has("g", []string{"root", policyadmin.AdminRole}))
	}
}
