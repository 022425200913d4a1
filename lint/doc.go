// Package lint finds mistakes in a Casbin model and policy before they
// reach an enforcer.
//
// In the model: sections Casbin does not read, keys it never loads (a key
// outside any section, r3 without r2, a redefined key), missing required
// sections, matcher names nothing defines (r.x, p.x, g2, unknown
// functions), role functions called with the wrong number of arguments,
// effect expressions Casbin's effector does not support, eval() of request
// data (the request would decide what it may do), and matcher text that
// Casbin cannot read or reads otherwise than it is written: a backquote (no
// quote to govaluate), a string literal that ends at the other kind of
// quote, a clause that nothing joins to the rest (govaluate ignores it),
// non-ASCII text (Casbin's loader rewrites it byte by byte), r. or p. that
// Casbin does not rewrite to r_ or p_. The matcher is read as the enforcer
// and Casbin read it (internal/matchexpr).
//
// In the policy: syntax errors, unknown ptypes, rules with the wrong number
// of fields (Casbin v2.135 requires every p field, eft included), eft values
// other than allow and deny, values that the matcher function reading them
// would fail on at decision time or that are over the default limits (see
// [ValueChecker]), values with control or invisible characters, duplicate
// rules (reported at the second line,
// naming the first) and role cycles (reported at the line that closes the
// cycle).
//
// Conditional and temporal role definitions (g = _, _, (_, _)): parameters
// written otherwise than one trailing (_, ...) group, a number of
// parameters other than the two (start, end) of Casbin's time window, which
// is a link's condition unless one is registered in code
// (enforcer.WithLinkCondition), and in the policy time-window bounds that
// are neither a time (2006-01-02 15:04:05) nor _, or a window that ends
// before it starts: each makes links that never hold.
//
// Every finding is a [Problem] that prints as FILE:LINE: message, the form
// editors and CI logs link to.
package lint
