package enforcer_test

import (
	"fmt"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// The eval() ABAC shape: Warden's embedded abac model (models/abac.conf),
//
//	r.sub.Name == r.obj.Owner || (eval(p.sub_rule) && r.obj.Type == p.obj_type && r.act == p.act)
//
// at 1k, 10k and 100k p rules, Warden beside plain Casbin in the same run:
//
//	go test -run '^$' -bench BenchmarkShapeEvalABAC -benchmem ./enforcer
//
// The guard (the owner test) is evaluated once; the object's type and the
// action key the index; eval() runs on the candidates, each rule text
// compiled once when stored (Casbin compiles it for every rule of every
// decision).

// evalABACShape is n rules over n/4 object types, each type with a rule
// per action whose subject rule is one of twenty age and department
// conditions; the last rule lets adults read type "shared".
func evalABACShape(n int) []enforcer.Rule {
	types := n / 4
	var rules []enforcer.Rule
	for i := 0; i < n-1; i++ {
		cond := fmt.Sprintf("r.sub.Age >= %d && r.sub.Dept == 'dept%d'", 18+i%10, i%2)
		rules = append(rules, enforcer.P(cond, fmt.Sprintf("type%d", i%types), []string{"read", "write", "delete", "share"}[i/types%4]))
	}
	return append(rules, enforcer.P("r.sub.Age >= 18", "shared", "read"))
}

func BenchmarkShapeEvalABAC(b *testing.B) {
	sub := map[string]any{"Name": "ann", "Age": 30, "Dept": "ops"}
	benchShape(b, mustModelText("abac"), evalABACShape,
		[]any{sub, map[string]any{"Owner": "bob", "Type": "shared"}, "read"},
		[]any{sub, map[string]any{"Owner": "bob", "Type": "type7"}, "read"},
		nil, nil)
}

// BenchmarkLoadEvalABAC loads the eval() ABAC shape at 100k rules: the
// checks read each of its twenty distinct eval() texts once for the load
// (modelcheck.EvalMemo), not once per rule.
//
//	go test -run '^$' -bench BenchmarkLoadEvalABAC -benchmem ./enforcer
func BenchmarkLoadEvalABAC(b *testing.B) {
	rules := evalABACShape(100_000)
	text := mustModelText("abac")
	b.ReportAllocs()
	for b.Loop() {
		newWarden(b, text, rules)
	}
}
