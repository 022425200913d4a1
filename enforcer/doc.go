// Package enforcer holds Warden's shared enforcer: one value, safe for
// concurrent use, that owns a Casbin model and its policy and answers
// "may this subject do this action on this object?".
//
// Decisions equal plain Casbin's for the same model and policy, but they do
// not cost time in proportion to the policy. For the common model shapes the
// enforcer keeps an index of "p" rules by subject (and by every field the
// matcher compares for equality) and walks only the roles the subject reaches
// through "g" links, evaluating the matcher exactly on that small set of
// candidate rules. The fast shapes are:
//
//   - an effect of allow-override, deny-override, allow-and-deny (deny
//     wins), priority(p_eft) || deny or subjectPriority(p_eft) || deny, with
//     or without a priority field (the candidates are then ranked as
//     Casbin's loader sorts the policy; see priority.go);
//   - a matcher that is a conjunction (&&) in which a term g(r.X, p.Y) or
//     g(r.X, p.Y, r.D) names the subject's roles, terms r.A == p.B name
//     equal fields and a term such as keyMatch(r.dom, p.dom) names a field
//     whose patterns are keyed by their literal prefix; the other terms may
//     be anything Casbin accepts (||, !, keyMatch..keyMatch5, regexMatch,
//     globMatch, ipMatch, attribute access, and functions registered in
//     code with WithFunction, Casbin's AddFunction, which run on the
//     candidates only; see docs/models.md).
//
// Role links whose domains are patterns (Casbin's domain matching
// function, which Casbin registers as keyMatch for a matcher that contains
// keyMatch(r.dom, p.dom), or WithDomainMatchingFunction) hold in every
// domain their pattern matches; with WithMatchingFunction (Casbin's
// AddNamedMatchingFunc) the names in a definition's links are patterns
// too, as Casbin's role manager reads them.
//
// Terms built only from ==, !=, &&, ||, !, role functions and Casbin's string
// matching functions are compiled to Go and evaluated without allocation;
// other matchers are evaluated by govaluate, as Casbin does, on the same
// candidate set. Conditional and temporal role links (g = _, _, (_, _))
// hold while their condition does: Casbin's time window unless
// WithLinkCondition says otherwise, on the clock of WithClock (see
// linkcond.go). eval(p.field) runs on the candidates the other terms find,
// each distinct text of a stored rule compiled once, when it is stored
// (evalexpr.go); a matcher that starts with conditions on the request
// alone (r.sub.Name == r.obj.Owner || (...)) evaluates them once per
// decision and keys the index by the rest, attributes of request values
// included (guard.go). Models the index cannot serve (FastPath names the
// construct, and docs/performance.md lists where each construct runs) are
// decided by an embedded casbin.Enforcer; request-scoped groups and
// policies are refused there with ErrUnsupported rather than ignored.
//
// Candidates are evaluated in policy order (for a model with priorities, the
// order Casbin sorts the policy into) and the loop stops where Casbin's
// stops, so the decision, the rule it names and the evaluation errors it
// reports are Casbin's; the one difference is that a rule that cannot match
// the caller is never evaluated, so its errors are not reported (see
// docs/performance.md).
//
// Every rule value is checked, on every way into the policy, against the
// matcher function that will read it (a keyMatch2 pattern must compile, an
// ipMatch value must parse, no invisible characters), and request values
// are bounded, so that one bad value cannot break every decision and one
// decision's work is bounded (see RuleError, WithLimits and
// docs/security.md). A matcher that calls eval() on request data is refused
// unless WithRequestEvalUnsafe.
//
// Request-scoped groups and policies (Request.Groups, Request.Policies) take
// part in one decision only and never touch shared state. Groups are links of
// the role definition the matcher calls with the subject as first argument.
//
// A model with several request, policy, effect and matcher definitions (r2,
// p2, e2, m2) decides each Request by the ones its Definition names (the
// zero value: r, p, e, m), as Casbin's EnforceContext does; on the index
// each matcher keeps its own index of its policy type's rules (defs.go).
//
// On the index the rules are held in large chunks rather than one small
// allocation each, so that a large policy costs the garbage collector, and
// with it every allocation of the application, as little as it can
// (pack.go). Removals leave their space in the chunks; once they leave
// more than the rules hold, the next removal rebuilds the policy from
// memory, with the same rules in the same order: writers wait for it,
// decisions do not.
//
// # Following a store
//
// An adapter that implements ChangeLog (adapters/rulelog does) keeps a change
// log next to its rules. The enforcer then treats the store as the truth:
// AddRules and RemoveRules write in one transaction without holding any
// lock of the enforcer, and memory changes only by reading the log (CatchUp)
// or by a full reload consistent with a revision; SyncStatus tells how far
// memory follows the store. Adapters without a log work as before.
package enforcer
