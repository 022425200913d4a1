package redisstore_test

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// This example needs a Redis server, so it is compiled but not run.
func Example() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	store := redisstore.New(rdb, redisstore.WithPrefix("warden:"))

	store.Add(ctx, redisstore.UserRoles, "alice", "editors")
	store.Add(ctx, redisstore.RolePermissions, "editors", "posts:*")

	perms, err := store.Permissions(ctx, &warden.Token{Identity: "alice"})
	fmt.Println(perms, err) // [posts:*] <nil>

	m, _ := models.Load(models.Permissions)
	e, err := enforcer.New(ctx, m, store) // loads every set with SCAN
	if err != nil {
		panic(err)
	}
	ok, _ := e.Enforce(ctx, "alice", "posts:write")
	fmt.Println(ok) // true
}
