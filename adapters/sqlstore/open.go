package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/internal/dburl"
)

// ErrDSN is wrapped by OpenDB and Open for a database address they cannot
// use. It matches warden.ErrInvalid.
var ErrDSN = warden.NewError(warden.ErrInvalid, "sqlstore: invalid database address")

// Dialect returns the database kind of dsn: "postgres", "mysql" or
// "sqlite", or "" for an address OpenDB refuses because of its scheme
// (CheckDSN).
func Dialect(dsn string) string {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres"
	case strings.HasPrefix(dsn, "mysql://"):
		return "mysql"
	case strings.HasPrefix(dsn, "sqlite://"), strings.HasPrefix(dsn, "file:"):
		return "sqlite"
	}
	if _, ok := dburl.Scheme(dsn); ok || dburl.Password(dsn) != "" || dburl.MissingColon(dsn) {
		return ""
	}
	return "sqlite"
}

// SQLiteFile returns the file a SQLite dsn names: PATH of sqlite://PATH or
// of a bare path, the path of a file: URI (file:PATH?query, file:///PATH,
// file://localhost/PATH, also after sqlite://), each without its query; ""
// for an in-memory database or a dsn of another database.
func SQLiteFile(dsn string) string {
	if Dialect(dsn) != "sqlite" {
		return ""
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	rest, uri := strings.CutPrefix(path, "file:")
	if !uri {
		file, _, _ := strings.Cut(path, "?")
		if file == ":memory:" {
			return ""
		}
		return file
	}
	rest, _, _ = strings.Cut(rest, "#")
	file, query, _ := strings.Cut(rest, "?")
	if after, ok := strings.CutPrefix(file, "//"); ok { // an authority, then the path
		i := strings.Index(after, "/")
		if i < 0 {
			return ""
		}
		file = after[i:]
	}
	file, err := url.PathUnescape(file)
	if err != nil || file == "" || file == ":memory:" {
		return ""
	}
	if q, err := url.ParseQuery(query); err != nil || q.Get("mode") == "memory" || q.Get("vfs") == "memdb" {
		return ""
	}
	return file
}

// CheckDSN reports whether OpenDB can read the form of dsn, without
// opening anything; the error wraps ErrDSN. An address that starts with a
// URL scheme other than postgres://, postgresql://, mysql://, sqlite:// or
// file: (a SQLite URI) is refused rather than taken for a SQLite file
// path: "postgress://u:PASSWORD@host/db" would otherwise become a file
// named after the password, and every error about that file would print
// it. So is an address without a scheme that carries a password
// ("user:pass@tcp(host)/db", the MySQL driver's own form). The error names
// the scheme when "//" follows it, never the rest (in the driver's form,
// what stands before ":" is the user). So is a scheme without its ":"
// ("postgres//u:PASSWORD@host/db"). A SQLite path is what glebarez/sqlite
// opens: a file name, with "?" starting its query, or a file: URI; a "/"
// before the first ":" makes it a path, never a scheme or a user name
// ("./data/a:b@c.db", "data/a:b@c.db", "/var/lib/a:b.db"). A file in the
// working directory whose name has a colon after its first two
// characters, or a ":" before an "@", is written sqlite://NAME or ./NAME.
func CheckDSN(dsn string) error {
	if strings.TrimSpace(dsn) == "" {
		return fmt.Errorf("%w: empty", ErrDSN)
	}
	if Dialect(dsn) != "" {
		return nil
	}
	const want = "want postgres://, postgresql://, mysql://user:pass@host:port/db, sqlite://PATH or a file path"
	if scheme, _ := dburl.Scheme(dsn); dburl.Named(dsn) {
		return fmt.Errorf("%w: unknown scheme %q (%s)", ErrDSN, scheme, want)
	}
	return fmt.Errorf("%w: not a URL of a known scheme (%s; a driver DSN such as user:pass@tcp(host)/db is written mysql://user:pass@host/db, a SQLite file named a:b@c.db ./a:b@c.db)", ErrDSN, want)
}

// OpenDB opens dsn with GORM: postgres:// or postgresql:// URLs with
// PostgreSQL (pgx), mysql://user:pass@host:port/db URLs with MySQL or
// MariaDB, and sqlite://PATH, a file: URI or a plain PATH with pure-Go
// SQLite; any other scheme is refused (CheckDSN) before anything is opened
// or created. Errors name the database kind, never the address, and the
// password of dsn is masked in every error text (a driver's included).
func OpenDB(dsn string) (*gorm.DB, error) {
	if err := CheckDSN(dsn); err != nil {
		return nil, err
	}
	db, err := openDB(dsn)
	return db, dburl.Error(err, dsn)
}

func openDB(dsn string) (*gorm.DB, error) {
	var d gorm.Dialector
	switch Dialect(dsn) {
	case "postgres":
		d = postgres.Open(dsn)
	case "mysql":
		my, err := MySQLDSN(dsn)
		if err != nil {
			return nil, err
		}
		d = mysql.Open(my)
	default:
		path := strings.TrimPrefix(dsn, "sqlite://")
		if path == "" {
			return nil, fmt.Errorf("%w: sqlite:// needs a file path", ErrDSN)
		}
		// SQLite's answer for a directory is CANTOPEN, which the driver
		// words "out of memory".
		if file := SQLiteFile(dsn); file != "" {
			if fi, err := os.Stat(file); err == nil && fi.IsDir() {
				return nil, fmt.Errorf("sqlstore: %s is a directory, not a SQLite database", file)
			}
		}
		// SQLite serialises writers; a busy timeout makes concurrent
		// writers (the server and a CLI grant) wait instead of failing.
		// The timeout does not cover a transaction begun deferred that
		// has read and then writes while another connection holds the
		// write lock: SQLite fails it at once (waiting could deadlock).
		// Schema setup does just that (read the schema, create), so two
		// servers starting on a new file failed with SQLITE_BUSY.
		// _txlock=immediate takes the write lock at BEGIN, where the busy
		// timeout applies; SQLite has one writer at a time anyway.
		if !strings.Contains(path, "?") {
			path += "?_pragma=busy_timeout(5000)"
		}
		if !strings.Contains(path, "_txlock=") {
			path += "&_txlock=immediate"
		}
		d = sqlite.Open(path)
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s database: %w", Dialect(dsn), err)
	}
	if Dialect(dsn) == "sqlite" {
		// SQLite opens any file lazily, and gorm's HasTable takes an
		// error reading the schema for "no such table": a file that is
		// not a database read as an empty one, and failed later in some
		// other step's name. Reading the schema now tells.
		var n int64
		if err := db.Raw("SELECT count(*) FROM sqlite_master").Row().Scan(&n); err != nil {
			if sql, cerr := db.DB(); cerr == nil {
				_ = sql.Close()
			}
			file, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite://"), "?")
			if !notADatabase(err) {
				// busy, locked, I/O: the file may well be a database
				return nil, fmt.Errorf("sqlstore: read the schema of SQLite database %s: %w", file, err)
			}
			return nil, fmt.Errorf("sqlstore: %s is not a SQLite database that can be read: %w", file, err)
		}
	}
	return db, nil
}

// notADatabase reports whether err is SQLite's answer for a file that is
// not a database, or a damaged one (SQLITE_NOTADB, SQLITE_CORRUPT), rather
// than for one it could not read now (SQLITE_BUSY, SQLITE_LOCKED, I/O).
func notADatabase(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	const sqliteCorrupt, sqliteNotADB = 11, 26
	switch coded.Code() & 0xff { // the primary code of an extended one
	case sqliteCorrupt, sqliteNotADB:
		return true
	}
	return false
}

// MySQLDSN turns mysql://user:pass@host:port/db?opts into the driver's
// user:pass@tcp(host:port)/db?opts form, with parseTime on.
func MySQLDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: mysql URL must be mysql://user:pass@host:port/db", ErrDSN)
	}
	pass, _ := u.User.Password()
	q := u.Query()
	if q.Get("parseTime") == "" {
		q.Set("parseTime", "true")
	}
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?%s", u.User.Username(), pass, u.Host, strings.TrimPrefix(u.Path, "/"), q.Encode()), nil
}

// Open opens the database at dsn (see OpenDB), returns a Store on it with
// opts and creates its tables (Migrate). The Store owns the database:
// Close closes it. On error nothing stays open.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	db, err := OpenDB(dsn)
	if err != nil {
		return nil, err
	}
	s, err := New(db, opts...)
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err != nil {
		if sqlDB, derr := db.DB(); derr == nil {
			_ = sqlDB.Close()
		}
		return nil, err
	}
	s.owned = true
	return s, nil
}

// Close closes the database when the Store opened it (Open); a Store made
// by New leaves its database to whoever opened it, and Close does nothing.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers, for readiness checks
// (health.Check{Name: "sql", Check: s.Ping}).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
