package enforcer_test

import (
	"context"
	"errors"
	"fmt"
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
// within the bounds, and the same nesting on many rules, still decide.
func TestRequestEvalWidthFails(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(requestEvalWideModel, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	rules := []enforcer.Rule{enforcer.P("bob", "data1")}
	for i := range 2000 {
		rules = append(rules, enforcer.P(fmt.Sprint("u", i), "data2"))
	}
	if _, err := e.AddRules(ctx, rules...); err != nil {
		t.Fatal(err)
	}
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
		d, err := e.Decide(ctx, enforcer.NewRequest("mallory", tc.obj, tc.a, tc.b, tc.c))
		if tc.wantNests {
			if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed {
				t.Errorf("%s: Decide = %v, %v; want ErrEvaluation", tc.name, d.Allowed, err)
			}
			continue
		}
		if err != nil || d.Allowed != tc.allowed {
			t.Errorf("%s: Decide = %v, %v; want %v", tc.name, d.Allowed, err, tc.allowed)
		}
	}
}
