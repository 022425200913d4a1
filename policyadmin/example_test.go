package policyadmin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
)

// A deployment's admin policy on SQLite: seeded once, a second
// administrator granted, and the revoke that would leave nobody able to
// manage Warden refused.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "policyadmin-example")
	defer os.RemoveAll(dir)
	db, _ := gorm.Open(sqlite.Open(filepath.Join(dir, "warden.db")), &gorm.Config{Logger: logger.Discard})

	tables := policyadmin.TablesWithPrefix("")
	am, _ := models.Load(models.Permissions)
	admin, _ := policyadmin.OpenEnforcer(ctx, db, am, tables.Admin, quiet)
	log, _ := audit.New(ctx, db, audit.WithTable(tables.Audit), audit.WithLogger(quiet))

	seeded, _ := policyadmin.Seed(ctx, admin, log, policyadmin.ScopeAdmin, "system:seed",
		append([]enforcer.Rule{enforcer.G("root", policyadmin.AdminRole)}, policyadmin.AdminSeed...))
	fmt.Println("seeded:", seeded)

	change := func(action string, r enforcer.Rule) error {
		res, err := policyadmin.Apply(ctx, admin, log, policyadmin.Change{Scope: policyadmin.ScopeAdmin,
			Action: action, Rules: []enforcer.Rule{r}, Actor: "os:ops", Source: "cli"})
		if err == nil {
			fmt.Printf("%s %s: changed %d, audit #%d\n", action, r, res.Changed, res.AuditID)
		}
		return err
	}
	_ = change(audit.ActionGrant, enforcer.G("alice", policyadmin.AdminRole))
	_ = change(audit.ActionRevoke, enforcer.G("root", policyadmin.AdminRole))
	err := change(audit.ActionRevoke, enforcer.G("alice", policyadmin.AdminRole))
	fmt.Println(errors.Is(err, policyadmin.ErrLockout), err)
	// Output:
	// seeded: true
	// grant g, alice, warden-admin: changed 1, audit #2
	// revoke g, root, warden-admin: changed 1, audit #3
	// true revoking "g, alice, warden-admin" would leave no identity of the admin policy with warden:admin; give it to another user first
}
