package enforcer_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
)

// Found by the attack on WithDeferredEvalErrors (issue 12 round): what a
// rule whose eval() text no engine can compile may and may not do, on
// every path that reads rules, against plain Casbin where Casbin decides.

// grantTexts are the eval() texts of the rules RulesFor lists.
func grantTexts(gs []enforcer.Grant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Rule.Values[1])
	}
	return out
}

// TestRulesForRefusesUnreadableRequestPolicies: RulesFor lists the
// caller's request-scoped policies as grants, so it checks them as Decide
// does (checkRequest): a policy Decide refuses with ErrInvalidRequest (an
// eval() text no engine can compile, without WithDeferredEvalErrors; a
// bidi override in its subject) is refused by RulesFor too, never listed
// as something the caller may do.
func TestRulesForRefusesUnreadableRequestPolicies(t *testing.T) {
	ctx := context.Background()
	w, _ := pairWith(t, objectConditionsModel, []enforcer.Rule{enforcer.P("alice", "r.obj.price < 25", "read")}, nil,
		func(*casbin.Enforcer) error { return nil })
	for _, pol := range [][]string{
		{"alice", "r.obj.author = bob", "write"},
		{"alice\u202e", "r.obj.price < 25", "write"},
		{"alice", "eval(r.obj)", "write"},
	} {
		_, derr := w.Decide(ctx, enforcer.Request{Values: []any{"alice", map[string]any{"price": 1}, "write"}, Policies: [][]string{pol}})
		if !errors.Is(derr, enforcer.ErrInvalidRequest) {
			t.Fatalf("%q: Decide %v, want ErrInvalidRequest", pol, derr)
		}
		gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{pol}})
		if !errors.Is(err, enforcer.ErrInvalidRequest) || gs != nil {
			t.Fatalf("%q: RulesFor %v, %v; want ErrInvalidRequest as Decide", pol, grantTexts(gs), err)
		}
	}
	// A policy Decide takes is listed.
	gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{{"alice", "r.obj.price < 5", "write"}}})
	if err != nil || !slices.Equal(grantTexts(gs), []string{"r.obj.price < 25", "r.obj.price < 5"}) {
		t.Fatalf("RulesFor: %v, %v", grantTexts(gs), err)
	}
}

// TestRulesForSkipsDeferredRules: under WithDeferredEvalErrors a rule
// whose eval() text no engine can compile is stored, but it can grant
// nothing (every decision that reaches it fails): RulesFor does not list
// it, stored or request-scoped, reached directly or through a role, as it
// lists no rule whose condition fails.
func TestRulesForSkipsDeferredRules(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{
		enforcer.P("alice", "r.obj.price < 25", "read"),
		enforcer.P("admin", "r.obj.category_id = 2", "read"),
		enforcer.P("alice", "r.obj.author = bob", "write"),
		enforcer.P("admin", "r.obj.category_id == 2", "write"),
		enforcer.G("alice", "admin"),
	}
	w, c := pairWith(t, objectConditionsModel, rules, []enforcer.Option{enforcer.WithDeferredEvalErrors()},
		func(*casbin.Enforcer) error { return nil })
	gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{
		{"alice", "r.obj.price <", "read"},
		{"admin", "r.obj.price > 1", "read"},
	}})
	want := []string{"r.obj.price < 25", "r.obj.category_id == 2", "r.obj.price > 1"}
	if err != nil || !slices.Equal(grantTexts(gs), want) {
		t.Fatalf("RulesFor: %q, %v; want %q", grantTexts(gs), err, want)
	}
	// Each rule left out fails every decision that reaches it, on both.
	for _, text := range []string{"r.obj.category_id = 2", "r.obj.author = bob"} {
		one := loadedCasbin(t, objectConditionsModel, []enforcer.Rule{enforcer.P("alice", text, "read")})
		if _, err := one.Enforce("alice", map[string]any{"category_id": 2, "author": "bob"}, "read"); err == nil ||
			!strings.Contains(err.Error(), "error while parsing eval parameter") {
			t.Fatalf("%q: Casbin %v, want its compile error", text, err)
		}
	}
	if _, err := c.Enforce("admin", map[string]any{"category_id": 2}, "read"); err == nil {
		t.Fatal("Casbin decides a request reaching the deferred rule")
	}
}

// deferredShapes are matchers and policies where a rule whose eval() text
// no engine can compile sits before, after or beside the rule that
// decides: deny rules, priority order, a guard that decides without
// evaluating any rule, a matcher that is the eval() call alone, and a
// second definition (r2, p2, m2).
var deferredShapes = []struct {
	name, model string
	def         enforcer.Definition
	rules       []enforcer.Rule
	subjects    []string
}{
	{"deny_override", deferredModel("p = sub, sub_rule, act, eft", "some(where (p.eft == allow)) && !some(where (p.eft == deny))",
		"g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act"), enforcer.Definition{}, []enforcer.Rule{
		enforcer.P("alice", "r.obj.price < 25", "read", "allow"),
		enforcer.P("admin", "r.obj.category_id = 2", "read", "deny"),
		enforcer.P("bob", "r.obj.price < 25", "read", "allow"),
		enforcer.G("alice", "admin"),
	}, []string{"alice", "admin", "bob", "carol"}},
	{"priority_after", deferredModel("p = sub, sub_rule, act, eft", "priority(p.eft) || deny",
		"g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act"), enforcer.Definition{}, []enforcer.Rule{
		enforcer.P("alice", "r.obj.price < 25", "read", "allow"),
		enforcer.P("admin", "r.obj.category_id = 2", "read", "deny"),
		enforcer.G("alice", "admin"),
	}, []string{"alice", "admin"}},
	{"priority_before", deferredModel("p = sub, sub_rule, act, eft", "priority(p.eft) || deny",
		"g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act"), enforcer.Definition{}, []enforcer.Rule{
		enforcer.P("admin", "r.obj.category_id = 2", "read", "deny"),
		enforcer.P("alice", "r.obj.price < 25", "read", "allow"),
		enforcer.G("alice", "admin"),
	}, []string{"alice", "admin"}},
	{"guard", deferredModel("p = sub, sub_rule, act, eft", "some(where (p.eft == allow)) && !some(where (p.eft == deny))",
		"r.sub == 'root' || g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act"), enforcer.Definition{}, []enforcer.Rule{
		enforcer.P("bob", "r.obj.category_id = 2", "read", "allow"),
		enforcer.P("alice", "r.obj.price < 25", "read", "allow"),
		enforcer.P("bob", "r.obj.author = x", "read", "deny"),
	}, []string{"root", "alice", "bob"}},
	{"eval_alone", deferredModel("p = sub, sub_rule, act", "some(where (p.eft == allow))", "eval(p.sub_rule)"),
		enforcer.Definition{}, []enforcer.Rule{
			enforcer.P("alice", "r.sub == 'alice'", "read"),
			enforcer.P("bob", "r.obj.category_id = 2", "read"),
		}, []string{"alice", "bob"}},
	{"second_definition", `[request_definition]
r = sub, obj, act
r2 = sub, obj, act
[policy_definition]
p = sub, obj, act
p2 = sub, sub_rule, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = g(r2.sub, p2.sub) && eval(p2.sub_rule) && r2.act == p2.act`, enforcer.Definition{R: "r2", P: "p2", M: "m2"}, []enforcer.Rule{
		{PType: "p2", Values: []string{"alice", "r2.obj.price < 25", "read"}},
		{PType: "p2", Values: []string{"admin", "r2.obj.category_id = 2", "read"}},
		{PType: "p", Values: []string{"admin", "data1", "read"}},
		enforcer.G("alice", "admin"),
	}, []string{"alice", "admin", "bob"}},
}

func deferredModel(p, e, m string) string {
	return "[request_definition]\nr = sub, obj, act\n[policy_definition]\n" + p +
		"\n[role_definition]\ng = _, _\n[policy_effect]\ne = " + e + "\n[matchers]\nm = " + m
}

// TestDeferredEvalShapes: with rules whose eval() text no engine can
// compile among the others, every decision is plain Casbin's, error for
// error, on the index and through Casbin's own enforcer: a guard that
// holds and a rule that decides first (priority, or the first allow)
// answer without reaching the text, as Casbin's loop stops there; every
// other decision that reaches it fails and denies.
func TestDeferredEvalShapes(t *testing.T) {
	ctx := context.Background()
	objs := []any{map[string]any{"price": 10, "category_id": 2}, map[string]any{"price": 30, "category_id": 2, "author": "x"}}
	total := 0
	for _, s := range deferredShapes {
		c := loadedCasbin(t, s.model, s.rules)
		for _, casbinOnly := range []bool{false, true} {
			opts := []enforcer.Option{enforcer.WithDeferredEvalErrors()}
			if casbinOnly {
				opts = append(opts, enforcer.WithCasbinEvaluation())
			}
			w, _ := pairWith(t, s.model, s.rules, opts, func(*casbin.Enforcer) error { return nil })
			if ok, why := w.FastPath(); ok == casbinOnly {
				t.Fatalf("%s: casbin-only %v: FastPath %v (%s)", s.name, casbinOnly, ok, why)
			}
			allowed, failed := 0, 0
			for _, sub := range s.subjects {
				for _, obj := range objs {
					vals := []any{sub, obj, "read"}
					cvals := vals
					if s.def.M != "" {
						cvals = append([]any{casbin.EnforceContext{RType: s.def.R, PType: s.def.P, EType: "e", MType: s.def.M}}, vals...)
					}
					d, werr := w.Decide(ctx, enforcer.Request{Values: vals, Definition: s.def})
					cok, crule, cerr := casbinEnforceEx(c, cvals...)
					if (werr != nil) != (cerr != nil) || d.Allowed != cok || !slices.Equal(d.Rule.Values, crule) && !(d.Rule.IsZero() && len(crule) == 0) {
						t.Fatalf("%s: casbin-only %v: %v: warden %v %v %v, casbin %v %v %v", s.name, casbinOnly, vals, d.Allowed, d.Rule, werr, cok, crule, cerr)
					}
					if werr != nil {
						failed++
						if d.Allowed || !errors.Is(werr, enforcer.ErrEvaluation) {
							t.Fatalf("%s: %v: %v, allowed %v", s.name, vals, werr, d.Allowed)
						}
					}
					if d.Allowed {
						allowed++
					}
				}
			}
			if failed == 0 {
				t.Fatalf("%s: no decision reached the text: the shape proves little", s.name)
			}
			total += allowed
		}
	}
	if total < 10 {
		t.Fatalf("%d decisions allowed: the shapes prove little", total)
	}
}

// TestDeferredEvalRuledOut: a matcher that calls eval() before the terms
// that pick a rule (eval(p.sub_rule) && g(r.sub, p.sub) ...) makes
// Casbin compile every rule's text, so one text no engine can compile
// fails every decision; the index never reaches a rule its other terms
// rule out, so Warden answers as Casbin does on the policy without the
// rules that fail (performance.md, "Where Warden and plain Casbin can
// differ") and fails the decisions that reach the text. It never allows
// where Casbin without those rules denies.
func TestDeferredEvalRuledOut(t *testing.T) {
	ctx := context.Background()
	text := deferredModel("p = sub, sub_rule, act", "some(where (p.eft == allow))", "eval(p.sub_rule) && g(r.sub, p.sub) && r.act == p.act")
	rules := []enforcer.Rule{
		enforcer.P("bob", "r.obj.category_id = 2", "read"),
		enforcer.P("alice", "r.obj.price < 25", "read"),
		enforcer.P("carol", "r.obj.price > 25", "read"),
	}
	w, c := pairWith(t, text, rules, []enforcer.Option{enforcer.WithDeferredEvalErrors()}, func(*casbin.Enforcer) error { return nil })
	for _, sub := range []string{"alice", "bob", "carol", "dave"} {
		vals := []any{sub, map[string]any{"price": 10, "category_id": 2}, "read"}
		if _, err := c.Enforce(vals...); err == nil {
			t.Fatalf("%v: Casbin decides, though every decision compiles bob's text", vals)
		}
		d, werr := w.Decide(ctx, enforcer.NewRequest(vals...))
		if sub == "bob" {
			if werr == nil || d.Allowed {
				t.Fatalf("%v: %v %v, want the failure of the rule it reaches", vals, d.Allowed, werr)
			}
			continue
		}
		want, _, ok := casbinWithout(c, vals)
		if !ok && sub != "dave" {
			t.Fatalf("%v: Casbin fails without the failing rule", vals)
		}
		if werr != nil || d.Allowed != want {
			t.Fatalf("%v: warden %v %v, Casbin without the failing rule %v", vals, d.Allowed, werr, want)
		}
	}
}

// TestRoleExtraArgumentsMatchingFunctions: a role function called with
// more arguments than its definition has decides as Casbin's g under a
// name matching function (AddNamedMatchingFunc) and a domain matching
// function (AddNamedDomainMatchingFunc) too: the third argument is the
// domain, later ones are ignored.
func TestRoleExtraArgumentsMatchingFunctions(t *testing.T) {
	ctx := context.Background()
	const noDom = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\ng = _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = "
	const dom = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n[role_definition]\ng = _, _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = "
	shapes := []struct {
		text   string
		domFn  bool
		minYes int
	}{
		{noDom + "g(r.sub, p.sub, r.act) && r.obj == p.obj && r.act == p.act", false, 4},
		{noDom + "g(r.sub, p.sub, 'x', r.obj) && r.obj == p.obj && r.act == p.act", false, 4},
		{noDom + "g(r.obj, p.obj, r.sub, 'y') && g(r.sub, p.sub) && r.act == p.act", false, 9},
		{dom + "g(r.sub, p.sub, r.dom, 'x') && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act", false, 5},
		{dom + "g(r.sub, p.sub, r.dom, 'x') && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act", true, 3},
		{dom + "g(r.sub, p.sub, r.dom, r.obj) && r.dom == p.dom && r.obj == p.obj && r.act == p.act", true, 3},
	}
	for _, s := range shapes {
		domains := strings.HasPrefix(s.text, dom)
		rules := []enforcer.Rule{enforcer.P("admin", "/data/1", "read"), enforcer.P("/users/*", "/data/2", "read"),
			enforcer.G("alice", "admin"), enforcer.G("/users/*", "admin"), enforcer.G("/data/*", "/data/1")}
		if domains {
			rules = []enforcer.Rule{enforcer.P("admin", "t1", "/data/1", "read"), enforcer.P("/users/*", "t2", "/data/2", "read"),
				enforcer.G("alice", "admin", "t*"), enforcer.G("/users/*", "admin", "t1"), enforcer.G("bob", "/users/*", "t2")}
		}
		opt := enforcer.WithMatchingFunction("g", "KeyMatch", util.KeyMatch)
		if s.domFn {
			opt = enforcer.WithDomainMatchingFunction("g", "KeyMatch", util.KeyMatch)
		}
		m, err := model.NewModelFromString(s.text)
		if err != nil {
			t.Fatal(err)
		}
		w, err := enforcer.New(ctx, m, rulesLoader(rules), opt)
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := w.FastPath(); !ok {
			t.Fatalf("%s: not on the index: %s", s.text, why)
		}
		c := sortedCasbin(t, s.text, rules)
		if s.domFn {
			c.AddNamedDomainMatchingFunc("g", "KeyMatch", util.KeyMatch)
		} else {
			c.AddNamedMatchingFunc("g", "KeyMatch", util.KeyMatch)
		}
		if err := c.BuildRoleLinks(); err != nil {
			t.Fatal(err)
		}
		yes := 0
		for _, sub := range []string{"alice", "bob", "/users/x", "admin", "x"} {
			for _, obj := range []string{"/data/1", "/data/2", "/data/3"} {
				for _, d := range []string{"t1", "t2", "t3"} {
					vals := []any{sub, obj, "read"}
					if domains {
						vals = []any{sub, d, obj, "read"}
					} else if d != "t1" {
						continue
					}
					compare(t, w, c, enforcer.NewRequest(vals...))
					if ok, _ := c.Enforce(vals...); ok {
						yes++
					}
				}
			}
		}
		if yes < s.minYes {
			t.Fatalf("%s: %d allowed: the requests prove little", s.text, yes)
		}
	}
}

// TestEvalRegisteredFunctionResults: an eval() text calling a function
// registered with WithFunction decides as Casbin's eval() calling
// AddFunction's, whatever the function returns (a bool, a number, NaN, a
// string, nil, a slice), under each place of eval() in the matcher, on
// the index and through Casbin: a result that is no bool where one is
// needed fails both, a number alone allows where non-zero, as Casbin
// reads a matcher's number.
func TestEvalRegisteredFunctionResults(t *testing.T) {
	ctx := context.Background()
	results := []any{true, false, float64(1), float64(0), math.NaN(), math.Inf(1), "yes", nil, []string{"a"}, 1}
	matchers := []string{
		"eval(p.sub_rule)",
		"g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act",
		"g(r.sub, p.sub) && (eval(p.sub_rule) || r.act == 'x')",
		"g(r.sub, p.sub) && !eval(p.sub_rule)",
		"g(r.sub, p.sub) && eval(p.sub_rule) == true",
	}
	texts := []string{"f(r.sub)", "f(r.sub) && true", "!f(r.sub)", "f(r.sub) == 1", "f(r.sub) > 0"}
	allowed, failed := 0, 0
	for _, res := range results {
		fn := func(...any) (any, error) { return res, nil }
		for _, mt := range matchers {
			text := deferredModel("p = sub, sub_rule, act", "some(where (p.eft == allow))", mt)
			for _, sub := range texts {
				rules := []enforcer.Rule{enforcer.P("alice", sub, "read")}
				c := loadedCasbin(t, text, rules)
				c.AddFunction("f", fn)
				for _, casbinOnly := range []bool{false, true} {
					opts := []enforcer.Option{enforcer.WithFunction("f", fn)}
					if casbinOnly {
						opts = append(opts, enforcer.WithCasbinEvaluation())
					}
					w, _ := pairWith(t, text, rules, opts, func(*casbin.Enforcer) error { return nil })
					vals := []any{"alice", "o", "read"}
					d, werr := w.Decide(ctx, enforcer.NewRequest(vals...))
					cok, _, cerr := casbinEnforceEx(c, vals...)
					if (werr != nil) != (cerr != nil) || d.Allowed != cok {
						t.Fatalf("%v, %s, %s, casbin-only %v: warden %v %v, casbin %v %v", res, mt, sub, casbinOnly, d.Allowed, werr, cok, cerr)
					}
					if d.Allowed {
						allowed++
					}
					if werr != nil {
						failed++
					}
				}
			}
		}
	}
	if allowed < 20 || failed < 20 {
		t.Fatalf("%d allowed, %d failed: the cases prove little", allowed, failed)
	}
}

// TestEvalChecksOnEveryArgumentForm: the checks of an eval() text (no
// nested eval(), only fields of the model, each built-in called with its
// number of arguments, no request field as a pattern) hold whatever form
// the matcher gives eval()'s argument: eval(p.sub_rule), and the
// concatenations Casbin evaluates to the same text (eval(p.sub_rule + ”),
// eval(” + p.sub_rule)), where only the compile was checked, so that a
// rule eval(r.obj.cond) let the request decide.
func TestEvalChecksOnEveryArgumentForm(t *testing.T) {
	ctx := context.Background()
	texts := []struct{ text, reason string }{
		{"eval(r.obj.cond)", "calls eval() itself"},
		{"q.x == 1", "which is not a field of the model"},
		{"keyMatch(r.act)", "calls keyMatch with 1 arguments"},
		{"regexMatch('/a', r.act)", "passes the request field r_act to regexMatch as its pattern"},
	}
	for _, arg := range []string{"p.sub_rule", "p.sub_rule + ''", "'' + p.sub_rule", "(p.sub_rule)"} {
		text := deferredModel("p = sub, sub_rule, act", "some(where (p.eft == allow))",
			"g(r.sub, p.sub) && eval("+arg+") && r.act == p.act")
		w := newWarden(t, text, nil)
		for _, c := range texts {
			_, err := w.AddRules(ctx, enforcer.P("alice", c.text, "read"))
			var re *enforcer.RuleError
			if !errors.As(err, &re) || re.Field != "sub_rule" || !strings.Contains(re.Reason, c.reason) {
				t.Errorf("eval(%s): %q: %v, want a refusal: %s", arg, c.text, err, c.reason)
			}
		}
		if _, err := w.AddRules(ctx, enforcer.P("alice", "r.obj.price < 25", "read")); err != nil {
			t.Errorf("eval(%s): a readable text refused: %v", arg, err)
		}
	}
}

// TestEvalRequestAttributePattern: an eval() text must not pass request
// data as a pattern, an attribute of a request value (r.obj.pat) no more
// than the value itself: Casbin compiles the pattern at every decision
// and the caller would write it.
func TestEvalRequestAttributePattern(t *testing.T) {
	ctx := context.Background()
	w := newWarden(t, objectConditionsModel, nil)
	for _, text := range []string{
		"regexMatch('aaaa', r.obj.pat)",
		"keyMatch2('/a', r.obj.pat)",
		"globMatch('/a', r.sub.Pat)",
		"'aaaa' =~ r.obj.pat",
		"regexMatch('aaaa', r.obj.pat + '$')",
	} {
		_, err := w.AddRules(ctx, enforcer.P("alice", text, "read"))
		var re *enforcer.RuleError
		if !errors.As(err, &re) || re.Field != "sub_rule" || !strings.Contains(re.Reason, "as its pattern") {
			t.Errorf("%q: %v, want a refusal naming the request pattern", text, err)
		}
	}
	for _, text := range []string{"regexMatch(r.obj.name, '^a+$')", "keyMatch2(r.obj.path, '/a/:id')"} {
		if _, err := w.AddRules(ctx, enforcer.P("alice", text, "read")); err != nil {
			t.Errorf("%q: a request key with a rule pattern refused: %v", text, err)
		}
	}
}

// TestEvalUncheckedArgumentRefused: a matcher whose eval() argument reads
// a policy field in a form the value checks do not follow (a ternary,
// ??, a bracketed name) would hand eval() rule text no check has read,
// such as eval(r.obj.cond), which lets the request decide: New refuses
// the model with ErrInvalidModel, as it refuses eval() of request data.
// The forms the checks read load.
func TestEvalUncheckedArgumentRefused(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		arg string
		ok  bool
	}{
		{"p.sub_rule", true},
		{"(p.sub_rule)", true},
		{"p.sub_rule + ''", true},
		{"'r.sub == \"alice\"'", true},
		{"p.sub_rule == '' ? 'true' : p.sub_rule", false},
		{"p.sub_rule ?? 'true'", false},
		{"[p_sub_rule]", false},
		{"((p.sub_rule))", false},
	} {
		text := deferredModel("p = sub, sub_rule, act", "some(where (p.eft == allow))", "g(r.sub, p.sub) && eval("+c.arg+") && r.act == p.act")
		m, err := model.NewModelFromString(text)
		if err != nil {
			t.Fatal(err)
		}
		w, err := enforcer.New(ctx, m, nil)
		if c.ok {
			if err != nil {
				t.Errorf("eval(%s): %v", c.arg, err)
			}
			continue
		}
		if !errors.Is(err, enforcer.ErrInvalidModel) || !strings.Contains(err.Error(), "eval(") {
			t.Errorf("eval(%s): %v, want ErrInvalidModel", c.arg, err)
			if w != nil {
				if _, err := w.AddRules(ctx, enforcer.P("alice", "eval(r.obj.cond)", "read")); err == nil {
					d, _ := w.Decide(ctx, enforcer.NewRequest("alice", map[string]any{"cond": "true"}, "read"))
					t.Errorf("eval(%s): the rule eval(r.obj.cond) is stored; the request's cond decides: allowed %v", c.arg, d.Allowed)
				}
			}
		}
	}
}
