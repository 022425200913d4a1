package main

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
)

// eventually polls cond until it holds or the bound passes. The bound is
// generous: it guards against a hang, it does not measure speed (the
// watcher's benchmarks do).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTwoServersAgreeOnPostgres builds the binary, starts two `warden
// serve` processes on one PostgreSQL schema and checks that a change made
// through either's API, or with `warden grant`, is decided the same way by
// the other.
func TestTwoServersAgreeOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two servers; run without -short")
	}
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("end-to-end test skipped: set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run two warden serve processes against PostgreSQL", dbtest.PostgresEnv)
	}
	db := dbtest.Postgres(t)
	bin := filepath.Join(t.TempDir(), "warden")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	channel := dbtest.Unique()
	// B reaches PostgreSQL through a proxy, so that the test can cut it
	// off (its pool and its LISTEN connections alike) for as long as it
	// likes, and reconnect it only when it chooses.
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.Addr()
	dsn := map[string]string{"A": db.DSN, "B": u.String()}
	args := func(name string) []string {
		return []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn[name],
			"--model", confModel, "--seed", confPolicy, "--channel", channel, "--admin", "root"}
	}
	// Both start at once on an empty schema: the setup lock makes one
	// create and seed the tables while the other waits.
	type started struct {
		name, addr string
		err        error
	}
	addrs := make(chan started, 2)
	for _, name := range []string{"A", "B"} {
		go func() {
			a, err := launch(t, bin, args(name)...)
			addrs <- started{name, a, err}
		}()
	}
	bases := map[string]string{}
	for range 2 {
		s := <-addrs
		if s.err != nil {
			t.Fatal(s.err)
		}
		bases[s.name] = s.addr
	}
	a := apiClient{t, bases["A"], serveToken(t, "root")}
	b := apiClient{t, bases["B"], serveToken(t, "root")}

	if a.allowed("dave", "/reports", "GET") || b.allowed("dave", "/reports", "GET") {
		t.Fatal("dave allowed before the grant")
	}
	if code, body := a.call("POST", "/v1/rules", `{"ptype":"p","values":["dave","/reports","GET","allow"]}`); code != 200 {
		t.Fatalf("grant on A: %d %s", code, body)
	}
	eventually(t, "B allows dave after A's grant", func() bool { return b.allowed("dave", "/reports", "GET") })

	if code, body := b.call("DELETE", "/v1/rules", `{"ptype":"p","values":["dave","/reports","GET","allow"]}`); code != 200 {
		t.Fatalf("revoke on B: %d %s", code, body)
	}
	eventually(t, "A denies dave after B's revoke", func() bool { return !a.allowed("dave", "/reports", "GET") })

	// Group changes and the admin policy travel too.
	if code, body := a.call("POST", "/v1/groups?scope=admin", `{"member":"ops","role":"warden-admin"}`); code != 200 {
		t.Fatalf("admin grant on A: %d %s", code, body)
	}
	ops := apiClient{t, b.base, serveToken(t, "ops")}
	eventually(t, "B lets ops manage after A's admin grant", func() bool { code, _ := ops.call("GET", "/v1/rules", ""); return code == 200 })

	// A grant from the command line reaches both running servers.
	out, err := exec.Command(bin, "grant", "--db", db.DSN, "--model", confModel, "--channel", channel, "g", "erin", "editor").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "granted: g, erin, editor") {
		t.Fatalf("warden grant: %v %s", err, out)
	}
	for name, c := range map[string]apiClient{"A": a, "B": b} {
		eventually(t, name+" allows erin after the CLI grant", func() bool { return c.allowed("erin", "/posts/1", "PUT") })
	}

	// B is cut off the database (its LISTEN connections too) until A's
	// grant is committed and announced: B cannot receive that NOTIFY, and
	// learns of the grant only by the full reload that follows its
	// reconnection.
	proxy.Cut()
	if code, body := a.call("POST", "/v1/groups", `{"member":"frank","role":"admin"}`); code != 200 {
		t.Fatalf("grant on A during B's cut: %d %s", code, body)
	}
	if b.allowed("frank", "/users/1", "PATCH") {
		t.Fatal("B allows frank while cut off: it cannot have heard of the grant")
	}
	proxy.Restore()
	eventually(t, "B allows frank after its reconnection", func() bool { return b.allowed("frank", "/users/1", "PATCH") })
	eventually(t, "B counts its reconnection", func() bool {
		_, m := (apiClient{t: t, base: b.base}).call("GET", "/metrics", "")
		return strings.Contains(m, "warden_watcher_reconnects_total{channel=\""+channel+"\"}")
	})

	// B counted A's hints.
	_, metrics := (apiClient{t: t, base: b.base}).call("GET", "/metrics", "")
	if !strings.Contains(metrics, "warden_watcher_events_total{channel=\""+channel+"\",kind=\"received\"}") {
		t.Errorf("B's metrics lack the hints received on %s", channel)
	}
	for _, ch := range []string{channel, channel + "_admin"} {
		if !strings.Contains(metrics, "warden_watcher_connected{channel=\""+ch+"\"} 1") {
			t.Errorf("B's metrics do not show the watcher of %s connected", ch)
		}
	}
}
