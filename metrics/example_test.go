package metrics_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/metrics"
	"github.com/wardenhq/warden/models"
)

// Wrap the enforcer handed to the middleware (middleware.WithDecider) so
// that every decision is counted by result.
func ExampleMetrics_Decider() {
	ctx := context.Background()
	mod, _ := models.Load(models.Permissions)
	e, _ := enforcer.New(ctx, mod, nil)
	_, _ = e.AddRules(ctx, enforcer.P("alice", "read:*", "allow"))

	m := metrics.New(metrics.WithoutRuntime())
	d := m.Decider(e)
	for _, perm := range []string{"read:posts", "write:posts", "read:users"} {
		_, _ = d.Decide(ctx, enforcer.NewRequest("alice", perm))
	}
	n, _ := testutil.GatherAndCount(m.Registry(), "warden_decisions_total")
	fmt.Println("result labels:", n)
	// Output: result labels: 2
}
