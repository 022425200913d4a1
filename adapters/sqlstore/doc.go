// Package sqlstore keeps groups and permissions in SQL tables through GORM
// (PostgreSQL, MySQL/MariaDB, SQLite) and serves them three ways: as groups
// and permissions providers looking up one caller (Store.Groups and
// Store.Permissions, through warden.ProviderFunc), as a Casbin
// persist.Adapter loading every row into the shared enforcer, and through Grant/Revoke/List functions for administration.
//
// # Tables
//
//	authz_groups      (id, username, group_name)  unique (username, group_name), index (username)
//	authz_permissions (id, username, permission)  unique (username, permission), index (username)
//
// Migrate creates them (names configurable with WithTables). Identities,
// group names and permissions are compared exactly: case-sensitive and with
// no trimming, on every database. On MySQL/MariaDB the columns are therefore
// VARBINARY: the default collations are case-insensitive, and even the _bin
// collations of utf8mb4 are PAD SPACE, so "alice" would match "alice " there.
//
// # Limits and rejected input
//
// An identity is 1 to 500 characters, a group name 1 to 255, both valid
// UTF-8 without NUL; a permission must pass permission.Validate. Anything else
// is refused with an error wrapping ErrInvalid, before any SQL runs. Group
// names and identities are otherwise stored exactly, commas and spaces
// included, and the provider methods return them exactly.
//
// The Casbin adapter is stricter: Casbin keys rules by their values joined
// with ", ", so a value containing a comma, a quote, a line break, or leading
// or trailing spaces cannot be a rule value without being confused with
// another rule. LoadPolicy fails with an error wrapping ErrNotRuleValue that
// names the table, the row and the value, and the enforcer keeps its
// previous policy; AddPolicy refuses such values the same way.
//
// # Concurrency
//
// A grant is one INSERT ... ON CONFLICT DO NOTHING (ON DUPLICATE KEY UPDATE
// on MySQL) and a revoke is one DELETE, so concurrent grants and revokes from
// many processes neither fail on duplicates nor lose each other's rows.
//
// # Exact columns
//
// Every column Warden compares values in must compare them byte for byte.
// RequireExactColumns checks that on the database (collation, type, SQLite
// affinity) and names each column that does not, with the SQL that fixes
// it; Migrate and MigrateCasbinRule refuse an existing table that fails it.
//
// Casbin's own casbin_rule table is supported through
// github.com/casbin/gorm-adapter; see CasbinRuleAdapter, which creates the
// table with exact columns (MigrateCasbinRule) instead of letting
// gorm-adapter create it in the database's default collation.
package sqlstore
