// Package adapters defines how Warden learns who is in which group and who may
// do what: the GroupsProvider and PermissionsProvider extension points, and the
// verified Token they are given.
//
// Providers come in two kinds. Per-caller sources (token claims, an HTTP API)
// answer for one caller and their answer is used for one decision only, as
// request-scoped groups and rules. Bulk sources (SQL, files, Redis) also
// implement Casbin's persist.Adapter so that the whole policy is loaded into
// the shared enforcer at start and on change. Sub-packages hold the built-in
// providers and the wrappers (cache, retry, timeout, circuit breaker, union)
// that compose any of them.
package adapters
