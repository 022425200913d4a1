package rediswatcher_test

import (
	"context"
	"errors"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

// An instance whose policy lives in a store that cannot notify (MariaDB,
// SQLite) announces its changes through the application's Redis client.
func ExampleNewFromClient() {
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "model.conf", "policy.csv")
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ClientName: "orders-api"})
	defer rdb.Close()

	w, err := rediswatcher.NewFromClient(ctx, rdb, watcher.WithChannel("warden_policy_orders"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close() // leaves rdb open
	if err := e.SetWatcher(w); err != nil {
		log.Fatal(err)
	}

	// Tools that edit the store directly tell the instances to reload.
	if err := w.Update(); errors.Is(err, watcher.ErrUnavailable) {
		log.Print("Redis is down: instances will reload when they reconnect")
	}
}
