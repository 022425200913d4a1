// Package redisstore serves groups and permissions kept in Redis sets:
//
//	{prefix}user_groups:{user}       groups of a user
//	{prefix}user_roles:{user}        roles of a user
//	{prefix}user_permissions:{sub}   permissions of a user (or of any subject)
//	{prefix}role_permissions:{role}  permissions of a role
//
// A Store answers groups (Groups: user_groups ∪ user_roles) and
// permissions (Permissions: the caller's own permissions plus those of each
// of their groups and roles, one level deep, as the permissions model would
// grant them), each a provider through warden.ProviderFunc, and is a Casbin
// persist.Adapter for the permissions model: LoadPolicy walks the keys with
// SCAN (never KEYS) and turns group and role sets into "g" rules and permission sets into "p" rules through package
// permission. Rules added through the enforcer go to user_groups ("g") and
// user_permissions ("p"); removals take the value out of both sets of its
// kind.
//
// Identities are used in keys and compared exactly. Set members are
// returned sorted, since Redis sets have no order.
package redisstore
