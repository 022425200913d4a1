package watcher_test

import (
	"context"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/internal/watchertest"
)

// The watchers also serve plain Casbin, which drives them through
// persist.WatcherEx (AddPolicy, RemovePolicy) and persist.UpdatableWatcher
// (UpdatePolicy).
func TestPlainCasbinEnforcers(t *testing.T) {
	pg := postgresURL(t)
	for _, tr := range transports(t, pg) {
		t.Run(tr.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), watchertest.Wait)
			defer cancel()
			table := watchertest.Unique("wt_rules_")
			channel := watchertest.Unique("wt_")
			t.Cleanup(func() {
				if err := dropTable(pg, table); err != nil {
					t.Errorf("drop %s: %v", table, err)
				}
			})
			ses := make([]*casbin.SyncedEnforcer, 2)
			for i := range ses {
				db, err := gorm.Open(postgres.Open(pg.String()), &gorm.Config{Logger: gormlogger.Discard})
				if err != nil {
					t.Fatal(err)
				}
				if sqlDB, err := db.DB(); err == nil {
					t.Cleanup(func() { _ = sqlDB.Close() })
				}
				a, err := gormadapter.NewAdapterByDBUseTableName(db, "", table)
				if err != nil {
					t.Fatal(err)
				}
				m, err := enforcer.ParseModel(rbacModel)
				if err != nil {
					t.Fatal(err)
				}
				se, err := casbin.NewSyncedEnforcer(m, a)
				if err != nil {
					t.Fatal(err)
				}
				w, err := tr.open(ctx, tr.target, watcher.WithChannel(channel))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(w.Close)
				if err := se.SetWatcher(w); err != nil {
					t.Fatal(err)
				}
				// Casbin's default WatcherEx callback reloads the embedded,
				// unsynchronised enforcer; reload through the synced one.
				if err := w.SetUpdateCallback(func(string) { _ = se.LoadPolicy() }); err != nil {
					t.Fatal(err)
				}
				ses[i] = se
			}
			want := func(sub, act string, allowed bool) {
				t.Helper()
				deadline := time.Now().Add(watchertest.Wait)
				for {
					got, err := ses[1].Enforce(sub, "data1", act)
					if err != nil {
						t.Fatal(err)
					}
					if got == allowed {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("Enforce(%s, data1, %s) = %v for %v; want %v", sub, act, got, watchertest.Wait, allowed)
					}
					time.Sleep(5 * time.Millisecond) // polling, not an assertion
				}
			}

			if _, err := ses[0].AddPolicy("alice", "data1", "read"); err != nil {
				t.Fatal(err)
			}
			want("alice", "read", true)
			if _, err := ses[0].UpdatePolicy([]string{"alice", "data1", "read"}, []string{"alice", "data1", "write"}); err != nil {
				t.Fatal(err)
			}
			want("alice", "write", true)
			want("alice", "read", false)
			if _, err := ses[0].RemovePolicy("alice", "data1", "write"); err != nil {
				t.Fatal(err)
			}
			want("alice", "write", false)
		})
	}
}
