package rediswatcher

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/watcher/internal/watchertest"
)

// Ping waits for its PONG and keeps the messages that arrive before it for
// Receive; on a frozen connection it fails within its context, so that a
// liveness check proves what it reports.
func TestPingWaitsForPong(t *testing.T) {
	addr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	proxy, err := tcpproxy.Start(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	client := redis.NewClient(&redis.Options{Addr: proxy.Addr()})
	defer client.Close()
	pub := redis.NewClient(&redis.Options{Addr: addr})
	defer pub.Close()
	tr := &transport{client: client}
	ctx, cancel := context.WithTimeout(context.Background(), watchertest.Wait)
	defer cancel()
	ch := watchertest.Unique("wt_")
	sub, err := tr.Subscribe(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	// Published (and acknowledged) before the PING is sent: it reaches the
	// subscription before the PONG.
	if err := pub.Publish(ctx, ch, "before-pong").Err(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Ping(ctx); err != nil {
		t.Fatalf("Ping on a live connection: %v", err)
	}
	if got, err := sub.Receive(ctx); err != nil || got != "before-pong" {
		t.Fatalf("Receive after Ping = %q, %v; want the message read while waiting for the PONG", got, err)
	}

	proxy.Freeze()
	pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer pcancel()
	if err := sub.Ping(pctx); err == nil {
		t.Fatal("Ping succeeded on a frozen connection")
	}
}
