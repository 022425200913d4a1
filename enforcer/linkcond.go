package enforcer

import (
	"fmt"
	"slices"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// Conditional role links. A role definition with parameters, such as
// `g = _, _, (_, _)`, makes every g rule carry values after the names and
// the domain (g, alice, admin, 2026-01-01 00:00:00, 2026-02-01 00:00:00),
// and a link holds only while its condition function, given those values,
// says so. Casbin attaches the function to each link by hand
// (AddNamedLinkConditionFunc, AddNamedDomainLinkConditionFunc); Warden
// attaches one function to every link of a role definition
// (WithLinkCondition), which is what Casbin's own tests of these models do
// for each link they load. With no function registered, a conditional role
// definition gets Casbin's time window (util.TimeMatchFunc: start and end
// as "2006-01-02 15:04:05" in UTC, "_" for none, both bounds exclusive),
// read on the enforcer's clock (WithClock).
//
// Where Warden differs from Casbin, it denies:
//   - a condition that returns an error or panics makes its link not hold,
//     and the other links are still followed (Casbin logs the error and
//     stops following the other roles of that name, in sync.Map order);
//   - with no function registered, links hold only inside their time
//     window (Casbin without a registered function lets every link hold);
//   - in a role definition with a domain, every link's condition is
//     checked (Casbin checks only the subject's own links: past the first
//     link its role manager looks the condition up without the domain and
//     finds none, so an expired role-to-role link still holds there);
//   - a role definition without a domain called with a third argument,
//     g(r.sub, p.sub, "x"), checks every link's condition (Casbin looks
//     the subject's own links up in domain "x", finds no condition there
//     and lets them hold).

// TimeWindow is the name of the built-in condition (Casbin's
// util.TimeMatchFunc), used for a conditional role definition with no
// WithLinkCondition.
const TimeWindow = "timeMatch"

// timeLayout is the layout of util.TimeMatch's bounds.
const timeLayout = "2006-01-02 15:04:05"

// LinkConditionFunc is Casbin's rbac.LinkConditionFunc: given a link's
// parameters, whether the link holds.
type LinkConditionFunc = func(args ...string) (bool, error)

// WithLinkCondition makes fn the condition of every link of the
// conditional role definition ptype ("g", "g2"): a link holds while fn,
// given the link's parameter values, returns true. name names the function
// in explanations and errors. A condition that returns an error or panics
// makes its link not hold. fn is called on decisions in parallel and must
// be safe for that; it should be fast, since a decision calls it for each
// link it follows.
func WithLinkCondition(ptype, name string, fn LinkConditionFunc) Option {
	return func(o *options) {
		if o.linkConds == nil {
			o.linkConds = map[string]linkCond{}
		}
		o.linkConds[ptype] = linkCond{name: name, fn: fn}
	}
}

// WithClock sets the clock that the built-in time window of conditional
// role links reads: once each time a decision (or RulesFor, Roles, Plan)
// walks a subject's links, never cached past it. The default is time.Now.
// It exists so that tests can move time without waiting.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// linkCond is the condition of one conditional role definition: fn, or
// the built-in time window when fn is nil.
type linkCond struct {
	name string
	fn   LinkConditionFunc
}

// condFor is the condition of role definition ptype: the registered one,
// else the time window.
func (o *options) condFor(ptype string) *linkCond {
	if c, ok := o.linkConds[ptype]; ok {
		return &c
	}
	return &linkCond{name: TimeWindow}
}

func (o *options) now() time.Time {
	if o.clock != nil {
		return o.clock()
	}
	return time.Now()
}

// window is a link's time window, parsed once when the link is added.
type window struct {
	start, end time.Time
	hasStart   bool
	hasEnd     bool
	err        error
}

// parseWindow reads params as util.TimeMatchFunc does.
func parseWindow(params []string) *window {
	w := &window{}
	if len(params) != 2 {
		w.err = fmt.Errorf("TimeMatch: expected 2 arguments, but got %d", len(params))
		return w
	}
	if params[0] != "_" {
		w.start, w.err = time.Parse(timeLayout, params[0])
		w.hasStart = true
	}
	if params[1] != "_" && w.err == nil {
		w.end, w.err = time.Parse(timeLayout, params[1])
		w.hasEnd = true
	}
	return w
}

// holds is util.TimeMatch at now.
func (w *window) holds(now time.Time) bool {
	if w.err != nil {
		return false
	}
	if w.hasStart && !now.After(w.start) {
		return false
	}
	if w.hasEnd && !now.Before(w.end) {
		return false
	}
	return true
}

// linkParams is what a conditional link keeps beside its names: its
// parameter values and, for the time window, their parsed form; seq is
// the rule's (storedRule.seq), its place in policy order.
type linkParams struct {
	vals []string
	win  *window
	seq  uint64
}

func (c *linkCond) params(vals []string) *linkParams {
	lp := &linkParams{vals: vals}
	if c.fn == nil {
		lp.win = parseWindow(vals)
	}
	return lp
}

// holds reports whether a link with params holds at now; an error or a
// panic of the condition is a link that does not hold.
func (c *linkCond) holds(lp *linkParams, now time.Time) (ok bool) {
	if c.fn == nil {
		return lp.win.holds(now)
	}
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	ok, err := c.fn(lp.vals...)
	return ok && err == nil
}

// casbinFunc is the condition as a function to register on Casbin's
// enforcer: the same answers as the index, the time window on the
// enforcer's clock. An error or a panic is a plain false: Casbin, given
// the error, would stop following the name's other links too.
func (c *linkCond) casbinFunc(o *options) LinkConditionFunc {
	return func(args ...string) (bool, error) {
		if c.fn == nil {
			return parseWindow(args).holds(o.now()), nil
		}
		return c.holds(&linkParams{vals: args}, time.Time{}), nil
	}
}

// conditional reports whether a role definition has parameters.
func conditional(a *model.Assertion) bool { return a != nil && len(a.ParamsTokens) > 0 }

// ruleWidth is how many values a rule of a has: one per token, and for a
// conditional role definition one per parameter too (Casbin refuses fewer).
func ruleWidth(a *model.Assertion) int { return len(a.Tokens) + len(a.ParamsTokens) }

// copyModel is model.Model.Copy keeping what Casbin's copy drops: the
// parameter tokens of conditional role definitions. Without them a copy
// reads `g = _, _, (_, _)` as a plain two-field definition, and Casbin's
// enforcer built on it has no conditional role manager.
func copyModel(m model.Model) model.Model {
	out := m.Copy()
	for ptype, a := range m["g"] {
		if len(a.ParamsTokens) > 0 {
			out["g"][ptype].ParamsTokens = append([]string(nil), a.ParamsTokens...)
		}
	}
	return out
}

// linkConditions gives Casbin's enforcer the condition of every link of
// the conditional role definitions of defs (the Enforcer's model: the one
// Casbin holds after loading is its own copy, without the parameters), as
// Casbin's tests do link by link.
func (o *options) linkConditions(ce *casbin.Enforcer, defs model.Model) {
	for ptype, a := range defs["g"] {
		if !conditional(a) {
			continue
		}
		for _, vals := range ce.GetModel()["g"][ptype].Policy {
			o.linkCondition(ce, defs, ptype, vals)
		}
	}
}

// linkCondition gives Casbin's enforcer the condition of one link, a g
// rule of ptype, when its definition in defs is conditional.
func (o *options) linkCondition(ce *casbin.Enforcer, defs model.Model, ptype string, vals []string) {
	a := defs["g"][ptype]
	if !conditional(a) || len(vals) < len(a.Tokens) {
		return
	}
	fn := o.condFor(ptype).casbinFunc(o)
	if len(a.Tokens) > 2 {
		ce.AddNamedDomainLinkConditionFunc(ptype, vals[0], vals[1], vals[2], fn)
		return
	}
	ce.AddNamedLinkConditionFunc(ptype, vals[0], vals[1], fn)
}

// condLinks is what a role graph of a conditional role definition keeps
// beside its links: each link's parameters. A link given by several rules
// (the same names and domain, other parameters) takes those of the one
// added last, as Casbin's role manager keeps the last parameters it was
// given; removing that rule gives it those of the one before.
type condLinks struct {
	cond  *linkCond
	clock func() time.Time
	nTok  int // the names and the domain: the values a link is keyed by
	byKey map[linkKey][]*linkParams
}

type linkKey struct{ dom, name, role string }

func newCondLinks(c *linkCond, clock func() time.Time, nTok int) *condLinks {
	return &condLinks{cond: c, clock: clock, nTok: nTok, byKey: map[linkKey][]*linkParams{}}
}

func (cl *condLinks) key(vals []string) linkKey {
	k := linkKey{name: vals[0], role: vals[1]}
	if cl.nTok > 2 {
		k.dom = vals[2]
	}
	return k
}

// add records a rule's parameters; vals is the whole rule, seq its
// storedRule.seq, above those of the rules already recorded (a link's
// rules are kept in policy order).
func (cl *condLinks) add(vals []string, seq uint64) {
	k := cl.key(vals)
	lp := cl.cond.params(vals[cl.nTok:])
	lp.seq = seq
	cl.byKey[k] = append(cl.byKey[k], lp)
}

// remove forgets a rule's parameters and reports whether other rules still
// give the link.
func (cl *condLinks) remove(vals []string) bool {
	k := cl.key(vals)
	list := cl.byKey[k]
	for i, lp := range list {
		if slices.Equal(lp.vals, vals[cl.nTok:]) {
			list = slices.Delete(slices.Clone(list), i, i+1)
			break
		}
	}
	if len(list) == 0 {
		delete(cl.byKey, k)
		return false
	}
	cl.byKey[k] = list
	return true
}

// first is the seq of the first rule, in policy order, that gives the
// link name → role in dom; the link must be there.
func (cl *condLinks) first(dom, name, role string) uint64 {
	return cl.byKey[linkKey{dom, name, role}][0].seq
}

// holds reports whether the link name → role in dom holds at now.
func (cl *condLinks) holds(dom, name, role string, now time.Time) bool {
	list := cl.byKey[linkKey{dom, name, role}]
	if len(list) == 0 {
		return false
	}
	return cl.cond.holds(list[len(list)-1], now)
}

// rule is the g rule that gives the link name → role in dom, for
// explanations: the names, the domain and the parameters in force.
func (cl *condLinks) rule(dom, name, role string) []string {
	list := cl.byKey[linkKey{dom, name, role}]
	out := []string{name, role}
	if cl.nTok > 2 {
		out = append(out, dom)
	}
	if len(list) > 0 {
		out = append(out, list[len(list)-1].vals...)
	}
	return out
}

func (cl *condLinks) now() time.Time {
	if cl.clock != nil {
		return cl.clock()
	}
	return time.Now()
}

// conditionalRefusal is why the index cannot decide for the conditional
// role definition ptype of m, or "" when it can (or ptype is not
// conditional). The refused combinations go to Casbin's enforcer, which
// gets the same conditions (linkConditions).
func conditionalRefusal(m model.Model, ptype string, subjPrio bool) string {
	a := m["g"][ptype]
	if !conditional(a) {
		return ""
	}
	switch {
	case len(a.Tokens) == 3 && implicitDomainMatch(m) != nil:
		return "conditional role definition " + ptype + " with a domain matching function (keyMatch(r.dom, p.dom))"
	case subjPrio:
		return "conditional role definition " + ptype + " with subjectPriority(p_eft) || deny"
	}
	return ""
}

// withConditions gives the conditional graphs of cm their condition and
// the clock, from the Enforcer's options.
func (cm *compiledModel) withConditions(o *options) {
	cm.conds = make([]*linkCond, len(cm.gNames))
	for gi, name := range cm.gNames {
		if cm.gCond[gi] {
			cm.conds[gi] = o.condFor(name)
		}
	}
	cm.clock = o.clock
}

// condOf is graph gi's condition: the time window when withConditions
// has not run (a model compiled without an Enforcer).
func (cm *compiledModel) condOf(gi int) *linkCond {
	if gi < len(cm.conds) && cm.conds[gi] != nil {
		return cm.conds[gi]
	}
	return &linkCond{name: TimeWindow}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// applyConditional adds or removes a link of the conditional role
// definition ptype in Casbin's enforcer. Casbin's own calls leave its
// conditional role manager behind: AddNamedGroupingPolicy never links a
// conditional rule, and no removal unlinks one, so a revoked link would
// hold until the next reload. Here the rule is added or removed, the role
// manager is told, and a link that another rule still gives is linked
// again with that rule's parameters, as a reload would link it.
func (c *casbinEngine) applyConditional(r Rule, add bool) bool {
	rules := [][]string{r.Values}
	if add {
		ok, _ := c.ce.AddNamedGroupingPolicies(r.PType, rules) // links the rule (Casbin's batch path)
		if ok {
			c.opts.linkCondition(c.ce, c.defs, r.PType, r.Values)
		}
		return ok
	}
	ok, _ := c.ce.RemoveNamedGroupingPolicies(r.PType, rules)
	if !ok {
		return false
	}
	_ = c.ce.BuildIncrementalConditionalRoleLinks(model.PolicyRemove, r.PType, rules)
	n := len(c.defs["g"][r.PType].Tokens)
	var last []string
	for _, v := range c.ce.GetModel()["g"][r.PType].Policy {
		if slices.Equal(v[:n], r.Values[:n]) {
			last = v
		}
	}
	if last != nil {
		_ = c.ce.BuildIncrementalConditionalRoleLinks(model.PolicyAdd, r.PType, [][]string{last})
		c.opts.linkCondition(c.ce, c.defs, r.PType, last)
	}
	return true
}

// links are the g rules that give each link of chain, a chain of the role
// term's graph in the request's role domain (Explanation.Links).
func (ev *evalCtx) links(chain []string) []Rule {
	if len(chain) < 2 {
		return nil
	}
	cm := ev.cm
	gi := cm.role.gi
	g, dom := ev.st.graphs[gi], ev.roleDomain()
	out := make([]Rule, 0, len(chain)-1)
	for i := 0; i+1 < len(chain); i++ {
		a, b := chain[i], chain[i+1]
		d := g.linkDomain(a, b, dom)
		var vals []string
		if g.cond != nil {
			vals = g.cond.rule(d, a, b)
		} else {
			vals = []string{a, b}
			if g.domains {
				vals = append(vals, d)
			}
		}
		out = append(out, Rule{PType: cm.gNames[gi], Values: vals})
	}
	return out
}

// linkDomain is the stored domain whose link a → b holds in dom: dom
// itself, or a pattern domain that matches it; dom when none (a
// request-scoped group).
func (g *roleGraph) linkDomain(a, b, dom string) string {
	if !g.domains {
		return ""
	}
	if g.dm == nil {
		return dom
	}
	var arr [4]string
	for _, d := range g.matchingDomains(arr[:0], dom) {
		if slices.Contains(g.links[d][a], b) {
			return d
		}
	}
	return dom
}

// conditionLint tells the model checks which role definitions have a
// condition registered (WithLinkCondition), so that their links may have
// any number of parameters.
func (o *options) conditionLint() []modelcheck.ModelOption {
	var out []modelcheck.ModelOption
	for ptype := range o.linkConds {
		out = append(out, modelcheck.LinkConditions(ptype))
	}
	return out
}
