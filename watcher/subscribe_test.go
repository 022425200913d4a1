package watcher_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

// Subscribe: every subscriber hears every hint, after the update callback
// and in the order of subscription; one that panics, or a panicking
// callback, keeps no other from it; a cancelled one hears nothing more.
// On real Redis.
func TestSubscribersEachHearEveryHint(t *testing.T) {
	addr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("WARDEN_TEST_REDIS_ADDR is not set: run with WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	channel := "subscribe_" + time.Now().Format("150405.000000000")
	open := func(id string) *watcher.Watcher {
		w, err := rediswatcher.New(ctx, addr, watcher.WithChannel(channel), watcher.WithInstanceID(id), watcher.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		return w
	}
	pub, sub := open("pub"), open("sub")

	var (
		mu    sync.Mutex
		order []string
	)
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	done := make(chan struct{}, 16)
	if err := sub.SetUpdateCallback(func(string) { note("callback"); panic("callback") }); err != nil {
		t.Fatal(err)
	}
	sub.Subscribe(func(string) { note("first"); panic("first") })
	stop := sub.Subscribe(func(string) { note("cancelled") })
	sub.Subscribe(func(string) {
		note("last")
		done <- struct{}{}
	})
	stop()
	stop() // idempotent

	for round := range 2 {
		mu.Lock()
		before := len(order)
		mu.Unlock()
		if err := pub.Update(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("round %d: the last subscriber heard nothing", round)
		}
		mu.Lock()
		got := append([]string(nil), order[before:]...)
		mu.Unlock()
		// A reconnection hint may come first; what matters is each hint's order.
		want := []string{"callback", "first", "last"}
		if len(got)%3 != 0 || len(got) == 0 {
			t.Fatalf("round %d: deliveries %v, want repeats of %v", round, got, want)
		}
		for i, g := range got {
			if g != want[i%3] {
				t.Fatalf("round %d: deliveries %v, want repeats of %v", round, got, want)
			}
		}
	}
}
