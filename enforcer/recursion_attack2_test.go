package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

const requestEvalWideModel = `[request_definition]
r = sub, obj, a, b, c
[policy_definition]
p = sub, obj
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.obj == p.obj && eval(r.a)
`

// TestRequestEvalWidthFails: the depth bound of eval() (32) leaves its
// width unbounded: under WithRequestEvalUnsafe, r.a calling eval(r.b) 300
// times and r.b calling eval(r.c) 300 times made one decision evaluate
// 90,000 texts (seconds), and each further request field multiplied that by 300
// (a request of five fields ran for days). The eval() calls one eval()
// of the matcher makes are bounded too; the decision fails closed. Calls
// within the bounds, and the same nesting on many rules, still decide;
// Explain fails as Decide does.
func TestRequestEvalWidthFails(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{enforcer.P("bob", "data1")}
	for i := range 2000 {
		rules = append(rules, enforcer.P(fmt.Sprint("u", i), "data2"))
	}
	e := newWarden(t, requestEvalWideModel, rules, enforcer.WithRequestEvalUnsafe())
	wide := func(field string, n int) string {
		return strings.TrimSuffix(strings.Repeat("eval(r."+field+") && ", n), " && ")
	}
	for _, tc := range []struct {
		name      string
		obj       string
		a, b, c   string
		allowed   bool
		wantNests bool
	}{
		{"wide", "data1", wide("b", 300), wide("c", 300), "true", false, true},
		{"mutual", "data1", "eval(r.b)", "eval(r.a)", "", false, true},
		{"within the bounds", "data1", wide("b", 10), wide("c", 10), "true", true, false},
		// 2,000 rules, each evaluating eval(r.a) and within it eval(r.b):
		// the bound is per eval() of the matcher, not per decision.
		{"many rules", "data2", "eval(r.b)", "false", "", false, false},
		{"after a refused request", "data1", "true", "", "", true, false},
	} {
		req := enforcer.NewRequest("mallory", tc.obj, tc.a, tc.b, tc.c)
		d, err := e.Decide(ctx, req)
		if tc.wantNests {
			if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed {
				t.Errorf("%s: Decide = %v, %v; want ErrEvaluation", tc.name, d.Allowed, err)
			}
			if x, err := e.Explain(ctx, req); !errors.Is(err, enforcer.ErrEvaluation) || x.Decision.Allowed {
				t.Errorf("%s: Explain = %v, %v; want ErrEvaluation", tc.name, x.Decision.Allowed, err)
			}
			continue
		}
		if err != nil || d.Allowed != tc.allowed {
			t.Errorf("%s: Decide = %v, %v; want %v", tc.name, d.Allowed, err, tc.allowed)
		}
	}
}

const requestEvalDefsModel = `[request_definition]
r = sub, obj
r2 = sub, a, b
[policy_definition]
p = sub, obj, rule
p2 = sub
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && eval(p.rule)
m2 = r2.sub == p2.sub && eval(r2.a)
`

// TestRequestEvalRoutesHold: other routes to a nested eval() of request
// data, each held: a second definition chosen per request nests as far
// as the first does, a request-scoped rule cannot carry eval() of
// request data, Casbin's enforcer deciding a model whose second matcher
// evaluates request data is refused, and a refused decision leaves the
// pooled context fit for the next.
func TestRequestEvalRoutesHold(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(requestEvalDefsModel, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.New(ctx, m, nil, enforcer.WithRequestEvalUnsafe(), enforcer.WithCasbinEvaluation()); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("Casbin deciding m2's eval(r2.a): New = %v; want ErrUnsupported", err)
	}
	e, err := enforcer.New(ctx, m, nil, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.Rule{PType: "p2", Values: []string{"bob"}}, enforcer.P("bob", "x", "true")); err != nil {
		t.Fatal(err)
	}
	d2 := enforcer.Definition{R: "r2", P: "p2", E: "e", M: "m2"}
	for _, tc := range []struct {
		name    string
		req     enforcer.Request
		want    error
		allowed bool
	}{
		{"r2 self", enforcer.Request{Values: []any{"bob", "eval(r2.a)", ""}, Definition: d2}, enforcer.ErrEvaluation, false},
		{"r2 mutual", enforcer.Request{Values: []any{"bob", "eval(r2.b)", "eval(r2.a)"}, Definition: d2}, enforcer.ErrEvaluation, false},
		{"r2 after", enforcer.Request{Values: []any{"bob", "eval(r2.b)", "true"}, Definition: d2}, nil, true},
		{"scoped eval of request data", enforcer.Request{Values: []any{"carol", "x"}, Policies: [][]string{{"carol", "x", "eval(r.obj)"}}}, enforcer.ErrInvalidRequest, false},
		{"r after", enforcer.Request{Values: []any{"bob", "x"}}, nil, true},
	} {
		d, err := e.Decide(ctx, tc.req)
		if tc.want != nil && !errors.Is(err, tc.want) || tc.want == nil && err != nil || d.Allowed != tc.allowed {
			t.Errorf("%s: Decide = %v, %v; want %v, %v", tc.name, d.Allowed, err, tc.allowed, tc.want)
		}
	}
}

// TestRequestEvalPanicNested: a registered function panicking inside a
// nested eval() fails that decision, and the pooled context it leaves
// decides the next request.
func TestRequestEvalPanicNested(t *testing.T) {
	ctx := context.Background()
	boom := func(...any) (any, error) { panic("boom") }
	e := newWarden(t, requestEvalModel, []enforcer.Rule{enforcer.P("bob", "data1")},
		enforcer.WithRequestEvalUnsafe(), enforcer.WithFunction("boom", boom))
	for i := range 3 {
		if d, err := e.Decide(ctx, enforcer.NewRequest("m", "data1", `eval("boom()")`)); err == nil || d.Allowed {
			t.Fatalf("round %d: a panic in a nested eval(): %v, %v; want an error", i, d.Allowed, err)
		}
		if ok, err := e.Enforce(ctx, "m", "data1", `eval("true")`); err != nil || !ok {
			t.Fatalf("round %d: nested eval() after a panic: %v, %v; want allowed", i, ok, err)
		}
		if _, err := e.Enforce(ctx, "m", "data1", "eval(r.rule)"); !errors.Is(err, enforcer.ErrEvaluation) {
			t.Fatalf("round %d: eval() of itself after a panic: %v; want ErrEvaluation", i, err)
		}
	}
}

// TestEvalMemoFileLines: with each distinct eval() text read once per
// load, a policy file's error still names the first bad rule's line and
// field: a good text whose other field is bad on a later line, the same
// bad text on several lines, and a good text first and a bad one later.
func TestEvalMemoFileLines(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.conf")
	if err := os.WriteFile(modelPath, []byte("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj, rule\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && eval(p.rule)\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, policy, want string
	}{
		{"other field later", "p, a, /x, r.obj =~ p.obj\np, b, /y, r.obj =~ p.obj\np, c, /a(, r.obj =~ p.obj\n", "policy.csv:3: enforcer: invalid rule: p value 2: field obj: read by eval() in field rule"},
		{"same bad text", "p, a, /x, r.obj ==\np, b, /x, r.obj ==\np, c, /x, r.obj ==\n", "policy.csv:1: enforcer: invalid rule: p value 3: field rule"},
		{"bad text later", "p, a, /x, r.obj == p.obj\np, b, /x, r.obj == p.obj\np, c, /x, r.nope == p.obj\n", "policy.csv:3: enforcer: invalid rule: p value 3: field rule"},
	} {
		policyPath := filepath.Join(dir, "policy.csv")
		if err := os.WriteFile(policyPath, []byte(tc.policy), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := enforcer.NewFromFiles(ctx, modelPath, policyPath)
		if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewFromFiles = %v; want ErrInvalidRule at %s", tc.name, err, tc.want)
		}
	}
}

// TestEvalMemoConcurrentLoads: loads running at once, each with its own
// memo, next to rules checked and decided without one (run under -race):
// every load and check keeps its verdict.
func TestEvalMemoConcurrentLoads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	modelPath, policyPath := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(modelPath, []byte("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj, rule\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && eval(p.rule)\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "p, u%d, /o%d, r.obj =~ p.obj\n", i, i%7)
	}
	if err := os.WriteFile(policyPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.NewFromFiles(ctx, modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 64)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 10 {
				if g%2 == 0 {
					if err := e.Reload(ctx); err != nil {
						errs <- err
					}
					continue
				}
				if err := e.CheckRule(enforcer.P("x", "/a(", "r.obj =~ p.obj")); !errors.Is(err, enforcer.ErrInvalidRule) {
					errs <- fmt.Errorf("CheckRule of a bad pattern = %v", err)
				}
				if ok, err := e.Enforce(ctx, fmt.Sprint("u", i), fmt.Sprint("/o", i%7)); err != nil || !ok {
					errs <- fmt.Errorf("Enforce u%d = %v, %v", i, ok, err)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
