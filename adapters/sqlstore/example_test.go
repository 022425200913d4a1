package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// docs:begin sql

// setup creates the tables, grants alice the editors group and editors every
// posts permission, and loads the whole policy into an enforcer.
func setup(ctx context.Context, db *gorm.DB) (*sqlstore.Store, *enforcer.Enforcer, error) {
	store, err := sqlstore.New(db) // sqlstore.WithTables(g, p) to rename
	if err != nil {
		return nil, nil, err
	}
	if err := store.Migrate(ctx); err != nil { // CREATE TABLE IF NOT EXISTS ...
		return nil, nil, err
	}
	if err := store.GrantGroup(ctx, "alice", "editors"); err != nil { // idempotent
		return nil, nil, err
	}
	if err := store.GrantPermission(ctx, "editors", "posts:*"); err != nil {
		return nil, nil, err
	}
	m, err := models.Load(models.Permissions)
	if err != nil {
		return nil, nil, err
	}
	e, err := enforcer.New(ctx, m, store) // Store is a persist.Adapter
	return store, e, err
}

// docs:end sql

func Example() {
	dir, _ := os.MkdirTemp("", "sqlstore-example")
	defer os.RemoveAll(dir)
	db, err := gorm.Open(sqlite.Open("file:"+filepath.Join(dir, "authz.db")),
		&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		panic(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	ctx := context.Background()
	store, e, err := setup(ctx, db)
	if err != nil {
		panic(err)
	}

	// Per caller: the provider methods.
	groups, _ := store.Groups(ctx, &warden.Token{Identity: "alice"})
	fmt.Println("groups:", groups)

	// Whole policy: the store is the enforcer's Casbin adapter.
	ok, _ := e.Enforce(ctx, "alice", "posts:write")
	fmt.Println("alice posts:write:", ok)
	// Output:
	// groups: [editors]
	// alice posts:write: true
}
