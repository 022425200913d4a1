package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// TestGrantWithRedisGone: a grant whose hint could not be published (Redis
// took the watcher's subscription, then went away before the publish) is
// an ordinary success: the running servers read it from the change log.
// The command exits 0 without a warning and the audit row has no note.
func TestGrantWithRedisGone(t *testing.T) {
	redisAddr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if redisAddr == "" {
		t.Skip("Redis test skipped: set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	db := dbtest.SQLite(t)
	proxy := startProxy(t, redisAddr)
	// The subscription's connection is forwarded; the publish's is not.
	proxy.ForwardOnly(1)
	var out, errb strings.Builder
	code := run([]string{"grant", "--db", db.DSN, "--model", confModel, "--redis-watcher", proxy.Addr(),
		"--channel", dbtest.Unique(), "g", "nell", "editor"}, &out, &errb)
	if code != exitOK || !strings.Contains(out.String(), "granted: g, nell, editor") || errb.String() != "" {
		t.Fatalf("grant with Redis gone: exit %d, stdout %q, stderr %q; want exit 0, granted, nothing on stderr", code, out.String(), errb.String())
	}
	l, err := audit.New(context.Background(), db.DB)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := l.List(context.Background(), audit.Query{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
	if en := entries[0]; en.Error != "" || en.Changed != 1 || en.Note != "" {
		t.Errorf("audit row = %+v; want a plain success", en)
	}
}
