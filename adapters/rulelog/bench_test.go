package rulelog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// BenchmarkApplyOneChange measures what another instance pays to follow one
// change: CatchUp reads the log after its revision (one indexed query and
// the head) and applies the change under the write lock, with a policy of
// 100k and 1M rules in memory. The writer's commit is not timed.
func BenchmarkApplyOneChange(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.SQLite(b)
			s := newStore(b, db.DB)
			fill(b, db, n)
			writer := newEnforcer(b, s)
			follower := newEnforcer(b, newStore(b, db.DB))
			if got := len(follower.Rules("p")); got != n {
				b.Fatalf("follower loaded %d rules, want %d", got, n)
			}
			r := enforcer.P("bench", "/obj", "read")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				var err error
				if i%2 == 0 {
					_, err = writer.AddRules(ctx, r)
				} else {
					_, err = writer.RemoveRules(ctx, r)
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := follower.CatchUp(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if st := follower.SyncStatus(); st.Applied != uint64(b.N) {
				b.Fatalf("follower at %d after %d changes", st.Applied, b.N)
			}
		})
	}
}

// fill inserts n p rules straight into the rule table, in batches.
func fill(b *testing.B, db dbtest.DB, n int) {
	b.Helper()
	const batch = 500
	tx := db.Begin()
	for i := 0; i < n; i += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + rulelog.DefaultTable + " (ptype, v0, v1, v2) VALUES ")
		for j := i; j < min(i+batch, n); j++ {
			if j > i {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "('p', 'user%d', '/obj/%d', 'read')", j, j%1000)
		}
		if err := tx.Exec(sb.String()).Error; err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		b.Fatal(err)
	}
}
