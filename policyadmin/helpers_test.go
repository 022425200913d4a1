package policyadmin_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// deployment is one deployment's policies on a fresh database: the served
// policy seeded with conf/policy.csv, the admin policy with AdminSeed and
// root as a member of warden-admin.
type deployment struct {
	db            dbtest.DB
	policy, admin *enforcer.Enforcer
	audit         *audit.Log
}

func newDeployment(t testing.TB, open func(testing.TB) dbtest.DB) *deployment {
	t.Helper()
	ctx := context.Background()
	d := &deployment{db: open(t)}
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	am, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	tables := policyadmin.TablesWithPrefix("")
	if d.policy, err = policyadmin.OpenEnforcer(ctx, d.db.DB, m, tables.Policy, quiet); err != nil {
		t.Fatal(err)
	}
	if d.admin, err = policyadmin.OpenEnforcer(ctx, d.db.DB, am, tables.Admin, quiet); err != nil {
		t.Fatal(err)
	}
	if d.audit, err = audit.New(ctx, d.db.DB, audit.WithTable(tables.Audit), audit.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	seed, err := policyadmin.ReadPolicyFile(ctx, m, "../conf/policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := policyadmin.Seed(ctx, d.policy, d.audit, policyadmin.ScopePolicy, "system", seed); err != nil || !ok {
		t.Fatalf("seed the served policy: %v, %v", ok, err)
	}
	adminSeed := append(append([]enforcer.Rule{}, policyadmin.AdminSeed...), enforcer.G("root", policyadmin.AdminRole))
	if ok, err := policyadmin.Seed(ctx, d.admin, d.audit, policyadmin.ScopeAdmin, "system", adminSeed); err != nil || !ok {
		t.Fatalf("seed the admin policy: %v, %v", ok, err)
	}
	return d
}

// apply is Apply from the command line, by os:test.
func (d *deployment) apply(t testing.TB, e *enforcer.Enforcer, scope, action string, admins []string, rules ...enforcer.Rule) error {
	t.Helper()
	_, err := policyadmin.Apply(context.Background(), e, d.audit, policyadmin.Change{Scope: scope, Action: action,
		Rules: rules, Actor: "os:test", Source: "cli", Admins: admins})
	return err
}
