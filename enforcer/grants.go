package enforcer

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Subject names a caller for RulesFor: who they are, the request-scoped
// groups and policies their token brings, and the domain (tenant) for models
// with domains.
type Subject struct {
	Name     string
	Groups   []string
	Policies [][]string
	Domain   string
}

// Grant is a rule a subject reaches, with the role chain that reaches it.
type Grant struct {
	Rule  Rule
	Chain []string
}

// RulesFor answers "what may this caller do?": the "p" rules (allow and
// deny) whose subject field the caller reaches through its roles, stored and
// request-scoped, in policy order, request-scoped policies last. For a model
// with domains only the rules of s.Domain are listed: those for which every
// top-level condition of the matcher that reads no request field but the
// subject and the domain holds, so r.dom == p.dom and as much a domain
// function, keyMatch(r.dom, p.dom) or globMatch(r.dom, p.dom) (a rule of
// "t2/*" is listed in "t2/east", not in "t1"). A rule is therefore listed
// exactly when it matches some request of the caller in s.Domain, once
// the other fields' conditions can be met (TestRulesForDomainFunctions
// holds this to Casbin). A rule whose eval() text no engine can compile
// (stored under WithDeferredEvalErrors) grants nothing and is not listed;
// request-scoped policies are checked as Decide checks them, and one it
// would refuse fails the listing with ErrInvalidRequest. Its cost grows
// with the number of roles and rules it returns, not with the size of the
// policy.
//
// It needs a matcher with a role term g(r.sub, p.sub); for other models it
// returns ErrUnsupported. In a model with several definitions it lists the
// rules of the default one (r, p, m).
func (e *Enforcer) RulesFor(ctx context.Context, s Subject) ([]Grant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The request-scoped policies are listed as grants: they are checked
	// as Decide checks them (checkRequest), so that RulesFor never lists
	// what Decide refuses.
	for i, p := range s.Policies {
		if err := e.checkValues(Rule{PType: "p", Values: p}); err != nil {
			var re *RuleError
			errors.As(err, &re)
			return nil, fmt.Errorf("%w: request policy %d: field %s: %s", ErrInvalidRequest, i, re.Field, re.Reason)
		}
	}
	ev := e.lockedEval()
	defer e.release(ev)
	return e.eng.rulesFor(ev, s)
}

var (
	errNoListing = fmt.Errorf("%w: listing rules needs a model with a g(r.sub, p.sub) term", ErrUnsupported)
	errNoRoles   = fmt.Errorf("%w: listing roles needs a model with a g(r.sub, p.sub) term", ErrUnsupported)
	// errGuardListing refuses RulesFor on a matcher that starts with a
	// condition on the request alone (guard.go).
	errGuardListing = fmt.Errorf("%w: listing rules of a matcher that a condition on the request alone can satisfy (a || ...)", ErrUnsupported)
)

func (c *casbinEngine) rulesFor(*evalCtx, Subject) ([]Grant, error) { return nil, errNoListing }

func (c *casbinEngine) rolesOf(*evalCtx, Subject) ([]string, error) { return nil, errNoRoles }

func (st *state) rulesFor(ev *evalCtx, s Subject) ([]Grant, error) {
	cm := st.cm
	if cm.role == nil {
		return nil, errNoListing
	}
	if cm.guard != nil {
		// A request that meets the guard matches every rule: what a
		// subject may do is not a list of its rules.
		return nil, errGuardListing
	}
	if len(s.Groups) > 0 && cm.role.gi != cm.scopedGI {
		return nil, fmt.Errorf("%w: request-scoped groups with this model's role terms", ErrUnsupported)
	}
	vals := make([]any, len(cm.rTok))
	for i := range vals {
		vals[i] = ""
	}
	vals[cm.role.rField] = s.Name
	if d := cm.role.dom; d != nil && d.kind == opReq {
		vals[d.idx] = s.Domain
	}
	// A rule is listed when the conjuncts its subject and domain decide
	// hold for it (compile.go, listingConds): r.dom == p.dom, and as much
	// keyMatch(r.dom, p.dom) or any other function of the domain. A
	// conjunct that fails with an error grants nothing either.
	keep := func(p []string) bool {
		for _, f := range cm.evalFields {
			// A text no engine can compile (WithDeferredEvalErrors)
			// fails every decision that reaches its rule: it grants
			// nothing.
			if _, err := ev.evalExpr(p[f]); err != nil {
				return false
			}
		}
		for _, c := range cm.listing {
			if ok, err := c(ev, p); err != nil || !ok {
				return false
			}
		}
		return true
	}

	ev.init(cm, st, Request{Values: vals, Groups: s.Groups})
	set := ev.reach(cm.role.gi, s.Name, ev.roleDomain())
	var found []*storedRule
	for _, name := range set.names {
		for _, sr := range st.ix.bySub[name] {
			if keep(sr.vals) {
				found = append(found, sr)
			}
		}
	}
	st.sortRules(cm, found)
	out := make([]Grant, 0, len(found)+len(s.Policies))
	for _, sr := range found {
		out = append(out, Grant{Rule: Rule{PType: "p", Values: slices.Clone(sr.vals)}, Chain: set.chain(sr.vals[cm.role.pField])})
	}
	for i, p := range s.Policies {
		if len(p) != len(cm.pTok) {
			return nil, fmt.Errorf("%w: request policy %d has %d values, the model defines %d", ErrInvalidRequest, i, len(p), len(cm.pTok))
		}
		if set.has(p[cm.role.pField]) && keep(p) {
			out = append(out, Grant{Rule: Rule{PType: "p", Values: slices.Clone(p)}, Chain: set.chain(p[cm.role.pField])})
		}
	}
	return out, nil
}

// Roles returns the roles s reaches through the "g" links of the model's
// subject role term (stored links and s.Groups), nearest first, without s
// itself; for a model with domains, within s.Domain. Like RulesFor, its cost
// grows with the answer, not with the policy.
func (e *Enforcer) Roles(ctx context.Context, s Subject) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ev := e.lockedEval()
	defer e.release(ev)
	return e.eng.rolesOf(ev, s)
}

func (st *state) rolesOf(ev *evalCtx, s Subject) ([]string, error) {
	cm := st.cm
	if cm.role == nil {
		return nil, errNoRoles
	}
	if len(s.Groups) > 0 && cm.role.gi != cm.scopedGI {
		return nil, fmt.Errorf("%w: request-scoped groups with this model's role terms", ErrUnsupported)
	}
	ev.init(cm, st, Request{Groups: s.Groups})
	ev.subject = s.Name
	set := ev.reach(cm.role.gi, s.Name, s.Domain)
	return slices.Clone(set.names[1:]), nil
}
