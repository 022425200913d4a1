package modelcheck_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// fuzzFuncs are the matcher calls whose pattern argument the checker
// validates, each with Casbin's own implementation.
var fuzzFuncs = []struct {
	matcher string // with r.obj the key and p.obj the checked value
	call    func(key, value string) (any, error)
}{
	{"keyMatch2(r.obj, p.obj)", two("keyMatch2")},
	{"keyMatch3(r.obj, p.obj)", two("keyMatch3")},
	{"keyMatch4(r.obj, p.obj)", two("keyMatch4")},
	{"keyMatch5(r.obj, p.obj)", two("keyMatch5")},
	{"regexMatch(r.obj, p.obj)", two("regexMatch")},
	{"globMatch(r.obj, p.obj)", two("globMatch")},
	{"ipMatch(r.obj, p.obj)", two("ipMatch")},
	{"keyMatch(r.obj, p.obj)", two("keyMatch")},
	{"keyGet2(r.obj, p.obj, 'id') != ''", func(k, v string) (any, error) { return casbinFunc("keyGet2")(k, v, "id") }},
	{"keyGet3(r.obj, p.obj, 'id') != ''", func(k, v string) (any, error) { return casbinFunc("keyGet3")(k, v, "id") }},
	{"r.obj =~ p.obj", func(k, v string) (any, error) {
		expr, err := govaluate.NewEvaluableExpression("r_obj =~ p_obj")
		if err != nil {
			return nil, err
		}
		return expr.Evaluate(map[string]any{"r_obj": k, "p_obj": v})
	}},
}

// two is Casbin's function name called with (key, value).
func two(name string) func(key, value string) (any, error) {
	f := casbinFunc(name)
	return func(k, v string) (any, error) { return f(k, v) }
}

// casbinFunc is Casbin's own function of that name, as its enforcer calls it.
func casbinFunc(name string) func(args ...string) (any, error) {
	fm := model.LoadFunctionMap()
	f := fm.GetFunctions()[name]
	return func(args ...string) (any, error) {
		in := make([]any, len(args))
		for i, a := range args {
			in[i] = a
		}
		return f(in...)
	}
}

var fuzzCheckers = func() []*modelcheck.ValueChecker {
	out := make([]*modelcheck.ValueChecker, len(fuzzFuncs))
	for i, f := range fuzzFuncs {
		m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && " + f.matcher + "\n")
		if err != nil {
			panic(err)
		}
		out[i] = modelcheck.NewValueChecker(m, modelcheck.Limits{})
	}
	return out
}()

// FuzzAcceptedValues holds the checker to its promise: a rule value it
// accepts never makes Casbin's function (the one the matcher passes it to)
// panic or fail, whatever the request holds. The seeds run with every
// go test; explore further with
// go test -run '^$' -fuzz FuzzAcceptedValues ./lint
func FuzzAcceptedValues(f *testing.F) {
	seeds := []string{
		"/posts(", "/posts/:id", "/posts/:id(", "/posts/*", "/a/{id}", "/a/{id}/(b)", "/a/{id}/(?:b)", "/a/{id(}",
		"{a,b}", "{a,{b,c}}", "[", "[]", "[!]", "[a-]", "[z-a]", `\`, `a\`, "**/x", "/a/**/*.{png,jpg}",
		"10.0.0.0/8", "::1", "10.0.0.0/33", "(", "a**", `\q`, "(?P<id>x)", "x{2,1}", "\xff", "\u202e",
	}
	keys := []string{"/posts/1", "/a/1/b", "10.1.2.3", "", "/a/b.png", "a", "{a,b}", "/posts/1?x=1"}
	for i, s := range seeds {
		for j := range fuzzFuncs {
			f.Add(uint8(j), s, keys[(i+j)%len(keys)])
		}
	}
	f.Fuzz(func(t *testing.T, fn uint8, value, key string) {
		i := int(fn) % len(fuzzFuncs)
		c := fuzzCheckers[i]
		if c.Check("p", []string{"alice", value}) != nil {
			return
		}
		if len(key) > c.Limits().RequestValue {
			return // refused before any matcher sees it
		}
		if i == 6 && net.ParseIP(key) == nil {
			key = "10.1.2.3" // a key that is not an address fails on the request's account
		}
		res, err := func() (res any, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return fuzzFuncs[i].call(key, value)
		}()
		if err != nil {
			t.Fatalf("%s with p.obj=%q accepted, but Casbin fails on r.obj=%q: %v", fuzzFuncs[i].matcher, value, key, err)
		}
		if _, ok := res.(bool); !ok {
			if _, ok := res.(string); !ok {
				t.Fatalf("%s: result %T", fuzzFuncs[i].matcher, res)
			}
		}
	})
}

var evalChecker = func() *modelcheck.ValueChecker {
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = rule, obj\n[role_definition]\ng = _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = eval(p.rule) && keyMatch2(r.obj, p.obj)\n")
	if err != nil {
		panic(err)
	}
	return modelcheck.NewValueChecker(m, modelcheck.Limits{})
}()

// FuzzEvalValues: whatever a rule value that eval() reads holds, checking
// it never panics (govaluate's parser does on a trailing backslash), and a
// value accepted is one govaluate parses.
//
//	go test -run '^$' -fuzz FuzzEvalValues ./internal/modelcheck
func FuzzEvalValues(f *testing.F) {
	for _, s := range []string{`r.sub == 'a' \`, `\`, "r.sub.Age > 18", "(r.sub == 'a') (r.obj == 'b')", "eval(r.obj)", `'a\'`, "g(r.sub, 'x')"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if evalChecker.Check("p", []string{v, "/a/:id"}) != nil {
			return
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("accepted %q, on which govaluate panics: %v", v, r)
				}
			}()
			if _, err := govaluate.NewEvaluableExpressionWithFunctions(util.EscapeAssertion(v), evalFuncs); err != nil {
				t.Fatalf("accepted %q, which govaluate refuses: %v", v, err)
			}
		}()
	})
}

// evalFuncs is Casbin's function map with the model's role function and
// eval, as an enforcer has it.
var evalFuncs = func() map[string]govaluate.ExpressionFunction {
	fm := model.LoadFunctionMap()
	f := fm.GetFunctions()
	f["g"] = func(...any) (any, error) { return false, nil }
	f["eval"] = func(...any) (any, error) { return false, nil }
	return f
}()
