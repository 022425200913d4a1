package rulelog_test

import (
	"context"
	"errors"
	"testing"

	casbin "github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestCasbinEvaluationFollowsTheLog: an enforcer that decides through
// Casbin's own enforcer (the fallback for models the index cannot serve)
// follows the log the same way.
func TestCasbinEvaluationFollowsTheLog(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	s := newStore(t, db.DB)
	writer := newEnforcer(t, s, enforcer.WithCasbinEvaluation())
	reader := newEnforcer(t, newStore(t, reopen(t, db)), enforcer.WithCasbinEvaluation())
	if _, err := writer.AddRules(ctx, enforcer.P("editor", "d", "write"), enforcer.G("ann", "editor")); err != nil {
		t.Fatal(err)
	}
	if !allowed(t, writer, "ann", "d", "write") {
		t.Fatal("the writer does not follow its own change")
	}
	if err := reader.CatchUp(ctx); err != nil || !allowed(t, reader, "ann", "d", "write") {
		t.Fatalf("the reader did not follow the log: %v", err)
	}
	if _, err := writer.RemoveRules(ctx, enforcer.G("ann", "editor")); err != nil {
		t.Fatal(err)
	}
	if err := reader.CatchUp(ctx); err != nil || allowed(t, reader, "ann", "d", "write") {
		t.Fatalf("the reader did not follow the revoke: %v", err)
	}
}

// TestCasbinAutoSaveIsLogged: a plain Casbin enforcer with auto-save on the
// Store writes through the log (AddPolicy, RemoveFilteredPolicy), so Warden
// enforcers follow it; SavePolicy replaces everything and marks the log
// pruned, so that followers reload.
func TestCasbinAutoSaveIsLogged(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			s := newStore(t, db.DB)
			follower := newEnforcer(t, newStore(t, reopen(t, db)))
			ce, err := casbin.NewEnforcer(rbacModel(t), s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ce.AddPolicy("bo", "d", "read"); err != nil {
				t.Fatal(err)
			}
			if _, err := ce.AddPolicy("bo", "e", "read"); err != nil {
				t.Fatal(err)
			}
			if err := follower.CatchUp(ctx); err != nil || !allowed(t, follower, "bo", "e", "read") {
				t.Fatalf("follower after Casbin's AddPolicy: %v", err)
			}
			if _, err := ce.RemoveFilteredPolicy(1, "e"); err != nil {
				t.Fatal(err)
			}
			if err := follower.CatchUp(ctx); err != nil || allowed(t, follower, "bo", "e", "read") || !allowed(t, follower, "bo", "d", "read") {
				t.Fatalf("follower after RemoveFilteredPolicy: %v", err)
			}
			// SavePolicy replaces the table with Casbin's memory: only cy.
			ce.ClearPolicy()
			ce.EnableAutoSave(false)
			if _, err := ce.AddPolicy("cy", "d", "read"); err != nil {
				t.Fatal(err)
			}
			if err := ce.SavePolicy(); err != nil {
				t.Fatal(err)
			}
			h, _ := s.Head(ctx)
			if _, err := s.Since(ctx, h-1, 10); !errors.Is(err, enforcer.ErrLogGap) {
				t.Fatalf("Since before SavePolicy's revision = %v, want ErrLogGap", err)
			}
			if err := follower.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if allowed(t, follower, "bo", "d", "read") || !allowed(t, follower, "cy", "d", "read") {
				t.Fatal("follower did not reload after SavePolicy")
			}
			if st := follower.SyncStatus(); st.Applied != h {
				t.Fatalf("follower at %d, head %d", st.Applied, h)
			}
		})
	}
}
