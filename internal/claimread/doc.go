// Package claimread reads names (groups, permissions) out of the claims of
// a verified token: claim paths, their dotted form, and the list-or-string
// values, with their errors. It is the core of package adapters/claims, kept
// here, below the middleware, so that middleware/token's ClaimGroups reads
// a group claim exactly as adapters/claims does without importing it (and
// through it package permission, the enforcer and Casbin).
//
// It imports only the standard library, the root package and package
// adapters.
package claimread
