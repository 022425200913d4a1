package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeFailureLeavesNoDatabaseFile: a start that fails leaves no
// SQLite file behind: a bad model or seed fails before the file is
// created, and a failure after it (an empty policy whose seed file is
// missing) removes the file that this start created, and its setup lock
// (before, the lock stayed). A file that existed is never removed.
func TestServeFailureLeavesNoDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	badModel := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(badModel, []byte("[request_definition]\nr = sub, obj, act\n[matchers]\nm = r.sub == p.nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badSeed := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badSeed, []byte("p, alice, /posts\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"a bad model", []string{"--model", badModel}, "bad.conf"},
		{"a model that does not exist", []string{"--model", filepath.Join(dir, "nope.conf")}, "nope.conf: no such file"},
		{"a bad seed", []string{"--model", confModel, "--seed", badSeed}, "bad.csv:1"},
		{"a missing seed for an empty policy", []string{"--model", confModel, "--seed", filepath.Join(dir, "nope.csv")},
			`nope.csv does not exist, and the policy is empty: give --seed FILE (the rules written to an empty policy), or --seed "" to start with an empty policy`},
	}
	for _, tt := range tests {
		db := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".db")
		var stderr lockedBuf
		args := append([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + db, "--jwt-secret", serveSecret}, tt.args...)
		if code := runServe(context.Background(), args, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%s: exit %d, stderr %s; want 2 and %q", tt.name, code, stderr.String(), tt.want)
		}
		for _, f := range []string{db, db + "-setup.lock"} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s: the failed start left %s behind (%v)", tt.name, f, err)
			}
		}
	}

	// A file that was there stays, even empty.
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + existing, "--jwt-secret", serveSecret, "--model", confModel,
		"--seed", filepath.Join(dir, "nope.csv")}
	if code := runServe(context.Background(), args, io.Discard, io.Discard); code != 2 {
		t.Fatalf("serve on an existing file with a missing seed: exit %d", code)
	}
	if _, err := os.Stat(existing); err != nil {
		t.Errorf("a failed start removed the database file that existed: %v", err)
	}
	// Nor the setup lock of a file that existed, which other starts share.
	if _, err := os.Stat(existing + "-setup.lock"); err != nil {
		t.Errorf("a failed start on an existing file removed its setup lock: %v", err)
	}
}

// TestServeWarnsWithoutAdmin: a server that nobody may manage says so at
// startup, at warn level, with how to name an administrator; with --admin,
// and on a later start without it, it does not.
func TestServeWarnsWithoutAdmin(t *testing.T) {
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "w.db")
	start := func(extra ...string) []map[string]any {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		out := newAddrWriter()
		var stderr lockedBuf
		done := make(chan int, 1)
		go func() {
			done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--db", dsn, "--model", confModel, "--seed", confPolicy,
				"--jwt-secret", serveSecret}, extra...), out, &stderr)
		}()
		select {
		case <-out.addr: // the warning, if any, is logged before the API answers
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
		return jsonLines(t, stderr.String())
	}
	warning := func(lines []map[string]any) map[string]any {
		for _, l := range lines {
			if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "warden: no administrator") {
				return l
			}
		}
		return nil
	}
	w := warning(start())
	if w == nil {
		t.Fatal("serve without --admin logged no warning")
	}
	msg, _ := w["msg"].(string)
	fix, _ := w["fix"].(string)
	if w["level"] != "WARN" || !strings.Contains(msg, "will be refused with 403") || !strings.Contains(fix, "--admin ID") ||
		!strings.Contains(fix, "warden grant --db DSN --scope admin g ID warden-admin") {
		t.Errorf("warning: %v", w)
	}
	if w := warning(start("--admin", "root")); w != nil {
		t.Errorf("serve --admin root warned: %v", w)
	}
	// root is stored in the admin policy now: a start without --admin has
	// an administrator.
	if w := warning(start()); w != nil {
		t.Errorf("a later start without --admin warned although root is an administrator: %v", w)
	}
}
