package main

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// A cut Redis subscription makes /readyz not ready, naming the watcher
// check and no address, and warden_watcher_connected 0; after the cut
// heals both recover. The database stays reachable, so the sync checks
// pass throughout: the poll keeps the instance in step.
func TestServeReadinessFollowsTheSubscription(t *testing.T) {
	redisAddr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if redisAddr == "" {
		t.Skip("set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	proxy, err := tcpproxy.Start(redisAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	db := dbtest.SQLite(t)
	channel := dbtest.Unique()
	base := startServe(t, "--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
		"--jwt-secret", serveSecret, "--admin", "root", "--redis-watcher", proxy.Addr(), "--channel", channel,
		// A long poll interval: sync_policy must stay ok through the cut,
		// and with 100ms one stall of 300ms on a loaded machine failed it.
		// Nothing here waits for a poll; the watcher reconnects by itself.
		"--sync-interval", "20s")
	c := apiClient{t: t, base: base}
	connected := func(v string) bool {
		_, m := c.call("GET", "/metrics", "")
		return strings.Contains(m, `warden_watcher_connected{channel="`+channel+`"} `+v)
	}
	eventually(t, "ready before the cut", func() bool { code, _ := c.call("GET", "/readyz", ""); return code == 200 })
	if !connected("1") {
		t.Fatal("warden_watcher_connected is not 1 before the cut")
	}
	proxy.Cut()
	var body string
	eventually(t, "both subscriptions reported down", func() bool {
		var code int
		code, body = c.call("GET", "/readyz", "")
		return code == 503 && strings.Contains(body, `"watcher_policy":"fail"`) && strings.Contains(body, `"watcher_admin":"fail"`)
	})
	if !strings.Contains(body, `"sync_policy":"ok"`) ||
		strings.Contains(body, proxy.Addr()) || strings.Contains(body, "127.0.0.1") {
		t.Fatalf("/readyz during the cut: %s; want watcher_policy failing, sync_policy ok, no address", body)
	}
	if !connected("0") {
		t.Fatal("warden_watcher_connected is not 0 while /readyz reports the subscription down")
	}
	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ready after the cut heals", func() bool { code, _ := c.call("GET", "/readyz", ""); return code == 200 })
	if !connected("1") {
		t.Fatal("warden_watcher_connected is not 1 after the reconnection")
	}
	_, m := c.call("GET", "/metrics", "")
	for _, want := range []string{`warden_sync_lag_seconds{scope="policy"}`, `warden_sync_applied_revision{scope="admin"}`,
		`warden_sync_store_revision{scope="policy"}`, `warden_sync_last_success_timestamp_seconds{scope="policy"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A database that stops answering makes sync_<scope> fail once the last
// successful read of the log is older than three intervals.
func TestServeReadinessFollowsTheStore(t *testing.T) {
	if os.Getenv(dbtest.PostgresEnv) == "" {
		t.Skipf("set %s to run it", dbtest.PostgresEnv)
	}
	db := dbtest.Postgres(t)
	proxy, err := tcpproxy.Start(hostPort(t, db.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	base := startServe(t, "--addr", "127.0.0.1:0", "--db", withHostPort(t, db.DSN, proxy.Addr()), "--model", confModel,
		"--seed", confPolicy, "--jwt-secret", serveSecret, "--admin", "root", "--channel", dbtest.Unique(), "--sync-interval", "100ms")
	c := apiClient{t: t, base: base}
	eventually(t, "ready before the cut", func() bool { code, _ := c.call("GET", "/readyz", ""); return code == 200 })
	proxy.Cut()
	var body string
	eventually(t, "sync_policy fails during the cut", func() bool {
		_, body = c.call("GET", "/readyz", "")
		return strings.Contains(body, `"sync_policy":"fail"`)
	})
	if strings.Contains(body, proxy.Addr()) || strings.Contains(body, "127.0.0.1") || strings.Contains(body, "dial") {
		t.Fatalf("/readyz names an address or an error: %s", body)
	}
	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ready after the cut heals", func() bool { code, _ := c.call("GET", "/readyz", ""); return code == 200 })
}

func hostPort(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func withHostPort(t *testing.T, dsn, host string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}
