package modelcheck_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// TestEvalMemoSameVerdicts: reading each distinct eval() text once for a
// load (EvalMemo) gives every rule the verdict Check gives it alone,
// whatever the order: the same texts accepted and refused, the same value
// named, also where the text passes another field of its rule as a
// pattern (that field differs from rule to rule and is checked for each),
// in a concatenation, and with deferred errors.
func TestEvalMemoSameVerdicts(t *testing.T) {
	texts := []string{
		"r.sub.Age > 18",
		"r.sub.Age >",                        // not an expression
		"keyMatch2(r.obj, p.obj)",            // passes p.obj, which differs per rule
		"regexMatch(r.obj, '/a(')",           // a bad literal pattern
		"eval(r.obj)",                        // eval() itself
		"r.sub.Name == 'x' && r.nope == 'y'", // not a field
		"keyMatch(r.obj, 'a*') && r.sub.Age < 3",
		"r.obj.category_id = 2", // uncompilable: deferred or refused
	}
	objs := []string{"/a/:id", "/a(", "/b/*", "/c/{x"}
	for _, tc := range []struct {
		name, matcher string
		opts          modelcheck.CheckerOptions
	}{
		{"field", "eval(p.rule) && keyMatch2(r.obj, p.obj)", modelcheck.CheckerOptions{}},
		{"deferred", "eval(p.rule) && keyMatch2(r.obj, p.obj)", modelcheck.CheckerOptions{DeferEvalErrors: true}},
		{"concatenation", "eval(p.rule + ' && true') && r.obj == p.obj", modelcheck.CheckerOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = rule, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = " + tc.matcher + "\n")
			if err != nil {
				t.Fatal(err)
			}
			c := modelcheck.NewValueCheckerWith(m, modelcheck.Limits{}, tc.opts)
			r := rand.New(rand.NewPCG(3, 5))
			memo := modelcheck.NewEvalMemo()
			refused := 0
			for range 400 {
				vals := []string{texts[r.IntN(len(texts))], objs[r.IntN(len(objs))]}
				want, got := c.Check("p", vals), c.CheckWith(memo, "p", vals)
				if fmt.Sprint(want) != fmt.Sprint(got) {
					t.Fatalf("%q: Check = %v, CheckWith(memo) = %v", vals, want, got)
				}
				if want != nil {
					refused++
				}
			}
			if refused < 50 || refused > 350 {
				t.Fatalf("%d of 400 refused: the rules prove little", refused)
			}
		})
	}
}
