package rulelog_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// reopen opens db's database with a pool of its own, as another process
// would.
func reopen(t testing.TB, db dbtest.DB) *gorm.DB {
	t.Helper()
	dsn := db.DSN
	if strings.HasPrefix(dsn, "sqlite://") && !strings.Contains(dsn, "?") {
		// SQLite serialises writers: under a loaded machine a writer may
		// wait for the lock longer than OpenDB's default 5 s, which is a
		// property of the machine, not of what these tests check.
		dsn += "?_pragma=busy_timeout(60000)"
	}
	g, err := config.OpenDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	return g
}

// TestConcurrentWritersGapFree: two enforcers, each on its own connection
// pool, grant and revoke from several goroutines at once while a reader
// follows the log. Every revision from 1 to the head exists, the reader
// sees them in order with no gap at any moment, and at the end both
// writers' memory and the reader's equal the rule table.
func TestConcurrentWritersGapFree(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			// Writers wait for each other's locks: the store's 5 s limit
			// on one write is for production, where a stuck write must fail;
			// here only order and completeness are checked.
			slow := rulelog.WithTimeout(time.Minute)
			sa, sb := newStore(t, reopen(t, db), slow), newStore(t, reopen(t, db), slow)
			ea, eb := newEnforcer(t, sa), newEnforcer(t, sb)
			const workers, each = 3, 12
			var writes sync.WaitGroup
			changed := make(chan int, 4*workers*each) // a grant and at most one revoke each
			for wi, e := range []*enforcer.Enforcer{ea, eb, ea, eb, ea, eb}[:2*workers] {
				writes.Add(1)
				go func() {
					defer writes.Done()
					for i := range each {
						// Each worker grants its own rules and revokes every
						// third one it granted, and everyone also races on
						// one shared rule.
						r := enforcer.P(fmt.Sprintf("u%d-%d", wi, i), "d", "read")
						n, err := e.AddRules(ctx, r, enforcer.P("shared", "d", "read"))
						if err != nil {
							t.Error(err)
							return
						}
						changed <- n
						if i%3 == 0 {
							n, err := e.RemoveRules(ctx, r, enforcer.P("shared", "d", "read"))
							if err != nil {
								t.Error(err)
								return
							}
							changed <- n
						}
					}
				}()
			}
			done := make(chan struct{})
			go func() { writes.Wait(); close(done) }()
			reader := newStore(t, reopen(t, db))
			var applied uint64
			for finished := false; ; {
				select {
				case <-done:
					finished = true
				default:
				}
				ents, err := reader.Since(ctx, applied, 7)
				if err != nil {
					t.Fatal(err)
				}
				for _, le := range ents {
					if le.Revision != applied && le.Revision != applied+1 {
						t.Fatalf("revision %d follows %d: a gap", le.Revision, applied)
					}
					applied = le.Revision
				}
				if finished && len(ents) == 0 {
					break
				}
			}
			close(changed)
			revs := 0
			for n := range changed {
				if n > 0 {
					revs++
				}
			}
			if h, err := reader.Head(ctx); err != nil || h != applied || int(h) != revs {
				t.Fatalf("head %d (%v), reader at %d, %d writes changed something", h, err, applied, revs)
			}
			fresh := newEnforcer(t, reader)
			want := fresh.Rules("p")
			for name, e := range map[string]*enforcer.Enforcer{"a": ea, "b": eb} {
				if err := e.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
				if got := e.Rules("p"); !sameRules(got, want) {
					t.Fatalf("enforcer %s holds %d rules, the table %d", name, len(got), len(want))
				}
				if st := e.SyncStatus(); st.Applied != applied {
					t.Fatalf("enforcer %s at revision %d, head %d", name, st.Applied, applied)
				}
			}
		})
	}
}

func sameRules(a, b []enforcer.Rule) bool {
	key := func(r enforcer.Rule) string { return fmt.Sprint(r.PType, r.Values) }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
