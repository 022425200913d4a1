package main

import (
	"context"
	"path/filepath"
	"testing"
)

// TestConcurrentStartsOnSQLite: two servers starting at once on a new
// SQLite file both come up. Before
// OpenDB began SQLite transactions IMMEDIATE, one of them failed now and
// then with SQLITE_BUSY in its schema setup; TestSQLiteSetupTransactions
// (adapters/sqlstore) shows that case deterministically.
func TestConcurrentStartsOnSQLite(t *testing.T) {
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "warden.db")
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
