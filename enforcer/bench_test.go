package enforcer_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// Run with:
//   go test -run '^$' -bench . -benchmem -count 6 ./enforcer | tee new.txt
//   benchstat new.txt
// Each shape is measured for Warden and for plain Casbin in the same run.

const rbacModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`

const restfulModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && regexMatch(r.act, p.act)`

const domainsModel = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act`

// shape is a policy and the requests a benchmark asks of it.
type shape struct {
	model string
	rules []enforcer.Rule
	allow []any
	deny  []any
}

// rbacShape is casbin's own benchmark shape (model_b_test.go): user i is in
// group i/10, group j may read data{j/10}.
func rbacShape(roles, users int) shape {
	s := shape{model: rbacModel}
	for i := 0; i < roles; i++ {
		s.rules = append(s.rules, enforcer.P(fmt.Sprintf("group%d", i), fmt.Sprintf("data%d", i/10), "read"))
	}
	for i := 0; i < users; i++ {
		s.rules = append(s.rules, enforcer.G(fmt.Sprintf("user%d", i), fmt.Sprintf("group%d", i/10)))
	}
	u := users/2 + 1
	s.allow = []any{fmt.Sprintf("user%d", u), fmt.Sprintf("data%d", u/100), "read"}
	s.deny = []any{fmt.Sprintf("user%d", u), fmt.Sprintf("data%d", roles/10-1), "read"}
	return s
}

// restfulShape: 1,000 roles with ten path rules each, 10,000 users.
func restfulShape() shape {
	s := shape{model: restfulModel}
	for i := 0; i < 1000; i++ {
		role := fmt.Sprintf("role%d", i)
		for j := 0; j < 10; j++ {
			s.rules = append(s.rules, enforcer.P(role, fmt.Sprintf("/res%d/:id/item%d", i, j), "(GET)|(POST)"))
		}
	}
	for i := 0; i < 10000; i++ {
		s.rules = append(s.rules, enforcer.G(fmt.Sprintf("user%d", i), fmt.Sprintf("role%d", i/10)))
	}
	s.allow = []any{"user5001", "/res500/42/item9", "POST"}
	s.deny = []any{"user5001", "/res501/42/item9", "POST"}
	return s
}

// domainsShape: 1,000 tenants, each with an admin and a reader role over ten
// objects and ten users.
func domainsShape() shape {
	s := shape{model: domainsModel}
	for t := 0; t < 1000; t++ {
		dom := fmt.Sprintf("tenant%d", t)
		for o := 0; o < 10; o++ {
			obj := fmt.Sprintf("data%d", o)
			s.rules = append(s.rules,
				enforcer.P("admin", dom, obj, "write"),
				enforcer.P("admin", dom, obj, "read"),
				enforcer.P("reader", dom, obj, "read"))
		}
		s.rules = append(s.rules, enforcer.G("admin", "reader", dom))
		for u := 0; u < 10; u++ {
			role := "reader"
			if u == 0 {
				role = "admin"
			}
			s.rules = append(s.rules, enforcer.G(fmt.Sprintf("user%d-%d", t, u), role, dom))
		}
	}
	s.allow = []any{"user500-0", "tenant500", "data5", "read"}
	s.deny = []any{"user500-1", "tenant500", "data5", "write"}
	return s
}

func buildWarden(tb testing.TB, s shape) *enforcer.Enforcer {
	tb.Helper()
	m, err := model.NewModelFromString(s.model)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), s.rules...); err != nil {
		tb.Fatal(err)
	}
	return e
}

func buildCasbin(tb testing.TB, s shape) *casbin.Enforcer {
	tb.Helper()
	m, err := model.NewModelFromString(s.model)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		tb.Fatal(err)
	}
	e.EnableLog(false)
	var ps, gs [][]string
	for _, r := range s.rules {
		if r.PType == "g" {
			gs = append(gs, r.Values)
		} else {
			ps = append(ps, r.Values)
		}
	}
	if _, err := e.AddPolicies(ps); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.AddGroupingPolicies(gs); err != nil {
		tb.Fatal(err)
	}
	return e
}

var (
	shapesOnce sync.Once
	shapes     map[string]shape
)

func benchShapes() map[string]shape {
	shapesOnce.Do(func() {
		shapes = map[string]shape{
			"rbac-small":  rbacShape(100, 1000),
			"rbac-medium": rbacShape(1000, 10000),
			"rbac-large":  rbacShape(10000, 100000),
			"restful-10k": restfulShape(),
			"domains-1k":  domainsShape(),
		}
	})
	return shapes
}

func BenchmarkEnforce(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"rbac-small", "rbac-medium", "rbac-large", "restful-10k", "domains-1k"} {
		s := benchShapes()[name]
		w := buildWarden(b, s)
		c := buildCasbin(b, s)
		cases := []struct {
			suffix string
			req    []any
			want   bool
		}{{"-allow", s.allow, true}, {"-deny", s.deny, false}}
		if name == "restful-10k" || name == "domains-1k" {
			cases = cases[:1]
			cases[0].suffix = ""
		}
		for _, tc := range cases {
			b.Run(name+tc.suffix+"/warden", func(b *testing.B) {
				if ok, err := w.Enforce(ctx, tc.req...); err != nil || ok != tc.want {
					b.Fatalf("warden %v = %v, %v", tc.req, ok, err)
				}
				b.ReportAllocs()
				for b.Loop() {
					_, _ = w.Enforce(ctx, tc.req...)
				}
			})
			b.Run(name+tc.suffix+"/casbin", func(b *testing.B) {
				if ok, err := c.Enforce(tc.req...); err != nil || ok != tc.want {
					b.Fatalf("casbin %v = %v, %v", tc.req, ok, err)
				}
				b.ReportAllocs()
				for b.Loop() {
					_, _ = c.Enforce(tc.req...)
				}
			})
		}
	}
}

func BenchmarkEnforceParallel(b *testing.B) {
	ctx := context.Background()
	s := benchShapes()["rbac-large"]
	w := buildWarden(b, s)
	b.Run("rbac-large-allow/warden", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _ := w.Enforce(ctx, s.allow...); !ok {
					b.Error("denied")
					return
				}
			}
		})
	})
}

// BenchmarkAddPolicy adds and then removes one p rule and one g rule on the
// large shape; an op is one add or one remove.
func BenchmarkAddPolicy(b *testing.B) {
	ctx := context.Background()
	s := benchShapes()["rbac-large"]
	b.Run("rbac-large/warden", func(b *testing.B) {
		w := buildWarden(b, s)
		p, g := enforcer.P("group77", "data-new", "write"), enforcer.G("user-new", "group77")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			switch i % 4 {
			case 0:
				_, err = w.AddRules(ctx, p)
			case 1:
				_, err = w.AddRules(ctx, g)
			case 2:
				_, err = w.RemoveRules(ctx, p)
			case 3:
				_, err = w.RemoveRules(ctx, g)
			}
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("rbac-large/casbin", func(b *testing.B) {
		c := buildCasbin(b, s)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			switch i % 4 {
			case 0:
				_, err = c.AddPolicy("group77", "data-new", "write")
			case 1:
				_, err = c.AddGroupingPolicy("user-new", "group77")
			case 2:
				_, err = c.RemovePolicy("group77", "data-new", "write")
			case 3:
				_, err = c.RemoveGroupingPolicy("user-new", "group77")
			}
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// heldHeap returns the live heap that build's result keeps, after GC.
func heldHeap(build func() any) (uint64, any) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc, v
}

// BenchmarkHeap reports (as heap-MB) the heap held by each side's enforcer
// for the large shape. It builds once per iteration; run it with -benchtime 1x.
func BenchmarkHeap(b *testing.B) {
	s := benchShapes()["rbac-large"]
	for _, side := range []string{"warden", "casbin"} {
		b.Run("rbac-large/"+side, func(b *testing.B) {
			var held uint64
			for b.Loop() {
				var v any
				held, v = heldHeap(func() any {
					if side == "warden" {
						return buildWarden(b, s)
					}
					return buildCasbin(b, s)
				})
				runtime.KeepAlive(v)
			}
			b.ReportMetric(float64(held)/(1<<20), "heap-MB")
		})
	}
}

// TestHeapWithinTwiceCasbin holds the memory target at the medium shape
// (the large one is in BenchmarkHeap): Warden's enforcer keeps at most twice
// the heap of Casbin's for the same policy.
func TestHeapWithinTwiceCasbin(t *testing.T) {
	s := rbacShape(1000, 10000)
	w, wv := heldHeap(func() any { return buildWarden(t, s) })
	c, cv := heldHeap(func() any { return buildCasbin(t, s) })
	runtime.KeepAlive(wv)
	runtime.KeepAlive(cv)
	t.Logf("held heap: warden %d KiB, casbin %d KiB", w>>10, c>>10)
	if w > 2*c {
		t.Fatalf("warden holds %d bytes, more than twice casbin's %d", w, c)
	}
}

// BenchmarkDecide is Decide and Explain, which also copy the matched rule
// (and walk the chain) for the caller, on the large shape.
func BenchmarkDecide(b *testing.B) {
	ctx := context.Background()
	s := benchShapes()["rbac-large"]
	w := buildWarden(b, s)
	req := enforcer.NewRequest(s.allow...)
	b.Run("rbac-large-allow/decide", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if d, _ := w.Decide(ctx, req); !d.Allowed {
				b.Fatal("denied")
			}
		}
	})
	b.Run("rbac-large-allow/explain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if x, _ := w.Explain(ctx, req); len(x.Chain) != 2 {
				b.Fatal("no chain")
			}
		}
	})
	b.Run("rbac-large-allow/scoped-groups", func(b *testing.B) {
		scoped := enforcer.NewRequest("token-user", s.allow[1], "read").WithGroups("group5000", "group77")
		b.ReportAllocs()
		for b.Loop() {
			if d, _ := w.Decide(ctx, scoped); !d.Allowed {
				b.Fatal("denied")
			}
		}
	})
}
