package postsdemo

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// OpenDB opens dsn: postgres:// or postgresql:// URLs with PostgreSQL,
// mysql://user:pass@host:port/db URLs with MySQL/MariaDB, anything else as
// an SQLite file (pure Go, no cgo, so it runs on a fresh machine).
func OpenDB(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)}
	var d gorm.Dialector
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d = postgres.Open(dsn)
	case strings.HasPrefix(dsn, "mysql://"):
		my, err := mysqlDSN(dsn)
		if err != nil {
			return nil, err
		}
		d = mysql.Open(my)
	default:
		d = sqlite.Open(strings.TrimPrefix(dsn, "sqlite://"))
	}
	db, err := gorm.Open(d, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// mysqlDSN turns mysql://user:pass@host:port/db?opts into the driver's
// user:pass@tcp(host:port)/db?opts form, with parseTime on.
func mysqlDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("mysql URL: %w", err)
	}
	pass, _ := u.User.Password()
	q := u.Query()
	if q.Get("parseTime") == "" {
		q.Set("parseTime", "true")
	}
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?%s", u.User.Username(), pass, u.Host, strings.TrimPrefix(u.Path, "/"), q.Encode()), nil
}
