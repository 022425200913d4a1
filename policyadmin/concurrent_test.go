package policyadmin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
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

// instance is one process of a deployment: its own pool of connections to
// the shared database, its own admin policy store and enforcer, its own
// audit log handle.
type instance struct {
	admin *enforcer.Enforcer
	audit *audit.Log
}

func openInstance(t *testing.T, db *gorm.DB) instance {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	am, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	tables := policyadmin.TablesWithPrefix("")
	var in instance
	if in.admin, err = policyadmin.OpenEnforcer(ctx, db, am, tables.Admin, quiet); err != nil {
		t.Fatal(err)
	}
	if in.audit, err = audit.New(ctx, db, audit.WithTable(tables.Audit), audit.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestConcurrentRevokesKeepAnAdmin: alice and bob are the administrators.
// Instance A revokes alice and B revokes bob at the same time: each check
// on its own memory passes, since the other's revoke is not committed. A
// is held inside its write's transaction (the head row locked, its guard
// passed) until B's checks on memory have passed and B starts to write;
// then A commits. B's guard, inside its own transaction, reads the rules
// A committed and refuses: bob stays, and the refusal is not audited.
// Without the check inside the transaction both revokes commit and nobody
// is left. On SQLite, PostgreSQL and MariaDB, two pools on one database.
func TestConcurrentRevokesKeepAnAdmin(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
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
			a, bi := openInstance(t, db.DB), openInstance(t, other)
			alice, bob := enforcer.G("alice", policyadmin.AdminRole), enforcer.G("bob", policyadmin.AdminRole)
			if _, err := policyadmin.Seed(ctx, a.admin, a.audit, policyadmin.ScopeAdmin, "system", append([]enforcer.Rule{alice, bob}, policyadmin.AdminSeed...)); err != nil {
				t.Fatal(err)
			}
			if err := bi.admin.CatchUp(ctx); err != nil || !bi.admin.Has("g", bob.Values) || !bi.admin.Has("g", alice.Values) {
				t.Fatalf("B does not hold the seeded admin policy: %v", err)
			}

			inTx, release := make(chan struct{}), make(chan struct{})
			var releaseOnce sync.Once
			letAGo := func() { releaseOnce.Do(func() { close(release) }) }
			defer letAGo() // never leave A blocked, whatever fails
			ctxA := policyadmin.WithHooks(ctx, nil, func() { close(inTx); <-release })
			errA := make(chan error, 1)
			go func() {
				_, err := policyadmin.Apply(ctxA, a.admin, a.audit, policyadmin.Change{Scope: policyadmin.ScopeAdmin, Action: audit.ActionRevoke,
					Rules: []enforcer.Rule{alice}, Actor: "os:a", Source: "cli"})
				errA <- err
			}()
			<-inTx // A holds the head row's lock, its revoke not committed

			wrote := false
			ctxB := policyadmin.WithHooks(ctx, func() { wrote = true; letAGo() }, nil)
			_, errB := policyadmin.Apply(ctxB, bi.admin, bi.audit, policyadmin.Change{Scope: policyadmin.ScopeAdmin, Action: audit.ActionRevoke,
				Rules: []enforcer.Rule{bob}, Actor: "os:b", Source: "cli"})
			if err := <-errA; err != nil {
				t.Fatalf("A's revoke of alice: %v", err)
			}
			if !wrote {
				t.Fatalf("B was refused before it wrote (%v): its memory saw A's uncommitted revoke", errB)
			}
			var le *policyadmin.LockoutError
			if !errors.Is(errB, policyadmin.ErrLockout) || !errors.As(errB, &le) || le.Rule.String() != bob.String() {
				t.Fatalf("B's revoke of bob after A's of alice: %v, want a LockoutError naming bob's rule", errB)
			}

			// The store kept bob, as a fresh instance reads it.
			fresh := openInstance(t, db.DB)
			if fresh.admin.Has("g", alice.Values) || !fresh.admin.Has("g", bob.Values) {
				t.Errorf("the store holds alice: %v, bob: %v; want bob only",
					fresh.admin.Has("g", alice.Values), fresh.admin.Has("g", bob.Values))
			}
			entries, err := a.audit.List(ctx, audit.Query{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Actor == "os:b" {
					t.Errorf("B's refused revoke was audited: %+v", e)
				}
			}
			if n := len(entries); n == 0 || entries[n-1].Actor != "os:a" || entries[n-1].Error != "" {
				t.Errorf("A's revoke is not the last audit entry: %+v", entries)
			}
		})
	}
}
