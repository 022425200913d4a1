package rulelog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestCasbinSubjectCycleLogged: with a change log, AddRules writes through
// the store without the enforcer's write lock; a link that would close a
// cycle below a top role under subjectPriority, on which Casbin's loader
// loops for ever at the next load, is refused before it reaches the log,
// so another instance loading the store still loads.
func TestCasbinSubjectCycleLogged(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.SQLite(t)
	e := casbinOn(t, m, db.DB)
	if !e.SyncStatus().Logged {
		t.Fatal("no change log: not the case under test")
	}
	if _, err := e.AddRules(ctx, enforcer.G("a", "top"), enforcer.G("b", "a"), enforcer.P("b", "data", "read", "allow")); err != nil {
		t.Fatal(err)
	}
	_, err = e.AddRules(ctx, enforcer.G("a", "b"))
	if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
		t.Fatalf("AddRules closing the cycle: %v", err)
	}
	// Another instance loads the store (it would loop had the link been
	// written) and holds what was written before.
	other := casbinOn(t, m, db.DB)
	if got := other.Rules("g"); len(got) != 2 {
		t.Fatalf("stored links: %v", got)
	}
}

// TestCasbinSubjectCycleTwoWriters: two instances on one store each add
// one half of a cycle below a top role. The second one's memory has not
// caught up with the first one's link (neither polls, no watcher), so its
// own check sees no cycle; the check in the write's transaction, on the
// policy as it commits, refuses it. Without it the store held the cycle
// and no instance could load it again. Then both write their halves at
// the same time: exactly one commits.
func TestCasbinSubjectCycleTwoWriters(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			first := casbinOn(t, m, db.DB)
			if _, err := first.AddRules(ctx, enforcer.G("a", "top"), enforcer.P("b", "data", "read", "allow")); err != nil {
				t.Fatal(err)
			}
			second := casbinOn(t, m, db.DB)
			if _, err := first.AddRules(ctx, enforcer.G("b", "a")); err != nil {
				t.Fatal(err)
			}
			if second.Has("g", []string{"b", "a"}) {
				t.Fatal("the second instance caught up: not the case under test")
			}
			_, err = second.AddRules(ctx, enforcer.G("a", "b"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, a, b") {
				t.Fatalf("the second half of the cycle: %v", err)
			}
			// The store holds the first writer's links alone, and loads.
			third, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatalf("loading the store after both writes: %v", err)
			}
			if got := third.Rules("g"); len(got) != 2 {
				t.Fatalf("stored links: %v", got)
			}
			// A link that closes no cycle goes through the same check.
			if _, err := second.AddRules(ctx, enforcer.G("c", "b")); err != nil {
				t.Fatalf("a link closing no cycle: %v", err)
			}
			if !second.Has("g", []string{"b", "a"}) {
				t.Fatal("the second instance did not follow the log to its write")
			}
			// At the same time: of two halves written together, exactly one
			// commits, whichever takes the head first.
			for i := range 10 {
				x, y := fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)
				if _, err := first.AddRules(ctx, enforcer.G(x, "top")); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for w, half := range []struct {
					e        *enforcer.Enforcer
					sub, top string
				}{{first, y, x}, {second, x, y}} {
					wg.Go(func() { _, errs[w] = half.e.AddRules(ctx, enforcer.G(half.sub, half.top)) })
				}
				wg.Wait()
				refused := 0
				for _, err := range errs {
					switch {
					case errors.Is(err, enforcer.ErrInvalidRule):
						refused++
					case err != nil:
						t.Fatalf("round %d: %v", i, err)
					}
				}
				if refused != 1 {
					t.Fatalf("round %d: %d of the two halves refused (%v)", i, refused, errs)
				}
			}
			mustLoad(t, m, db.DB, "loading the store after the concurrent writes")
		})
	}
}
