package rulelog_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestGrantCountsWhatTheStoreDid: a MySQL/MariaDB DSN with
// clientFoundRows=true makes the server count rows an upsert found, not
// those it changed. A grant of a rule the table already holds must still
// report no change (no revision, no change-log row, no "changed: 1" in
// the audit), whatever the connection's flags.
func TestGrantCountsWhatTheStoreDid(t *testing.T) {
	db := dbtest.MySQL(t)
	g, err := config.OpenDB(db.DSN + "?clientFoundRows=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	s := newStore(t, g)
	ctx := context.Background()
	r := enforcer.Rule{PType: "p", Values: []string{"alice", "/x", "GET"}}
	add := enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{r}}
	w, err := s.WriteChanges(ctx, add)
	if err != nil || w.Revision != 1 || len(w.Changed) != 1 {
		t.Fatalf("first grant = %+v, %v; want revision 1, one rule changed", w, err)
	}
	w, err = s.WriteChanges(ctx, add)
	if err != nil || w.Revision != 0 || len(w.Changed) != 0 {
		t.Fatalf("grant of a stored rule = %+v, %v; want nothing changed", w, err)
	}
	var n int64
	if err := g.Table(s.Table()).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("rule rows = %d, %v; want 1", n, err)
	}
}
