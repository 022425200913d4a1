package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// Models with several request, policy, effect and matcher definitions,
// each decision choosing its own (Request.Definition), against plain
// Casbin given the same choice as an EnforceContext.

// casbinContext is d as Casbin's EnforceContext, defaults filled in.
func casbinContext(d enforcer.Definition) casbin.EnforceContext {
	fill := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	return casbin.EnforceContext{RType: fill(d.R, "r"), PType: fill(d.P, "p"), EType: fill(d.E, "e"), MType: fill(d.M, "m")}
}

// compareDef decides req on both, Casbin with req's definition as its
// EnforceContext, and fails on any difference of error, decision or rule
// (its values and its ptype).
func compareDef(t testing.TB, w *enforcer.Enforcer, c *casbin.Enforcer, req enforcer.Request) {
	t.Helper()
	wd, werr := w.Decide(context.Background(), req)
	vals := req.Values
	if req.Definition != (enforcer.Definition{}) {
		vals = append([]any{casbinContext(req.Definition)}, vals...)
	}
	cok, crule, cerr := func() (ok bool, rule []string, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return c.EnforceEx(vals...)
	}()
	if (werr != nil) != (cerr != nil) {
		t.Fatalf("%s %v: errors differ: warden %v, casbin %v", req.Definition, req.Values, werr, cerr)
	}
	if werr != nil {
		return
	}
	if wd.Allowed != cok {
		t.Fatalf("%s %v: warden allowed=%v (%s), casbin allowed=%v (%v)", req.Definition, req.Values, wd.Allowed, wd.Rule, cok, crule)
	}
	if !slices.Equal(wd.Rule.Values, crule) && !(len(crule) == 0 && wd.Rule.IsZero()) {
		t.Fatalf("%s %v: warden rule %q, casbin rule %v", req.Definition, req.Values, wd.Rule, crule)
	}
	if want := casbinContext(req.Definition).PType; !wd.Rule.IsZero() && wd.Rule.PType != want {
		t.Fatalf("%s %v: rule %s is not of ptype %s", req.Definition, req.Values, wd.Rule, want)
	}
}

// TestDefinitionsCasbinExamples decides the two example pairs of Casbin's
// tests that choose definitions, with the choices those tests make and
// the ones the model lacks, on every combination of the policy's values.
func TestDefinitionsCasbinExamples(t *testing.T) {
	ctx := context.Background()
	dir := casbinExamples(t)
	type age struct{ Age int }
	cases := []struct {
		model, policy string
		defs          []enforcer.Definition
		values        func(d enforcer.Definition) [][]any
	}{{
		// enforcer_test.go TestMultiplePolicyDefinitions.
		model: "multiple_policy_definitions_model.conf", policy: "multiple_policy_definitions_policy.csv",
		defs: []enforcer.Definition{{}, {R: "r2", P: "p2", E: "e", M: "m2"}, enforcer.Definitions("2"), {R: "r", P: "p2", E: "e", M: "m"}},
		values: func(d enforcer.Definition) [][]any {
			var out [][]any
			for _, obj := range []string{"data1", "data2", "/data1"} {
				for _, act := range []string{"read", "write"} {
					if d.R == "r2" {
						for _, a := range []int{0, 18, 19, 30, 59, 60, 61, 70, 99, 100} {
							out = append(out, []any{age{a}, obj, act})
						}
						continue
					}
					for _, sub := range []string{"alice", "bob", "data2_admin"} {
						out = append(out, []any{sub, obj, act})
					}
				}
			}
			return out
		},
	}, {
		// enforcer_cached_b_test.go BenchmarkCachedWithEnforceContext.
		model: "priority_model_enforce_context.conf", policy: "priority_policy_enforce_context.csv",
		defs: []enforcer.Definition{{}, {R: "r2", P: "p", E: "e", M: "m2"}, {R: "r", P: "p", E: "e", M: "m2"}, enforcer.Definitions("2")},
		values: func(d enforcer.Definition) [][]any {
			var out [][]any
			for _, sub := range []string{"alice", "bob", "data1_deny_group", "data2_allow_group", "carol"} {
				for _, obj := range []string{"data1", "data2"} {
					if d.R == "r2" {
						out = append(out, []any{sub, obj})
						continue
					}
					for _, act := range []string{"read", "write"} {
						out = append(out, []any{sub, obj, act})
					}
				}
			}
			return out
		},
	}}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			mp, pp := filepath.Join(dir, tc.model), filepath.Join(dir, tc.policy)
			w, err := enforcer.NewFromFiles(ctx, mp, pp)
			if err != nil {
				t.Fatal(err)
			}
			if ok, reason := w.FastPath(); !ok {
				t.Fatalf("not on the index: %s", reason)
			}
			for _, eng := range []struct {
				name string
				w    *enforcer.Enforcer
			}{{"warden", w}, {"casbin-evaluation", newFromFiles(t, mp, pp, enforcer.WithCasbinEvaluation())}} {
				c, err := casbin.NewEnforcer(mp, pp)
				if err != nil {
					t.Fatal(err)
				}
				c.EnableLog(false)
				for _, d := range tc.defs {
					for _, v := range tc.values(d) {
						compareDef(t, eng.w, c, enforcer.Request{Values: v, Definition: d})
					}
				}
			}
		})
	}
}

func newFromFiles(t testing.TB, mp, pp string, opts ...enforcer.Option) *enforcer.Enforcer {
	t.Helper()
	w, err := enforcer.NewFromFiles(context.Background(), mp, pp, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// twoDefsModel has two request, policy, effect definitions and three
// matchers, two of them over p with different index keys (m keys object
// patterns, m3 objects whole), m2 over p2 with a domain role definition.
const twoDefsModel = `[request_definition]
r = sub, obj, act
r2 = sub, dom, obj
[policy_definition]
p = sub, obj, act, eft
p2 = sub, dom, obj, eft
[role_definition]
g = _, _
g2 = _, _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
e2 = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act
m2 = g2(r2.sub, p2.sub, r2.dom) && r2.dom == p2.dom && r2.obj == p2.obj
m3 = g(r.sub, p.sub) && r.obj == p.obj`

// twoDefsChoices are the choices asked of twoDefsModel: every one Casbin
// can evaluate, and some it cannot (m2 with r's fields, an e3).
var twoDefsChoices = []enforcer.Definition{
	{}, {R: "r2", P: "p2", M: "m2"}, enforcer.Definitions("2"), {E: "e2"}, {M: "m3"}, {E: "e2", M: "m3"},
	{P: "p2", M: "m2"}, {R: "r2", P: "p2", E: "e3", M: "m2"},
}

func genTwoDefs(r *rand.Rand) []enforcer.Rule {
	var rules []enforcer.Rule
	doms := []string{"d1", "d2"}
	for i := 0; i < 4+r.IntN(10); i++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", r.IntN(6)), fmt.Sprintf("role%d", r.IntN(5))))
		rules = append(rules, enforcer.Rule{PType: "g2", Values: []string{fmt.Sprintf("user%d", r.IntN(6)), fmt.Sprintf("role%d", r.IntN(5)), doms[r.IntN(2)]}})
	}
	for i := 0; i < 4+r.IntN(30); i++ {
		rules = append(rules, genTwoDefsRule(r))
	}
	return rules
}

func genTwoDefsRule(r *rand.Rand) enforcer.Rule {
	sub := fmt.Sprintf("role%d", r.IntN(5))
	if r.IntN(4) == 0 {
		sub = fmt.Sprintf("user%d", r.IntN(6))
	}
	eft := []string{"allow", "allow", "deny", "maybe"}[r.IntN(4)]
	if r.IntN(2) == 0 {
		return enforcer.P(sub, pathPatterns[r.IntN(len(pathPatterns))], []string{"read", "write"}[r.IntN(2)], eft)
	}
	return enforcer.Rule{PType: "p2", Values: []string{sub, []string{"d1", "d2"}[r.IntN(2)], fmt.Sprintf("data%d", r.IntN(4)), eft}}
}

func genTwoDefsRequest(r *rand.Rand, d enforcer.Definition) []any {
	sub := fmt.Sprintf("%s%d", []string{"user", "role"}[r.IntN(2)], r.IntN(6))
	if d.R == "r2" {
		return []any{sub, []string{"d1", "d2", "d3"}[r.IntN(3)], fmt.Sprintf("data%d", r.IntN(5))}
	}
	obj := pathRequests[r.IntN(len(pathRequests))]
	if r.IntN(3) == 0 {
		obj = pathPatterns[r.IntN(len(pathPatterns))] // m3 compares them whole
	}
	return []any{sub, obj, []string{"read", "write"}[r.IntN(2)]}
}

// TestDefinitionsDifferential holds a two-definition model to Casbin, rule
// for rule, on generated policies, each decision choosing a definition;
// then again after adding and removing rules of both policy types (their
// indexes follow), and with request-scoped rules of p2.
func TestDefinitionsDifferential(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		runDefinitions(t, seed, 200)
	}
}

// FuzzDefinitionsDifferential explores further seeds:
// go test -run '^$' -fuzz FuzzDefinitionsDifferential ./enforcer
func FuzzDefinitionsDifferential(f *testing.F) {
	f.Add(uint64(31))
	f.Fuzz(func(t *testing.T, seed uint64) { runDefinitions(t, seed, 50) })
}

func runDefinitions(t *testing.T, seed uint64, requests int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rules := genTwoDefs(r)
	w, c := pair(t, twoDefsModel, rules, nil, "")
	ask := func(n int) {
		for i := 0; i < n; i++ {
			d := twoDefsChoices[r.IntN(len(twoDefsChoices))]
			compareDef(t, w, c, enforcer.Request{Values: genTwoDefsRequest(r, d), Definition: d})
		}
	}
	ask(requests)
	// Add and remove rules of p and p2: Casbin's batch removal keeps
	// the policy order, as Warden's does.
	for i := 0; i < 10; i++ {
		nr := genTwoDefsRule(r)
		if _, err := w.AddRules(ctx, nr); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddNamedPolicy(nr.PType, nr.Values); err != nil {
			t.Fatal(err)
		}
	}
	for _, old := range rules {
		if old.PType[0] != 'p' || r.IntN(3) != 0 {
			continue
		}
		if _, err := w.RemoveRules(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RemoveNamedPolicies(old.PType, [][]string{old.Values}); err != nil {
			t.Fatal(err)
		}
	}
	ask(requests)
	// Request-scoped rules are of the chosen policy type; Casbin
	// gets them as its last stored rules.
	var scoped [][]string
	for len(scoped) < 3 {
		if nr := genTwoDefsRule(r); nr.PType == "p2" {
			scoped = append(scoped, nr.Values)
		}
	}
	for _, p := range scoped {
		if _, err := c.AddNamedPolicy("p2", p); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []enforcer.Definition{{R: "r2", P: "p2", M: "m2"}, enforcer.Definitions("2")} {
		for i := 0; i < requests/4; i++ {
			compareDef(t, w, c, enforcer.Request{Values: genTwoDefsRequest(r, d), Definition: d, Policies: scoped})
		}
	}
}

// TestDefinitionRefusals: a definition the model lacks is refused with
// ErrInvalidRequest on both engines, as is, on the index, a choice whose
// matcher reads other definitions' fields; Plan plans the default
// definition only; a request-scoped rule is checked against the chosen
// policy type.
func TestDefinitionRefusals(t *testing.T) {
	ctx := context.Background()
	m, err := model.NewModelFromString(twoDefsModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []enforcer.Definition{enforcer.Definitions("3"), {E: "e3"}, {R: "p"}, {M: "x"}} {
			_, err := e.Decide(ctx, enforcer.Request{Values: []any{"a", "b", "c"}, Definition: d})
			if !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), d.String()) {
				t.Errorf("%s: %v, want ErrInvalidRequest naming it", d, err)
			}
		}
		_, err = e.Decide(ctx, enforcer.Request{Values: []any{"a", "d1", "c"}, Definition: enforcer.Definitions("2"),
			Policies: [][]string{{"a", "d1", "c"}}})
		if !errors.Is(err, enforcer.ErrInvalidRequest) && !errors.Is(err, enforcer.ErrUnsupported) {
			t.Errorf("a p2 rule of 3 values: %v, want a refusal", err)
		}
		_, err = e.Plan(ctx, enforcer.Request{Values: []any{"a", "d1", enforcer.Unknown{}}, Definition: enforcer.Definitions("2")})
		if !errors.Is(err, enforcer.ErrUnsupported) || !strings.Contains(err.Error(), "{r2, p2, e2, m2}") {
			t.Errorf("Plan with r2: %v, want ErrUnsupported naming the definition", err)
		}
	}
	e, _ := enforcer.New(ctx, m, nil)
	_, err = e.Decide(ctx, enforcer.Request{Values: []any{"a", "b", "c"}, Definition: enforcer.Definition{P: "p2", M: "m2"}})
	if !errors.Is(err, enforcer.ErrInvalidRequest) {
		t.Errorf("m2 with r: %v, want ErrInvalidRequest", err)
	}
	// The zero Definition and its defaults spelled out are one choice.
	if _, err := e.AddRules(ctx, enforcer.P("alice", "/posts", "read", "allow")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []enforcer.Definition{{}, enforcer.Definitions(""), {R: "r", P: "p", E: "e", M: "m"}} {
		if ok, err := e.Decide(ctx, enforcer.Request{Values: []any{"alice", "/posts", "read"}, Definition: d}); err != nil || !ok.Allowed {
			t.Errorf("%s: %v %v, want allowed", d, ok, err)
		}
	}
}

// TestDefinitionsFastPath: each definition of a model must be one compile
// understands, or the whole model is Casbin's, FastPath naming why; a
// matcher that reads two policy definitions is no choice, and deciding
// with it is refused, the rest on the index.
func TestDefinitionsFastPath(t *testing.T) {
	for _, tc := range []struct{ change, reason string }{
		{"", ""},
		{"e2 = subjectPriority(p.eft) || deny", "subjectPriority(p_eft) || deny with several effect definitions"},
		{"m3 = g(r.sub, p.sub) && r.obj == p.obj && r.act == p2.obj", ""},
		{`m2 = r2.sub == "root"`, "definition {r2, p, e, m2}: matcher does not refer to the policy"},
	} {
		text := twoDefsModel
		if tc.change != "" {
			key, _, _ := strings.Cut(tc.change, " = ")
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, key+" = ") {
					lines[i] = tc.change
				}
			}
			text = strings.Join(lines, "\n")
		}
		m, err := model.NewModelFromString(text)
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(context.Background(), m, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.change, err)
		}
		ok, reason := e.FastPath()
		if ok != (tc.reason == "") || !strings.Contains(reason, tc.reason) {
			t.Errorf("%q: FastPath %v %q, want %q", tc.change, ok, reason, tc.reason)
		}
		if strings.HasPrefix(tc.change, "m3 ") {
			_, err := e.Decide(context.Background(), enforcer.Request{Values: []any{"a", "b", "c"}, Definition: enforcer.Definition{M: "m3"}})
			if !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), "matcher m3 reads the fields of both p and p2") {
				t.Errorf("%q: deciding with m3: %v, want ErrInvalidRequest naming why", tc.change, err)
			}
		}
	}
}
