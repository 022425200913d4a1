package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// TestServeReadyzShowsNoAddress is issue 10 item 15: with the Redis of a
// groups source gone, the unauthenticated /readyz says which check failed
// by a generic name, and only the log says where and why.
func TestServeReadyzShowsNoAddress(t *testing.T) {
	redisAddr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if redisAddr == "" {
		t.Skip("Redis test skipped: set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	proxy, err := tcpproxy.Start(redisAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	db := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root", "--groups-provider", "claims,redis",
			"--groups-redis-addr", proxy.Addr(), "--groups-redis-prefix", dbtest.Unique() + ":"}, out, &stderr)
	}()
	t.Cleanup(func() { cancel(); <-done })
	var base string
	select {
	case base = <-out.addr:
	case code := <-done:
		done <- code
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	anon := apiClient{t: t, base: base}
	if code, body := anon.call("GET", "/readyz", ""); code != 200 || !strings.Contains(body, `"redis":"ok"`) {
		t.Fatalf("readyz with Redis up: %d %s", code, body)
	}
	proxy.Cut()
	code, body := anon.call("GET", "/readyz", "")
	if code != 503 || !strings.Contains(body, `"redis":"fail"`) {
		t.Fatalf("readyz with Redis down: %d %s", code, body)
	}
	_, port, _ := strings.Cut(proxy.Addr(), ":")
	for _, leak := range []string{proxy.Addr(), port, "127.0.0.1", "refused", "dial"} {
		if strings.Contains(body, leak) {
			t.Errorf("readyz shows %q: %s", leak, body)
		}
	}
	if logs := stderr.String(); !strings.Contains(logs, proxy.Addr()) {
		t.Errorf("the log does not say where the failed check points: %s", logs)
	}
}
