package sqlstore_test

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
)

// leak is the password of every address below: no error may show it.
const leak = "PASSWORD_must_not_show"

// tree lists every path under dir.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// An address with a scheme that no driver here reads is refused as it is
// (ErrDSN, warden.ErrInvalid), naming the scheme when "//" follows it and
// never the password or the user, and nothing is created: before, it was
// taken for a SQLite file path, the error printed that path (password
// included), and with the path's directories in place Open created a
// database file named after it. The directories of each path exist here,
// so that a fall-back to SQLite would create the file.
func TestOpenRefusesUnknownScheme(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ dsn, scheme string }{
		{"postgress://u:" + leak + "@db7.internal/db", "postgress"},
		{"postgress:/u:" + leak + "@db7.internal/db", "postgress"},
		{"mysq://u:" + leak + "@127.0.0.1:3306/db", "mysq"},
		{"POSTGRES://u:" + leak + "@db7.internal/db", "POSTGRES"},
		{"pgsql://u:" + leak + "@db7.internal:5432/db?sslmode=disable", "pgsql"},
		{"sqlite:u:" + leak + "@db7.internal/db", ""},
		{"warden_user:" + leak + "@tcp(127.0.0.1:3306)/db", ""}, // the MySQL driver's form: "warden_user" is not a scheme to name
		{"warden_user:" + leak + "/x@tcp(127.0.0.1:3306)/db", ""},
		// The ":" of the scheme left out: no file path starts so.
		{"postgres//u:" + leak + "@db7.internal/db", ""},
		{"mysql//u:" + leak + "@127.0.0.1:3306/db", ""},
	} {
		t.Run(c.dsn, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			// The directories a SQLite path reading of dsn would need.
			p := filepath.FromSlash(strings.TrimPrefix(c.dsn, "sqlite://"))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			before := tree(t, dir)
			if got := sqlstore.Dialect(c.dsn); got != "" {
				t.Errorf("Dialect = %q, want \"\" (refused)", got)
			}
			errs := map[string]error{"CheckDSN": sqlstore.CheckDSN(c.dsn)}
			db, err := sqlstore.OpenDB(c.dsn)
			errs["OpenDB"] = err
			if db != nil {
				t.Error("OpenDB returned a database")
			}
			st, err := sqlstore.Open(ctx, c.dsn)
			errs["Open"] = err
			if st != nil {
				t.Error("Open returned a store")
				_ = st.Close()
			}
			for name, err := range errs {
				if !errors.Is(err, sqlstore.ErrDSN) || !errors.Is(err, warden.ErrInvalid) {
					t.Errorf("%s: %v, want ErrDSN", name, err)
					continue
				}
				msg := err.Error()
				if strings.Contains(msg, leak) || strings.Contains(msg, "warden_user") || strings.Contains(msg, "db7.internal") || strings.Contains(msg, "127.0.0.1") {
					t.Errorf("%s: %q shows the address's credentials or host", name, msg)
				}
				if c.scheme != "" && !strings.Contains(msg, `unknown scheme "`+c.scheme+`"`) {
					t.Errorf("%s: %q does not name the scheme %q", name, msg, c.scheme)
				}
			}
			if after := tree(t, dir); !slices.Equal(before, after) {
				t.Errorf("files created: before %v, after %v", before, after)
			}
		})
	}
}

// What OpenDB reads stays read: SQLite paths (with a colon past the
// second character when written sqlite:// or ./), file: URIs and the
// known URL schemes.
func TestDialectKnownForms(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u@h/db": "postgres", "postgresql://u@h/db": "postgres", "mysql://u@h/db": "mysql",
		"sqlite://warden.db": "sqlite", "sqlite://a:b.db": "sqlite", "./a:b.db": "sqlite", "warden.db": "sqlite",
		"/var/lib/warden.db": "sqlite", "file:warden.db?mode=ro": "sqlite", ":memory:": "sqlite", "C:\\warden.db": "sqlite",
		// A ":" before an "@" in a path with a directory: a "/" before
		// the ":" ends any scheme or user name.
		"./data/a:b@c.db": "sqlite", "data/a:b@c.db": "sqlite", "/var/lib/a:b@c.db": "sqlite", "../a:b@c.db?_pragma=busy_timeout(1)": "sqlite",
		"./a:b@c.db": "sqlite", "sqlite://a:b@c.db": "sqlite", "file:a:b@c.db?mode=rwc": "sqlite", "file:x.db?mode=memory&cache=shared": "sqlite",
	} {
		if got := sqlstore.Dialect(dsn); got != want {
			t.Errorf("Dialect(%q) = %q, want %q", dsn, got, want)
		}
		if err := sqlstore.CheckDSN(dsn); err != nil {
			t.Errorf("CheckDSN(%q) = %v", dsn, err)
		}
	}
}

// A real server's refusal of a wrong password shows neither the password
// nor the address it came in, on PostgreSQL and MariaDB.
func TestOpenWrongPasswordDoesNotShowIt(t *testing.T) {
	for _, b := range dbtest.Backends() {
		if b.Name == "sqlite" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			u, err := url.Parse(db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			u.User = url.UserPassword("warden_nobody", leak)
			_, err = sqlstore.OpenDB(u.String())
			if err == nil {
				t.Fatal("OpenDB with a wrong user and password succeeded")
			}
			if strings.Contains(err.Error(), leak) {
				t.Errorf("OpenDB: %q shows the password", err)
			}
		})
	}
}

// A SQLite path with a ":" before an "@" opens that file, when a "/"
// before the ":" makes it a path: nothing of it is a scheme or a password.
func TestOpenPathWithColonAndAt(t *testing.T) {
	for _, dsn := range []string{"./data/a:b@c.db", "data/x:y@z.db?_pragma=busy_timeout(1000)", "./a:b@c.db"} {
		t.Run(dsn, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if err := os.MkdirAll("data", 0o755); err != nil {
				t.Fatal(err)
			}
			st, err := sqlstore.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			file, _, _ := strings.Cut(dsn, "?")
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("no database file %s: %v", file, err)
			}
		})
	}
}
