package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

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

	store, err := sqlstore.New(db)
	if err != nil {
		panic(err)
	}
	if err := store.Migrate(ctx); err != nil {
		panic(err)
	}
	store.GrantGroup(ctx, "alice", "editors")
	store.GrantPermission(ctx, "editors", "posts:*")

	// Per caller: the provider methods.
	groups, _ := store.Groups(ctx, &adapters.Token{Identity: "alice"})
	fmt.Println("groups:", groups)

	// Whole policy: the store is the enforcer's Casbin adapter.
	m, _ := models.Load(models.Permissions)
	e, err := enforcer.New(ctx, m, store)
	if err != nil {
		panic(err)
	}
	ok, _ := e.Enforce(ctx, "alice", "posts:write")
	fmt.Println("alice posts:write:", ok)
	// Output:
	// groups: [editors]
	// alice posts:write: true
}
