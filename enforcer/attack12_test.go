package enforcer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// Found by the issue 12 attack: decisions of edge cases of the empty
// policy, guards, attributes and definitions, against plain Casbin.

// casbinEnforceEx is c.EnforceEx with Casbin's own panics (it recovers
// most) turned into errors.
func casbinEnforceEx(c *casbin.Enforcer, vals ...any) (ok bool, rule []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, rule, err = false, nil, fmt.Errorf("panic: %v", r)
		}
	}()
	ok, rule, err = c.EnforceEx(vals...)
	if err != nil {
		// Casbin's recovered panics carry the stack.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		err = fmt.Errorf("%s", msg)
	}
	return ok, rule, err
}

// TestEmptyPolicyNumericMatcher: with no rule of the policy type chosen,
// Casbin evaluates the matcher once and takes only a bool (its
// result.(bool) fails on a number), where a matcher with rules may give a
// number. Warden took a number there too, and allowed where Casbin fails:
// a matcher p.sub == r.sub ? 1 : 0 and an empty policy allowed the empty
// subject, and with !some(where (p.eft == deny)) every request.
func TestEmptyPolicyNumericMatcher(t *testing.T) {
	ctx := context.Background()
	const text = `[request_definition]
r = sub, obj
[policy_definition]
p = sub, obj
p2 = sub, obj
[policy_effect]
e = some(where (p.eft == allow))
e2 = !some(where (p.eft == deny))
[matchers]
m = p.sub == r.sub ? 1 : 0
m2 = p2.sub == r.sub ? 1 : 0`
	// p2 has no rules; p has one, where a number is a match as in Casbin.
	w, c := pairWith(t, text, []enforcer.Rule{enforcer.P("alice", "x")}, nil, func(*casbin.Enforcer) error { return nil })
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("not on the index: %s", reason)
	}
	for _, d := range []enforcer.Definition{{}, {P: "p2", M: "m2"}, {P: "p2", E: "e2", M: "m2"}} {
		for _, sub := range []string{"", "alice", "bob"} {
			vals := []any{sub, "x"}
			cvals := append([]any{casbinContext(d)}, vals...)
			cok, crule, cerr := casbinEnforceEx(c, cvals...)
			wd, werr := w.Decide(ctx, enforcer.Request{Values: vals, Definition: d})
			if (werr != nil) != (cerr != nil) || wd.Allowed != cok {
				t.Errorf("%s %v: warden allowed %v (%v), casbin allowed %v %v (%v)", d, vals, wd.Allowed, werr, cok, crule, cerr)
			}
		}
	}
}

// BenchmarkGuardRemoval removes n rules in policy order (each the first
// of its effect when it goes) with and without a guard: under a guard the
// next first rule must be found without walking every rule (effectRules),
// so both cost about the same per rule. It replaces a timed test:
//
//	go test -run '^$' -bench BenchmarkGuardRemoval -benchmem ./enforcer
func BenchmarkGuardRemoval(b *testing.B) {
	ctx := context.Background()
	const n = 20000
	body := "r.sub == p.sub && r.obj == p.obj && r.act == p.act"
	rules := make([]enforcer.Rule, 0, n)
	for i := range n {
		rules = append(rules, enforcer.P(fmt.Sprint("u", i), "o", "read", []string{"allow", "deny"}[i%2]))
	}
	for _, c := range []struct{ name, matcher string }{{"plain", body}, {"guard", "r.sub == 'root' || " + body}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = ` + c.matcher)
			if err != nil {
				b.Fatal(err)
			}
			w, err := enforcer.New(ctx, m, nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				b.StopTimer()
				if _, err := w.AddRules(ctx, rules...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := w.RemoveRules(ctx, rules...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/rule")
		})
	}
}
