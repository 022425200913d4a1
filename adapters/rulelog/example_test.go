package rulelog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
)

// Two enforcers share one store: a grant on one is written with its log row
// under a revision, and the other reads it from the log.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rulelog")
	defer os.RemoveAll(dir)
	db, err := config.OpenDB("sqlite://" + filepath.Join(dir, "policy.db"))
	if err != nil {
		panic(err)
	}
	m, _ := enforcer.ParseModel(rbac)
	st, err := rulelog.New(ctx, db)
	if err != nil {
		panic(err)
	}
	a, _ := enforcer.New(ctx, m, st)
	b, _ := enforcer.New(ctx, m, st)

	n, err := a.AddRules(ctx, enforcer.P("alice", "doc", "read"))
	fmt.Println("added:", n, err, "revision:", a.SyncStatus().Applied)
	ok, _ := b.Enforce(ctx, "alice", "doc", "read")
	fmt.Println("b before reading the log:", ok)
	_ = b.CatchUp(ctx)
	ok, _ = b.Enforce(ctx, "alice", "doc", "read")
	fmt.Println("b after:", ok, "revision:", b.SyncStatus().Applied)
	// Output:
	// added: 1 <nil> revision: 1
	// b before reading the log: false
	// b after: true revision: 1
}
