// Package lint finds mistakes in a Casbin model and policy before they
// reach an enforcer.
//
// In the model: sections Casbin does not read, keys it never loads (a key
// outside any section, r3 without r2, a redefined key), missing required
// sections, matcher names nothing defines (r.x, p.x, g2, unknown
// functions), role functions called with the wrong number of arguments, and
// effect expressions Casbin's effector does not support, and eval() of
// request data (the request would decide what it may do).
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
// Every finding is a [Problem] that prints as FILE:LINE: message, the form
// editors and CI logs link to.
package lint
