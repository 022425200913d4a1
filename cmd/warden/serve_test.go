package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/middleware/token"
)

const serveSecret = "0123456789abcdef0123456789abcdef-serve"

// serveToken mints a token the test servers accept.
func serveToken(t *testing.T, sub string, perms ...string) string {
	t.Helper()
	s, err := token.MintHS256([]byte(serveSecret), token.Claims{Issuer: "https://warden.local", Audience: []string{"warden"},
		Subject: sub, Permissions: perms, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// addrWriter captures stdout and reports the address of the first
// "listening on" line.
type addrWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	addr chan string
	once sync.Once
}

func newAddrWriter() *addrWriter { return &addrWriter{addr: make(chan string, 1)} }

func (w *addrWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if _, rest, ok := strings.Cut(w.buf.String(), "listening on "); ok {
		if line, _, ok := strings.Cut(rest, "\n"); ok {
			w.once.Do(func() { w.addr <- line })
		}
	}
	return len(p), nil
}

type apiClient struct {
	t    *testing.T
	base string
	tok  string
}

func (c apiClient) call(method, path, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.tok != "" {
		req.Header.Set("Authorization", "Bearer "+c.tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c apiClient) allowed(sub, obj, act string) bool {
	c.t.Helper()
	code, body := c.call("POST", "/v1/check", fmt.Sprintf(`{"sub":%q,"obj":%q,"act":%q}`, sub, obj, act))
	if code != http.StatusOK {
		c.t.Fatalf("check: %d %s", code, body)
	}
	var d struct{ Allowed bool }
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		c.t.Fatal(err)
	}
	return d.Allowed
}

// TestServeSQLite runs `warden serve` in-process on SQLite: seeding,
// admins from flags, the API, metrics, and a clean stop.
func TestServeSQLite(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root"}, out, &stderr)
	}()
	var base string
	select {
	case base = <-out.addr:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	root := apiClient{t, base, serveToken(t, "root")}
	if code, body := (apiClient{t: t, base: base}).call("GET", "/readyz", ""); code != 200 || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("readyz: %d %s", code, body)
	}
	if !root.allowed("alice", "/users/1", "PATCH") {
		t.Error("seeded policy not in force")
	}
	if code, body := root.call("POST", "/v1/rules", `{"ptype":"p","values":["dave","/reports","GET","allow"]}`); code != 200 {
		t.Fatalf("grant: %d %s", code, body)
	}
	if !root.allowed("dave", "/reports", "GET") {
		t.Error("grant not in force")
	}
	if code, _ := (apiClient{t, base, serveToken(t, "carol")}).call("GET", "/v1/rules", ""); code != http.StatusForbidden {
		t.Errorf("carol lists rules: %d", code)
	}
	_, metrics := (apiClient{t: t, base: base}).call("GET", "/metrics", "")
	for _, want := range []string{`warden_decisions_total{result="allow"} 2`, `warden_policy_rules{ptype="p",scope="policy"} 10`,
		`warden_policy_changes_total{action="grant",outcome="ok",scope="policy"} 1`,
		// The policy seed, the admin seed, --admin root and the grant.
		`warden_audit_chain_head_seq{table="audit_log"} 4`, `warden_audit_chain_head_up{table="audit_log"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(stderr.String(), "audit chain head") {
		t.Error("serve did not log the audit chain head")
	}
	// … and after the grant, at its sequence number.
	if !regexp.MustCompile(`audit chain head.*seq.{1,3}4\b`).MatchString(stderr.String()) {
		t.Errorf("no audit chain head line for the grant (seq 4):\n%s", stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d: %s", code, stderr.String())
	}
	// The grant is in the database, for the next start and for `warden list`.
	var lst strings.Builder
	if code := run([]string{"list", "--db", db.DSN, "--model", confModel, "--ptype", "p"}, &lst, io.Discard); code != 0 ||
		!strings.Contains(lst.String(), "p, dave, /reports, GET, allow") {
		t.Errorf("list after serve: %d %s", code, lst.String())
	}
}

func TestServeConfigErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--db", "sqlite://x.db"}, "no key to verify tokens"},
		{[]string{"--jwt-secret", serveSecret, "--groups-timeout", "soon"}, "--groups-timeout"},
		{[]string{"--jwt-secret", serveSecret, "--model", "/nonexistent/model.conf", "--db", "sqlite://" + filepath.Join(t.TempDir(), "w.db")}, "/nonexistent/model.conf"},
		{[]string{"--jwt-secret", serveSecret, "extra"}, "unexpected arguments"},
		// Issue 10 item 4: the default source is claims, which is per token.
		{[]string{"--jwt-secret", serveSecret, "--permissions-cache-ttl", "60s"}, "permissions-cache-ttl: the claims source is never cached"},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		t.Setenv("WARDEN_JWT_SECRET", "")
		if code := runServe(context.Background(), tt.args, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// launch starts the built binary with args and returns its base URL; the
// process is stopped with SIGINT when the test ends. It reports failure as
// an error, so any goroutine may call it.
func launch(t *testing.T, bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "WARDEN_JWT_SECRET="+serveSecret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr lockedBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			var keep []string
			for _, l := range strings.Split(stderr.String(), "\n") {
				if !strings.Contains(l, `"msg":"authorization guard"`) {
					keep = append(keep, l)
				}
			}
			t.Logf("%s stderr (guard lines left out):\n%s", args, tail(strings.Join(keep, "\n"), 6000))
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, a, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case a := <-addr:
		return a, nil
	case <-exited:
		return "", fmt.Errorf("warden %v exited before listening:\n%s", args, tail(stderr.String(), 4000))
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("warden %v did not listen within a minute:\n%s", args, tail(stderr.String(), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestServeReloadInterval: on SQLite there is no NOTIFY, so a grant made
// with `warden grant` reaches a running server through --reload-interval.
func TestServeReloadInterval(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root", "--reload-interval", "50ms"}, out, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	}()
	var base string
	select {
	case base = <-out.addr:
	case code := <-done:
		done <- code
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	c := apiClient{t, base, serveToken(t, "root")}
	if c.allowed("zed", "/posts", "GET") {
		t.Fatal("zed allowed before the grant")
	}
	var o, e strings.Builder
	if code := run([]string{"grant", "--db", db.DSN, "--model", confModel, "g", "zed", "viewer"}, &o, &e); code != 0 {
		t.Fatalf("grant: %d %s", code, e.String())
	}
	eventually(t, "the server allows zed after the CLI grant", func() bool { return c.allowed("zed", "/posts", "GET") })
}

// startServe runs `warden serve` in-process with args until the test ends
// and returns its base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, args, out, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	})
	select {
	case base := <-out.addr:
		return base
	case code := <-done:
		done <- code
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	return ""
}

// TestServeRedisWatcher: two servers on one SQLite file stay in step
// through Redis pub/sub, for API and command-line changes alike.
func TestServeRedisWatcher(t *testing.T) {
	redisAddr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if redisAddr == "" {
		t.Skip("Redis watcher test skipped: set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	db := dbtest.SQLite(t)
	channel := dbtest.Unique()
	args := []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
		"--jwt-secret", serveSecret, "--admin", "root", "--redis-watcher", redisAddr, "--channel", channel}
	a := apiClient{t, startServe(t, args...), serveToken(t, "root")}
	b := apiClient{t, startServe(t, args...), serveToken(t, "root")}
	if code, body := a.call("POST", "/v1/groups", `{"member":"quinn","role":"editor"}`); code != 200 {
		t.Fatalf("grant on A: %d %s", code, body)
	}
	eventually(t, "B allows quinn after A's grant", func() bool { return b.allowed("quinn", "/posts/1", "PUT") })
	var o, e strings.Builder
	if code := run([]string{"revoke", "--db", db.DSN, "--model", confModel, "--redis-watcher", redisAddr, "--channel", channel,
		"g", "quinn", "editor"}, &o, &e); code != 0 {
		t.Fatalf("revoke: %d %s", code, e.String())
	}
	for name, c := range map[string]apiClient{"A": a, "B": b} {
		eventually(t, name+" denies quinn after the CLI revoke", func() bool { return !c.allowed("quinn", "/posts/1", "PUT") })
	}
}
