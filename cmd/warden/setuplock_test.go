package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/policyadmin"
)

// TestSetupLockIsHeld: while one instance sets up, the lock is held
// database-wide, on PostgreSQL and on MySQL/MariaDB alike.
func TestSetupLockIsHeld(t *testing.T) {
	for _, b := range []dbtest.Backend{dbtest.Backends()[1], dbtest.Backends()[2]} {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			key := "warden_setup:" + dbtest.Unique()
			ran := false
			err := withSetupLock(t.Context(), db.DB, key, func() error {
				ran = true
				// Asked from another connection of the pool: the lock's
				// connection is reserved for withSetupLock.
				var free sql.NullBool
				var err error
				if b.Name == "mysql" {
					err = db.Raw("SELECT IS_FREE_LOCK(?) = 1", mysqlLockName(key)).Row().Scan(&free)
				} else {
					err = db.Raw("SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext(?)::oid", key).Row().Scan(&free)
				}
				if err != nil || !free.Valid || free.Bool {
					t.Errorf("during setup the lock is free (%v, %v)", free, err)
				}
				return nil
			})
			if err != nil || !ran {
				t.Fatalf("withSetupLock = %v, ran %v", err, ran)
			}
			if b.Name == "mysql" {
				var free sql.NullInt64
				if err := db.Raw("SELECT IS_FREE_LOCK(?)", mysqlLockName(key)).Row().Scan(&free); err != nil || free.Int64 != 1 {
					t.Errorf("after setup the lock is still held (%v, %v)", free, err)
				}
			}
		})
	}
}

// TestConcurrentStartsOnMySQL: two servers starting at once on an empty
// MySQL/MariaDB database both come up, and the policies are seeded once.
func TestConcurrentStartsOnMySQL(t *testing.T) {
	db := dbtest.MySQL(t)
	startTwoServers(t, db.DSN)
	l, err := audit.New(t.Context(), db.DB)
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

// startTwoServers starts two `warden serve` on dsn at once, with the same
// model, seed and admin, and returns when both listen; both are stopped,
// and must exit 0, when the test ends.
func startTwoServers(t *testing.T, dsn string) {
	t.Helper()
	args := []string{"--addr", "127.0.0.1:0", "--db", dsn, "--model", confModel, "--seed", confPolicy,
		"--jwt-secret", serveSecret, "--admin", "root"}
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		code int
		err  string
	}
	done := make(chan result, 2)
	var outs []*addrWriter
	for range 2 {
		out := newAddrWriter()
		outs = append(outs, out)
		go func() {
			var stderr lockedBuf
			code := runServe(ctx, args, out, &stderr)
			done <- result{code, stderr.String()}
		}()
	}
	t.Cleanup(func() {
		cancel()
		for range 2 {
			if r := <-done; r.code != 0 {
				t.Errorf("serve exited %d: %s", r.code, tail(r.err, 2000))
			}
		}
	})
	for _, out := range outs {
		select {
		case <-out.addr:
		case r := <-done:
			done <- r
			t.Fatalf("a server did not start: exit %d: %s", r.code, tail(r.err, 2000))
		}
	}
}
