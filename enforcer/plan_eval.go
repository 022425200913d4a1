package enforcer

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wardenhq/warden/filter"
)

// operandValue is one side of a term: a known string, or the open field
// (field names it: "obj" or "obj.Owner").
type operandValue struct {
	s     string
	field string
	open  bool
}

// value resolves a matcher operand against the request and the candidate
// rule p.
func (pl *planner) value(v operand, p []string) (operandValue, resid) {
	switch v.kind {
	case opLit:
		return operandValue{s: v.lit}, resid{}
	case opPol:
		return operandValue{s: p[v.idx]}, resid{}
	}
	if v.idx == pl.open {
		f := pl.openName
		if v.attr != "" {
			f += "." + v.attr
		}
		return operandValue{field: f, open: true}, resid{}
	}
	x := pl.vals[v.idx]
	if v.attr == "" {
		s, ok := x.(string)
		if !ok {
			return operandValue{}, resid{k: rkErr, err: planUnsupported("%s is a %T, not a string", v.name, x)}
		}
		return operandValue{s: s}, resid{}
	}
	m, ok := x.(map[string]any)
	if !ok || strings.Contains(v.attr, ".") {
		return operandValue{}, resid{k: rkErr, err: planUnsupported("attribute %s of a %T (only one level of a map[string]any)", v.name, x)}
	}
	a, ok := m[v.attr]
	if !ok {
		// govaluate fails on a missing attribute; so does the decision.
		return operandValue{}, resid{k: rkErr, err: fmt.Errorf("%w: %s: no such attribute", ErrEvaluation, v.name)}
	}
	s, ok := a.(string)
	if !ok {
		return operandValue{}, resid{k: rkErr, err: planUnsupported("%s is a %T, not a string", v.name, a)}
	}
	return operandValue{s: s}, resid{}
}

// eval evaluates the matcher for candidate p, in the order and with the
// short-circuits of Decide, leaving terms on the open field as conditions.
func (pl *planner) eval(n *term, p []string) resid {
	switch n.kind {
	case tAnd:
		a := pl.eval(n.kids[0], p)
		if a.k != rkTrue && a.k != rkCond {
			return a
		}
		return a.and(pl.eval(n.kids[1], p))
	case tOr:
		a := pl.eval(n.kids[0], p)
		if a.k == rkTrue || a.k == rkErr {
			return a
		}
		b := pl.eval(n.kids[1], p)
		if a.k == rkFalse {
			return b
		}
		return a.or(b)
	case tNot:
		return pl.eval(n.kids[0], p).negate()
	case tEq, tNe:
		l, r := pl.value(n.args[0], p)
		if r.k == rkErr {
			return r
		}
		rv, r := pl.value(n.args[1], p)
		if r.k == rkErr {
			return r
		}
		eq := pl.equal(l, rv)
		if eq.k == rkErr || n.kind == tEq {
			return eq
		}
		return eq.negate()
	case tIn:
		l, r := pl.value(n.args[0], p)
		if r.k == rkErr {
			return r
		}
		list := make([]string, 0, len(n.args)-1)
		for _, a := range n.args[1:] {
			v, r := pl.value(a, p)
			if r.k == rkErr {
				return r
			}
			if v.open {
				return resid{k: rkErr, err: planUnsupported("the open field %s inside the list of in", v.field)}
			}
			list = append(list, v.s)
		}
		if !l.open {
			for _, s := range list {
				if s == l.s {
					return rTrue
				}
			}
			return rFalse
		}
		return rCond(filter.In(l.field, list...))
	}
	return pl.call(n, p)
}

func (pl *planner) equal(l, r operandValue) resid {
	switch {
	case !l.open && !r.open:
		return rBool(l.s == r.s)
	case l.open && r.open:
		if l.field == r.field {
			return rTrue // a NULL never reaches a conditional plan's rows
		}
		return resid{k: rkErr, err: planUnsupported("comparison of two open fields %s and %s", l.field, r.field)}
	case l.open:
		return rCond(filter.Eq(l.field, r.s))
	}
	return rCond(filter.Eq(r.field, l.s))
}

func (pl *planner) call(n *term, p []string) resid {
	args := make([]operandValue, len(n.args))
	for i, a := range n.args {
		v, r := pl.value(a, p)
		if r.k == rkErr {
			return r
		}
		args[i] = v
	}
	if gi, ok := pl.cm.gIdx[n.fn]; ok {
		dom := ""
		if len(args) == 3 {
			dom = args[2].s
		}
		if args[0].open {
			// checkOpenUse allowed only the member open.
			return rCond(filter.In(args[0].field, pl.membersOf(gi, args[1].s, dom)...))
		}
		return rBool(pl.ev.hasLink(gi, args[0].s, args[1].s, dom))
	}
	key, pat := args[0], args[1]
	if pat.open {
		return resid{k: rkErr, err: planUnsupported("%s with the open field as its pattern", n.text)}
	}
	if !key.open {
		ok, err := boolFuncs[n.fn](key.s, pat.s)
		if err != nil {
			return resid{k: rkErr, err: fmt.Errorf("%w: %s: %v", ErrEvaluation, n.text, err)}
		}
		return rBool(ok)
	}
	c, err := matchCond(n.fn, key.field, pat.s)
	if err != nil {
		return resid{k: rkErr, err: err}
	}
	c.Source = n.text
	return rCond(c)
}

// matchCond is the condition "fn(field, pattern)" for a known pattern: the
// very regular expression the matching function compiles, or a plainer
// form where the function is plainer.
func matchCond(fn, field, pattern string) (*filter.Cond, error) {
	compiled := func(src string) (*filter.Cond, error) {
		if _, err := regexp.Compile(src); err != nil {
			return nil, fmt.Errorf("%w: %s pattern %q: %v", ErrEvaluation, fn, pattern, err)
		}
		return filter.Regex(field, src), nil
	}
	switch fn {
	case "keyMatch":
		// util.KeyMatch: up to the first *, a prefix; without one, equality.
		i := strings.IndexByte(pattern, '*')
		if i < 0 {
			return filter.Eq(field, pattern), nil
		}
		return filter.Prefix(field, pattern[:i]), nil
	case "keyMatch2":
		return compiled(keyMatch2Cache.convert(pattern))
	case "keyMatch3":
		return compiled(keyMatch3Cache.convert(pattern))
	case "keyMatch5":
		c, err := compiled(keyMatch3Cache.convert(pattern))
		if err == nil {
			c.Before = "?"
		}
		return c, err
	case "regexMatch":
		return compiled(pattern)
	case "globMatch":
		src, err := globRegex(pattern)
		if err != nil {
			return nil, err
		}
		return compiled(src)
	}
	return nil, planUnsupported("function %s", fn)
}

// globRegex translates the globMatch patterns whose meaning is plain: no
// **, classes, alternatives or escapes. In doublestar, * matches any run
// of characters but /, and ? one character but /.
func globRegex(pattern string) (string, error) {
	if strings.ContainsAny(pattern, `[]{}\`) || strings.Contains(pattern, "**") {
		return "", planUnsupported("globMatch pattern %q (only * and ? are translated)", pattern)
	}
	var b strings.Builder
	b.WriteString(`\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`[^/]*`)
		case '?':
			b.WriteString(`[^/]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return b.String(), nil
}

type memberKey struct {
	gi        int
	role, dom string
}

// membersOf returns role and every name that reaches it within Casbin's
// maxHierarchy links of graph gi in domain dom: the values of x for which
// g(x, role[, dom]) holds. It walks the links backwards, breadth first, so
// a name is found at its shortest distance, as the forward walk finds it.
// Building the reverse links costs one pass over the graph's links in dom.
func (pl *planner) membersOf(gi int, role, dom string) []string {
	k := memberKey{gi, role, dom}
	if m, ok := pl.members[k]; ok {
		return m
	}
	g := pl.ev.st.graphs[gi]
	rev := map[string][]string{}
	var now time.Time
	if g.cond != nil {
		now = g.cond.now()
	}
	// With a domain matching function, a link stored in a domain pattern
	// ("*", "tenant1/*") holds in dom too, as in walkMatching: missing one
	// would leave a member out, and under NOT (a deny rule) let it in.
	doms := []string{g.domainKey(dom)}
	if g.dm != nil {
		doms = g.matchingDomains(nil, dom)
	}
	for _, d := range doms {
		for name, parents := range g.links[d] {
			for _, p := range parents {
				if g.cond != nil && !g.cond.holds(d, name, p, now) {
					continue // a conditional link that does not hold now
				}
				rev[p] = append(rev[p], name)
			}
		}
	}
	out := []string{role}
	seen := map[string]bool{role: true}
	level := []string{role}
	for depth := 0; depth < maxHierarchy && len(level) > 0; depth++ {
		var next []string
		for _, n := range level {
			for _, m := range rev[n] {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
					next = append(next, m)
				}
			}
		}
		level = next
	}
	if pl.members == nil {
		pl.members = map[memberKey][]string{}
	}
	pl.members[k] = out
	return out
}
