// Package hierarchy resolves roles that inherit other roles, and the
// permissions (wildcards included) that come with them, for providers whose
// source only knows direct memberships.
//
// A Graph says which roles each role inherits and which permissions each
// role holds itself. Expand resolves it once — every role's full set of
// ancestors and permissions, cycles rejected with the cycle named — and a
// Provider keeps the expanded form, replacing it only when the source
// changes (Reload or Update). A request then costs map lookups, never a walk
// of the graph.
//
// Permissions are kept as they are, except that an allow permission covered
// by a wildcard the same role holds ("posts:read" under "posts:*") is
// dropped, since it grants nothing more. Deny permissions ("!x") are always
// kept: a deny anywhere in a role's ancestry applies to the role.
package hierarchy
