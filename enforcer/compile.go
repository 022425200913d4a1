package enforcer

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
	"github.com/wardenhq/warden/internal/modelcheck"
)

type effectKind uint8

const (
	effectAllowOverride effectKind = iota // some(where (p.eft == allow))
	effectDenyOverride                    // !some(where (p.eft == deny))
	effectAllowAndDeny                    // allow unless a deny rule matches
	effectPriority                        // priority(p_eft) || deny, subjectPriority(p_eft) || deny: the first match decides
)

// scopeVar is the hidden first argument through which govaluate-evaluated
// role functions reach the decision's scope (its request-scoped groups and
// its memo of reached roles) without any shared state.
const scopeVar = "w__scope"

// pred is a compiled matcher (or term): p is the candidate rule's values.
type pred func(ev *evalCtx, p []string) (bool, error)

// compiledModel is what the fast path knows about a model. It is built once
// per model and never changes, so decisions read it without locking.
type compiledModel struct {
	// def is the definition compiled (defs.go); multi, on the default
	// one of a model with several, holds the others; ixNum numbers the
	// index of def.P's rules that the matcher keys.
	def   Definition
	multi *definitions
	ixNum int

	rTok   []string
	rIdx   map[string]int
	pTok   []string
	pIdx   map[string]int
	eftIdx int // index of p_eft, or -1
	effect effectKind

	// Casbin's order of the rules (priority.go): prioIdx is the index of
	// p_priority, or -1; subjPrio ranks by the subject's level in the
	// links of graph hierGI ("g"), in the domain of field subjDomIdx
	// (p_dom, or -1).
	prioIdx    int
	subjPrio   bool
	hierGI     int
	subjDomIdx int

	gNames   []string       // role definitions, sorted; index is the graph number
	scopedGI int            // the graph request-scoped groups join, or -1
	gIdx     map[string]int // name → graph number
	gDomains []bool
	gMatch   []*matchFn // per graph: its domain matching function, or nil (domainmatch.go)
	// gNameMatch is per graph its name matching function, or nil: such a
	// graph's role term does not key the index.
	gNameMatch []*matchFn
	gCond      []bool // per graph: a conditional role definition (linkcond.go)
	// conds are the conditional graphs' conditions and clock, from the
	// Enforcer's options (withConditions).
	conds []*linkCond
	clock func() time.Time

	matcher string
	funcs   map[string]govaluate.ExpressionFunction // registered matcher functions (WithFunction)
	// functions is govaluate's function map for the matcher, and for the
	// expressions eval() reads (evalexpr.go).
	functions map[string]govaluate.ExpressionFunction
	// hasEval says the matcher calls eval(), as Casbin's util.HasEval
	// tells; evalFields are the policy fields it is called on, whose
	// values the state compiles once per distinct text.
	hasEval    bool
	evalFields []int
	// evalGate, under WithDeferredEvalErrors, fails the eval() texts the
	// value checks let in because govaluate cannot compile them, before
	// compileEval compiles them its own way (evalexpr.go).
	evalGate func(text string) error
	// guard is the matcher's leading disjuncts that read no rule field,
	// when they are followed by one that does (guard.go); or nil.
	guard *govaluate.EvaluableExpression
	// guardFn is the guard compiled to Go, when it can be (guard.go).
	guardFn guardFn
	// body is the last disjunct, what the matcher is for every rule when
	// the guard does not hold.
	body *govaluate.EvaluableExpression
	// exprCond and bodyCond are the matcher and its body compiled to Go
	// where they compare attributes or call eval() (condition.go), for
	// the requests pred does not take; or nil. What they do not know,
	// expr and body decide.
	exprCond, bodyCond condFn
	pred               pred                           // nil when the matcher is outside the compiled subset
	expr               *govaluate.EvaluableExpression // always set: used for non-string requests
	// predKeyed is pred without the role term the index is keyed by,
	// for the candidates the index found by it (keyedPred); or nil.
	predKeyed pred
	// boxFields are the policy fields the compiled terms pass to
	// registered functions, which a stored rule keeps boxed
	// (storedRule.boxed); callSlots is how many arguments those calls
	// take in all, at most one call of each per candidate.
	boxFields []int
	callSlots int

	// The index plan. role, when set, says p[role.pField] must be a role the
	// request field r[role.rField] reaches through graph role.gi in domain
	// role.dom; eq lists p fields that must equal request fields.
	role *rolePlan
	eq   []eqPlan
	pat  *patternPlan // a pattern conjunct fn(r.X, p.F) on the index (pattern.go)
	// listing holds the matcher's top-level conjuncts, other than the role
	// term, that read no request field but the role term's subject and
	// domain: what RulesFor can decide of a rule from its Subject alone
	// (grants.go).
	listing []pred

	planned planCache // the matcher as the planner reads it (plan.go)
}

type rolePlan struct {
	gi     int
	rField int
	pField int
	dom    *operand // nil, a request field or a literal
}

// eqPlan is an equality of a rule field and a request field, or (attr
// set) an attribute of one, as in r.obj.Type == p.type.
type eqPlan struct {
	pField, rField int
	attr           []string
}

// compileDef analyses definition d of m (defs.go), whose matcher may call
// the functions o registers. It returns (nil, reason) when the fast path
// cannot decide for it and Casbin's own enforcer must.
func compileDef(m model.Model, o *options, d Definition) (*compiledModel, string) {
	if m["r"][d.R] == nil || m["p"][d.P] == nil || m["e"][d.E] == nil || m["m"][d.M] == nil {
		return nil, "no definition " + d.String()
	}
	cm := &compiledModel{
		def:     d,
		rTok:    m["r"][d.R].Tokens,
		pTok:    m["p"][d.P].Tokens,
		rIdx:    map[string]int{},
		pIdx:    map[string]int{},
		gIdx:    map[string]int{},
		eftIdx:  -1,
		prioIdx: -1,
		matcher: m["m"][d.M].Value,
		funcs:   o.funcs,
	}
	if o.deferEvalErrors {
		cm.evalGate = modelcheck.EvalUncompilable(m, o.funcs)
	}
	for i, t := range cm.rTok {
		cm.rIdx[t] = i
	}
	for i, t := range cm.pTok {
		cm.pIdx[t] = i
	}
	if i, ok := cm.pIdx[d.P+"_eft"]; ok {
		cm.eftIdx = i
	}
	// Casbin's GetFieldIndex: a field index set on the model, else the
	// field named p_priority (p_dom).
	if i, err := m.GetFieldIndex(d.P, constant.PriorityIndex); err == nil && i >= 0 && i < len(cm.pTok) {
		cm.prioIdx = i
	}
	switch m["e"][d.E].Value {
	case constant.AllowOverrideEffect:
		cm.effect = effectAllowOverride
	case constant.DenyOverrideEffect:
		cm.effect = effectDenyOverride
	case constant.AllowAndDenyEffect:
		cm.effect = effectAllowAndDeny
	case constant.PriorityEffect:
		cm.effect = effectPriority
	case constant.SubjectPriorityEffect:
		cm.effect, cm.subjPrio = effectPriority, true
		if m["g"]["g"] == nil {
			// Casbin's loader fails (GetAssertion("g", "g")); let it.
			return nil, "effect subjectPriority(p_eft) || deny without a role definition g"
		}
	default:
		return nil, "effect " + m["e"][d.E].Value
	}
	cm.hasEval = util.HasEval(cm.matcher)
	// Casbin's own test (enforcer.go): a matcher whose text has no "p_"
	// (of the policy definition chosen) is evaluated once, without the
	// policy.
	if !strings.Contains(cm.matcher, d.P+"_") {
		return nil, reasonNoPolicy
	}
	for name, a := range m["g"] {
		if reason := conditionalRefusal(m, name, cm.subjPrio); reason != "" {
			return nil, reason
		}
		if _, domains := o.roleMatch(name); domains != nil && conditional(a) {
			return nil, "conditional role definition " + name + " with a domain matching function (WithDomainMatchingFunction)"
		}
		if len(a.Tokens) < 2 || len(a.Tokens) > 3 {
			return nil, "role definition " + name + " with " + fmt.Sprint(len(a.Tokens)) + " fields"
		}
		cm.gNames = append(cm.gNames, name)
	}
	sort.Strings(cm.gNames)
	implicit := implicitDomainMatch(m)
	for i, name := range cm.gNames {
		cm.gIdx[name] = i
		dom := len(m["g"][name].Tokens) == 3
		cm.gDomains = append(cm.gDomains, dom)
		cm.gCond = append(cm.gCond, conditional(m["g"][name]))
		names, domains := o.roleMatch(name)
		switch {
		case domains != nil:
			cm.gMatch = append(cm.gMatch, domains) // replaces Casbin's implicit keyMatch
		case dom:
			cm.gMatch = append(cm.gMatch, implicit)
		default:
			cm.gMatch = append(cm.gMatch, nil)
		}
		cm.gNameMatch = append(cm.gNameMatch, names)
	}
	cm.hierGI, cm.subjDomIdx = -1, -1
	if cm.subjPrio {
		cm.hierGI = cm.gIdx["g"]
		if cm.gNameMatch[cm.hierGI] != nil {
			// Casbin's loader ranks subjects by the links as written.
			return nil, "effect subjectPriority(p_eft) || deny with a name matching function on g"
		}
		if i, err := m.GetFieldIndex(d.P, constant.DomainIndex); err == nil && i >= 0 && i < len(cm.pTok) {
			cm.subjDomIdx = i
		}
	}

	expr, err := cm.govaluate()
	if err != nil {
		return nil, "matcher: " + err.Error()
	}
	cm.expr = expr
	toks, _ := matchexpr.Tokenize(cm.matcher) // govaluate has read it
	cm.evalFields = cm.evalArgs(toks)
	cm.scopedGI = cm.subjectGraph(toks)
	// A matcher govaluate reads differently from how it is written
	// (matchexpr.ErrMisread) is left to govaluate whole: no compiled
	// terms, no index.
	if tree, err := matchexpr.ParseTokens(cm.matcher, toks, nil); err == nil {
		// A registered function's result is the matcher's only when it
		// is the whole matcher: Casbin then takes a number too, which
		// the compiled call refuses, so govaluate keeps that case.
		if t, err := cm.reader(false).read(tree); err == nil && !(t.kind == tCall && cm.funcs[t.fn] != nil) {
			cm.pred = cm.compileTerm(t)
			cm.callSlots = cm.funcSlots(t)
		}
		cm.plan(tree)
		cm.exprCond = cm.compileCondition(tree)
		if cm.pred != nil {
			cm.predKeyed = cm.keyedPred(tree)
		}
	}
	return cm, ""
}

// keyedPred is the matcher for the candidates the index finds by its role
// term (evalCtx.candidates), without that term: a candidate's role field
// is one of the names the request's subject reaches, looked up whole, so
// g(r.sub, p.sub) holds for it, and the term never fails. The other
// conjuncts stay, in their order, so the result and the first error are
// the matcher's. It is nil when the index proves no term: without a role
// plan, with a guard (whose candidates are every rule), or with a
// pattern field, whose part of the key is a prefix of the request value
// (a role value would be proved only by the policy's having no NUL in a
// value; the equality fields, which stay, prove it otherwise: the key is
// the role then each field's value, each followed by NUL, so equal
// fields leave the role part equal).
func (cm *compiledModel) keyedPred(tree *matchexpr.Node) pred {
	if cm.role == nil || cm.guard != nil || cm.pat != nil {
		return nil
	}
	rd := cm.reader(false)
	var kept *term
	dropped := false
	for _, part := range tree.Conjuncts() {
		t, err := rd.read(part)
		if err != nil {
			return nil
		}
		if !dropped && cm.isPlannedRole(t) {
			dropped = true
			continue
		}
		if kept == nil {
			kept = t
		} else {
			kept = &term{kind: tAnd, kids: []*term{kept, t}}
		}
	}
	switch {
	case !dropped:
		return nil
	case kept == nil:
		return func(*evalCtx, []string) (bool, error) { return true, nil }
	}
	return cm.compileTerm(kept)
}

// funcSlots is how many arguments t's calls of registered functions take
// in all.
func (cm *compiledModel) funcSlots(t *term) int {
	n := 0
	if t.kind == tCall && cm.funcs[t.fn] != nil {
		n = len(t.args)
	}
	for _, k := range t.kids {
		n += cm.funcSlots(k)
	}
	return n
}

// box returns boxed (a rule's boxed values so far, or nil) with the
// values of vals that cm's registered functions are passed boxed: once
// when the rule is stored, not at every call. It is nil when they are
// passed none.
func (cm *compiledModel) box(boxed *[]any, vals []string) *[]any {
	for _, i := range cm.boxFields {
		if i >= len(vals) {
			continue
		}
		if boxed == nil {
			b := make([]any, len(vals))
			boxed = &b
		}
		if (*boxed)[i] == nil {
			(*boxed)[i] = vals[i]
		}
	}
	return boxed
}

// isPlannedRole reports whether t is the role term cm.role plans: the
// same graph, request field, policy field and domain.
func (cm *compiledModel) isPlannedRole(t *term) bool {
	rp := cm.role
	if t.kind != tCall || !cm.isRole(t.fn) || cm.gIdx[t.fn] != rp.gi || len(t.args) < 2 || len(t.args) > 3 {
		return false
	}
	same := func(a, b operand) bool {
		return a.kind == b.kind && a.idx == b.idx && a.attr == "" && b.attr == "" && a.lit == b.lit
	}
	if !same(t.args[0], operand{kind: opReq, idx: rp.rField}) || !same(t.args[1], operand{kind: opPol, idx: rp.pField}) {
		return false
	}
	if len(t.args) == 2 {
		return rp.dom == nil
	}
	return rp.dom != nil && same(t.args[2], *rp.dom)
}

// subjectGraph is the role definition whose function the matcher calls with
// the subject (the first request field) as first argument: the one
// request-scoped groups belong to. It is -1 when there is none, or more than
// one, so that such groups are refused rather than put in the wrong graph.
func (cm *compiledModel) subjectGraph(toks []matchexpr.Token) int {
	found := -1
	for i := 0; i+3 < len(toks); i++ {
		gi, ok := cm.gIdx[toks[i].Text]
		if !ok || toks[i].Kind != matchexpr.Name || toks[i].Bracketed || toks[i+1].Kind != matchexpr.LParen ||
			toks[i+2].Kind != matchexpr.Name || toks[i+2].Text != cm.rTok[0] || toks[i+3].Kind != matchexpr.Comma {
			continue
		}
		if found >= 0 && found != gi {
			return -1
		}
		found = gi
	}
	return found
}

// plan picks the index from the matcher's top-level conjuncts: a role term
// g(r.X, p.Y[, D]) and equalities of request and policy fields, each a
// condition every matching rule meets.
func (cm *compiledModel) plan(tree *matchexpr.Node) {
	seen := map[int]bool{}
	noRole := false
	var pats []patternPlan
	rd, attrs := cm.reader(false), cm.reader(true)
	body := cm.splitGuard(tree)
	for _, part := range body.Conjuncts() {
		n, err := rd.read(part)
		if err != nil {
			if e, ok := attrEquality(attrs, part); ok && !seen[e.pField] {
				cm.eq = append(cm.eq, e)
				seen[e.pField] = true
			}
			continue
		}
		switch {
		case n.kind == tCall && cm.isRole(n.fn) && cm.gNameMatch[cm.gIdx[n.fn]] != nil:
			// The roles a name reaches through patterns are not the
			// names of the rules' role field: no key. A later role
			// term keys nothing either, so that the first role term
			// stays the one RulesFor and Roles answer for.
			noRole = true
		case n.kind == tCall && cm.isRole(n.fn) && cm.role == nil && !noRole &&
			n.args[0].kind == opReq && n.args[1].kind == opPol:
			rp := &rolePlan{gi: cm.gIdx[n.fn], rField: n.args[0].idx, pField: n.args[1].idx}
			if len(n.args) == 3 {
				if n.args[2].kind == opPol {
					continue
				}
				d := n.args[2]
				rp.dom = &d
			}
			cm.role = rp
		case n.kind == tCall && patternFuncs[n.fn] && len(n.args) == 2 &&
			n.args[0].kind == opReq && n.args[1].kind == opPol:
			pats = append(pats, patternPlan{fn: n.fn, rField: n.args[0].idx, pField: n.args[1].idx})
		case n.kind == tEq && n.args[0].kind == opReq && n.args[1].kind == opPol && !seen[n.args[1].idx]:
			cm.eq = append(cm.eq, eqPlan{pField: n.args[1].idx, rField: n.args[0].idx})
			seen[n.args[1].idx] = true
		case n.kind == tEq && n.args[0].kind == opPol && n.args[1].kind == opReq && !seen[n.args[0].idx]:
			cm.eq = append(cm.eq, eqPlan{pField: n.args[0].idx, rField: n.args[1].idx})
			seen[n.args[0].idx] = true
		}
	}
	// The first pattern conjunct on a field not already looked up whole
	// (by equality or as the role field) narrows the candidates further.
	for _, p := range pats {
		if !seen[p.pField] && (cm.role == nil || cm.role.pField != p.pField) {
			cm.pat = &p
			break
		}
	}
	if cm.guard == nil {
		cm.listing = cm.listingConds(tree)
	}
	// The role field is looked up by reach; an equality on it adds nothing.
	if cm.role != nil {
		out := cm.eq[:0]
		for _, e := range cm.eq {
			if e.pField != cm.role.pField {
				out = append(out, e)
			}
		}
		cm.eq = out
	}
}

// listingConds compiles the top-level conjuncts whose only request fields
// are the role term's subject and request domain (none for a model without
// the role term RulesFor needs): a domain function keyMatch(r.dom, p.dom),
// an equality r.dom == p.dom, a disjunction of such, a condition on the
// rule alone. With the subject and the domain fixed, each holds or fails
// for a rule whatever the other request fields are. The role term itself
// is left out: RulesFor walks it.
func (cm *compiledModel) listingConds(tree *matchexpr.Node) []pred {
	if cm.role == nil {
		return nil
	}
	bound := map[int]bool{cm.role.rField: true}
	if d := cm.role.dom; d != nil && d.kind == opReq {
		bound[d.idx] = true
	}
	var out []pred
	rd := cm.reader(false)
	for _, part := range tree.Conjuncts() {
		n, err := rd.read(part)
		if err != nil {
			continue // not compiled: it constrains nothing RulesFor can tell
		}
		if n.kind == tCall && cm.isRole(n.fn) && cm.gIdx[n.fn] == cm.role.gi && len(n.args) >= 2 &&
			n.args[0].kind == opReq && n.args[0].idx == cm.role.rField && n.args[1].kind == opPol && n.args[1].idx == cm.role.pField {
			continue
		}
		if readsOnly(n, bound) {
			out = append(out, cm.compileTerm(n))
		}
	}
	return out
}

// readsOnly reports whether every request field t reads is in bound.
func readsOnly(t *term, bound map[int]bool) bool {
	for _, a := range t.args {
		if a.kind == opReq && (!bound[a.idx] || a.attr != "") {
			return false
		}
	}
	for _, k := range t.kids {
		if !readsOnly(k, bound) {
			return false
		}
	}
	return true
}

func (o operand) get(ev *evalCtx, p []string) string {
	switch o.kind {
	case opReq:
		return ev.rs[o.idx]
	case opPol:
		return p[o.idx]
	default:
		return o.lit
	}
}

func (cm *compiledModel) isRole(fn string) bool { _, ok := cm.gIdx[fn]; return ok }

// compileTerm compiles a term to Go.
func (cm *compiledModel) compileTerm(n *term) pred {
	switch n.kind {
	case tAnd:
		a, b := cm.compileTerm(n.kids[0]), cm.compileTerm(n.kids[1])
		return func(ev *evalCtx, p []string) (bool, error) {
			ok, err := a(ev, p)
			if err != nil || !ok {
				return false, err
			}
			return b(ev, p)
		}
	case tOr:
		a, b := cm.compileTerm(n.kids[0]), cm.compileTerm(n.kids[1])
		return func(ev *evalCtx, p []string) (bool, error) {
			ok, err := a(ev, p)
			if err != nil || ok {
				return ok, err
			}
			return b(ev, p)
		}
	case tNot:
		a := cm.compileTerm(n.kids[0])
		return func(ev *evalCtx, p []string) (bool, error) {
			ok, err := a(ev, p)
			return !ok && err == nil, err
		}
	case tEq:
		l, r := n.args[0], n.args[1]
		return func(ev *evalCtx, p []string) (bool, error) { return l.get(ev, p) == r.get(ev, p), nil }
	case tNe:
		l, r := n.args[0], n.args[1]
		return func(ev *evalCtx, p []string) (bool, error) { return l.get(ev, p) != r.get(ev, p), nil }
	}
	// A call.
	args := n.args
	if gi, ok := cm.gIdx[n.fn]; ok {
		return func(ev *evalCtx, p []string) (bool, error) {
			dom := ""
			if len(args) == 3 {
				dom = args[2].get(ev, p)
			}
			return ev.hasLink(gi, args[0].get(ev, p), args[1].get(ev, p), dom), nil
		}
	}
	if fn := cm.funcs[n.fn]; fn != nil {
		// Request values are passed as the request holds them, literals
		// boxed once, and policy values as the stored rule keeps them
		// boxed (a request-scoped policy's are boxed per call). The
		// argument slice is the function's own, as govaluate gives it
		// one: a piece of the decision's slab that no other call, of
		// this decision or another, is given (funcArgs), so a function
		// may keep or change it.
		name := n.fn
		lits := make([]any, len(args))
		for i, a := range args {
			lits[i] = a.lit
			if a.kind == opPol && !slices.Contains(cm.boxFields, a.idx) {
				cm.boxFields = append(cm.boxFields, a.idx)
			}
		}
		return func(ev *evalCtx, p []string) (bool, error) {
			vals := ev.funcArgs(len(args))
			for i, a := range args {
				switch a.kind {
				case opReq:
					vals[i] = ev.rv[a.idx]
				case opPol:
					if a.idx < len(ev.box) && ev.box[a.idx] != nil {
						vals[i] = ev.box[a.idx]
					} else {
						vals[i] = p[a.idx]
					}
				default:
					vals[i] = lits[i]
				}
			}
			return callFunction(name, fn, vals)
		}
	}
	f := boolFuncs[n.fn]
	a, b := args[0], args[1]
	return func(ev *evalCtx, p []string) (bool, error) { return f(a.get(ev, p), b.get(ev, p)) }
}

// govaluate compiles the matcher the way Casbin does, with Casbin's function
// map, except that role functions take the decision scope as a hidden first
// argument so that request-scoped groups count.
func (cm *compiledModel) govaluate() (expr *govaluate.EvaluableExpression, err error) {
	defer func() {
		// govaluate's lexer indexes past a trailing backslash and panics;
		// a model built in code (model.AddDef) can have one.
		if r := recover(); r != nil {
			expr, err = nil, fmt.Errorf("govaluate panicked: %v", r)
		}
	}()
	fm := model.LoadFunctionMap()
	functions := fm.GetFunctions()
	// Bounded caches, not Casbin's process-wide ones (match.go).
	functions["keyMatch4"] = keyMatch4Func
	functions["keyGet2"] = keyGet2Func
	functions["keyGet3"] = keyGet3Func
	for name, f := range cm.funcs {
		functions[name] = f // never a built-in's or a role's name (functions.go)
	}
	if util.HasEval(cm.matcher) {
		// Casbin registers eval() only for a matcher util.HasEval
		// matches: eval (p.x), with a space, is an undefined function.
		functions["eval"] = evalFunction // never a registered function's name (functions.go)
	}
	for i, name := range cm.gNames {
		gi := i
		// Casbin's g (util.GenerateGFunction) reads two names and, given
		// more, the third argument as the domain; later arguments are
		// ignored but must be strings, as all are. Its conditional g
		// (GenerateConditionalGFunction) does not look at them at all.
		// A definition without a domain ignores the domain it is given
		// (roleGraph.domainKey).
		checked := -1
		if i < len(cm.gCond) && cm.gCond[i] {
			checked = 3
		}
		functions[name] = func(args ...any) (any, error) {
			if len(args) < 3 {
				return nil, fmt.Errorf("%w: %s takes at least 2 arguments", ErrEvaluation, cm.gNames[gi])
			}
			ev, ok := args[0].(*evalCtx)
			if !ok {
				return nil, errors.New("enforcer: role function without scope")
			}
			var names [3]string
			for j, a := range args[1:] {
				if checked >= 0 && j >= checked {
					break
				}
				s, ok := a.(string)
				if !ok {
					return nil, fmt.Errorf("%w: %s argument %d is %T, not a string", ErrEvaluation, cm.gNames[gi], j+1, a)
				}
				if j < len(names) {
					names[j] = s
				}
			}
			return ev.hasLink(gi, names[0], names[1], names[2]), nil
		}
	}
	cm.functions = functions
	return govaluate.NewEvaluableExpressionWithFunctions(cm.withScope(cm.matcher), functions)
}

// withScope adds the hidden scope argument to every call of a role function
// and of eval() in expr: g(a, b) becomes g(w__scope, a, b), as govaluate reads the calls
// (a name followed by "(", spaces allowed; names inside string literals
// are not calls).
func (cm *compiledModel) withScope(expr string) string {
	toks, err := matchexpr.Tokenize(expr)
	if err != nil {
		return expr // govaluate refuses it too
	}
	var b strings.Builder
	last := 0
	for i := 0; i+1 < len(toks); i++ {
		t, open := toks[i], toks[i+1]
		if _, ok := cm.gIdx[t.Text]; (!ok && t.Text != "eval") || t.Kind != matchexpr.Name || t.Bracketed || open.Kind != matchexpr.LParen {
			continue
		}
		b.WriteString(expr[last:open.End])
		b.WriteString(scopeVar)
		if i+2 < len(toks) && toks[i+2].Kind != matchexpr.RParen {
			b.WriteString(", ")
		}
		last = open.End
	}
	b.WriteString(expr[last:])
	return b.String()
}

// evalParams gives govaluate the request and candidate values by name, as
// Casbin's enforceParameters does.
type evalParams struct {
	ev *evalCtx
	p  []string
}

// Get implements govaluate.Parameters.
func (ps *evalParams) Get(name string) (any, error) {
	cm := ps.ev.cm
	if name == scopeVar {
		return ps.ev, nil
	}
	if name != "" {
		switch name[0] {
		case 'p':
			if i, ok := cm.pIdx[name]; ok {
				return ps.p[i], nil
			}
		case 'r':
			if i, ok := cm.rIdx[name]; ok {
				return ps.ev.rv[i], nil
			}
		}
	}
	return nil, errors.New("No parameter '" + name + "' found.")
}
