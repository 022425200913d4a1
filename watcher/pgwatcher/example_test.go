package pgwatcher_test

import (
	"context"
	"log"
	"log/slog"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
)

// Each instance of a service keeps its policy in the shared casbin_rule
// table with its change log (rulelog), which sends the hint with NOTIFY in
// each change's own transaction; a follower reads the log on every hint
// and every two seconds. A message on the channel, whoever sent it, only
// causes a read of the store. (policysync's fleet tests run this setup on
// PostgreSQL and on MariaDB with Redis.)
func Example() {
	ctx := context.Background()
	dsn := "postgres://warden@db:5432/app?application_name=orders-api"
	const channel, instance = "warden_policy_orders", "orders-api-1"

	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	store, err := rulelog.New(ctx, db, rulelog.WithNotify(channel, instance))
	if err != nil {
		log.Fatal(err)
	}
	m, err := enforcer.LoadModel("model.conf")
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, store)
	if err != nil {
		log.Fatal(err)
	}

	w, err := pgwatcher.New(ctx, dsn, watcher.WithChannel(channel), watcher.WithInstanceID(instance),
		watcher.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err) // wraps watcher.ErrUnavailable when the database is unreachable
	}
	defer w.Close()
	f, err := policysync.New(e, policysync.WithWatcher(w), policysync.WithInterval(2*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = f.Run(ctx) }() // until ctx ends
	// Serve f.Ready and f.Subscribed as readiness checks.

	// Stored, logged and announced in one transaction: the other
	// instances allow it within milliseconds, or one interval at worst.
	if _, err := e.AddRules(ctx, enforcer.P("alice", "/orders", "GET")); err != nil {
		log.Fatal(err)
	}
}
