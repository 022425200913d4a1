package enforcer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/cputime"
)

// benchShape runs one BenchmarkShape*: at 1k, 10k and 100k rules of
// build, a request text's model allows and one it denies, through Warden
// (with opts, on the index: FastPath must hold) and through plain Casbin
// loading the same rules (setup, when not nil, registers on it what opts
// registers on Warden), in the same run.
func benchShape(b *testing.B, text string, build func(int) []enforcer.Rule, allow, deny []any,
	opts []enforcer.Option, setup func(testing.TB, *casbin.Enforcer)) {
	benchShapeDef(b, text, build, enforcer.Definition{}, allow, deny, opts, setup)
}

// benchShapeDef is benchShape with the requests asked with definition def
// (Request.Definition; Casbin's EnforceContext): through Decide, as
// Enforce takes values only, unless def is the zero Definition.
func benchShapeDef(b *testing.B, text string, build func(int) []enforcer.Rule, def enforcer.Definition, allow, deny []any,
	opts []enforcer.Option, setup func(testing.TB, *casbin.Enforcer)) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		rules := build(n)
		reqs := []struct {
			name  string
			vals  []any
			allow bool
		}{{"allow", allow, true}, {"deny", deny, false}}
		b.Run(fmt.Sprintf("warden/rules=%d", n), func(b *testing.B) {
			w := newWarden(b, text, rules, opts...)
			if ok, reason := w.FastPath(); !ok {
				b.Fatal(reason)
			}
			for _, rq := range reqs {
				b.Run(rq.name, func(b *testing.B) {
					ctx := context.Background()
					if def != (enforcer.Definition{}) {
						req := enforcer.Request{Values: rq.vals, Definition: def}
						if d, err := w.Decide(ctx, req); err != nil || d.Allowed != rq.allow {
							b.Fatalf("%s %v: %v %v", def, rq.vals, d, err)
						}
						b.ReportAllocs()
						cpu := cputime.Process()
						for b.Loop() {
							_, _ = w.Decide(ctx, req)
						}
						reportCPU(b, cpu)
						return
					}
					if ok, err := w.Enforce(ctx, rq.vals...); err != nil || ok != rq.allow {
						b.Fatalf("%v: %v %v", rq.vals, ok, err)
					}
					b.ReportAllocs()
					cpu := cputime.Process()
					for b.Loop() {
						_, _ = w.Enforce(ctx, rq.vals...)
					}
					reportCPU(b, cpu)
				})
			}
		})
		b.Run(fmt.Sprintf("casbin/rules=%d", n), func(b *testing.B) {
			c := sortedCasbin(b, text, rules)
			if setup != nil {
				setup(b, c)
			}
			for _, rq := range reqs {
				b.Run(rq.name, func(b *testing.B) {
					vals := rq.vals
					if def != (enforcer.Definition{}) {
						vals = append([]any{casbinContext(def)}, vals...)
					}
					if ok, err := c.Enforce(vals...); err != nil || ok != rq.allow {
						b.Fatalf("%v: %v %v", vals, ok, err)
					}
					b.ReportAllocs()
					for b.Loop() {
						_, _ = c.Enforce(vals...)
					}
				})
			}
		})
	}
}

// reportCPU reports the process's CPU time per iteration since start, as
// cpu-ns/op: garbage collection on the other core included, the other
// processes' load mostly not, so runs at different loads compare
// (internal/cputime).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cputime.Process()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
