package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

const evalDefsModel = `[request_definition]
r = sub, obj, act
r2 = sub, obj, act
[policy_definition]
p = sub, obj, act
p2 = sub_rule, obj_type, act
p3 = sub, obj
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
e2 = !some(where (p.eft == deny))
[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
m2 = r2.sub.Name == r2.obj.Owner || (eval(p2.sub_rule) && r2.obj.Type == p2.obj_type && r2.act == p2.act)
m3 = r.sub == p3.sub ? 1 : 0`

// TestEvalDefinitionsDifferential: eval() and a guard in m2 over p2,
// chosen by Request.Definition with each effect, with and without rules
// (a definition whose P has none), request-scoped policies of p2, and a
// numeric matcher m3 over an empty p3; where Casbin fails on a rule the
// index rules out, Warden must decide as Casbin without it.
func TestEvalDefinitionsDifferential(t *testing.T) {
	ctx := context.Background()
	for _, withRules := range []bool{false, true} {
		var rules []enforcer.Rule
		if withRules {
			rules = []enforcer.Rule{
				enforcer.P("alice", "d1", "read"),
				{PType: "p2", Values: []string{"r2.sub.Age > 18", "doc", "read"}},
				{PType: "p2", Values: []string{"r2.sub.Role == 'x'", "video", "read"}},
				{PType: "p2", Values: []string{"g(r2.sub.Name, 'admins')", "img", "read"}},
				{PType: "p3", Values: []string{"alice", "x"}},
				enforcer.G("bob", "admins"),
			}
		}
		w, c := pairWith(t, evalDefsModel, rules, nil, func(*casbin.Enforcer) error { return nil })
		if ok, reason := w.FastPath(); !ok {
			t.Fatalf("not on the index: %s", reason)
		}
		r := rand.New(rand.NewPCG(1, 2))
		defs := []enforcer.Definition{{}, enforcer.Definitions("2"), {R: "r2", P: "p2", E: "e2", M: "m2"}, {P: "p3", M: "m3"}, {R: "r2", P: "p3", M: "m3"}, {P: "p3", E: "e2", M: "m3"}}
		for _, d := range defs {
			for range 200 {
				var vals []any
				if d.M == "m2" {
					vals = []any{genSubject(r), genObject(r), pick(r, []string{"read", "write"})}
					if r.IntN(3) == 0 {
						vals[0] = map[string]any{"Name": "bob", "Age": 3}
					}
				} else {
					vals = []any{pick(r, []string{"alice", "bob", ""}), pick(r, []string{"d1", "x"}), pick(r, []string{"read", "write"})}
				}
				req := enforcer.Request{Values: vals, Definition: d}
				if d.M == "m2" && r.IntN(3) == 0 {
					req.Policies = [][]string{{"r2.sub.Age < 30", "doc", "write"}}
				}
				wd, werr := w.Decide(ctx, req)
				cvals := append([]any{casbinContext(d)}, vals...)
				ca := c
				if len(req.Policies) > 0 {
					ca = loadedCasbin(t, evalDefsModel, append(append([]enforcer.Rule{}, rules...), enforcer.Rule{PType: "p2", Values: req.Policies[0]}))
				}
				cok, crule, cerr := func() (ok bool, rule []string, err error) {
					defer func() {
						if r := recover(); r != nil {
							err = fmt.Errorf("panic: %v", r)
						}
					}()
					return ca.EnforceEx(cvals...)
				}()
				if cerr != nil && werr == nil && withRules {
					cok, crule, cerr = casbinWithoutDef(ca, casbinContext(d), vals)
				}
				if (werr != nil) != (cerr != nil) || (werr == nil && (wd.Allowed != cok)) {
					t.Errorf("rules %v %v %v: warden %v %v %v, casbin %v %v %v", withRules, d, vals, wd.Allowed, wd.Rule, werr, cok, crule, cerr)
				}
			}
		}
	}
}

// casbinWithoutDef is casbinWithout for definition ctx.
func casbinWithoutDef(c *casbin.Enforcer, ctx casbin.EnforceContext, req []any) (allowed bool, rule []string, err error) {
	a := c.GetModel()["p"][ctx.PType]
	all := a.Policy
	defer func() { a.Policy = all }()
	var kept [][]string
	vals := append([]any{ctx}, req...)
	for _, p := range all {
		a.Policy = [][]string{p}
		if _, err := c.Enforce(vals...); err == nil {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return false, nil, fmt.Errorf("all fail")
	}
	a.Policy = kept
	return c.EnforceEx(vals...)
}

// TestEvalRoleTextsScopedDifferential: eval() texts that call role
// functions (with the subject, a literal, a rule field) and read rule
// fields, with request-scoped groups and policies, under each effect and
// a guard, against Casbin given the groups as links.
func TestEvalRoleTextsScopedDifferential(t *testing.T) {
	texts := []string{`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, cond, obj, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && eval(p.cond) && r.obj == p.obj`, `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, cond, obj, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, 'root') || g(r.sub, p.sub) && eval(p.cond) && r.obj == p.obj`, `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, cond, obj, eft
[role_definition]
g = _, _
[policy_effect]
e = !some(where (p.eft == deny))
[matchers]
m = r.act == 'x' || eval(p.cond) && r.obj == p.obj && g(r.sub, p.sub)`}
	conds := []string{"g(r.sub, 'admins')", "r.act == 'read'", "p.obj == 'd1'", "keyMatch(r.obj, p.obj)", "g(r.sub, p.sub) && r.act != 'write'", "true", "p.eft == 'allow'", "g(p.sub, 'admins')"}
	for ti, text := range texts {
		t.Run(fmt.Sprint(ti), func(t *testing.T) {
			for seed := uint64(1); seed < 10; seed++ {
				r := rand.New(rand.NewPCG(seed, 1))
				gen := func() []string {
					return []string{pick(r, []string{"role0", "role1", "admins", "u0"}), pick(r, conds), pick(r, []string{"d0", "d1"}), pick(r, []string{"allow", "deny", "allow"})}
				}
				rules := []enforcer.Rule{enforcer.G("u0", "role0"), enforcer.G("u1", "admins"), enforcer.G("role1", "admins"), enforcer.G("u2", "root")}
				seen := map[string]bool{}
				for range 8 {
					p := enforcer.P(gen()...)
					if !seen[p.String()] {
						seen[p.String()] = true
						rules = append(rules, p)
					}
				}
				w, _ := pairWith(t, text, rules, nil, func(*casbin.Enforcer) error { return nil })
				if ok, reason := w.FastPath(); !ok {
					t.Fatal(reason)
				}
				for range 80 {
					sub := pick(r, []string{"u0", "u1", "u2", "u3", "token-user"})
					req := enforcer.Request{Values: []any{sub, pick(r, []string{"d0", "d1"}), pick(r, []string{"read", "write", "x"})}}
					all := slices.Clone(rules)
					if sub == "token-user" {
						req.Groups = []string{pick(r, []string{"role0", "role1", "admins", "root"})}
						all = append(all, enforcer.G("token-user", req.Groups[0]))
					}
					if r.IntN(3) == 0 {
						p := gen()
						if !seen[enforcer.P(p...).String()] {
							req.Policies = [][]string{p}
							all = append(all, enforcer.P(p...))
						}
					}
					compareEval(t, w, sortedCasbin(t, text, all), req)
				}
			}
		})
	}
}

// TestEvalDecisionsRaceChanges decides the abac model (struct and map
// requests, request-scoped texts) from several goroutines while rules
// sharing compiled texts are added and removed: each decision is Casbin's
// on one of the two policies, and under -race the evals map and its
// counts are read only under the lock.
func TestEvalDecisionsRaceChanges(t *testing.T) {
	ctx := context.Background()
	text := mustModelText("abac")
	base := []enforcer.Rule{
		enforcer.P("r.sub.Age > 18", "doc", "read"),
		enforcer.P("r.sub.Dept == 'eng'", "video", "play"),
	}
	extra := []enforcer.Rule{
		enforcer.P("r.sub.Age > 18", "video", "read"), // same text as base[0]
		enforcer.P("r.sub.Dept == 'ops'", "doc", "write"),
		enforcer.P("r.sub.Age > 18", "img", "read"),
	}
	w, _ := pairWith(t, text, base, nil, func(*casbin.Enforcer) error { return nil })
	cA := loadedCasbin(t, text, base)
	cB := loadedCasbin(t, text, append(slices.Clone(base), extra...))
	r := rand.New(rand.NewPCG(3, 4))
	type q struct {
		req    enforcer.Request
		a, b   bool
		aE, bE bool
	}
	var qs []q
	for range 200 {
		vals := []any{genSubject(r), genObject(r), pick(r, []string{"read", "write", "play"})}
		req := enforcer.Request{Values: vals}
		if r.IntN(4) == 0 {
			req.Policies = [][]string{{"r.sub.Age > 18", "img", "write"}}
		}
		ca, cb := cA, cB
		if req.Policies != nil {
			ca = loadedCasbin(t, text, append(slices.Clone(base), enforcer.P(req.Policies[0]...)))
			cb = loadedCasbin(t, text, append(append(slices.Clone(base), extra...), enforcer.P(req.Policies[0]...)))
		}
		a, _, errA := ca.EnforceEx(vals...)
		b, _, errB := cb.EnforceEx(vals...)
		qs = append(qs, q{req: req, a: a, b: b, aE: errA != nil, bE: errB != nil})
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	var wrong atomic.Int64
	var msg atomic.Value
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; !stop.Load(); i++ {
				x := qs[i%len(qs)]
				d, err := w.Decide(ctx, x.req)
				okA := (err != nil && x.aE) || (err == nil && !x.aE && d.Allowed == x.a) || (err == nil && x.aE && !d.Allowed)
				okB := (err != nil && x.bE) || (err == nil && !x.bE && d.Allowed == x.b) || (err == nil && x.bE && !d.Allowed)
				if !okA && !okB {
					wrong.Add(1)
					msg.Store(fmt.Sprintf("%v: %v %v; A %v %v B %v %v", x.req.Values, d.Allowed, err, x.a, x.aE, x.b, x.bE))
				}
			}
		}(g)
	}
	for i := 0; i < 300; i++ {
		if _, err := w.AddRules(ctx, extra...); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RemoveRules(ctx, extra...); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := wrong.Load(); n > 0 {
		t.Fatalf("%d wrong: %v", n, msg.Load())
	}
}
