package sqlstore

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDBOnALockedSQLiteFile: a SQLite database that another connection
// holds locked is a database, busy: OpenDB's schema probe fails (no busy
// timeout in this DSN), and its error says the database is locked, not
// that the file "is not a SQLite database", which sends the operator to
// look for a wrong path or a damaged file.
func TestOpenDBOnALockedSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	holder, err := OpenDB("sqlite://" + path)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := holder.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	if err := holder.Exec("CREATE TABLE t (x int)").Error; err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(t.Context(), "ROLLBACK") }()

	db, err := OpenDB("sqlite://" + path + "?_pragma=busy_timeout(0)")
	if err == nil {
		if s, derr := db.DB(); derr == nil {
			_ = s.Close()
		}
		t.Fatal("OpenDB read the schema of an exclusively locked database")
	}
	if msg := err.Error(); strings.Contains(msg, "is not a SQLite database") || !strings.Contains(msg, "locked") {
		t.Errorf("OpenDB on a locked database: %v; want it to say the database is locked, not that it is no database", err)
	}
}

// TestOpenDBOnADirectory: a SQLite path that is a directory is refused
// saying so, for every command that opens it (grant, revoke, serve as
// well as list and audit), written as a path or as a file: URI. Before, the driver's CANTOPEN answer came out
// as "unable to open database file: out of memory (14)".
func TestOpenDBOnADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{dir, "sqlite://" + dir, "sqlite://" + dir + "?_pragma=busy_timeout(0)",
		"file:" + dir, "file://" + dir + "?cache=shared", "sqlite://file:" + dir} {
		db, err := OpenDB(dsn)
		if err == nil {
			if s, derr := db.DB(); derr == nil {
				_ = s.Close()
			}
			t.Errorf("OpenDB(%s) opened a directory", dsn)
			continue
		}
		if !strings.Contains(err.Error(), dir+" is a directory") || strings.Contains(err.Error(), "out of memory") {
			t.Errorf("OpenDB(%s): %v; want it to say %s is a directory", dsn, err, dir)
		}
	}
}

// TestSQLiteFile: the file a SQLite dsn names, as a path or a file: URI;
// none for an in-memory database or another database's dsn.
func TestSQLiteFile(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"warden.db", "warden.db"},
		{"sqlite://warden.db?_pragma=busy_timeout(0)", "warden.db"},
		{"sqlite:///var/lib/w.db", "/var/lib/w.db"},
		{"file:w.db?cache=shared", "w.db"},
		{"file:///var/lib/w%20x.db", "/var/lib/w x.db"},
		{"file://localhost/var/lib/w.db#frag", "/var/lib/w.db"},
		{"sqlite://file:w.db", "w.db"},
		{"sqlite://:memory:", ""},
		{"file::memory:?cache=shared", ""},
		{"file:w.db?mode=memory", ""},
		{"file:/w?vfs=memdb", ""},
		{"file://host", ""},
		{"postgres://u@h/db", ""},
		{"mysql://root@127.0.0.1/test", ""},
	} {
		if got := SQLiteFile(tc.dsn); got != tc.want {
			t.Errorf("SQLiteFile(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}
