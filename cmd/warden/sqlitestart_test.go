package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/policyadmin"
)

// TestConcurrentStartsOnSQLite: two servers starting at once on a new
// SQLite file both come up, and the policies are seeded once. Before
// OpenDB began SQLite transactions IMMEDIATE, one of them failed now and
// then with SQLITE_BUSY in its schema setup; TestSQLiteSetupTransactions
// (adapters/sqlstore) shows that case deterministically. Both also
// seeded the admin policy when each found it empty, before the setup lock
// on SQLite (TestSQLiteSetupLockIsHeld).
func TestConcurrentStartsOnSQLite(t *testing.T) {
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "warden.db")
	startTwoServers(t, dsn)
	db, err := config.OpenDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := l.List(t.Context(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for _, e := range entries {
		if e.Action == audit.ActionSeed || e.Actor == "system:config" {
			seeds = append(seeds, e.Scope+" "+e.Action)
		}
	}
	want := []string{policyadmin.ScopePolicy + " seed", policyadmin.ScopeAdmin + " seed", policyadmin.ScopeAdmin + " grant"}
	if strings.Join(seeds, ",") != strings.Join(want, ",") {
		t.Errorf("start-up changes = %v, want %v (each once)", seeds, want)
	}
}

// TestSQLiteSetupLockIsHeld: while one instance sets up on a SQLite file,
// another cannot take the setup lock (its attempt, with a cancelled
// context, gives up instead of waiting); once setup returns, it can.
func TestSQLiteSetupLockIsHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warden.db")
	db, err := config.OpenDB("sqlite://" + path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err = withSetupLock(t.Context(), db, "warden_setup:x", func() error {
		ran = true
		if unlock, err := lockSQLiteSetup(gone, path); err == nil {
			unlock()
			t.Error("during setup another instance took the lock")
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("withSetupLock = %v, ran %v", err, ran)
	}
	unlock, err := lockSQLiteSetup(gone, path)
	if err != nil {
		t.Fatalf("after setup: %v", err)
	}
	unlock()
}
