package main

import (
	"bytes"
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// dsnLeak is the password of the addresses below: no output may show it.
const dsnLeak = "PASSWORD_must_not_show"

func fileTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	if err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		out = append(out, p)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// A mistyped scheme (--db or WARDEN_DB) is refused by every command that
// takes a database, exit 2, with an error that names the scheme and shows
// neither the password nor the host, and no file is created. Before, the
// address was read as a SQLite file path: `serve` printed "database file:
// open postgress://u:PASSWORD@host/db: ..." and `list` "no SQLite database
// at postgress://u:PASSWORD@host/db", and where the path's directories
// existed grant created a database named after the password.
func TestUnknownSchemeShowsNoPassword(t *testing.T) {
	model, err := filepath.Abs(confModel)
	if err != nil {
		t.Fatal(err)
	}
	dsns := map[string]string{
		"postgress://u:" + dsnLeak + "@db7.internal/db": "postgress",
		"postgress:/u:" + dsnLeak + "@db7.internal/db":  "postgress",
		"mysq://u:" + dsnLeak + "@db7.internal:3306/db": "mysq",
		"u:" + dsnLeak + "@tcp(db7.internal:3306)/db":   "",
	}
	commands := [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--jwt-secret", serveSecret, "--model", model, "--seed", ""},
		{"grant", "--model", model, "g", "alice", "admin"},
		{"revoke", "--model", model, "g", "alice", "admin"},
		{"list", "--model", model},
		{"audit"},
		{"audit", "verify"},
	}
	for dsn, scheme := range dsns {
		for _, viaEnv := range []bool{false, true} {
			for _, c := range commands {
				name := c[0]
				if len(c) > 1 && c[1] == "verify" {
					name += " verify"
				}
				name += " " + dsn
				if viaEnv {
					name += " (WARDEN_DB)"
				}
				t.Run(name, func(t *testing.T) {
					dir := t.TempDir()
					t.Chdir(dir)
					if err := os.MkdirAll(filepath.Dir(filepath.FromSlash(dsn)), 0o755); err != nil {
						t.Fatal(err)
					}
					before := fileTree(t, dir)
					args := slices.Clone(c)
					t.Setenv("WARDEN_DB", "")
					if viaEnv {
						t.Setenv("WARDEN_DB", dsn)
					} else {
						args = append(args, "--db", dsn)
					}
					code, stdout, stderr := runUntilListening(t, args)
					all := stdout + stderr
					if code != exitError {
						t.Errorf("exit %d, want %d; output:\n%s", code, exitError, all)
					}
					if strings.Contains(all, dsnLeak) || strings.Contains(all, "db7.internal") {
						t.Errorf("the output shows the address:\n%s", all)
					}
					if scheme != "" && !strings.Contains(stderr, `unknown scheme "`+scheme+`"`) {
						t.Errorf("stderr does not name the scheme %q:\n%s", scheme, stderr)
					}
					if after := fileTree(t, dir); !slices.Equal(before, after) {
						t.Errorf("files created: before %v, after %v", before, after)
					}
				})
			}
		}
	}
}

// runUntilListening runs the command line args; a serve that starts
// listening is stopped at once, and the test fails on it.
func runUntilListening(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	started, code, stdout, stderr := runServeOnce(t, args)
	if started {
		t.Errorf("serve started: %s", stdout)
	}
	return code, stdout, stderr
}

// runServeOnce runs the command line args; a serve that starts listening
// is stopped at once (started is then true, and code its exit code after
// the stop).
func runServeOnce(t *testing.T, args []string) (started bool, code int, stdout, stderr string) {
	t.Helper()
	if args[0] != "serve" {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		return false, code, out.String(), errb.String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newAddrWriter()
	var errb lockedBuf
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, args[1:], out, &errb) }()
	select {
	case code = <-done:
	case <-out.addr:
		started = true
		cancel()
		code = <-done
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	return started, code, out.buf.String(), errb.String()
}

// With a password in a DSN that works (PostgreSQL of the tests trusts
// local connections, so any password is accepted), serve starts, answers
// and stops, and neither its startup lines nor its JSON log show the
// password; a server that refuses the login does not make it show either.
func TestServeShowsNoPassword(t *testing.T) {
	db := dbtest.Postgres(t)
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), dsnLeak)
	withPass := u.String()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", withPass, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root", "--log-level", "debug"}, out, &stderr)
	}()
	select {
	case base := <-out.addr:
		if code, _ := (apiClient{t: t, base: base}).call("GET", "/readyz", ""); code != 200 {
			t.Errorf("readyz: %d", code)
		}
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	out.mu.Lock()
	all := out.buf.String() + stderr.String()
	out.mu.Unlock()
	if strings.Contains(all, dsnLeak) {
		t.Errorf("serve's output shows the password:\n%s", all)
	}

	u.User = url.UserPassword("warden_nobody", dsnLeak)
	var errb strings.Builder
	if code := runServe(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", u.String(), "--model", confModel, "--seed", "",
		"--jwt-secret", serveSecret}, &errb, &errb); code != exitError {
		t.Errorf("serve with a refused login: exit %d, want %d", code, exitError)
	}
	if strings.Contains(errb.String(), dsnLeak) || !strings.Contains(errb.String(), "warden_nobody") {
		t.Errorf("serve with a refused login: the output shows the password, or not the refusal:\n%s", errb.String())
	}
}

// The last guard: whatever writes the password to a wrapped writer, in
// one Write, shows the mask; percent-encoded or decoded alike.
func TestMaskDSNs(t *testing.T) {
	var b bytes.Buffer
	w := maskDSNs(&b, "", "sqlite://x.db", "postgres://u:p%40ss-"+dsnLeak+"@h/db")
	for _, line := range []string{"driver: password p%40ss-" + dsnLeak + " refused\n", "decoded p@ss-" + dsnLeak + "\n"} {
		if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if strings.Contains(b.String(), dsnLeak) || strings.Count(b.String(), "xxxxx") != 2 {
		t.Errorf("masked output %q", b.String())
	}
	if plain := maskDSNs(&b, "sqlite://x.db"); plain != &b {
		t.Error("a DSN without a password wraps the writer")
	}
}
