package rulelog_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// rebuilds counts the enforcer's log records saying it rebuilt its policy
// to give back the space of removed rules.
type rebuilds struct {
	mu sync.Mutex
	n  int
}

func (r *rebuilds) Enabled(context.Context, slog.Level) bool { return true }
func (r *rebuilds) Handle(_ context.Context, rec slog.Record) error {
	if strings.Contains(rec.Message, "space of removed rules") {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
	}
	return nil
}
func (r *rebuilds) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *rebuilds) WithGroup(string) slog.Handler      { return r }

func (r *rebuilds) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// TestCompactionFollowsTheLog: removals through the change log, by the
// writer (which follows its own revisions) and read by another instance
// (CatchUp), rebuild each one's policy once they leave more space behind
// than the rules hold; both then hold the store's policy, in its order.
func TestCompactionFollowsTheLog(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	var wlog, rlog rebuilds
	writer := newEnforcer(t, newStore(t, db.DB, slowWrites), enforcer.WithLogger(slog.New(&wlog)))
	reader := newEnforcer(t, newStore(t, reopen(t, db), slowWrites), enforcer.WithLogger(slog.New(&rlog)))
	var keep, churn []enforcer.Rule
	for i := range 6000 {
		churn = append(churn, enforcer.P(fmt.Sprintf("temp%d", i), "d", "read"))
		if i%100 == 0 {
			keep = append(keep, enforcer.P(fmt.Sprintf("keep%d", i), "d", "read"))
		}
	}
	for i := 0; i < len(churn); i += 1000 {
		batch := append(slices.Clone(churn[i:i+1000]), keep[i/100:i/100+10]...)
		if _, err := writer.AddRules(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
	if err := reader.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(churn); i += 1000 {
		if _, err := writer.RemoveRules(ctx, churn[i:i+1000]...); err != nil {
			t.Fatal(err)
		}
		if err := reader.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if wlog.count() == 0 || rlog.count() == 0 {
		t.Fatalf("rebuilds: writer %d, reader %d; want each at least one", wlog.count(), rlog.count())
	}
	loaded := newEnforcer(t, newStore(t, reopen(t, db), slowWrites))
	want := loaded.Rules("p")
	for name, e := range map[string]*enforcer.Enforcer{"writer": writer, "reader": reader} {
		if got := e.Rules("p"); !slices.EqualFunc(got, want, func(a, b enforcer.Rule) bool { return a.String() == b.String() }) {
			t.Fatalf("%s holds %d rules, the store %d: %v…", name, len(got), len(want), got[:min(3, len(got))])
		}
		if !allowed(t, e, "keep100", "d", "read") || allowed(t, e, "temp1", "d", "read") {
			t.Fatalf("%s decides on a policy the store does not hold", name)
		}
	}
}
