package config

import (
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/sqlstore"
)

// ErrDSN is wrapped by OpenDB for a database address it cannot use. It is
// sqlstore.ErrDSN, and matches warden.ErrInvalid.
var ErrDSN = sqlstore.ErrDSN

// Dialect returns the database kind of dsn: "postgres", "mysql" or
// "sqlite". It is sqlstore.Dialect.
func Dialect(dsn string) string { return sqlstore.Dialect(dsn) }

// OpenDB opens dsn with GORM (see sqlstore.OpenDB, which it is):
// postgres:// or postgresql:// URLs with PostgreSQL (pgx),
// mysql://user:pass@host:port/db URLs with MySQL or MariaDB, and
// sqlite://PATH or a plain PATH with pure-Go SQLite.
func OpenDB(dsn string) (*gorm.DB, error) { return sqlstore.OpenDB(dsn) }

// MySQLDSN turns mysql://user:pass@host:port/db?opts into the driver's
// user:pass@tcp(host:port)/db?opts form, with parseTime on. It is
// sqlstore.MySQLDSN.
func MySQLDSN(raw string) (string, error) { return sqlstore.MySQLDSN(raw) }
