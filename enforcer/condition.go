package enforcer

import (
	"strconv"
	"strings"

	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// This file compiles attribute conditions to Go: the eval() texts of
// stored rules (r.sub.Age >= 18 && r.sub.Dept == 'eng') and matchers that
// compare attributes of request values and call eval() on a rule field,
// such as the abac model's eval(p.sub_rule) && r.obj.Type == p.obj_type &&
// r.act == p.act. govaluate evaluates them through a tree of closures over
// interface values, reflection for every attribute and an allocation per
// number; the compiled form reads the same values and decides the same
// way without either.
//
// It covers what the compiled form can decide exactly as govaluate does,
// and reports anything else as not known: govaluate then evaluates the
// whole expression again, so a compiled condition never decides what
// govaluate would decide otherwise, and never errs. It reads no function
// but eval(), so evaluating it has no effect a second evaluation could
// repeat. Covered:
//
//   - &&, || and ! of conditions, and parentheses, as govaluate's tree
//     groups them (matchexpr);
//   - ==, !=, <, <=, > and >= of request fields and their attributes,
//     policy fields, plain string literals, decimal numbers, true and
//     false;
//   - eval() of a policy field whose text a stored rule has, compiled
//     when the rule was stored.
//
// Values are read as govaluate reads them: a request attribute through
// attribute (struct fields and map entries, nothing called), numbers of
// the types govaluate's castToFloat64 converts as float64, and string,
// bool and float64 as they are. Any other value (another type, a named
// string type, nil, a method) is not known. govaluate's == is
// reflect.DeepEqual, which for two values of those three kinds is Go's ==
// when the kinds are the same and false when they differ; its ordering
// comparisons take two numbers or two strings and fail otherwise (not
// known here); && and || take bools after stopping at a false or true
// left side, and fail otherwise (not known).

// condFn is a compiled condition: its value, and whether it is known.
type condFn func(ev *evalCtx, p []string) (v, known bool)

type valKind uint8

const (
	vUnknown valKind = iota
	vString
	vNumber
	vBool
)

// condVal is a value as govaluate sees it, for the kinds it is known in.
type condVal struct {
	k valKind
	b bool
	f float64
	s string
}

// valFn is a compiled operand.
type valFn func(ev *evalCtx, p []string) condVal

// condCompiler compiles the conditions of one definition; eval says
// whether eval() of a policy field may be called (the matcher's, not an
// eval() text's).
type condCompiler struct {
	cm   *compiledModel
	eval bool
}

// compileCondition compiles matcher (or matcher part) n, or returns nil.
func (cm *compiledModel) compileCondition(n *matchexpr.Node) condFn {
	if len(cm.evalFields) == 0 && !readsAttribute(n) {
		// govaluate's own string comparisons are compiled as terms
		// (compileTerm); this is for attributes and eval().
		return nil
	}
	return condCompiler{cm: cm, eval: true}.cond(n)
}

// compileEvalCondition compiles an eval() text as compileEval reads it,
// or returns nil.
func (cm *compiledModel) compileEvalCondition(text string) condFn {
	escaped := util.EscapeAssertion(text)
	toks, err := matchexpr.Tokenize(escaped)
	if err != nil {
		return nil
	}
	tree, err := matchexpr.ParseTokens(escaped, toks, nil)
	if err != nil {
		return nil
	}
	return condCompiler{cm: cm}.cond(tree)
}

// readsAttribute says n reads an attribute of a value.
func readsAttribute(n *matchexpr.Node) bool {
	found := false
	n.Walk(func(k *matchexpr.Node) bool {
		if k.Op == matchexpr.OpName && strings.Contains(k.Text, ".") {
			found = true
		}
		return !found
	})
	return found
}

func (c condCompiler) cond(n *matchexpr.Node) condFn {
	switch n.Op {
	case matchexpr.OpParen:
		if n.Kids[0].Op == matchexpr.OpEmpty {
			return nil
		}
		return c.cond(n.Kids[0])
	case matchexpr.OpUnary:
		if n.Text != "!" {
			return nil
		}
		a := c.cond(n.Kids[0])
		if a == nil {
			return nil
		}
		return func(ev *evalCtx, p []string) (bool, bool) {
			v, ok := a(ev, p)
			return !v, ok
		}
	case matchexpr.OpBinary:
		switch n.Text {
		case "&&", "||":
			a, b := c.cond(n.Kids[0]), c.cond(n.Kids[1])
			if a == nil || b == nil {
				return nil
			}
			stop := n.Text == "||" // || stops at true, && at false
			return func(ev *evalCtx, p []string) (bool, bool) {
				if v, ok := a(ev, p); !ok || v == stop {
					return v, ok
				}
				return b(ev, p)
			}
		case "==", "!=", "<", "<=", ">", ">=":
			return c.comparison(n)
		}
		return nil
	case matchexpr.OpCall:
		return c.evalCall(n)
	}
	// A value used as a condition: govaluate takes a bool.
	v := c.value(n)
	if v == nil {
		return nil
	}
	return func(ev *evalCtx, p []string) (bool, bool) {
		x := v(ev, p)
		return x.b, x.k == vBool
	}
}

// evalCall is eval(p.field) of the matcher: the text's compiled form, or
// not known (a text no stored rule has, one that did not compile).
func (c condCompiler) evalCall(n *matchexpr.Node) condFn {
	if !c.eval || n.Text != "eval" || len(n.Kids) != 1 {
		return nil
	}
	arg := n.Kids[0]
	if arg.Op != matchexpr.OpName || arg.Tok.Bracketed || arg.Tok.Kind != matchexpr.Name {
		return nil
	}
	f, ok := c.cm.pIdx[arg.Text]
	if !ok {
		return nil
	}
	return func(ev *evalCtx, p []string) (bool, bool) {
		e, ok := ev.ix.evals[p[f]]
		if !ok || e.cond == nil {
			return false, false
		}
		return e.cond(ev, p)
	}
}

func (c condCompiler) comparison(n *matchexpr.Node) condFn {
	a, b := c.value(n.Kids[0]), c.value(n.Kids[1])
	if a == nil || b == nil {
		return nil
	}
	switch op := n.Text; op {
	case "==", "!=":
		ne := op == "!="
		return func(ev *evalCtx, p []string) (bool, bool) {
			x, y := a(ev, p), b(ev, p)
			if x.k == vUnknown || y.k == vUnknown {
				return false, false
			}
			return x.equal(y) != ne, true
		}
	default:
		return func(ev *evalCtx, p []string) (bool, bool) {
			x, y := a(ev, p), b(ev, p)
			switch {
			case x.k == vNumber && y.k == vNumber:
				return order(op, x.f, y.f), true
			case x.k == vString && y.k == vString:
				return order(op, x.s, y.s), true
			}
			return false, false // govaluate's type check fails
		}
	}
}

// equal is reflect.DeepEqual of the two values govaluate compares.
func (x condVal) equal(y condVal) bool {
	if x.k != y.k {
		return false
	}
	switch x.k {
	case vString:
		return x.s == y.s
	case vNumber:
		return x.f == y.f
	}
	return x.b == y.b
}

func order[T string | float64](op string, a, b T) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

// value compiles an operand, or returns nil.
func (c condCompiler) value(n *matchexpr.Node) valFn {
	switch n.Op {
	case matchexpr.OpString:
		if n.Tok.Escaped || n.Tok.Time {
			// govaluate reads a time literal as a time; an escape is
			// left to it.
			return nil
		}
		v := condVal{k: vString, s: n.Text}
		return func(*evalCtx, []string) condVal { return v }
	case matchexpr.OpNumber:
		if !plainDecimal(n.Text) {
			return nil
		}
		f, err := strconv.ParseFloat(n.Text, 64)
		if err != nil {
			return nil
		}
		v := condVal{k: vNumber, f: f}
		return func(*evalCtx, []string) condVal { return v }
	case matchexpr.OpBool:
		if n.Text != "true" && n.Text != "false" {
			return nil
		}
		v := condVal{k: vBool, b: n.Text == "true"}
		return func(*evalCtx, []string) condVal { return v }
	case matchexpr.OpName:
		return c.name(n)
	}
	return nil
}

// name compiles a request field, an attribute of one, or a policy field.
func (c condCompiler) name(n *matchexpr.Node) valFn {
	if n.Tok.Bracketed {
		return nil
	}
	base, attr, _ := strings.Cut(n.Text, ".")
	if i, ok := c.cm.pIdx[base]; ok && strings.HasPrefix(base, "p") {
		if attr != "" {
			return nil // govaluate fails: a rule value is a string
		}
		return func(_ *evalCtx, p []string) condVal { return condVal{k: vString, s: p[i]} }
	}
	i, ok := c.cm.rIdx[base]
	if !ok || !strings.HasPrefix(base, "r") {
		return nil
	}
	if attr == "" {
		return func(ev *evalCtx, _ []string) condVal { return valueOf(ev.rv[i]) }
	}
	path := strings.Split(attr, ".")
	return func(ev *evalCtx, _ []string) condVal {
		v, ok := attribute(ev.rv[i], path)
		if !ok {
			return condVal{}
		}
		return valueOf(v)
	}
}

// valueOf is v as govaluate compares it (castToFloat64), for the kinds
// that are known.
func valueOf(v any) condVal {
	switch x := v.(type) {
	case string:
		return condVal{k: vString, s: x}
	case bool:
		return condVal{k: vBool, b: x}
	case float64:
		return condVal{k: vNumber, f: x}
	case int:
		return condVal{k: vNumber, f: float64(x)}
	case int64:
		return condVal{k: vNumber, f: float64(x)}
	case int32:
		return condVal{k: vNumber, f: float64(x)}
	case int16:
		return condVal{k: vNumber, f: float64(x)}
	case int8:
		return condVal{k: vNumber, f: float64(x)}
	case uint8:
		return condVal{k: vNumber, f: float64(x)}
	case uint16:
		return condVal{k: vNumber, f: float64(x)}
	case uint32:
		return condVal{k: vNumber, f: float64(x)}
	case uint64:
		return condVal{k: vNumber, f: float64(x)}
	case float32:
		return condVal{k: vNumber, f: float64(x)}
	}
	// uint and uintptr among them: castToFloat64 leaves them as they are.
	return condVal{}
}

// plainDecimal says s is digits with at most one point: a number both
// govaluate and strconv read the same way.
func plainDecimal(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return s != "" && s != "."
}
