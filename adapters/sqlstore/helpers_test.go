package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/adapters/sqlstore"
)

// database is one real database the tests run against.
type database struct {
	name string
	env  string // empty for SQLite, which needs no service
	open func(t testing.TB) *gorm.DB
}

var databases = []database{
	{"sqlite", "", openSQLite},
	{"postgres", "WARDEN_TEST_POSTGRES_DSN", func(t testing.TB) *gorm.DB {
		return openGorm(t, postgres.Open(os.Getenv("WARDEN_TEST_POSTGRES_DSN")))
	}},
	{"mysql", "WARDEN_TEST_MYSQL_DSN", func(t testing.TB) *gorm.DB {
		return openGorm(t, mysql.Open(os.Getenv("WARDEN_TEST_MYSQL_DSN")))
	}},
}

func openSQLite(t testing.TB) *gorm.DB {
	// A file, not :memory:, so that every pooled connection sees the same
	// database; busy_timeout lets concurrent writers wait for the lock.
	dsn := "file:" + filepath.Join(t.TempDir(), "test.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	return openGorm(t, sqlite.Open(dsn))
}

func openGorm(t testing.TB, d gorm.Dialector) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// eachDB runs f once per database, skipping the ones whose env var is unset.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			if d.env != "" && os.Getenv(d.env) == "" {
				t.Skipf("set %s to run against %s (see 'Quick start' in README.md; bash .ci/run sets it), e.g. %s", d.env, d.name, exampleDSN[d.env])
			}
			f(t, d.open(t))
		})
	}
}

var exampleDSN = map[string]string{
	"WARDEN_TEST_POSTGRES_DSN": "WARDEN_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	"WARDEN_TEST_MYSQL_DSN":    "WARDEN_TEST_MYSQL_DSN='root:@tcp(127.0.0.1:3306)/test?parseTime=true'",
}

// uniqueName returns a table name no other test (or test process) uses.
func uniqueName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// newStore returns a migrated Store on fresh tables that are dropped after
// the test.
func newStore(t testing.TB, db *gorm.DB) *sqlstore.Store {
	t.Helper()
	g, p := uniqueName("g"), uniqueName("p")
	s, err := sqlstore.New(db, sqlstore.WithTables(g, p))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropTables(db, g, p) })
	return s
}

func dropTables(db *gorm.DB, tables ...string) {
	q := `"`
	if db.Dialector.Name() == "mysql" {
		q = "`"
	}
	for _, tb := range tables {
		db.Exec("DROP TABLE IF EXISTS " + q + tb + q)
	}
}

func getenv(k string) string { return os.Getenv(k) }
