package rediswatcher_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/internal/watchertest"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

const envAddr = "WARDEN_TEST_REDIS_ADDR"

// addr returns the test server's host:port or skips with how to provide one.
func addr(tb testing.TB) string {
	tb.Helper()
	a := os.Getenv(envAddr)
	if a == "" {
		tb.Skipf("%s is not set; run with %s=127.0.0.1:6379", envAddr, envAddr)
	}
	return a
}

func backend(tb testing.TB) watchertest.Backend {
	target := addr(tb)
	admin := func() *redis.Client { return redis.NewClient(&redis.Options{Addr: target}) }
	return watchertest.Backend{
		Target: target,
		Open: func(ctx context.Context, addr, name string, opts ...watcher.Option) (*watcher.Watcher, error) {
			return rediswatcher.New(ctx, "redis://"+addr+"/0?client_name="+name, opts...)
		},
		KillListener: func(ctx context.Context, name string) (int, error) {
			c := admin()
			defer c.Close()
			list, err := c.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()
			if err != nil {
				return 0, err
			}
			var n int
			for _, line := range strings.Split(list, "\n") {
				fields := map[string]string{}
				for _, kv := range strings.Fields(line) {
					k, v, _ := strings.Cut(kv, "=")
					fields[k] = v
				}
				if fields["name"] != name {
					continue
				}
				if err := c.Do(ctx, "CLIENT", "KILL", "ID", fields["id"]).Err(); err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		},
		PublishRaw: func(ctx context.Context, channel, payload string) error {
			c := admin()
			defer c.Close()
			return c.Publish(ctx, channel, payload).Err()
		},
	}
}

func TestConformance(t *testing.T) { watchertest.Run(t, backend(t)) }

func BenchmarkPropagation(b *testing.B) { watchertest.BenchmarkPropagation(b, backend(b)) }

// NewFromClient uses the application's client and leaves it open.
func TestNewFromClientLeavesClientOpen(t *testing.T) {
	target := addr(t)
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: target})
	defer client.Close()
	ch := watchertest.Unique("wt_")
	w, err := rediswatcher.NewFromClient(ctx, client, watcher.WithChannel(ch))
	if err != nil {
		t.Fatal(err)
	}
	r := backend(t).OpenInstance(t, target, ch)
	if err := w.Update(); err != nil {
		t.Fatal(err)
	}
	if m := r.Rec.Next(t); m.Instance != w.InstanceID() {
		t.Fatalf("received %+v; want the client watcher's message", m)
	}
	w.Close()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("client closed by the watcher: %v", err)
	}
	if _, err := rediswatcher.NewFromClient(ctx, nil); err == nil || errors.Is(err, watcher.ErrUnavailable) {
		t.Fatalf("nil client: err = %v; want a usage error", err)
	}
}

func TestBadURL(t *testing.T) {
	_, err := rediswatcher.New(context.Background(), "redis://127.0.0.1:6379/notanumber")
	if err == nil || !strings.Contains(err.Error(), "rediswatcher: parse URL") {
		t.Fatalf("err = %v; want a URL parse error", err)
	}
}
