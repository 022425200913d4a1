package policysync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/enforcer"
)

// BenchmarkPropagation measures what an operator cares about: the time
// from a grant committed on instance a until instance b decides allow,
// with announcements (b hears the hint) and with every announcement lost
// (b has no watcher and only polls, here every 500ms, each grant made at a
// random phase of the poll), on PostgreSQL
// (NOTIFY in the change's transaction) and MariaDB with Redis. Run with:
//
//	go test -run '^$' -bench Propagation -benchtime 1x ./watcher/policysync
func BenchmarkPropagation(b *testing.B) {
	for _, fl := range fleets(b) {
		for _, mode := range []struct {
			name   string
			opts   nodeOpts
			grants int
		}{
			{"announced", nodeOpts{interval: 2 * time.Second}, 200},
			{"poll-only-500ms", nodeOpts{noHints: true, interval: 500 * time.Millisecond}, 40},
		} {
			b.Run(fl.name+"/"+mode.name, func(b *testing.B) {
				ctx := context.Background()
				a := fl.node(b, uniqueID("a"), nodeOpts{})
				r := fl.node(b, uniqueID("b"), mode.opts)
				grant(b, a, enforcer.P("reader", "data", "read"))
				var lat []time.Duration
				for b.Loop() {
					for i := range mode.grants {
						if mode.opts.noHints {
							// Grant at a random phase of b's poll, as real changes
							// come, rather than just after a poll.
							time.Sleep(rand.N(mode.opts.interval))
						}
						user := fmt.Sprintf("%s-user%d-%d", mode.name, len(lat), i) // new in the store
						start := time.Now()
						if _, err := a.AddRules(ctx, enforcer.G(user, "reader")); err != nil {
							b.Fatal(err)
						}
						for !decide(b, r.Enforcer, user, "data", "read") {
							if time.Since(start) > wait {
								b.Fatalf("%s not allowed on b after %v", user, wait)
							}
							time.Sleep(50 * time.Microsecond) // spinning on the decision, not a wait
						}
						lat = append(lat, time.Since(start))
					}
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50_ms")
				b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99_ms")
				b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max_ms")
			})
		}
	}
}

// uniqueID names an instance uniquely: every sub-benchmark of a fleet
// shares its channel.
func uniqueID(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()) }
