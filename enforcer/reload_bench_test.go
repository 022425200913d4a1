package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
)

// Run with (the 1.1M cases take minutes, Casbin's most):
//   go test -run '^$' -bench 'BenchmarkLoad|BenchmarkReload' -benchmem -count 6 ./enforcer | tee reload.txt
//   benchstat reload.txt
// and only the 110k cases with -bench 'BenchmarkLoad/110k|BenchmarkReload/110k'.
// A size's rules are built inside its own sub-benchmark, so that a -bench
// pattern that does not name it never builds them.

// hierarchyShape is a restful RBAC policy of 110,000×scale rules (the
// restful-10k shape's model, grown and given a second level of groups):
// 1,000×scale groups, each in one of 100×scale parent groups; each group
// holds nine keyMatch2 path rules and each parent ten more, with a
// regexMatch method pattern; 99,000×scale users, each in one group. A
// decision for a user walks user → group → parent.
func hierarchyShape(scale int) shape {
	groups, parents, users := 1000*scale, 100*scale, 99000*scale
	s := shape{model: restfulModel}
	s.rules = make([]enforcer.Rule, 0, 110000*scale)
	for g := 0; g < groups; g++ {
		for j := 0; j < 9; j++ {
			s.rules = append(s.rules, enforcer.P(fmt.Sprintf("group%d", g), fmt.Sprintf("/res%d/:id/item%d", g, j), "(GET)|(POST)"))
		}
	}
	for p := 0; p < parents; p++ {
		for j := 0; j < 10; j++ {
			s.rules = append(s.rules, enforcer.P(fmt.Sprintf("parent%d", p), fmt.Sprintf("/shared%d/*/doc%d", p, j), "GET"))
		}
	}
	for g := 0; g < groups; g++ {
		s.rules = append(s.rules, enforcer.G(fmt.Sprintf("group%d", g), fmt.Sprintf("parent%d", g/10)))
	}
	for u := 0; u < users; u++ {
		s.rules = append(s.rules, enforcer.G(fmt.Sprintf("user%d", u), fmt.Sprintf("group%d", u/99)))
	}
	// user 990 is in group 10, whose parent is parent1.
	s.allow = []any{"user990", "/shared1/x/doc3", "GET"}
	s.deny = []any{"user990", "/res11/7/item2", "POST"}
	return s
}

// memAdapter holds a policy in memory and loads it as a database adapter
// does: every load hands the model freshly allocated values, one
// persist.LoadPolicyArray call per rule (rulelog, csvfile and gorm-adapter
// load the same way). It does not save.
type memAdapter struct{ rules []enforcer.Rule }

var errReadOnly = errors.New("memAdapter: read-only")

func (a *memAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a.rules {
		line := make([]string, 1+len(r.Values))
		line[0] = r.PType
		for i, v := range r.Values {
			line[1+i] = strings.Clone(v)
		}
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return err
		}
	}
	return nil
}

func (a *memAdapter) SavePolicy(model.Model) error                { return errReadOnly }
func (a *memAdapter) AddPolicy(string, string, []string) error    { return errReadOnly }
func (a *memAdapter) RemovePolicy(string, string, []string) error { return errReadOnly }
func (a *memAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}

// loadSizes are the sizes of the load and reload benchmarks, by name.
var loadSizes = []struct {
	name  string
	scale int
}{{"110k", 1}, {"1.1M", 10}}

// loadSide is one side of a load benchmark: how to load the policy from
// scratch, how to reload it in place, and a check that it decides.
type loadSide struct {
	name   string
	load   func(tb testing.TB, s shape, a persist.Adapter) any
	reload func(tb testing.TB, v any)
	decide func(v any, req []any) (bool, error)
}

var loadSides = []loadSide{
	{
		name: "warden",
		load: func(tb testing.TB, s shape, a persist.Adapter) any {
			m, err := model.NewModelFromString(s.model)
			if err != nil {
				tb.Fatal(err)
			}
			e, err := enforcer.New(context.Background(), m, a)
			if err != nil {
				tb.Fatal(err)
			}
			return e
		},
		reload: func(tb testing.TB, v any) {
			if err := v.(*enforcer.Enforcer).Reload(context.Background()); err != nil {
				tb.Fatal(err)
			}
		},
		decide: func(v any, req []any) (bool, error) {
			return v.(*enforcer.Enforcer).Enforce(context.Background(), req...)
		},
	},
	{
		name: "casbin",
		load: func(tb testing.TB, s shape, a persist.Adapter) any {
			m, err := model.NewModelFromString(s.model)
			if err != nil {
				tb.Fatal(err)
			}
			e, err := casbin.NewEnforcer(m, a)
			if err != nil {
				tb.Fatal(err)
			}
			e.EnableLog(false)
			return e
		},
		reload: func(tb testing.TB, v any) {
			if err := v.(*casbin.Enforcer).LoadPolicy(); err != nil {
				tb.Fatal(err)
			}
		},
		decide: func(v any, req []any) (bool, error) { return v.(*casbin.Enforcer).Enforce(req...) },
	},
}

// memSnapshot is the heap in use after a full collection, and the bytes
// allocated so far.
func memSnapshot() (heap, total uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.TotalAlloc
}

// reportLoad reports, besides time and -benchmem's B/op (the bytes one
// load allocates): heap-B, the live heap the loaded policy holds after a
// collection (above what was live before the first load), and alloc/heap,
// the ratio of the two, which issue 12 bounds at 2 for Warden's reload.
func reportLoad(b *testing.B, alloc, held uint64) {
	b.ReportMetric(float64(held), "heap-B")
	if held > 0 {
		b.ReportMetric(float64(alloc)/float64(held), "alloc/heap")
	}
}

func checkDecides(b *testing.B, side loadSide, s shape, v any) {
	b.Helper()
	if ok, err := side.decide(v, s.allow); !ok || err != nil {
		b.Fatalf("%s: %v = %v, %v; want allowed", side.name, s.allow, ok, err)
	}
	if ok, err := side.decide(v, s.deny); ok || err != nil {
		b.Fatalf("%s: %v = %v, %v; want denied", side.name, s.deny, ok, err)
	}
}

// BenchmarkLoad builds an enforcer and loads hierarchyShape's policy from a
// memAdapter: enforcer.New for Warden, casbin.NewEnforcer for Casbin.
func BenchmarkLoad(b *testing.B) {
	for _, size := range loadSizes {
		b.Run(size.name, func(b *testing.B) {
			s := hierarchyShape(size.scale)
			a := &memAdapter{rules: s.rules}
			for _, side := range loadSides {
				b.Run(side.name, func(b *testing.B) {
					b.ReportAllocs()
					var v any
					var alloc, held uint64
					for b.Loop() {
						b.StopTimer()
						v = nil
						base, before := memSnapshot()
						b.StartTimer()
						v = side.load(b, s, a)
						b.StopTimer()
						heap, after := memSnapshot()
						alloc, held = after-before, heap-base
						b.StartTimer()
					}
					checkDecides(b, side, s, v)
					reportLoad(b, alloc, held)
				})
			}
		})
	}
}

// BenchmarkReload reloads hierarchyShape's policy, in full, into an
// enforcer that holds it already: Enforcer.Reload for Warden,
// casbin.Enforcer.LoadPolicy for Casbin. B/op is what one reload
// allocates; heap-B what the enforcer holds after it.
func BenchmarkReload(b *testing.B) {
	for _, size := range loadSizes {
		b.Run(size.name, func(b *testing.B) {
			s := hierarchyShape(size.scale)
			a := &memAdapter{rules: s.rules}
			for _, side := range loadSides {
				b.Run(side.name, func(b *testing.B) {
					base, _ := memSnapshot()
					v := side.load(b, s, a)
					b.ReportAllocs()
					var alloc, held uint64
					for b.Loop() {
						b.StopTimer()
						_, before := memSnapshot()
						b.StartTimer()
						side.reload(b, v)
						b.StopTimer()
						heap, after := memSnapshot()
						alloc, held = after-before, heap-base
						b.StartTimer()
					}
					checkDecides(b, side, s, v)
					reportLoad(b, alloc, held)
				})
			}
		})
	}
}
