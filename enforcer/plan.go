package enforcer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2/constant"

	"github.com/wardenhq/warden/filter"
)

// Unknown marks the request field a plan leaves open:
//
//	e.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read"))
//
// asks which objects alice may read.
type Unknown struct{}

// Plan answers "for which values of the open field is req allowed?": the
// one value of req.Values that is Unknown{} is the open field (the object,
// say), and the answer is a filter.Plan over it, or over its attributes
// when the matcher reads them (r.obj.Owner). Request-scoped groups and
// policies count as in Decide.
//
// The plan follows role inheritance and domains through the index, so its
// cost grows with the rules the caller reaches, not with the policy. A
// model's effect is kept exactly: allow rules are OR-ed, deny rules
// subtracted ((OR allow) AND NOT (OR deny)). For every value of the open
// field the plan allows exactly what Decide allows; what the planner
// cannot express exactly (a custom function, eval(), priority effects, a
// role function over the open field…) returns an error matching
// ErrUnsupported and filter.ErrUnsupported that names the construct. An
// evaluation error Decide would meet (a rule with a bad regular
// expression) fails the whole plan with ErrEvaluation.
func (e *Enforcer) Plan(ctx context.Context, req Request) (p filter.Plan, err error) {
	if err := ctx.Err(); err != nil {
		return filter.Plan{}, err
	}
	open := -1
	for i, v := range req.Values {
		if _, ok := v.(Unknown); ok {
			if open >= 0 {
				return filter.Plan{}, fmt.Errorf("%w: plan: more than one request field is Unknown", ErrInvalidRequest)
			}
			open = i
		}
	}
	if open < 0 {
		return filter.Plan{}, fmt.Errorf("%w: plan: no request field is Unknown", ErrInvalidRequest)
	}
	if !req.Definition.isZero() && req.Definition.orDefault() != defaultDefinition {
		// The planner reads the default matcher only.
		return filter.Plan{}, planUnsupported("definition %s", req.Definition)
	}
	ev := e.lockedEval()
	defer e.release(ev)
	return e.eng.plan(ev, e, req, open)
}

// plan on Casbin's engine: only a matcher that reads no policy, which
// Casbin evaluates once, can be planned.
func (c *casbinEngine) plan(_ *evalCtx, e *Enforcer, req Request, open int) (filter.Plan, error) {
	if c.reason == reasonNoPolicy && len(req.Groups) == 0 && len(req.Policies) == 0 {
		return e.planWithoutPolicy(req, open)
	}
	return filter.Plan{}, planUnsupported("%s", c.reason)
}

func (st *state) plan(ev *evalCtx, e *Enforcer, req Request, open int) (p filter.Plan, err error) {
	cm := st.cm
	if cm.effect == effectPriority {
		// The first matching rule decides: no union of conditions says that.
		return filter.Plan{}, planUnsupported("effect %s", e.model["e"]["e"].Value)
	}
	if len(req.Values) != len(cm.rTok) {
		return filter.Plan{}, fmt.Errorf("%w: %d values, the model's request has %d", ErrInvalidRequest, len(req.Values), len(cm.rTok))
	}
	if len(req.Groups) > 0 && cm.scopedGI < 0 {
		return filter.Plan{}, planUnsupported("request-scoped groups need exactly one role function called with the subject (r.%s) as its first argument", cm.rTok[0][2:])
	}
	for gi, nm := range cm.gNameMatch {
		if nm != nil {
			// membersOf reads the links as written.
			return filter.Plan{}, planUnsupported("role definition %s has a name matching function", cm.gNames[gi])
		}
	}
	if err := e.checkRequest(req); err != nil {
		return filter.Plan{}, err
	}
	tree, perr := cm.planned.get(cm)
	if perr != nil {
		return filter.Plan{}, planUnsupported("%v in the matcher", perr)
	}
	pl := &planner{cm: cm, open: open, openName: strings.TrimPrefix(cm.rTok[open], "r_"), vals: req.Values, groups: len(req.Groups) > 0}
	if err := pl.checkOpenUse(tree); err != nil {
		return filter.Plan{}, err
	}
	p, err = pl.plan(ev, st, tree, req)
	if err != nil {
		return filter.Plan{}, err
	}
	return e.bounded(p, pl), nil
}

// reasonNoPolicy is compile's reason for a matcher that reads no policy
// field; such a model can still be planned (planWithoutPolicy).
const reasonNoPolicy = "matcher does not refer to the policy"

// bounded adds Decide's bound on a string request value to p: a longer
// value is refused whatever the policy says. An open field read through
// its attributes is a map whose strings Decide bounds the same way: each
// attribute the condition tests is bounded (sqlfilter.Translate applies
// the bound to every other mapped column too). An always-allowed plan
// over attributes becomes the bound of every attribute the matcher reads:
// Decide refuses an object with a long one and fails on one without an
// attribute the matcher reads, which a row with NULL there would be.
func (e *Enforcer) bounded(p filter.Plan, pl *planner) filter.Plan {
	if pl.attrs {
		var fields []string
		switch p.Kind {
		case filter.AlwaysAllowed:
			fields = pl.attrFields
		case filter.Conditional:
			fields = p.Cond.Fields()
		default:
			return p
		}
		var c *filter.Cond
		if p.Kind == filter.Conditional {
			c = p.Cond
		}
		for _, f := range fields {
			if c == nil {
				c = filter.MaxLen(f, e.maxRequest)
				continue
			}
			c = flatten(filter.OpAnd, c, filter.MaxLen(f, e.maxRequest))
		}
		if c == nil {
			return p
		}
		return filter.Plan{Kind: filter.Conditional, Cond: c}
	}
	long := filter.MaxLen(pl.openName, e.maxRequest)
	switch p.Kind {
	case filter.AlwaysAllowed:
		return filter.Plan{Kind: filter.Conditional, Cond: long}
	case filter.Conditional:
		return filter.Plan{Kind: filter.Conditional, Cond: flatten(filter.OpAnd, p.Cond, long)}
	}
	return p
}

// plan is Plan after the checks, for the open field as Decide sees it.
func (pl *planner) plan(ev *evalCtx, st *state, tree *term, req Request) (p filter.Plan, err error) {
	cm := pl.cm
	defer func() {
		// As in decide: a panicking matching function must fail the plan,
		// never the caller.
		if r := recover(); r != nil {
			p, err = filter.Plan{}, fmt.Errorf("%w: %v", ErrEvaluation, r)
		}
	}()

	vals := make([]any, len(req.Values))
	copy(vals, req.Values)
	vals[pl.open] = ""
	ev.init(cm, st, Request{Values: vals, Groups: req.Groups})
	pl.ev = ev
	for i, p := range req.Policies {
		if len(p) != len(cm.pTok) {
			return filter.Plan{}, fmt.Errorf("%w: request policy %d has %d values, the model defines %d", ErrInvalidRequest, i, len(p), len(cm.pTok))
		}
	}
	if ev.st.rules["p"].len()+len(req.Policies) == 0 {
		// As decideEmpty: the matcher once, with empty policy values.
		r := pl.eval(tree, make([]string, len(cm.pTok)))
		if r.k == rkErr {
			return filter.Plan{}, r.err
		}
		if cm.effect == effectDenyOverride {
			return filter.Plan{Kind: filter.AlwaysAllowed}, nil
		}
		return r.plan(), nil
	}
	var allow, deny []resid
	for _, sr := range pl.candidates(req.Policies) {
		eft := "allow"
		if cm.eftIdx >= 0 {
			eft = sr[cm.eftIdx]
		}
		counts := (eft == "allow" && cm.effect != effectDenyOverride) || (eft == "deny" && cm.effect != effectAllowOverride)
		if !counts {
			// Decide does evaluate the rule, so its errors count.
			if r := pl.eval(tree, sr); r.k == rkErr {
				return filter.Plan{}, r.err
			}
			continue
		}
		r := pl.eval(tree, sr)
		switch {
		case r.k == rkErr:
			return filter.Plan{}, r.err
		case r.k == rkFalse:
		case eft == "allow":
			allow = append(allow, r)
		default:
			deny = append(deny, r)
		}
	}
	a, d := anyOf(allow), anyOf(deny)
	switch cm.effect {
	case effectAllowOverride:
		return a.plan(), nil
	case effectDenyOverride:
		return d.negate().plan(), nil
	default:
		return a.and(d.negate()).plan(), nil
	}
}

// planCache parses the matcher for the planner once per model; the tree
// is never changed afterwards.
type planCache struct {
	once sync.Once
	tree *term
	err  error
}

func (c *planCache) get(cm *compiledModel) (*term, error) {
	c.once.Do(func() { c.tree, c.err = cm.reader(true).parseTerms(cm.matcher) })
	return c.tree, c.err
}

func planUnsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %w: plan: "+format, append([]any{ErrUnsupported, filter.ErrUnsupported}, args...)...)
}

// planner evaluates the matcher for one plan.
type planner struct {
	cm       *compiledModel
	ev       *evalCtx
	open     int
	openName string
	vals     []any
	attrs    bool // the matcher reads attributes of the open field
	// attrFields are the attributes of the open field the matcher reads
	// ("obj.Owner"), in the order it names them.
	attrFields []string
	groups     bool // the request has request-scoped groups
	members    map[memberKey][]string
}

// checkOpenUse refuses, whatever the policy, the constructs that cannot
// test the open field: reading it both as a value and through attributes
// (no one object is both), a role function over it, a pattern taken from
// it, a function without a translation, two different open fields
// compared.
func (pl *planner) checkOpenUse(n *term) error {
	var whole, attr bool
	isOpen := func(a operand) bool { return a.kind == opReq && a.idx == pl.open }
	var walk func(*term) error
	walk = func(n *term) error {
		for _, a := range n.args {
			if isOpen(a) {
				if a.attr == "" {
					whole = true
				} else {
					attr = true
					if f := pl.openName + "." + a.attr; !slices.Contains(pl.attrFields, f) {
						pl.attrFields = append(pl.attrFields, f)
					}
				}
			}
		}
		switch {
		case n.kind == tCall && slices.ContainsFunc(n.args, isOpen):
			if gi, role := pl.cm.gIdx[n.fn]; role {
				if slices.ContainsFunc(n.args[1:], isOpen) {
					return planUnsupported("role function %s with the open field as the role or domain", n.text)
				}
				if gi == pl.cm.scopedGI && pl.groups {
					return planUnsupported("role function %s over the open field with request-scoped groups", n.text)
				}
				break
			}
			if isOpen(n.args[1]) {
				return planUnsupported("%s with the open field as its pattern", n.text)
			}
			if !openFuncs[n.fn] {
				return planUnsupported("%s: function %s cannot be translated", n.text, n.fn)
			}
		case (n.kind == tEq || n.kind == tNe) && isOpen(n.args[0]) && isOpen(n.args[1]) && n.args[0].attr != n.args[1].attr:
			return planUnsupported("comparison of two open fields %s and %s", n.args[0].name, n.args[1].name)
		}
		for _, k := range n.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(n); err != nil {
		return err
	}
	if whole && attr {
		return planUnsupported("r.%s is used both as a value and for its attributes", pl.openName)
	}
	pl.attrs = attr
	return nil
}

// openFuncs are the functions that may test the open field.
var openFuncs = map[string]bool{
	"keyMatch": true, "keyMatch2": true, "keyMatch3": true, "keyMatch5": true, "regexMatch": true, "globMatch": true,
}

// candidates returns the policy values of every rule that can match: the
// rules of the roles the caller reaches when the matcher has a role term
// over known fields and no guard, all rules otherwise; then the request's
// policies.
// Decide's candidates for any value of the open field are among them.
func (pl *planner) candidates(scoped [][]string) [][]string {
	cm, ev, st := pl.cm, pl.ev, pl.ev.st
	var out [][]string
	// A guard (leading disjuncts that read no rule field, guard.go) that
	// holds makes every rule match, those of other subjects included: its
	// value depends on the open field here, so every rule is a candidate.
	useRole := cm.role != nil && cm.guard == nil && cm.role.rField != pl.open
	if useRole {
		if _, ok := pl.vals[cm.role.rField].(string); !ok {
			useRole = false
		}
		if d := cm.role.dom; d != nil && d.kind == opReq {
			if _, ok := pl.vals[d.idx].(string); !ok || d.idx == pl.open {
				useRole = false
			}
		}
	}
	var rules []*storedRule
	if useRole {
		set := ev.reach(cm.role.gi, ev.rs[cm.role.rField], ev.roleDomain())
		for _, name := range set.names {
			rules = append(rules, st.ix.bySub[name]...)
		}
	} else {
		rules = st.ordered("p")
	}
	for _, sr := range rules {
		out = append(out, sr.vals)
	}
	return append(out, scoped...)
}

type residKind uint8

const (
	rkFalse residKind = iota
	rkTrue
	rkCond
	rkErr
)

// resid is a matcher term with every known value put in: true, false, a
// condition on the open field, or an evaluation error.
type resid struct {
	k   residKind
	c   *filter.Cond
	err error
}

var (
	rTrue  = resid{k: rkTrue}
	rFalse = resid{k: rkFalse}
)

func rBool(b bool) resid {
	if b {
		return rTrue
	}
	return rFalse
}

func rCond(c *filter.Cond) resid { return resid{k: rkCond, c: c} }

func (r resid) plan() filter.Plan {
	switch r.k {
	case rkTrue:
		return filter.Plan{Kind: filter.AlwaysAllowed}
	case rkCond:
		return filter.Plan{Kind: filter.Conditional, Cond: r.c}
	}
	return filter.Plan{Kind: filter.AlwaysDenied}
}

func (r resid) negate() resid {
	switch r.k {
	case rkTrue:
		return rFalse
	case rkFalse:
		return rTrue
	case rkCond:
		if r.c.Op == filter.OpNot {
			return rCond(r.c.Kids[0])
		}
		return rCond(filter.Not(r.c))
	}
	return r
}

// and combines r with the term after it, which the matcher evaluates only
// when r may hold.
func (r resid) and(next resid) resid {
	switch {
	case r.k == rkTrue:
		return next
	case r.k != rkCond:
		return r
	case next.k == rkTrue:
		return r
	case next.k == rkCond:
		return rCond(flatten(filter.OpAnd, r.c, next.c))
	}
	return next
}

func (r resid) or(next resid) resid {
	switch {
	case r.k == rkFalse:
		return next
	case r.k != rkCond:
		return r
	case next.k == rkFalse:
		return r
	case next.k == rkCond:
		return rCond(flatten(filter.OpOr, r.c, next.c))
	}
	return next
}

func flatten(op filter.Op, a, b *filter.Cond) *filter.Cond {
	var kids []*filter.Cond
	for _, c := range []*filter.Cond{a, b} {
		if c.Op == op {
			kids = append(kids, c.Kids...)
		} else {
			kids = append(kids, c)
		}
	}
	return &filter.Cond{Op: op, Kids: kids}
}

// anyOf is the disjunction of the residuals of matched rules.
func anyOf(rs []resid) resid {
	var conds []*filter.Cond
	for _, r := range rs {
		switch r.k {
		case rkTrue:
			return rTrue
		case rkCond:
			conds = append(conds, r.c)
		}
	}
	switch len(conds) {
	case 0:
		return rFalse
	case 1:
		return rCond(conds[0])
	}
	return rCond(mergeEq(filter.Or(conds...)))
}

// mergeEq turns the many "obj = x" terms a large policy gives into one
// "obj IN (…)" per field, keeping the other terms as they are.
func mergeEq(c *filter.Cond) *filter.Cond {
	byField := map[string]*filter.Cond{}
	var kids []*filter.Cond
	for _, k := range c.Kids {
		if k.Op == filter.OpEq || k.Op == filter.OpIn {
			if in, ok := byField[k.Field]; ok {
				in.Values = append(in.Values, k.Values...)
				continue
			}
			in := filter.In(k.Field, k.Values...)
			byField[k.Field] = in
			kids = append(kids, in)
			continue
		}
		kids = append(kids, k)
	}
	for _, k := range kids {
		if k.Op == filter.OpIn && len(k.Values) == 1 {
			k.Op = filter.OpEq
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	return filter.Or(kids...)
}

// planWithoutPolicy plans for a matcher that reads no policy field, such
// as Casbin's ABAC example r.sub == r.obj.Owner, which Casbin's own
// enforcer decides: it evaluates the matcher once, so the plan is the
// matcher's (for a deny-override effect, always allowed). The matcher may
// not call role functions here: Casbin's role manager is not the index's.
func (e *Enforcer) planWithoutPolicy(req Request, open int) (p filter.Plan, err error) {
	if err := e.checkRequest(req); err != nil {
		return filter.Plan{}, err
	}
	r, pa := e.model["r"]["r"], e.model["p"]["p"]
	if r == nil || pa == nil || len(req.Values) != len(r.Tokens) {
		return filter.Plan{}, fmt.Errorf("%w: the request does not fit the model", ErrInvalidRequest)
	}
	cm := &compiledModel{rTok: r.Tokens, rIdx: map[string]int{}, pIdx: map[string]int{}, gIdx: map[string]int{},
		matcher: e.model["m"]["m"].Value}
	for i, t := range r.Tokens {
		cm.rIdx[t] = i
	}
	tree, perr := cm.reader(true).parseTerms(cm.matcher)
	if perr != nil {
		return filter.Plan{}, planUnsupported("%v in the matcher", perr)
	}
	pl := &planner{cm: cm, open: open, openName: strings.TrimPrefix(cm.rTok[open], "r_"), vals: req.Values}
	if err := pl.checkOpenUse(tree); err != nil {
		return filter.Plan{}, err
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = filter.Plan{}, fmt.Errorf("%w: %v", ErrEvaluation, r)
		}
	}()
	res := pl.eval(tree, nil)
	if res.k == rkErr {
		return filter.Plan{}, res.err
	}
	switch e.model["e"]["e"].Value {
	case constant.AllowOverrideEffect, constant.AllowAndDenyEffect:
	case constant.DenyOverrideEffect:
		res = rTrue
	default:
		return filter.Plan{}, planUnsupported("effect %s", e.model["e"]["e"].Value)
	}
	return e.bounded(res.plan(), pl), nil
}
