package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

// Matcher functions registered in code (WithFunction, Casbin's
// AddFunction): compared with plain Casbin that has the same functions
// registered, decision for decision and rule for rule, including functions
// that fail.

// pathPrefix is a well-behaved function: its first argument begins with
// its second.
func pathPrefix(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("pathPrefix: %d arguments", len(args))
	}
	a, ok1 := args[0].(string)
	b, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, errors.New("pathPrefix: arguments must be strings")
	}
	return strings.HasPrefix(a, b), nil
}

// flaky fails on some inputs: an error for a key holding "err", a string
// for one holding "str", a number for one holding "num"; else equality.
func flaky(args ...any) (any, error) {
	a, _ := args[0].(string)
	b, _ := args[1].(string)
	switch {
	case strings.Contains(a, "err"):
		return nil, errors.New("flaky: refused")
	case strings.Contains(a, "str"):
		return "yes", nil
	case strings.Contains(a, "num"):
		return 1.0, nil
	}
	return a == b, nil
}

// ownedPath takes three arguments: the object lies under the pattern and
// names the subject.
func ownedPath(args ...any) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("ownedPath: %d arguments", len(args))
	}
	obj, _ := args[0].(string)
	pat, _ := args[1].(string)
	sub, _ := args[2].(string)
	return strings.HasPrefix(obj, pat) && strings.Contains(obj, "/"+sub), nil
}

// score returns a number: Casbin takes a number as the whole matcher's
// result (non-zero allows).
func score(args ...any) (any, error) {
	a, _ := args[0].(string)
	b, _ := args[1].(string)
	if strings.HasPrefix(a, b) {
		return 1.0, nil
	}
	return 0.0, nil
}

var testFunctions = map[string]enforcer.MatcherFunction{
	"pathPrefix": pathPrefix, "flaky": flaky, "ownedPath": ownedPath, "score": score,
}

const funcModelDefs = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act%s
[role_definition]
g = _, _
[policy_effect]
e = %s
[matchers]
m = %s`

type funcModel struct {
	name    string
	eft     bool
	effect  string
	matcher string
	funcs   []string
}

func (fm funcModel) text() string {
	eft := ""
	if fm.eft {
		eft = ", eft"
	}
	return fmt.Sprintf(funcModelDefs, eft, fm.effect, fm.matcher)
}

var funcModels = []funcModel{
	{name: "keyed", effect: allowEffect, funcs: []string{"pathPrefix"},
		matcher: "r.sub == p.sub && pathPrefix(r.obj, p.obj) && r.act == p.act"},
	{name: "rbac_flaky", effect: allowEffect, funcs: []string{"flaky"},
		matcher: "g(r.sub, p.sub) && flaky(r.obj, p.obj) && r.act == p.act"},
	{name: "rbac_or_deny", eft: true, effect: "some(where (p.eft == allow)) && !some(where (p.eft == deny))", funcs: []string{"ownedPath", "flaky"},
		matcher: `g(r.sub, p.sub) && (ownedPath(r.obj, p.obj, r.sub) || !flaky(r.obj, p.obj)) && r.act == p.act`},
	{name: "deny_override_literal", eft: true, effect: "!some(where (p.eft == deny))", funcs: []string{"pathPrefix", "flaky"},
		matcher: `g(r.sub, p.sub) && flaky(r.obj, p.obj) && pathPrefix(r.obj, "/a") || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`},
	{name: "whole_matcher", effect: allowEffect, funcs: []string{"score"},
		matcher: "score(r.obj, p.obj)"},
}

var (
	funcPolicyObjs  = []string{"/a", "/a/b", "/", "/b", "/str", "/err", "/num", "/a/user1"}
	funcRequestObjs = []string{"/a", "/a/b", "/a/b/c", "/a/user1/x", "/a/user2", "/b", "/str/1", "/err/1", "/num/2", "/c", ""}
)

func genFuncPolicy(r *rand.Rand, fm funcModel) []enforcer.Rule {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	var rules []enforcer.Rule
	for i := 0; i < 10+r.IntN(30); i++ {
		vals := []string{fmt.Sprintf("%s%d", pick([]string{"user", "role"}), r.IntN(6)), pick(funcPolicyObjs), pick([]string{"read", "write"})}
		if fm.eft {
			vals = append(vals, pick([]string{"allow", "allow", "deny"}))
		}
		rules = append(rules, enforcer.P(vals...))
	}
	for i := 0; i < r.IntN(12); i++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", r.IntN(6)), fmt.Sprintf("role%d", r.IntN(6))))
	}
	return rules
}

func genFuncRequest(r *rand.Rand) []any {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	return []any{fmt.Sprintf("%s%d", pick([]string{"user", "role"}), r.IntN(7)), pick(funcRequestObjs), pick([]string{"read", "write"})}
}

// funcOptions registers names on Warden's side; casbinFuncs the same on
// Casbin's.
func funcOptions(names []string) []enforcer.Option {
	var out []enforcer.Option
	for _, n := range names {
		out = append(out, enforcer.WithFunction(n, testFunctions[n]))
	}
	return out
}

func casbinFuncs(names []string) func(*casbin.Enforcer) error {
	return func(c *casbin.Enforcer) error {
		for _, n := range names {
			c.AddFunction(n, testFunctions[n])
		}
		return nil
	}
}

// pairWith is pair with options for Warden and a setup for Casbin.
func pairWith(t *testing.T, text string, rules []enforcer.Rule, opts []enforcer.Option, setup func(*casbin.Enforcer) error) (*enforcer.Enforcer, *casbin.Enforcer) {
	t.Helper()
	m, err := enforcer.ParseModel(text, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c := loadedCasbin(t, text, nil)
	if err := setup(c); err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if _, err := w.AddRules(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(r.PType, "g") {
			_, err = c.AddNamedGroupingPolicy(r.PType, r.Values)
		} else {
			_, err = c.AddNamedPolicy(r.PType, r.Values)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return w, c
}

// compareEvaluated is compare, but for the documented difference: Casbin
// fails on a rule the index rules out (its function errs for this request)
// where Warden, never evaluating that rule, denies without an error.
func compareEvaluated(t *testing.T, w *enforcer.Enforcer, c *casbin.Enforcer, req enforcer.Request) {
	t.Helper()
	if _, cerr := c.Enforce(req.Values...); cerr != nil {
		d, werr := w.Decide(context.Background(), req)
		if werr == nil && d.Allowed {
			t.Fatalf("%v: Casbin fails (%v), Warden allows by %v", req.Values, cerr, d.Rule)
		}
		return
	}
	compare(t, w, c, req)
}

func TestFunctionsDifferential(t *testing.T) {
	for _, fm := range funcModels {
		t.Run(fm.name, func(t *testing.T) {
			allowed, failed := 0, 0
			for seed := uint64(1); seed <= 10; seed++ {
				r := rand.New(rand.NewPCG(seed, 91))
				rules := genFuncPolicy(r, fm)
				opts := funcOptions(fm.funcs)
				for _, casbinOnly := range []bool{false, true} {
					o := opts
					if casbinOnly {
						o = append(o[:len(o):len(o)], enforcer.WithCasbinEvaluation())
					}
					w, c := pairWith(t, fm.text(), rules, o, casbinFuncs(fm.funcs))
					if ok, reason := w.FastPath(); ok == casbinOnly {
						t.Fatalf("fast path %v (%s)", ok, reason)
					}
					for range 200 {
						req := enforcer.NewRequest(genFuncRequest(r)...)
						compareEvaluated(t, w, c, req)
						ok, err := c.Enforce(req.Values...)
						if ok {
							allowed++
						}
						if err != nil {
							failed++
						}
					}
				}
				// The harness's requests, drawn from the policy and its
				// boundaries.
				rep, err := parity.Run(context.Background(), parity.Config{Model: fm.text(), Rules: rules, Requests: 200, Seed: seed,
					Options: opts, SetupCasbin: casbinFuncs(fm.funcs)})
				if err != nil {
					t.Fatal(err)
				}
				if !rep.FastPath || !rep.Equal() {
					t.Fatalf("seed %d: fast path %v (%s), differences %+v", seed, rep.FastPath, rep.Reason, rep.Diffs[:min(3, len(rep.Diffs))])
				}
			}
			if allowed < 100 {
				t.Fatalf("only %d requests allowed", allowed)
			}
			if strings.Contains(fm.matcher, "flaky") && failed == 0 {
				t.Fatal("no request met a failing function")
			}
		})
	}
}

// TestFunctionFailsClosed: a function that errors, panics or returns a
// non-bool where a condition is needed fails the decision (an error,
// denied), never allows and never panics, on the index and on Casbin's
// evaluation.
func TestFunctionFailsClosed(t *testing.T) {
	ctx := context.Background()
	fails := map[string]enforcer.MatcherFunction{
		"error":  func(...any) (any, error) { return true, errors.New("boom") },
		"panic":  func(...any) (any, error) { panic("boom") },
		"string": func(...any) (any, error) { return "true", nil },
		"number": func(...any) (any, error) { return 1.0, nil },
		"nil":    func(...any) (any, error) { return nil, nil },
	}
	for name, fn := range fails {
		for _, casbinOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/casbin=%v", name, casbinOnly), func(t *testing.T) {
				text := fmt.Sprintf(funcModelDefs, "", allowEffect, "r.sub == p.sub && f(r.obj, p.obj) && r.act == p.act")
				opts := []enforcer.Option{enforcer.WithFunction("f", fn)}
				if casbinOnly {
					opts = append(opts, enforcer.WithCasbinEvaluation())
				}
				m, err := enforcer.ParseModel(text, opts...)
				if err != nil {
					t.Fatal(err)
				}
				w, err := enforcer.New(ctx, m, nil, opts...)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.AddRules(ctx, enforcer.P("alice", "/a", "read")); err != nil {
					t.Fatal(err)
				}
				d, err := w.Decide(ctx, enforcer.NewRequest("alice", "/a", "read"))
				if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed {
					t.Fatalf("decision %+v, error %v: want ErrEvaluation and a denial", d, err)
				}
				ok, err := w.Enforce(ctx, "alice", "/a", "read")
				if err == nil || ok {
					t.Fatalf("Enforce: %v %v", ok, err)
				}
				// A rule the index rules out never calls the function.
				if ok, err := w.Enforce(ctx, "bob", "/a", "read"); ok || err != nil {
					t.Fatalf("bob: %v %v", ok, err)
				}
			})
		}
	}
}

// TestFunctionRunsOnCandidates: the function is called for the rules the
// index finds, not for the policy.
func TestFunctionRunsOnCandidates(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int64
	counted := func(args ...any) (any, error) {
		calls.Add(1)
		return pathPrefix(args...)
	}
	text := fmt.Sprintf(funcModelDefs, "", allowEffect, "g(r.sub, p.sub) && counted(r.obj, p.obj) && r.act == p.act")
	opts := []enforcer.Option{enforcer.WithFunction("counted", counted)}
	m, err := enforcer.ParseModel(text, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(ctx, m, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var rules []enforcer.Rule
	for i := range 1000 {
		rules = append(rules, enforcer.P(fmt.Sprintf("user%d", i), fmt.Sprintf("/u%d", i), "read"))
	}
	rules = append(rules, enforcer.G("alice", "user7"))
	if _, err := w.AddRules(ctx, rules...); err != nil {
		t.Fatal(err)
	}
	ok, err := w.Enforce(ctx, "alice", "/u7/x", "read")
	if err != nil || !ok {
		t.Fatalf("alice: %v %v", ok, err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("the function ran %d times for one candidate rule", n)
	}
}

func TestWithFunctionRefuses(t *testing.T) {
	ctx := context.Background()
	text := fmt.Sprintf(funcModelDefs, "", allowEffect, "g(r.sub, p.sub) && mine(r.obj, p.obj)")
	for _, tc := range []struct {
		name string
		opts []enforcer.Option
		want string
	}{
		{"builtin", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("keyMatch", pathPrefix)}, "built-in"},
		{"eval", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("eval", pathPrefix)}, "built-in"},
		{"role", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("g", pathPrefix)}, "role definition"},
		{"not a name", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("my-func", pathPrefix)}, "not a name"},
		{"keyword", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("true", pathPrefix)}, "not a name"},
		{"nil", []enforcer.Option{enforcer.WithFunction("mine", nil)}, "nil function"},
		{"twice", []enforcer.Option{enforcer.WithFunction("mine", pathPrefix), enforcer.WithFunction("mine", flaky)}, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := enforcer.ParseModel(text, tc.opts...)
			if !errors.Is(err, enforcer.ErrInvalidOption) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseModel: %v, want ErrInvalidOption (%s)", err, tc.want)
			}
			m, err := model.NewModelFromString(text)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := enforcer.New(ctx, m, nil, tc.opts...); !errors.Is(err, enforcer.ErrInvalidOption) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want ErrInvalidOption (%s)", err, tc.want)
			}
		})
	}
	// Without the function the model is refused, and the message says how
	// to register it.
	_, err := enforcer.ParseModel(text)
	if !errors.Is(err, enforcer.ErrInvalidModel) || !strings.Contains(err.Error(), `enforcer.WithFunction("mine", fn)`) {
		t.Fatalf("ParseModel without the function: %v", err)
	}
}

// FuzzFunctions explores policies of the matcher-function models beyond the
// fixed seeds: go test -run '^$' -fuzz FuzzFunctions ./enforcer
func FuzzFunctions(f *testing.F) {
	for i := range funcModels {
		f.Add(uint64(i*13+5), uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		fm := funcModels[int(which)%len(funcModels)]
		r := rand.New(rand.NewPCG(seed, 91))
		w, c := pairWith(t, fm.text(), genFuncPolicy(r, fm), funcOptions(fm.funcs), casbinFuncs(fm.funcs))
		for range 60 {
			compareEvaluated(t, w, c, enforcer.NewRequest(genFuncRequest(r)...))
		}
	})
}
