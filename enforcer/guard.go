package enforcer

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// This file keys the index under a guard and by attributes. Warden's abac
// model reads
//
//	r.sub.Name == r.obj.Owner || (eval(p.sub_rule) && r.obj.Type == p.obj_type && r.act == p.act)
//
// The disjuncts before the last read no rule field: they are the guard,
// and hold for every rule or for none. govaluate stops at a true left side
// of ||, so when the guard holds every rule matches, without error, and the
// first allow and deny rules in policy order decide as Casbin's loop does;
// when it does not, the matcher is its last disjunct for every rule, and
// that one's conjuncts key the index. An equality of an attribute of a
// request value and a rule field (r.obj.Type == p.obj_type) keys it as a
// field does.

// splitGuard sets cm.guard when the matcher is such a disjunction and
// returns the part the index plans from: the last disjunct, or tree.
func (cm *compiledModel) splitGuard(tree *matchexpr.Node) *matchexpr.Node {
	ds := disjuncts(unparen(tree))
	if len(ds) < 2 {
		return tree
	}
	last := ds[len(ds)-1]
	for _, d := range ds[:len(ds)-1] {
		if !cm.policyFree(d) {
			return tree
		}
	}
	if cm.policyFree(last) {
		return tree
	}
	guard, err := govaluate.NewEvaluableExpressionWithFunctions(cm.withScope(cm.matcher[ds[0].Pos:ds[len(ds)-2].End]), cm.functions)
	if err != nil {
		return tree
	}
	body, err := govaluate.NewEvaluableExpressionWithFunctions(cm.withScope(cm.matcher[last.Pos:last.End]), cm.functions)
	if err != nil {
		return tree
	}
	cm.guard, cm.body = guard, body
	cm.guardFn = cm.compileGuard(ds[:len(ds)-1])
	cm.bodyCond = cm.compileCondition(last)
	return unparen(last)
}

// guardFn is a guard compiled to Go: it reports the guard's value, or
// known false when it meets a value it does not read as govaluate would
// (then govaluate evaluates the guard).
type guardFn func(ev *evalCtx) (holds, known bool)

// compileGuard compiles the disjuncts of a guard built from &&, ||, !, ==
// and != of string literals, request fields and their attributes, or
// returns nil. govaluate's == is reflect.DeepEqual and never fails; with
// both sides strings, so is this one. Anything else is left to govaluate.
func (cm *compiledModel) compileGuard(ds []*matchexpr.Node) guardFn {
	rd := cm.reader(true)
	var fn guardFn
	for _, d := range ds {
		t, err := rd.read(d)
		if err != nil {
			return nil
		}
		g := guardTerm(t)
		if g == nil {
			return nil
		}
		if fn == nil {
			fn = g
			continue
		}
		a := fn
		fn = func(ev *evalCtx) (bool, bool) {
			if v, ok := a(ev); !ok || v {
				return v, ok
			}
			return g(ev)
		}
	}
	return fn
}

func guardTerm(t *term) guardFn {
	switch t.kind {
	case tAnd, tOr:
		a, b := guardTerm(t.kids[0]), guardTerm(t.kids[1])
		if a == nil || b == nil {
			return nil
		}
		stop := t.kind == tOr // || stops at true, && at false
		return func(ev *evalCtx) (bool, bool) {
			if v, ok := a(ev); !ok || v == stop {
				return v, ok
			}
			return b(ev)
		}
	case tNot:
		a := guardTerm(t.kids[0])
		if a == nil {
			return nil
		}
		return func(ev *evalCtx) (bool, bool) {
			v, ok := a(ev)
			return !v, ok
		}
	case tEq, tNe:
		l, r := t.args[0], t.args[1]
		if l.kind == opPol || r.kind == opPol {
			return nil
		}
		ne := t.kind == tNe
		return func(ev *evalCtx) (bool, bool) {
			a, ok := ev.guardOperand(l)
			if !ok {
				return false, false
			}
			b, ok := ev.guardOperand(r)
			if !ok {
				return false, false
			}
			return (a == b) != ne, true
		}
	}
	return nil
}

// guardOperand is a literal, or a request field or attribute that is a
// string.
func (ev *evalCtx) guardOperand(o operand) (string, bool) {
	if o.kind == opLit {
		return o.lit, true
	}
	v := ev.rv[o.idx]
	if o.attr != "" {
		var ok bool
		if v, ok = attribute(v, o.path); !ok {
			return "", false
		}
	}
	s, ok := v.(string)
	return s, ok
}

func unparen(n *matchexpr.Node) *matchexpr.Node {
	for n.Op == matchexpr.OpParen && n.Kids[0].Op != matchexpr.OpEmpty {
		n = n.Kids[0]
	}
	return n
}

// disjuncts are the operands of the top-level chain of || in n, left to
// right; parentheses end the chain.
func disjuncts(n *matchexpr.Node) []*matchexpr.Node {
	if n.Op == matchexpr.OpBinary && n.Text == "||" {
		return append(disjuncts(n.Kids[0]), disjuncts(n.Kids[1])...)
	}
	return []*matchexpr.Node{n}
}

// policyFree reports whether n reads no rule field, not even through
// eval(), whose text may.
func (cm *compiledModel) policyFree(n *matchexpr.Node) bool {
	free := true
	n.Walk(func(k *matchexpr.Node) bool {
		switch k.Op {
		case matchexpr.OpName, matchexpr.OpMethod:
			base, _, _ := strings.Cut(k.Text, ".")
			if _, ok := cm.pIdx[base]; ok {
				free = false
			}
		case matchexpr.OpCall:
			if k.Text == "eval" {
				free = false
			}
		}
		return free
	})
	return free
}

// guardedCandidates collects the candidates: with a guard that holds,
// the rules that decide when every rule matches; else the index's.
func (ev *evalCtx) guardedCandidates() error {
	cm, st, ix := ev.cm, ev.st, ev.ix
	if cm.guard == nil {
		ev.candidates()
		return nil
	}
	holds, known := false, false
	if cm.guardFn != nil {
		holds, known = cm.guardFn(ev)
	}
	if !known {
		ev.params.p = nil // the guard reads no rule field
		res, err := cm.guard.Eval(&ev.params)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrEvaluation, err)
		}
		var ok bool
		if holds, ok = res.(bool); !ok {
			// govaluate's || refuses it, for every rule.
			return fmt.Errorf("%w: Value '%v' cannot be used with the logical operator '||', it is not a bool", ErrEvaluation, res)
		}
	}
	switch {
	case !holds:
		// The matcher is its last disjunct for every rule.
		ev.bodyOnly = true
		ev.candidates()
	case cm.ordered():
		// The first match in priority order decides: every rule.
		for sr := range st.rules[cm.def.P].all() {
			ev.cands = append(ev.cands, sr)
		}
	default:
		for _, sr := range ix.firsts() {
			if sr != nil {
				ev.cands = append(ev.cands, sr)
			}
		}
	}
	return nil
}

// effectSlot is the place of a rule in ruleIndex.effects: 0 for allow, 1 for deny,
// -1 for another effect (Casbin's effector passes over it).
func (cm *compiledModel) effectSlot(sr *storedRule) int {
	eft := "allow"
	if cm.eftIdx >= 0 {
		eft = sr.vals[cm.eftIdx]
	}
	switch eft {
	case "allow":
		return 0
	case "deny":
		return 1
	}
	return -1
}

// effectRules are one effect's rules of an index with a guard, in policy
// order, so that removing the first of them finds the next one without a
// walk over every rule (which made removing n rules in policy order cost
// O(n²) under the write lock). A removed rule stays in list until it
// reaches the head or the removed ones are half the list.
// The head of list is always a stored rule: the first of its effect.
type effectRules struct {
	list []*storedRule
	dead int // removed rules still in list
}

// firsts are the first allow and the first deny rule in policy order, or
// nil: the heads of their effects' lists.
func (ix *ruleIndex) firsts() [2]*storedRule {
	var out [2]*storedRule
	for i, q := range ix.effects {
		if len(q.list) > 0 {
			out[i] = q.list[0]
		}
	}
	return out
}

// firstsAdd keeps ix.effects when a rule is stored. A new rule comes
// after every stored one (its seq is the highest), so its place in its
// effect's list is the end.
func (ix *ruleIndex) firstsAdd(sr *storedRule) {
	if ix.cm.guard == nil {
		return
	}
	i := ix.cm.effectSlot(sr)
	if i < 0 {
		return
	}
	q := &ix.effects[i]
	q.list = append(q.list, sr)
}

// firstsRemove keeps ix.effects when a rule, already out of rules (the
// rules of its policy type), is removed: the next first of its effect is
// the next rule of its list still in rules. Each removed rule is dropped
// from the list once, so a removal costs O(1) amortised.
func (ix *ruleIndex) firstsRemove(sr *storedRule, rules *ruleSet) {
	if ix.cm.guard == nil {
		return
	}
	i := ix.cm.effectSlot(sr)
	if i < 0 {
		return
	}
	q := &ix.effects[i]
	q.dead++
	stored := func(r *storedRule) bool { return rules.find(r.vals) == r }
	switch {
	case q.dead*2 > len(q.list):
		// A fresh list, so that a policy that shrank does not keep the
		// array it had at its largest.
		out := make([]*storedRule, 0, len(q.list)-q.dead)
		for _, r := range q.list {
			if stored(r) {
				out = append(out, r)
			}
		}
		q.list, q.dead = out, 0
	case q.list[0] == sr:
		for len(q.list) > 0 && !stored(q.list[0]) {
			q.list[0] = nil
			q.list = q.list[1:]
			q.dead--
		}
	}
}

// Kinds of a request's side of an equality (eqValue).
const (
	valueString  = iota // a string: the key
	valueNone           // not a string: equal to no rule's value
	valueUnknown        // not read here: govaluate decides on every rule
)

// eqValue is the request's side of e: a request field, or the attribute
// govaluate's accessor reaches in it (its struct fields and map entries;
// a method, a missing name or anything unusual is left to govaluate).
// govaluate's == is reflect.DeepEqual, so only a string is equal to a
// rule's value.
func (ev *evalCtx) eqValue(e eqPlan) (string, int) {
	v := ev.rv[e.rField]
	if len(e.attr) == 0 {
		if s, ok := v.(string); ok {
			return s, valueString
		}
		return "", valueUnknown
	}
	v, ok := attribute(v, e.attr)
	if !ok {
		return "", valueUnknown
	}
	if s, ok := v.(string); ok {
		return s, valueString
	}
	return "", valueNone
}

// attribute follows path through v as govaluate's accessor does, for the
// steps it takes without calling anything: exported struct fields
// (through one pointer) and entries of maps keyed by string.
func attribute(v any, path []string) (out any, ok bool) {
	defer func() {
		// reflect panics where govaluate's accessor does too (a nil
		// embedded pointer): leave it to govaluate.
		if recover() != nil {
			out, ok = nil, false
		}
	}()
	for _, name := range path {
		if m, isMap := v.(map[string]any); isMap {
			// The common case (a decoded JSON object), without reflect.
			f, found := m[name]
			if !found || (f != nil && reflect.TypeOf(f).Kind() == reflect.Func) {
				return nil, false
			}
			v = f
			continue
		}
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer {
			rv = rv.Elem()
		}
		switch rv.Kind() {
		case reflect.Struct:
			if r, _ := utf8.DecodeRuneInString(name); unicode.ToUpper(r) != r {
				return nil, false
			}
			f := rv.FieldByName(name)
			if !f.IsValid() || !f.CanInterface() {
				return nil, false
			}
			v = f.Interface()
		case reflect.Map:
			if rv.Type().Key() != reflect.TypeFor[string]() {
				return nil, false
			}
			f := rv.MapIndex(reflect.ValueOf(name))
			if !f.IsValid() {
				return nil, false
			}
			v = f.Interface()
			if v != nil && reflect.TypeOf(v).Kind() == reflect.Func {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return v, true
}

// attrEquality reads part as r.x.Attr == p.y (either way round).
func attrEquality(rd *termReader, part *matchexpr.Node) (eqPlan, bool) {
	n, err := rd.read(part)
	if err != nil || n.kind != tEq {
		return eqPlan{}, false
	}
	l, r := n.args[0], n.args[1]
	if l.kind == opPol {
		l, r = r, l
	}
	if l.kind != opReq || l.attr == "" || r.kind != opPol {
		return eqPlan{}, false
	}
	return eqPlan{pField: r.idx, rField: l.idx, attr: l.path}, true
}
