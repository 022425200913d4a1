package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// serve without --model, started where conf/model.conf is not, falls back
// to the embedded default model. On a database that holds a policy it
// refuses to start (exit 2, saying why and what to give), since the
// model the rules were written under is not recorded; --model default
// says the embedded one is meant, and a new database starts as before.
// Before, serve started silently on the stored policy with the embedded
// model (an info line in the log).
func TestServeRefusesFallbackModelOnStoredPolicy(t *testing.T) {
	t.Chdir(t.TempDir()) // no conf/model.conf here
	t.Setenv("WARDEN_MODEL", "")
	t.Setenv("WARDEN_DB", "")
	serve := func(dsn string, extra ...string) []string {
		return append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--seed", "", "--jwt-secret", serveSecret}, extra...)
	}

	// A new database: the first start writes its policy under the
	// fallback model, as before.
	fresh := dbtest.SQLite(t)
	if started, code, stdout, stderr := runServeOnce(t, serve(fresh.DSN)); !started || code != exitOK {
		t.Errorf("serve on a new database: started %v, exit %d\n%s%s", started, code, stdout, stderr)
	}

	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			var out, errb bytes.Buffer
			if code := run([]string{"grant", "--db", db.DSN, "--model", "default", "p", "alice", "/reports", "GET", "allow"}, &out, &errb); code != exitOK {
				t.Fatalf("grant: exit %d: %s", code, errb.String())
			}
			code, stdout, stderr := runUntilListening(t, serve(db.DSN))
			if code != exitError || !strings.Contains(stderr, "the database holds a policy") || !strings.Contains(stderr, "--model default") {
				t.Errorf("serve without --model on a stored policy: exit %d, want %d with the reason\n%s%s", code, exitError, stdout, stderr)
			}
			if started, code, stdout, stderr := runServeOnce(t, serve(db.DSN, "--model", "default")); !started || code != exitOK {
				t.Errorf("serve --model default: started %v, exit %d\n%s%s", started, code, stdout, stderr)
			}
		})
	}
}
