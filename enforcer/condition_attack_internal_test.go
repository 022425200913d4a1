package enforcer

// Hostile inputs for the compiled conditions (condition.go), found by a
// review that tried to make them decide otherwise than govaluate: request
// values of every type govaluate reads its own way (uint, uintptr, named
// types, complex, NaN, ±Inf, -0, json.Number, time.Time, typed nil
// pointers, pointers to pointers, embedded and promoted fields, methods,
// unexported and non-ASCII names, maps keyed by other types, functions in
// maps) and texts of odd syntax (1., .5, 01, mixed quotes, escapes in
// names, time-like strings, brackets, chains and prefixes of
// comparisons). Every known result is govaluate's; none differed.

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/casbin/govaluate"
)

type atkAge int

type atkInner struct {
	C any
	D any
}

func (atkInner) M() bool { return true }

type atkBase struct{ Promo any }

type atkEmb struct{ Deep, D any }

type atkHidden struct{ Hid any }

type atkOuter struct {
	atkHidden
	D any
}

type atkStruct struct {
	A     any
	B     any
	F     func() bool
	Inner atkInner
	P     *atkInner
	PP    **atkInner
	atkBase
	*atkEmb
	名     any //nolint:unused
	lower any //nolint:unused
}

func (atkStruct) Meth() bool { return true }

// A method with the name of a field of the embedded struct.
func (atkStruct) D() bool { return false }

func genAtkLeaf(r *rand.Rand) any {
	switch r.IntN(34) {
	case 0:
		return r.IntN(4)
	case 1:
		return int8(r.IntN(4))
	case 2:
		return uint(r.IntN(4))
	case 3:
		return uintptr(r.IntN(4))
	case 4:
		return float32(r.IntN(4)) + 0.5
	case 5:
		return float64(r.IntN(4))
	case 6:
		return math.NaN()
	case 7:
		return math.Inf(1)
	case 8:
		return math.Inf(-1)
	case 9:
		return math.Copysign(0, -1)
	case 10:
		return atkAge(r.IntN(4))
	case 11:
		return complex(float64(r.IntN(4)), 0)
	case 12:
		return json.Number("1")
	case 13:
		return time.Unix(int64(r.IntN(4)), 0)
	case 14:
		return nil
	case 15:
		return (*atkInner)(nil)
	case 16:
		return func() bool { return true }
	case 17:
		return r.IntN(2) == 0
	case 18:
		return []any{1}
	case 19:
		return map[string]any{"C": r.IntN(3)}
	case 20:
		return map[any]any{"C": r.IntN(3)}
	case 21:
		return int64(r.IntN(4))
	case 22:
		return uint64(r.IntN(4))
	case 23:
		return uint8(r.IntN(4))
	case 24:
		return int32(r.IntN(4))
	case 25:
		return float32(math.NaN())
	case 26:
		return "2021-01-01"
	case 27:
		return "1"
	case 28:
		return ""
	case 29:
		return "a'b"
	case 30:
		return true
	}
	return []string{"s1", "s2", "S1"}[r.IntN(3)]
}

func genAtkValue(r *rand.Rand) any {
	switch r.IntN(16) {
	case 0:
		return atkStruct{A: genAtkLeaf(r), B: genAtkLeaf(r), Inner: atkInner{C: genAtkLeaf(r), D: genAtkLeaf(r)}, atkBase: atkBase{Promo: genAtkLeaf(r)}}
	case 1:
		return &atkStruct{A: genAtkLeaf(r), B: genAtkLeaf(r), P: &atkInner{C: genAtkLeaf(r)}}
	case 2:
		in := &atkInner{C: genAtkLeaf(r)}
		return atkStruct{A: genAtkLeaf(r), PP: &in}
	case 3:
		if r.IntN(2) == 0 {
			return atkStruct{atkEmb: &atkEmb{Deep: genAtkLeaf(r), D: genAtkLeaf(r)}}
		}
		return (*atkStruct)(nil)
	case 12:
		return atkOuter{atkHidden: atkHidden{Hid: genAtkLeaf(r)}, D: genAtkLeaf(r)}
	case 4:
		return map[string]any{"A": genAtkLeaf(r), "B": func() bool { return true }, "Inner": map[string]any{"C": genAtkLeaf(r)}}
	case 5:
		return map[string]int{"A": r.IntN(3), "B": r.IntN(3)}
	case 6:
		return map[atkName]any{"A": genAtkLeaf(r)}
	case 7:
		return map[any]any{"A": genAtkLeaf(r), "B": genAtkLeaf(r)}
	case 8:
		m := map[string]any{"A": genAtkLeaf(r), "B": genAtkLeaf(r)}
		return &m
	case 9:
		return atkMap{"A": genAtkLeaf(r), "B": genAtkLeaf(r)}
	case 10:
		return genAtkLeaf(r)
	case 11:
		return map[string]any{"A": nil, "B": genAtkLeaf(r), "Inner": (*atkInner)(nil)}
	}
	return map[string]any{"A": genAtkLeaf(r), "B": genAtkLeaf(r), "Inner": map[string]any{"C": genAtkLeaf(r), "D": genAtkLeaf(r)}, "r_sub": 1, "p_x": 2}
}

type atkName string

type atkMap map[string]any

var (
	atkOperands = []string{
		"r.sub.A", "r.sub.B", "r.sub.Inner.C", "r.sub.Inner.D", "r.sub.P.C", "r.sub.PP.C", "r.sub.Promo", "r.sub.F",
		"r.sub.Meth", "r.sub.D", "r.sub.Deep", "r.sub.Hid", "r.sub..A", "r.sub.Inner..C", "r.sub.0", "r.sub.名", "r.sub.lower", "r.sub._x", "r.sub.Missing", "r.sub", "r.sub.r.sub", "r.sub.p.x",
		"r.obj", "r.act", "r.act.A", "p.obj", "p.act", "p.sub_rule", "p.obj.X", "r_sub.A", "r.su", "r.subA", "r2.sub", "p2.obj",
		"'s1'", "\"s2\"", "'S1'", "''", "'1'", "'a\"", "\"b'", "'true'", "'2021-01-01'", "'3:04PM'", "'r.sub.A'",
		"1", "1.", ".5", "01", "00.50", "2.5", "0", "3", "true", "false", "True", "TRUE", "nil", "NaN", "Inf",
		"[r.sub]", "[r_sub]", "r . sub", "r.sub .A", "1\\.5", "'s\\1'", "r_sub.\\A", "٣", "1e3", "0x1", "-1", "- 1",
	}
	atkJoins = []string{"==", "!=", "<", "<=", ">", ">=", "&&", "||", "=~", "in", "+", "?", "??", "==="}
)

func genAtkOperand(r *rand.Rand) string { return pickCond(r, atkOperands) }

func genAtkText(r *rand.Rand, depth int) string {
	if depth <= 0 || r.IntN(3) == 0 {
		switch r.IntN(10) {
		case 0:
			return genAtkOperand(r)
		case 1:
			return "!" + genAtkOperand(r)
		case 2:
			return "! " + genAtkOperand(r) + " " + pickCond(r, atkJoins[:6]) + " " + genAtkOperand(r)
		case 3:
			// a chain of comparisons
			return genAtkOperand(r) + " " + pickCond(r, atkJoins[:6]) + " " + genAtkOperand(r) + " " + pickCond(r, atkJoins[:6]) + " " + genAtkOperand(r)
		}
		cmp := pickCond(r, atkJoins[:6])
		if r.IntN(10) == 0 {
			cmp = pickCond(r, atkJoins)
		}
		return genAtkOperand(r) + " " + cmp + " " + genAtkOperand(r)
	}
	a, b := genAtkText(r, depth-1), genAtkText(r, depth-1)
	switch r.IntN(9) {
	case 0:
		return "(" + a + ") || " + b
	case 1:
		return "!(" + a + ") && " + b
	case 2:
		return a + " || " + b
	case 3:
		return "(" + a + ")" + pickCond(r, atkJoins[:6]) + "(" + b + ")"
	case 4:
		return "!(" + a + ") == " + b
	case 5:
		return a + "&&" + b
	case 6:
		return "((" + a + ") || (" + b + "))"
	case 7:
		return a + " " + pickCond(r, atkJoins[:8]) + " " + b
	}
	return a + " && " + b
}

// condTally counts compiled results against govaluate's.
type condTally struct {
	total, known, fails int
	outcomes            [2]int // known false, known true
}

// compare evaluates cond and govaluate's expr on ev with rule values p,
// counts the result, and reports (the first 30) known results that are not
// govaluate's.
func (ct *condTally) compare(ev *evalCtx, cond condFn, expr *govaluate.EvaluableExpression, p []string, report func(v bool, res any, err error)) {
	ct.total++
	v, ok := cond(ev, p)
	ev.params.p = p
	res, err := func() (res any, err error) {
		defer func() {
			if x := recover(); x != nil {
				err = atkPanic{}
			}
		}()
		return expr.Eval(&ev.params)
	}()
	if !ok {
		return
	}
	ct.known++
	if v {
		ct.outcomes[1]++
	} else {
		ct.outcomes[0]++
	}
	if err != nil || res != v {
		ct.fails++
		if ct.fails < 30 {
			report(v, res, err)
		}
	}
}

// TestConditionAttack: hostile texts and values; every known result of the
// compiled condition is govaluate's.
func TestConditionAttack(t *testing.T) {
	ctx := context.Background()
	m, err := ParseModel(condModel)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	cm := w.eng.(*state).cm
	r := rand.New(rand.NewPCG(17, 23))
	compiled := 0
	var tally condTally
	for range 20000 {
		text := genAtkText(r, 2)
		cond := cm.compileEvalCondition(text)
		expr, cerr := cm.compileEval(text)
		if cond != nil {
			compiled++
			if cerr != nil {
				t.Errorf("%s: compiled, but govaluate cannot: %v", text, cerr)
				continue
			}
		}
		if cond == nil || cerr != nil {
			continue
		}
		for range 20 {
			ev := newEvalCtx()
			ev.init(cm, w.eng.(*state), Request{Values: []any{genAtkValue(r), genAtkLeaf(r), genAtkValue(r)}})
			p := []string{text, pickCond(r, []string{"s1", "s2", "1", "", "2021-01-01", "true"}), "s1"}
			tally.compare(ev, cond, expr, p, func(v bool, res any, err error) {
				t.Errorf("%s with %#v, p %q: compiled %v, govaluate %v, %v", text, ev.rv, p, v, res, err)
			})
		}
	}
	if compiled < 2000 || tally.outcomes[0] < 2000 || tally.outcomes[1] < 2000 {
		t.Fatalf("%d of 20000 texts compiled, %d of %d evaluations known (%d false, %d true): the test proves little", compiled, tally.known, tally.total, tally.outcomes[0], tally.outcomes[1])
	}
	t.Logf("%d compiled, %d of %d known (%d false, %d true), %d differ", compiled, tally.known, tally.total, tally.outcomes[0], tally.outcomes[1], tally.fails)
}

type atkPanic struct{}

func (atkPanic) Error() string { return "panic" }

var atkMatcherParts = []string{
	"eval(p.sub_rule)", "!eval(p.sub_rule)", "(eval(p.sub_rule))", "eval(p.obj)",
	"r.obj == p.obj", "p.obj == r.obj", "r.act == p.act", "r.sub.A == p.obj", "r.sub.A != p.act",
	"r.sub.A", "!r.sub.B", "r.sub.Inner.C >= 1", "r.obj.A < r.sub.A", "r.sub == r.obj", "r.act",
	"r.sub.A == true", "true", "r.sub.A == 'true' == true",
}

func genAtkMatcher(r *rand.Rand, depth int) string {
	if depth <= 0 || r.IntN(3) == 0 {
		return pickCond(r, atkMatcherParts)
	}
	a, b := genAtkMatcher(r, depth-1), genAtkMatcher(r, depth-1)
	switch r.IntN(5) {
	case 0:
		return "(" + a + ") || " + b
	case 1:
		return "!(" + a + ") && " + b
	case 2:
		return a + " || " + b
	case 3:
		return a + " || (" + b + ")"
	}
	return a + " && " + b
}

// TestConditionAttackMatchers: generated matchers (and their guard's
// body), with stored eval() texts: every known result of the compiled
// matcher is govaluate's.
func TestConditionAttackMatchers(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 9))
	models := 0
	var tally condTally
	for range 400 {
		matcher := genAtkMatcher(r, 3)
		m, err := ParseModel(strings.Replace(condModel, "m = eval(p.sub_rule) && r.obj == p.obj && r.act == p.act", "m = "+matcher, 1))
		if err != nil {
			continue
		}
		w, err := New(ctx, m, nil)
		if err != nil {
			continue
		}
		st, onIndex := w.eng.(*state)
		if !onIndex {
			continue
		}
		cm := st.cm
		if cm.exprCond == nil && cm.bodyCond == nil {
			continue
		}
		models++
		var rules []Rule
		for range 12 {
			rules = append(rules, P(genAtkText(r, 1), pickCond(r, []string{"s1", "s2", "r.sub.A == 's1'", "true", "1"}), pickCond(r, []string{"s1", "s2", ""})))
		}
		for _, rule := range rules {
			_, _ = w.AddRules(ctx, rule) // texts govaluate refuses are refused
		}
		st = w.eng.(*state)
		for sr := range st.rules["p"].all() {
			for range 20 {
				for _, body := range []bool{false, true} {
					cond, expr := cm.exprCond, cm.expr
					if body {
						cond, expr = cm.bodyCond, cm.body
					}
					if cond == nil {
						continue
					}
					ev := newEvalCtx()
					ev.init(cm, st, Request{Values: []any{genAtkValue(r), genAtkValue(r), genAtkLeaf(r)}})
					tally.compare(ev, cond, expr, sr.vals, func(v bool, res any, err error) {
						t.Errorf("matcher %s (body %v), rule %q, request %#v: compiled %v, govaluate %v, %v", matcher, body, sr.vals, ev.rv, v, res, err)
					})
				}
			}
		}
	}
	if models < 150 || tally.outcomes[0] < 1000 || tally.outcomes[1] < 1000 {
		t.Fatalf("%d models, %d of %d evaluations known (%d false, %d true): the test proves little", models, tally.known, tally.total, tally.outcomes[0], tally.outcomes[1])
	}
	t.Logf("%d models, %d of %d known (%d false, %d true), %d differ", models, tally.known, tally.total, tally.outcomes[0], tally.outcomes[1], tally.fails)
}

// TestConditionHostileTable: hand-picked texts and values, each with
// whether the compiled condition knows it; what it knows is govaluate's.
func TestConditionHostileTable(t *testing.T) {
	ctx := context.Background()
	m, err := ParseModel(condModel)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := w.eng.(*state)
	cm := st.cm
	inner := &atkInner{C: 1}
	sub := func(a any) map[string]any { return map[string]any{"A": a} }
	for _, c := range []struct {
		text  string
		sub   any
		known bool
	}{
		// Values govaluate reads its own way: not known.
		{"r.sub.A == 1", sub(uint(1)), false},
		{"r.sub.A == 1", sub(uintptr(1)), false},
		{"r.sub.A == 1", sub(atkAge(1)), false},
		{"r.sub.A == 1", sub(complex(1, 0)), false},
		{"r.sub.A == '1'", sub(json.Number("1")), false},
		{"r.sub.A == 1", sub(time.Unix(1, 0)), false},
		{"r.sub.A == 1", sub(nil), false},
		{"r.sub.A == 1", sub((*atkInner)(nil)), false},
		{"r.sub.A.C == 1", sub((*atkInner)(nil)), false},
		{"r.sub.PP.C == 1", atkStruct{PP: &inner}, false},
		{"r.sub.A == 1", map[any]any{"A": 1}, false},
		{"r.sub.A == 1", map[atkName]any{"A": 1}, false},
		{"r.sub.A", sub(func() bool { return true }), false},
		{"r.sub.Meth", atkStruct{}, false},
		{"r.sub.lower == 1", atkStruct{lower: 1}, false},
		{"r.sub.名 == 1", atkStruct{名: 1}, false},
		{"r.sub.Deep == 1", atkStruct{}, false}, // through a nil embedded pointer
		{"r.sub.A < 1", sub(true), false},
		{"r.sub.A < 's'", sub(1), false},
		{"r.sub.A && true", sub(1), false},
		{"!r.sub.A", sub("true"), false},
		{"r.sub.A", sub(1.0), false}, // a number as a condition
		// Known, and govaluate's.
		{"r.sub.A == 0", sub(math.Copysign(0, -1)), true},
		{"r.sub.A == r.sub.A", sub(math.NaN()), true},
		{"r.sub.A != r.sub.A", sub(math.NaN()), true},
		{"r.sub.A < 1", sub(math.NaN()), true},
		{"r.sub.A > 1", sub(math.Inf(1)), true},
		{"r.sub.A == 1.", sub(int8(1)), true},
		{"r.sub.A == .5", sub(float32(0.5)), true},
		{"r.sub.A == 01", sub(uint64(1)), true},
		{"r.sub.A == '1'", sub(1), true},
		{"r.sub.A == 's1\"", sub("s1"), true},
		{"r.sub.A == true", sub("true"), true},
		{"!(r.sub.A == 1) == false", sub(1), false}, // a condition as a value is left to govaluate
		{"r.sub.A == r.sub.A == true", sub(2), false},
		{"!(r.sub.A) && r.sub.A", sub(false), true},
		{"false && r.sub.Missing", sub(1), true},
		{"true || r.sub.Missing > 1", sub(1), true},
		{"r.sub.A || r.sub.Missing && false", sub(true), true},
		{"r.sub.Missing && false", sub(true), false},
		{"tru\\e && r_sub.\\A", sub(true), true},
		{"r.sub.Promo == 's1'", atkStruct{atkBase: atkBase{Promo: "s1"}}, true},
		{"r.sub.Hid == 's1'", atkOuter{atkHidden: atkHidden{Hid: "s1"}}, true},
		{"r.sub.D == 1", atkOuter{D: 1}, true},
		{"r.sub.P.C == 1", &atkStruct{P: &atkInner{C: 1}}, true},
		{"r.sub.A == 1", &map[string]any{"A": 1}, true},
		{"r.sub.A == 1", atkMap{"A": 1}, true},
		{"r.sub.A == 1", map[string]int{"A": 1}, true},
		{"r.sub..A == 1", map[string]any{"": map[string]any{"A": 1}}, true},
		{"r.sub.A == p.obj", sub("2021-01-01"), true},
		// Texts left to govaluate whole.
		{"r.sub.A == '2021-01-01'", sub("2021-01-01"), false},
		{"r.sub.A == 's\\1'", sub("s1"), false},
		{"r.sub.A == 0x1", sub(1), false},
		{"[r.sub] == 1", sub(1), false},
		{"r.sub.A == -1", sub(-1), false},
	} {
		cond := cm.compileEvalCondition(c.text)
		expr, cerr := cm.compileEval(c.text)
		if cerr != nil {
			t.Errorf("%s: govaluate cannot compile it: %v", c.text, cerr)
			continue
		}
		ev := newEvalCtx()
		ev.init(cm, st, Request{Values: []any{c.sub, "s1", "s1"}})
		p := []string{c.text, "2021-01-01", "s1"}
		v, known := false, false
		if cond != nil {
			v, known = cond(ev, p)
		}
		if known != c.known {
			t.Errorf("%s with %#v: known %v, want %v", c.text, c.sub, known, c.known)
		}
		ev.params.p = p
		res, err := func() (res any, err error) {
			defer func() {
				if x := recover(); x != nil {
					err = atkPanic{}
				}
			}()
			return expr.Eval(&ev.params)
		}()
		if known && (err != nil || res != v) {
			t.Errorf("%s with %#v: compiled %v, govaluate %v, %v", c.text, c.sub, v, res, err)
		}
	}
}
