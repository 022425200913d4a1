package pgwatcher_test

import (
	"context"
	"log"
	"log/slog"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
)

// Each instance of a service loads the policy from the shared table and
// listens for the other instances' changes on the same database.
func Example() {
	ctx := context.Background()
	dsn := "postgres://warden@db:5432/app?application_name=orders-api"

	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	a, err := gormadapter.NewAdapterByDBUseTableName(db, "", "casbin_rule")
	if err != nil {
		log.Fatal(err)
	}
	m, err := enforcer.LoadModel("model.conf")
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, a)
	if err != nil {
		log.Fatal(err)
	}

	w, err := pgwatcher.New(ctx, dsn,
		watcher.WithChannel("warden_policy_orders"),
		watcher.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err) // wraps watcher.ErrUnavailable when the database is unreachable
	}
	defer w.Close()
	if err := e.SetWatcher(w); err != nil {
		log.Fatal(err)
	}
	// Apply single added/removed rules instead of reloading everything.
	if err := w.SetUpdateCallback(policysync.Callback(e)); err != nil {
		log.Fatal(err)
	}

	// Persisted, then announced: the other instances allow it within
	// milliseconds.
	if _, err := e.AddRules(ctx, enforcer.P("alice", "/orders", "GET")); err != nil {
		log.Fatal(err)
	}
}
