package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sql-provider:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sql-provider", flag.ContinueOnError)
	dbPath := fs.String("db", filepath.Join(os.TempDir(), "warden-sql-provider.db"), "SQLite database file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := gorm.Open(sqlite.Open("file:"+*dbPath+"?_pragma=busy_timeout(5000)"),
		&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()

	store, err := sqlstore.New(db)
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	// Seed the tables. Grants are idempotent, so a second run changes
	// nothing.
	for _, g := range [][2]string{{"alice", "editors"}, {"bob", "viewers"}} {
		if err := store.GrantGroup(ctx, g[0], g[1]); err != nil {
			return err
		}
	}
	for _, p := range [][2]string{
		{"viewers", "posts:read"},
		{"editors", "posts:*"},
		{"alice", "!posts:delete"}, // alice may do anything to posts but delete them
	} {
		if err := store.GrantPermission(ctx, p[0], p[1]); err != nil {
			return err
		}
	}

	m, err := models.Load(models.Permissions)
	if err != nil {
		return err
	}
	e, err := enforcer.New(ctx, m, store)
	if err != nil {
		return err
	}
	check := func(sub, perm string) {
		ok, err := e.Enforce(ctx, sub, perm)
		verdict := "deny"
		if err == nil && ok {
			verdict = "allow"
		}
		fmt.Fprintf(out, "%-5s %-13s %s\n", sub, perm, verdict)
	}
	fmt.Fprintln(out, "# policy loaded from the tables")
	check("alice", "posts:write")
	check("alice", "posts:delete")
	check("bob", "posts:read")
	check("bob", "posts:write")
	check("carol", "posts:read")

	fmt.Fprintln(out, "# carol joins viewers through the enforcer; the row is written to authz_groups")
	if _, err := e.AddRules(ctx, enforcer.G("carol", "viewers")); err != nil {
		return err
	}
	check("carol", "posts:read")
	direct, err := store.ListGroups(ctx, "carol")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "authz_groups for carol: %s\n", strings.Join(direct, ","))

	fmt.Fprintln(out, "# per-caller lookups, cached by identity")
	groups, err := cache.Wrap(warden.ProviderFunc(store.Groups), cache.WithTTL(30*time.Second))
	if err != nil {
		return err
	}
	for _, id := range []string{"alice", "bob", "Alice"} {
		g, err := groups.Fetch(ctx, &warden.Token{Identity: id})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "groups of %q: [%s]\n", id, strings.Join(g, ","))
	}

	// Leave the database as it was found, so the demo can run again.
	if _, err := e.RemoveRules(ctx, enforcer.G("carol", "viewers")); err != nil {
		return err
	}
	return nil
}
