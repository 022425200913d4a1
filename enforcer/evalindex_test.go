package enforcer_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// The eval() and guard models on the index, against plain Casbin: the same
// decision and the same rule, with attribute requests (maps and structs),
// rule texts that fail for some requests, request-scoped policies, and
// rules removed while deciding.

// person and thing are struct request values, as Casbin's own ABAC tests
// use; the maps below carry the same attributes.
type person struct {
	Name string
	Age  int
	Dept string
}

type thing struct {
	Owner string
	Type  string
}

// evalModel is a model shape for generated eval() policies.
type evalModel struct {
	name  string
	text  string
	eft   bool   // p ends with an eft field
	guard string // the guard, when the model has one (for the index check)
	// rule gives a rule's values before any eft.
	rule func(r *rand.Rand) []string
	// req gives a request.
	req func(r *rand.Rand) []any
	// opts are Warden's options and setup Casbin's matching registrations.
	opts  []enforcer.Option
	setup func(*casbin.Enforcer) error
}

// casbinSetup is em's registrations on Casbin's side, none by default.
func (em evalModel) casbinSetup(c *casbin.Enforcer) error {
	if em.setup == nil {
		return nil
	}
	return em.setup(c)
}

// Texts of Casbin's object_conditions example: a filter's conditions,
// written with "=", which no engine can compile; under
// WithDeferredEvalErrors they load, and fail each decision that reaches
// them, on both.
var conditionRules = []string{
	"r.obj.Type == 'doc'",
	"r.obj.Type = 'doc'",
	"r.obj.Owner = u1",
	"r.obj.Owner == 'u1' || r.obj.Type == 'img'",
	"r.obj.Type == 'video' && r.act == 'play'",
	"r.obj.category_id = 2",
}

// deptIs is a function registered in code that eval() texts call:
// deptIs(dept, want), failing on anything but two strings.
func deptIs(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("deptIs: %d arguments", len(args))
	}
	a, ok1 := args[0].(string)
	b, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("deptIs: %T, %T", args[0], args[1])
	}
	return a == b, nil
}

var registeredRules = []string{
	"deptIs(r.sub.Dept, 'eng')",
	"deptIs(r.sub.Dept, 'ops') || r.sub.Age > 60",
	"!deptIs(r.sub.Dept, 'hr') && r.sub.Age > 18",
	"deptIs(r.sub.Name, 'u2')",
}

var subRules = []string{
	"r.sub.Age > 18",
	"r.sub.Age < 60 && r.sub.Dept == 'eng'",
	"r.sub.Dept == 'ops' || r.sub.Age >= 65",
	"r.sub.Name == 'u3'",
	"g(r.sub.Name, 'admins')",
	"true",
}

// failingRule fails wherever it is evaluated: no request has Role.
const failingRule = "r.sub.Role == 'admin'"

// pickSub picks a subject rule, now and then one that fails.
func pickSub(r *rand.Rand) string {
	if r.IntN(12) == 0 {
		return failingRule
	}
	return pick(r, subRules)
}

var objRules = []string{
	"r.obj.Type == 'doc'",
	"r.obj.Type == 'video' && r.obj.Owner != r.sub.Name",
	"keyMatch(r.obj.Owner, 'u*')",
	"r.obj.Owner == r.sub.Name",
}

var (
	evalActs  = []string{"read", "write", "play"}
	evalTypes = []string{"doc", "video", "img"}
)

func genSubject(r *rand.Rand) any {
	name := fmt.Sprintf("u%d", r.IntN(6))
	age := 10 + r.IntN(70)
	dept := []string{"eng", "ops", "hr"}[r.IntN(3)]
	switch r.IntN(20) {
	case 19:
		// No Name: a guard reading it fails, on both.
		return map[string]any{"Age": age, "Dept": dept}
	case 18:
		// A Name that is no string: the compiled guard leaves it to
		// govaluate.
		return map[string]any{"Name": 3, "Age": age, "Dept": dept}
	case 0, 1, 2, 3, 4, 5:
		return person{Name: name, Age: age, Dept: dept}
	case 6, 7, 8, 9, 10, 11:
		return &person{Name: name, Age: age, Dept: dept}
	}
	return map[string]any{"Name": name, "Age": age, "Dept": dept}
}

func genObject(r *rand.Rand) any {
	owner := fmt.Sprintf("u%d", r.IntN(6))
	switch r.IntN(16) {
	case 0:
		return map[string]any{"Owner": owner, "Type": 7} // not a string: equal to no rule
	case 1:
		return map[string]any{"Owner": owner} // no Type: govaluate fails where it reads it
	case 2, 3, 4:
		return thing{Owner: owner, Type: evalTypes[r.IntN(3)]}
	}
	return map[string]any{"Owner": owner, "Type": evalTypes[r.IntN(3)]}
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

var evalModels = []evalModel{
	{
		name: "abac_rule",
		text: evalModels0,
		rule: func(r *rand.Rand) []string {
			return []string{pickSub(r), fmt.Sprintf("/data%d", r.IntN(4)), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			return []any{genSubject(r), fmt.Sprintf("/data%d", r.IntN(5)), pick(r, evalActs)}
		},
	},
	{
		name: "pbac_deny",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj_rule, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = eval(p.sub_rule) && eval(p.obj_rule) && r.act == p.act`,
		eft: true,
		rule: func(r *rand.Rand) []string {
			return []string{pickSub(r), pick(r, objRules), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any { return []any{genSubject(r), genObject(r), pick(r, evalActs)} },
	},
	{
		name: "abac_embedded",
		text: mustModelText("abac"),
		rule: func(r *rand.Rand) []string {
			return []string{pickSub(r), pick(r, evalTypes), pick(r, evalActs)}
		},
		req:   func(r *rand.Rand) []any { return []any{genSubject(r), genObject(r), pick(r, evalActs)} },
		guard: "r.sub.Name == r.obj.Owner",
	},
	{
		name: "guard_deny_override",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj_type, act, eft
[role_definition]
g = _, _
[policy_effect]
e = !some(where (p.eft == deny))
[matchers]
m = r.sub.Dept == 'hr' || r.act == 'audit' || (r.obj.Type == p.obj_type && eval(p.sub_rule) && p.act == r.act)`,
		eft: true,
		rule: func(r *rand.Rand) []string {
			return []string{pickSub(r), pick(r, evalTypes), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			return []any{genSubject(r), genObject(r), pick(r, append([]string{"audit"}, evalActs...))}
		},
		guard: "r.sub.Dept == 'hr' || r.act == 'audit'",
	},
	{
		name: "guard_priority",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj_type, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = r.sub.Dept == 'hr' || (eval(p.sub_rule) && r.obj.Type == p.obj_type && r.act == p.act)`,
		eft: true,
		rule: func(r *rand.Rand) []string {
			return []string{pickSub(r), pick(r, evalTypes), pick(r, evalActs)}
		},
		req:   func(r *rand.Rand) []any { return []any{genSubject(r), genObject(r), pick(r, evalActs)} },
		guard: "r.sub.Dept == 'hr'",
	},
	{
		name: "guard_strings",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == 'root' || g(r.sub, 'auditors') && r.act == 'read' || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`,
		eft: true,
		rule: func(r *rand.Rand) []string {
			return []string{fmt.Sprintf("role%d", r.IntN(4)), fmt.Sprintf("data%d", r.IntN(4)), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			sub := fmt.Sprintf("u%d", r.IntN(6))
			if r.IntN(10) == 0 {
				sub = "root"
			}
			return []any{sub, fmt.Sprintf("data%d", r.IntN(5)), pick(r, evalActs)}
		},
		guard: "r.sub == 'root' || g(r.sub, 'auditors') && r.act == 'read'",
	},
	{
		name: "deferred_unreadable",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, sub_rule, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act`,
		rule: func(r *rand.Rand) []string {
			return []string{pick(r, []string{"u0", "u1", "u2", "role1", "role3"}), pick(r, conditionRules), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("u%d", r.IntN(6)), genObject(r), pick(r, evalActs)}
		},
		opts: []enforcer.Option{enforcer.WithDeferredEvalErrors()},
	},
	{
		name: "registered_in_eval",
		text: evalModels0,
		rule: func(r *rand.Rand) []string {
			sub := pick(r, registeredRules)
			if r.IntN(4) == 0 {
				sub = pickSub(r)
			}
			return []string{sub, fmt.Sprintf("/data%d", r.IntN(4)), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			return []any{genSubject(r), fmt.Sprintf("/data%d", r.IntN(5)), pick(r, evalActs)}
		},
		opts:  []enforcer.Option{enforcer.WithFunction("deptIs", deptIs)},
		setup: func(c *casbin.Enforcer) error { c.AddFunction("deptIs", deptIs); return nil },
	},
	{
		name: "typed_attributes",
		text: evalModels0,
		rule: func(r *rand.Rand) []string {
			return []string{pick(r, typedRules), fmt.Sprintf("/data%d", r.IntN(3)), pick(r, evalActs)}
		},
		req: func(r *rand.Rand) []any {
			return []any{genTypedSubject(r), fmt.Sprintf("/data%d", r.IntN(4)), pick(r, evalActs)}
		},
	},
}

// typedRules compare attributes of values of every kind govaluate reads
// its own way: compiled to Go (enforcer/condition.go) where the kinds are
// known, left to govaluate where they are not.
var typedRules = []string{
	"r.sub.Age >= 18 && r.sub.Level < 2.5",
	"r.sub.Level == 1 || r.sub.Name == 'u1'",
	"!(r.sub.Admin) && r.sub.Age > 30",
	"r.sub.Admin == true",
	"r.sub.Name >= 'u3'",
	"r.sub.Age != r.sub.Level",
	"r.sub.Admin",
}

// typedName is a named string type: govaluate's == (reflect.DeepEqual)
// tells it from a string, and its ordering comparisons refuse it.
type typedName string

// genTypedSubject gives subjects whose attributes are ints of several
// sizes, uint (which govaluate does not convert), floats, NaN, bools,
// named strings, nil and missing.
func genTypedSubject(r *rand.Rand) any {
	leaf := func() any {
		switch r.IntN(10) {
		case 0:
			return int8(r.IntN(3))
		case 1:
			return uint(r.IntN(3))
		case 2:
			return float32(r.IntN(3)) + 0.5
		case 3:
			return math.NaN()
		case 4:
			return nil
		case 5:
			return uint64(r.IntN(3))
		}
		return r.IntN(3)
	}
	name := any(fmt.Sprintf("u%d", r.IntN(6)))
	if r.IntN(8) == 0 {
		name = typedName("u1")
	}
	admin := any(r.IntN(2) == 0)
	if r.IntN(8) == 0 {
		admin = "yes" // not a bool
	}
	sub := map[string]any{"Name": name, "Age": 10 + r.IntN(40), "Level": leaf(), "Admin": admin}
	if r.IntN(10) == 0 {
		delete(sub, "Level")
	}
	return sub
}

// evalModels0 is the abac_rule shape's model, which registered_in_eval
// shares: eval() of a subject rule keyed by object and action.
const evalModels0 = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.obj == p.obj && r.act == p.act`

func mustModelText(name string) string {
	s, err := models.Text(name)
	if err != nil {
		panic(err)
	}
	return s
}

// evalLinks are the g rules of every eval model: u3 and role1 are admins,
// u1 an auditor, users in roles.
var evalLinks = []enforcer.Rule{
	{PType: "g", Values: []string{"u3", "admins"}},
	{PType: "g", Values: []string{"u1", "auditors"}},
	{PType: "g", Values: []string{"u0", "role0"}},
	{PType: "g", Values: []string{"u1", "role1"}},
	{PType: "g", Values: []string{"u2", "role2"}},
	{PType: "g", Values: []string{"role1", "role3"}},
}

func genEvalRule(r *rand.Rand, em evalModel) enforcer.Rule {
	vals := em.rule(r)
	if em.eft {
		vals = append(vals, []string{"allow", "allow", "allow", "deny"}[r.IntN(4)])
	}
	return enforcer.Rule{PType: "p", Values: vals}
}

// casbinWithout is Casbin's answer on its "p" rules, in order, without
// those whose evaluation alone fails for req: what Warden, which never
// evaluates the rules its index rules out, answers when Casbin's loop
// fails on such a rule. ok is false when Casbin still fails.
func casbinWithout(c *casbin.Enforcer, req []any) (allowed bool, rule []string, ok bool) {
	a := c.GetModel()["p"]["p"]
	all := a.Policy
	defer func() { a.Policy = all }()
	var kept [][]string
	for _, p := range all {
		a.Policy = [][]string{p}
		if _, err := c.Enforce(req...); err == nil {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return false, nil, false
	}
	a.Policy = kept
	allowed, rule, err := c.EnforceEx(req...)
	return allowed, rule, err == nil
}

// compareEval is compare, with the documented difference: where Casbin's
// loop fails on a rule and Warden does not, Warden's answer must be
// Casbin's without the rules that fail for the request.
func compareEval(t *testing.T, w *enforcer.Enforcer, c *casbin.Enforcer, req enforcer.Request) (allowed, failed bool) {
	t.Helper()
	wd, werr := w.Decide(context.Background(), req)
	cok, crule, cerr := c.EnforceEx(req.Values...)
	if cerr != nil && werr == nil {
		var ok bool
		cok, crule, ok = casbinWithout(c, req.Values)
		if !ok {
			if wd.Allowed {
				t.Fatalf("%v: Casbin fails (%v) even without failing rules, Warden allows by %v", req.Values, cerr, wd.Rule)
			}
			return false, true
		}
		cerr = nil
	}
	if (werr != nil) != (cerr != nil) {
		t.Fatalf("%v: errors differ: warden %v, casbin %v", req.Values, werr, cerr)
	}
	if werr != nil {
		return false, true
	}
	if wd.Allowed != cok {
		t.Fatalf("%v: warden allowed=%v (%s), casbin allowed=%v (%v)", req.Values, wd.Allowed, wd.Rule, cok, crule)
	}
	if !slices.Equal(wd.Rule.Values, crule) && !(len(crule) == 0 && wd.Rule.IsZero()) {
		t.Fatalf("%v: warden rule %q, casbin rule %v", req.Values, wd.Rule, crule)
	}
	return wd.Allowed, false
}

func TestEvalDifferential(t *testing.T) {
	for _, em := range evalModels {
		t.Run(em.name, func(t *testing.T) { runEvalSeeds(t, em, 50) })
	}
}

// runEvalSeeds runs runEvalDifferential over six seeds and requires
// least allowed and as many denied requests: the requests must prove
// something each way.
func runEvalSeeds(t *testing.T, em evalModel, least int) {
	allowed, denied, failed := 0, 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		a, d, f := runEvalDifferential(t, seed, em)
		allowed, denied, failed = allowed+a, denied+d, failed+f
	}
	if allowed < least || denied < least {
		t.Fatalf("%d allowed, %d denied, %d failed: the requests prove little", allowed, denied, failed)
	}
	t.Logf("%d allowed, %d denied, %d failed", allowed, denied, failed)
}

func runEvalDifferential(t *testing.T, seed uint64, em evalModel) (allowed, denied, failed int) {
	r := rand.New(rand.NewPCG(seed, seed*7919))
	var rules []enforcer.Rule
	roles := strings.Contains(em.text, "[role_definition]")
	if roles {
		rules = slices.Clone(evalLinks)
	}
	seen := map[string]bool{}
	for range 10 + r.IntN(40) {
		rule := genEvalRule(r, em)
		if k := rule.String(); !seen[k] && (roles || !strings.Contains(k, "g(")) {
			seen[k] = true
			rules = append(rules, rule)
		}
	}
	w, c := pairWith(t, em.text, rules, em.opts, em.casbinSetup)
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("not on the index: %s", reason)
	}
	ask := func(req enforcer.Request) {
		switch a, f := compareEval(t, w, c, req); {
		case f:
			failed++
		case a:
			allowed++
		default:
			denied++
		}
	}
	for range 300 {
		ask(enforcer.Request{Values: em.req(r)})
	}
	// Remove rules, the first ones among them (the rules that decide when
	// a guard holds), and ask again. Casbin's RemovePolicy moves its last
	// rule into the gap, which changes its order; Casbin is loaded afresh
	// with the rules left, in their order, instead.
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		var ps []int
		for k, rule := range rules {
			if rule.PType == "p" {
				ps = append(ps, k)
			}
		}
		if len(ps) == 0 {
			break
		}
		j := ps[0]
		if i%2 == 1 {
			j = ps[r.IntN(len(ps))]
		}
		if _, err := w.RemoveRules(ctx, rules[j]); err != nil {
			t.Fatal(err)
		}
		rules = slices.Delete(rules, j, j+1)
		c = loadedCasbin(t, em.text, rules)
		if err := em.casbinSetup(c); err != nil {
			t.Fatal(err)
		}
		for range 40 {
			ask(enforcer.Request{Values: em.req(r)})
		}
	}
	// Request-scoped policies: on Casbin's side, stored after the rest.
	var scoped [][]string
	for len(scoped) < 3 {
		if rule := genEvalRule(r, em); roles || !strings.Contains(rule.String(), "g(") {
			scoped = append(scoped, rule.Values)
		}
	}
	for _, p := range scoped {
		if _, err := c.AddPolicy(p); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		ask(enforcer.Request{Values: em.req(r), Policies: scoped})
	}
	return allowed, denied, failed
}

// TestEvalModelsOnIndex: the embedded abac model and the eval() shapes
// decide on the index, and the index keys them: a rule for another
// object type or action is never evaluated, so its failing text does not
// fail the decision.
func TestEvalModelsOnIndex(t *testing.T) {
	ctx := context.Background()
	m, err := models.Load("abac")
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("abac: not on the index: %s", reason)
	}
	// The first rule fails for any subject without Role; it is for
	// another type, so the index never evaluates it for a doc.
	if _, err := w.AddRules(ctx,
		enforcer.Rule{PType: "p", Values: []string{"r.sub.Role == 'x'", "video", "read"}},
		enforcer.Rule{PType: "p", Values: []string{"r.sub.Age >= 18", "doc", "read"}},
	); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sub, obj any
		act      string
		allowed  bool
		rule     string
	}{
		{person{Name: "ann", Age: 30}, thing{Owner: "bob", Type: "doc"}, "read", true, "r.sub.Age >= 18"},
		{person{Name: "kid", Age: 9}, thing{Owner: "bob", Type: "doc"}, "read", false, ""},
		{person{Name: "kid", Age: 9}, thing{Owner: "kid", Type: "doc"}, "write", true, "r.sub.Role == 'x'"}, // the owner: the first rule
		{map[string]any{"Name": "ann", "Age": 30}, map[string]any{"Owner": "bob", "Type": 3}, "read", false, ""},
	} {
		d, err := w.Decide(ctx, enforcer.NewRequest(c.sub, c.obj, c.act))
		if err != nil {
			t.Fatalf("%v %v %s: %v", c.sub, c.obj, c.act, err)
		}
		if d.Allowed != c.allowed || (c.rule != "" && (len(d.Rule.Values) == 0 || d.Rule.Values[0] != c.rule)) {
			t.Errorf("%v %v %s: allowed %v by %v, want %v by %q", c.sub, c.obj, c.act, d.Allowed, d.Rule, c.allowed, c.rule)
		}
	}
	// The failing rule is reached where it can match, and fails closed.
	if d, err := w.Decide(ctx, enforcer.NewRequest(person{Name: "ann", Age: 30}, thing{Owner: "bob", Type: "video"}, "read")); err == nil || d.Allowed {
		t.Errorf("video: allowed %v, err %v; want an evaluation error", d.Allowed, err)
	}
	// RulesFor refuses a matcher a request alone can satisfy.
	if _, err := w.RulesFor(ctx, enforcer.Subject{Name: "ann"}); err == nil || !strings.Contains(err.Error(), "listing") {
		t.Errorf("RulesFor: %v, want a refusal", err)
	}
}

// FuzzEvalDifferential runs the eval() and guard shapes on generated
// policies and requests from the fuzzer's seed, against plain Casbin:
//
//	go test -run '^$' -fuzz FuzzEvalDifferential -fuzztime 60s ./enforcer
func FuzzEvalDifferential(f *testing.F) {
	for i := range evalModels {
		f.Add(uint8(i), uint64(i)*977+1)
	}
	f.Fuzz(func(t *testing.T, shape uint8, seed uint64) {
		runEvalDifferential(t, seed, evalModels[int(shape)%len(evalModels)])
	})
}
