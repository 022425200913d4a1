package dbtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Environment variables naming the test services.
const (
	PostgresEnv = "WARDEN_TEST_POSTGRES_DSN"
	MySQLEnv    = "WARDEN_TEST_MYSQL_DSN"
)

// Backend is one database kind.
type Backend struct {
	// Name is "sqlite", "postgres" or "mysql".
	Name string
	open func(t testing.TB) DB
}

// DB is an isolated database for one test.
type DB struct {
	*gorm.DB
	// DSN addresses the same isolated database in the form config.OpenDB
	// accepts (sqlite path, postgres:// URL with search_path, mysql:// URL).
	DSN string
	// Name is the schema, database or file name, unique per call.
	Name string
}

// Open returns a fresh database of b for t, skipping t with a how-to message
// when b's service is not configured.
func (b Backend) Open(t testing.TB) DB { t.Helper(); return b.open(t) }

// Backends lists every backend; use it to run a table of tests on each.
func Backends() []Backend {
	return []Backend{{"sqlite", SQLite}, {"postgres", Postgres}, {"mysql", MySQL}}
}

// Unique returns a short random identifier starting with a letter.
func Unique() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "w" + hex.EncodeToString(b[:])
}

func gormConfig() *gorm.Config { return &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)} }

// SQLite returns a database in a new file under t.TempDir(). Its writers
// wait up to a minute for the file lock: tests that write from several
// pools at once must not fail because a loaded CI machine is slow.
func SQLite(t testing.TB) DB {
	t.Helper()
	name := Unique()
	path := filepath.Join(t.TempDir(), name+".db")
	db, err := gorm.Open(sqlite.Open(path+"?_pragma=busy_timeout(60000)"), gormConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	return DB{DB: db, DSN: "sqlite://" + path, Name: name}
}

// Postgres returns a new schema on the server of WARDEN_TEST_POSTGRES_DSN,
// with search_path set to it.
func Postgres(t testing.TB) DB {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL test skipped: set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it", PostgresEnv)
	}
	admin, err := gorm.Open(postgres.Open(dsn), gormConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(admin)
	name := Unique()
	if err := admin.Exec("CREATE SCHEMA " + name).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := gorm.Open(postgres.Open(u.String()), gormConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeDB(db)
		if a, err := gorm.Open(postgres.Open(dsn), gormConfig()); err == nil {
			a.Exec("DROP SCHEMA " + name + " CASCADE")
			closeDB(a)
		}
	})
	return DB{DB: db, DSN: u.String(), Name: name}
}

// MySQL returns a new database on the server of WARDEN_TEST_MYSQL_DSN.
func MySQL(t testing.TB) DB {
	t.Helper()
	dsn := os.Getenv(MySQLEnv)
	if dsn == "" {
		t.Skipf("MySQL test skipped: set %s='root:@tcp(127.0.0.1:3306)/test?parseTime=true' to run it", MySQLEnv)
	}
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := gorm.Open(mysql.Open(dsn), gormConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(admin)
	name := Unique()
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	cfg.ParseTime = true
	db, err := gorm.Open(mysql.Open(cfg.FormatDSN()), gormConfig())
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, cfg.Passwd), Host: cfg.Addr, Path: "/" + name}
	t.Cleanup(func() {
		closeDB(db)
		if a, err := gorm.Open(mysql.Open(dsn), gormConfig()); err == nil {
			a.Exec("DROP DATABASE " + name)
			closeDB(a)
		}
	})
	return DB{DB: db, DSN: u.String(), Name: name}
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		_ = s.Close()
	}
}
