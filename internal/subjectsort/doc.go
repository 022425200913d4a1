// Package subjectsort finds the policies on which Casbin's loader never
// returns.
//
// Under the effect subjectPriority(p_eft) || deny, Casbin's LoadPolicy
// (and LoadFilteredPolicy) calls model.SortPoliciesBySubjectHierarchy,
// whose getSubjectHierarchyMap walks the "g" links breadth first from
// every top role (a name that is no link's member) without remembering
// what it visited. A cycle that a top role reaches is walked for ever: the
// loader never returns, and with branching links its queue grows until
// memory runs out. A cycle no top role reaches is never walked, and a
// policy without a cycle always ends (though Casbin walks a name once per
// path to it). Casbin's AddPolicy does not sort, so the loop waits for the
// next load.
//
// The index (enforcer/priority.go) decides on such policies itself; this
// package is for what hands them to a Casbin enforcer, so that it can
// refuse the policy instead of hanging.
package subjectsort
