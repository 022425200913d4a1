// Command sql-provider keeps groups and permissions in SQL tables
// (authz_groups, authz_permissions) and feeds them to Warden two ways:
//
//   - as the shared policy: the sqlstore.Store is a Casbin adapter, so
//     enforcer.New loads every membership and permission into the enforcer
//     of the embedded "permissions" model, and rules the enforcer adds are
//     written back to the tables;
//   - as a per-caller provider: Store.Groups looks one caller up, here behind
//     a cache, for code that needs the caller's groups themselves.
//
// It uses SQLite (pure Go, github.com/glebarez/sqlite); PostgreSQL and
// MySQL/MariaDB work the same through their GORM drivers.
//
//	go run ./examples/sql-provider -db /tmp/warden-sql-provider.db
package main
