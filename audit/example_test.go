package audit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
)

// Record a grant, then read the log back. The table refuses to be edited.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)
	db, _ := config.OpenDB("sqlite://" + filepath.Join(dir, "audit.db"))
	l, err := audit.New(ctx, db, audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		fmt.Println(err)
		return
	}
	rule := [][]string{{"g", "alice", "editor"}}
	_, _ = l.Record(ctx, audit.Entry{Actor: "ops", Action: audit.ActionGrant, Scope: "policy", Source: "api",
		Rules: audit.EncodeRules(rule), Before: audit.EncodeRules(nil), After: audit.EncodeRules(rule), Changed: 1})

	entries, _ := l.List(ctx, audit.Query{})
	for _, e := range entries {
		fmt.Println(e.ID, e.Actor, e.Action, e.Before, "->", e.After)
	}
	err = db.Exec("UPDATE audit_log SET actor = 'mallory'").Error
	fmt.Println("update refused:", err != nil)
	// Output:
	// 1 ops grant [] -> [["g","alice","editor"]]
	// update refused: true
}

// Verify the hash chain, then rewrite an entry the way the table's owner
// could (dropping the trigger first): Verify names it.
func ExampleLog_Verify() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "audit-verify-example")
	defer os.RemoveAll(dir)
	db, _ := config.OpenDB("sqlite://" + filepath.Join(dir, "audit.db"))
	l, err := audit.New(ctx, db, audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, actor := range []string{"ops", "root"} {
		_, _ = l.Record(ctx, audit.Entry{Actor: actor, Action: audit.ActionGrant, Scope: "policy", Source: "cli",
			Rules: "[]", Before: "[]", After: "[]"})
	}
	rep, err := l.Verify(ctx, audit.VerifyOptions{})
	fmt.Println(rep.Entries, rep.Head.Seq, err)

	_ = db.Exec(`DROP TRIGGER audit_log_no_update`).Error
	_ = db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`).Error
	_, err = l.Verify(ctx, audit.VerifyOptions{})
	fmt.Println(err)
	// Output:
	// 2 2 <nil>
	// audit: entry seq 1 (id 1) altered: its content does not match its hash
}
