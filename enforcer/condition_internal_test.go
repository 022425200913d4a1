package enforcer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wardenhq/warden/models"
)

// The compiled conditions (condition.go) against govaluate, expression by
// expression and value by value: wherever a compiled condition says it
// knows, govaluate must evaluate the same text with the same values to
// the same bool, without error. Generated texts mix every operator the
// compiler takes with ones it does not; generated values hold every kind
// govaluate reads differently from what a Go programmer might expect
// (uint, named strings, NaN, nil, functions, methods, unexported fields,
// pointers to pointers, maps keyed by another type).

type condName string

type condInner struct{ C any }

type condStruct struct {
	A     any
	B     any
	Inner condInner
	P     *condInner
	lower any //nolint:unused // read by name in the texts
}

func (condStruct) M() string { return "m" }

type condEmbedded struct {
	*condInner
	A any
}

func genCondLeaf(r *rand.Rand) any {
	switch r.IntN(22) {
	case 0:
		return r.IntN(5)
	case 1:
		return int8(r.IntN(5))
	case 2:
		return uint(r.IntN(5)) // castToFloat64 leaves it
	case 3:
		return uint64(r.IntN(5))
	case 4:
		return float32(r.IntN(5)) + 0.5
	case 5:
		return float64(r.IntN(5))
	case 6:
		return math.NaN()
	case 7:
		return condName("s1")
	case 8:
		return r.IntN(2) == 0
	case 9:
		return nil
	case 10:
		return func() string { return "f" }
	case 11:
		return []int{1}
	case 12:
		return map[string]any{"C": r.IntN(3)}
	case 13:
		return int64(r.IntN(5))
	case 14:
		return uint8(r.IntN(5))
	}
	return fmt.Sprintf("s%d", r.IntN(3))
}

func genCondValue(r *rand.Rand) any {
	switch r.IntN(12) {
	case 0:
		return condStruct{A: genCondLeaf(r), B: genCondLeaf(r), Inner: condInner{C: genCondLeaf(r)}, lower: 1}
	case 1:
		return &condStruct{A: genCondLeaf(r), B: genCondLeaf(r), P: &condInner{C: genCondLeaf(r)}}
	case 2:
		s := &condStruct{A: genCondLeaf(r)}
		return &s // a pointer to a pointer: govaluate fails
	case 3:
		return condEmbedded{A: genCondLeaf(r)} // Embedded C through a nil pointer
	case 4:
		return map[condName]any{"A": genCondLeaf(r)} // govaluate's MapIndex panics
	case 5:
		return map[string]string{"A": "s1", "B": "s2"}
	case 6:
		return genCondLeaf(r)
	case 7:
		return map[string]any{"A": genCondLeaf(r)} // no B
	}
	return map[string]any{"A": genCondLeaf(r), "B": genCondLeaf(r), "Inner": map[string]any{"C": genCondLeaf(r)}}
}

// condOperands are operands the compiler takes (the values may still be
// unknown), condOdd ones it refuses.
var (
	condOperands = []string{
		"r.sub.A", "r.sub.B", "r.sub.Inner.C", "r.sub.P.C", "r.sub.C", "r.sub.Missing", "r.sub.M", "r.sub",
		"r.obj", "r.act", "p.obj", "p.act", "'s1'", "\"s2\"", "1", "2.5", "0", ".5", "true", "false",
	}
	condOdd = []string{"'2021-01-01'", "'a\\\\b'", "0x2", "-1", "r.sub.A + 1", "keyMatch(r.obj, 's*')"}
)

func genCondOperand(r *rand.Rand) string {
	if r.IntN(12) == 0 {
		return pickCond(r, condOdd)
	}
	return pickCond(r, condOperands)
}

var condComparators = []string{"==", "!=", "<", "<=", ">", ">=", "=~", "in"}

func genCondText(r *rand.Rand, depth int) string {
	if depth <= 0 || r.IntN(3) == 0 {
		switch r.IntN(8) {
		case 0:
			return genCondOperand(r) // a value as a condition
		case 1:
			return "!" + genCondOperand(r)
		}
		cmp := pickCond(r, condComparators[:6])
		if r.IntN(12) == 0 {
			cmp = pickCond(r, condComparators)
		}
		return genCondOperand(r) + " " + cmp + " " + genCondOperand(r)
	}
	a, b := genCondText(r, depth-1), genCondText(r, depth-1)
	switch r.IntN(5) {
	case 0:
		return "(" + a + ") || " + b
	case 1:
		return "!(" + a + ") && " + b
	case 2:
		return a + " || " + b
	}
	return a + " && " + b
}

func pickCond(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

const condModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.obj == p.obj && r.act == p.act`

// condEnforcer is an empty enforcer of condModel and its definition.
func condEnforcer(t *testing.T) (*Enforcer, *compiledModel) {
	t.Helper()
	m, err := ParseModel(condModel)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, w.eng.(*state).cm
}

func TestConditionIsGovaluates(t *testing.T) {
	w, cm := condEnforcer(t)
	r := rand.New(rand.NewPCG(7, 11))
	compiled, known, total := 0, 0, 0
	var outcomes [2]int // known false, known true
	for range 3000 {
		text := genCondText(r, 2)
		cond := cm.compileEvalCondition(text)
		expr, cerr := cm.compileEval(text)
		if cond != nil {
			compiled++
			if cerr != nil {
				t.Fatalf("%s: compiled, but govaluate cannot: %v", text, cerr)
			}
		}
		if cond == nil || cerr != nil {
			continue
		}
		for range 20 {
			total++
			ev := newEvalCtx()
			ev.init(cm, w.eng.(*state), Request{Values: []any{genCondValue(r), pickCond(r, []string{"s1", "s2"}), genCondLeaf(r)}})
			p := []string{text, pickCond(r, []string{"s1", "s2", "1", ""}), "s1"}
			v, ok := cond(ev, p)
			ev.params.p = p
			res, err := expr.Eval(&ev.params)
			if !ok {
				continue
			}
			known++
			if v {
				outcomes[1]++
			} else {
				outcomes[0]++
			}
			if err != nil || res != v {
				t.Fatalf("%s with %#v, p %q: compiled %v, govaluate %v, %v", text, ev.rv, p, v, res, err)
			}
		}
	}
	// The texts and values must prove something: most texts compile,
	// and enough evaluations are known each way.
	if compiled < 1500 || known < total/10 || outcomes[0] < 1000 || outcomes[1] < 1000 {
		t.Fatalf("%d of 3000 texts compiled, %d of %d evaluations known (%d false, %d true): the test proves little", compiled, known, total, outcomes[0], outcomes[1])
	}
	t.Logf("%d of 3000 texts compiled, %d of %d evaluations known (%d false, %d true)", compiled, known, total, outcomes[0], outcomes[1])
}

// TestConditionCompiled: the texts and matchers the compiler is for are
// compiled (without it, every decision of the abac shapes goes through
// govaluate), and those it cannot decide exactly are not.
func TestConditionCompiled(t *testing.T) {
	ctx := context.Background()
	w, cm := condEnforcer(t)
	if cm.exprCond == nil {
		t.Fatal("the matcher eval(p.sub_rule) && r.obj == p.obj && r.act == p.act is not compiled")
	}
	for _, text := range []string{
		"r.sub.Age >= 18 && r.sub.Dept == 'dept1'",
		"!(r.sub.Age < 18) || r.sub.Admin",
		"r.sub.Name == p.obj",
		"true",
		"r.sub.Age > 2.5",
	} {
		if cm.compileEvalCondition(text) == nil {
			t.Errorf("%s: not compiled", text)
		}
	}
	for _, text := range []string{
		"r.sub.Age > -1",                // unary minus
		"r.sub.Since > '2021-01-01'",    // a time literal
		"r.sub.Age > 0x10",              // hex
		"r.sub.Name =~ 'a.*'",           // regex
		"r.sub.Age + 1 > 2",             // arithmetic
		"keyMatch(r.sub.Name, 'a*')",    // a function
		"eval(p.sub_rule)",              // eval() inside eval()
		"r.sub.Name == 'a\\\\b'",        // an escape
		"r.sub.Dept in ('a', 'b')",      // in
		"r.sub.Age > 1 ? true : false",  // ternary
		"r.sub.Name == p.sub_rule.Name", // attribute of a rule value
	} {
		if cm.compileEvalCondition(text) != nil {
			t.Errorf("%s: compiled", text)
		}
	}
	am, err := models.Load("abac")
	if err != nil {
		t.Fatal(err)
	}
	abac, err := New(ctx, am, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acm := abac.eng.(*state).cm; acm.bodyCond == nil || acm.exprCond == nil {
		t.Fatal("the abac model's matcher and body are not compiled")
	}
	if _, err := w.AddRules(ctx, P("r.sub.Age >= 18", "o", "read"), P("r.sub.Age +", "o", "write")); err == nil {
		t.Fatal("a text govaluate cannot compile was stored")
	}
	if _, err := w.AddRules(ctx, P("r.sub.Age >= 18", "o", "read")); err != nil {
		t.Fatal(err)
	}
	if e := w.eng.(*state).indexes[cm.ixNum].evals["r.sub.Age >= 18"]; e == nil || e.cond == nil {
		t.Fatalf("the stored text is not compiled: %+v", e)
	}
}
