package modelcheck_test

import (
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// TestEvalMemoAcrossPtypesAndFields: one memo over rules of two ptypes
// whose matchers read different fields, a rule with two eval() fields
// and a registered function keeps Check's verdict for every rule, in
// both orders: the memo holds only what a text says alone.
func TestEvalMemoAcrossPtypesAndFields(t *testing.T) {
	m, err := model.NewModelFromString(`[request_definition]
r = sub, obj
r2 = sub, obj
[policy_definition]
p = rule, rule2, obj
p2 = rule, dom
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.rule) && eval(p.rule2) && r.obj == p.obj
m2 = eval(p2.rule) && r2.obj == p2.dom
`)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]govaluate.ExpressionFunction{"owns": func(...any) (any, error) { return true, nil }}
	rules := []struct {
		ptype string
		vals  []string
	}{
		{"p", []string{"keyMatch2(r.obj, p.obj)", "keyMatch2(r.obj, p.obj)", "/a/:id"}},
		{"p", []string{"keyMatch2(r.obj, p.obj)", "keyMatch2(r.obj, p.obj)", "/a("}},
		{"p2", []string{"keyMatch2(r.obj, p.obj)", "/a("}},
		{"p2", []string{"keyMatch2(r2.obj, p2.dom)", "/a("}},
		{"p", []string{"keyMatch2(r2.obj, p2.dom)", "true", "/a("}},
		{"p", []string{"owns(r.sub, 1)", "r.sub.Age > 1", "/x"}},
		{"p2", []string{"owns(r.sub, 1)", "x"}},
		{"p", []string{"true", "eval(r.obj)", "/x"}},
		{"p", []string{"eval(r.obj)", "true", "/x"}},
	}
	for _, o := range []modelcheck.CheckerOptions{{}, {Functions: funcs}, {Functions: funcs, DeferEvalErrors: true}} {
		c := modelcheck.NewValueCheckerWith(m, modelcheck.Limits{}, o)
		for _, order := range []int{1, -1} {
			memo := modelcheck.NewEvalMemo()
			refused := 0
			for k := range rules {
				if order < 0 {
					k = len(rules) - 1 - k
				}
				r := rules[k]
				want, got := c.Check(r.ptype, r.vals), c.CheckWith(memo, r.ptype, r.vals)
				if fmt.Sprint(want) != fmt.Sprint(got) {
					t.Fatalf("%v %s %q: Check = %v, CheckWith(memo) = %v", o.Functions != nil, r.ptype, r.vals, want, got)
				}
				if want != nil {
					refused++
				}
			}
			if refused < 3 || refused == len(rules) {
				t.Fatalf("%d of %d refused: the rules prove little", refused, len(rules))
			}
		}
	}
}
