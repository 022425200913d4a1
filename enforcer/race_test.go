package enforcer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestConcurrentDecideAndChange decides from many goroutines while another
// adds, removes and reloads rules. Under -race it proves the locking; its
// assertions prove that rules never in the policy never allow, and that a
// rule kept throughout never stops allowing.
func TestConcurrentDecideAndChange(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				// bob's editor rights are never touched.
				if ok, err := e.Enforce(ctx, "bob", "/posts", "POST"); err != nil || !ok {
					wrong.Add(1)
				}
				// mallory is never granted anything.
				if ok, err := e.Enforce(ctx, "mallory", "/posts", "GET"); err != nil || ok {
					wrong.Add(1)
				}
				// churn users come and go; any answer is fine, no error is.
				req := enforcer.NewRequest(fmt.Sprintf("churn%d", i%20), "/posts", "POST").WithGroups("viewer")
				if _, err := e.Explain(ctx, req); err != nil {
					wrong.Add(1)
				}
			}
		}(g)
	}
	for i := 0; i < 300; i++ {
		u := fmt.Sprintf("churn%d", i%20)
		if _, err := e.AddRules(ctx, enforcer.G(u, "editor"), enforcer.P(u, "/tmp/*", "GET", "allow")); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := e.RemoveRules(ctx, enforcer.G(u, "editor")); err != nil {
				t.Fatal(err)
			}
		}
		if i%50 == 0 {
			if err := e.Reload(ctx); err != nil {
				t.Fatal(err)
			}
			_ = e.Rules("p")
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d wrong decisions while the policy changed", n)
	}
	if _, err := os.Stat(policy); err != nil {
		t.Fatal(err)
	}
}
