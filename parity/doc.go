// Package parity checks Warden's claim that its enforcer decides as plain
// Casbin does: given a model and a policy, it generates requests, asks
// Warden's enforcer and Casbin's own casbin.Enforcer (v2, with the same
// model and the same rules in the same order) about each, and reports every
// request on which they differ: the decision, the rule that decided
// (Warden's Decision.Rule against Casbin's EnforceEx explanation), a failure
// on one side only, or a role chain in Warden's explanation that the policy
// does not hold.
//
// The requests are drawn from the policy itself, because that is where the
// decisions change: the values of the policy fields each request field is
// compared with (found in the matcher), the members, roles and domains of the
// role links, and boundary strings around each value: its prefixes and
// suffixes, the instances and near misses of a pattern ("/a/*" gives "/a/",
// "/a", "/a/x/y"), the addresses at the edges of a CIDR block, case and
// homoglyph variants, "", unicode, and strings as long as Warden accepts.
// Half of them start from one rule (its subject reached through a role link)
// with one field moved to a boundary, so that allows and their near misses
// are both asked. The same seed gives the same requests.
//
// Run compares a model text and rules held in memory; with Config.ModelFile
// and Config.PolicyFile it compares the files as each side reads them
// (Warden with enforcer.NewFromFiles, Casbin with casbin.NewEnforcer and its
// own file adapter), so a policy line that the two read differently is found
// too. The `warden verify` command runs it on a user's own files. A
// subjectPriority policy whose g links cycle below a top role, on which
// Casbin's loader never returns, is reported as a Casbin-side LoadError.
//
// Only the model's default definitions (r, p, e, m) are compared, which is
// what Casbin's Enforce decides with; Casbin's EnforceContext choices of r2,
// p2, m2 are not asked.
package parity
