package dburl_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/dburl"
)

func TestScheme(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h/db": "postgres", "postgress://u:p@h/db": "postgress", "Mysql+x.y-1://h": "Mysql+x.y-1",
		"root:pw@tcp(h)/db": "root", "file:x.db": "file",
		"": "", "C:\\db": "", "c:/db": "", "./a:b": "", "/tmp/x.db": "", ":memory:": "", "1ab://x": "", "warden.db": "",
	} {
		got, ok := dburl.Scheme(in)
		if got != want || ok != (want != "") {
			t.Errorf("Scheme(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]bool{"postgres//u:p@h/db": true, "Mysql+x//h": true, "postgres/u:p@h": false, "./postgres//u:p@h": false,
		"data//x.db": true /* refused: write ./data//x.db */, "p//x": false, "postgres://u:p@h": false, "": false} {
		if got := dburl.MissingColon(in); got != want {
			t.Errorf("MissingColon(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"postgress://u:p@h": true, "postgress:/u:p@h": true, "root:pw@tcp(h)/db": false, "x.db": false} {
		if got := dburl.Named(in); got != want {
			t.Errorf("Named(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPasswordAndRedact(t *testing.T) {
	for _, c := range []struct{ in, pass, redacted string }{
		{"postgres://u:s3cret@h:5432/db?sslmode=disable", "s3cret", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgress://u:PASSWORD@host/db", "PASSWORD", "postgress://u:xxxxx@host/db"},
		{"mysql://u:p@ss:w/rd@h/db", "p@ss:w/rd", "mysql://u:xxxxx@h/db"},
		{"root:pw@tcp(127.0.0.1:3306)/test?parseTime=true", "pw", "root:xxxxx@tcp(127.0.0.1:3306)/test?parseTime=true"},
		{"postgres://u:p%40w@h/db", "p%40w", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "", "postgres://u@h/db"},
		{"postgres://h/db?x=a:b@c", "", "postgres://h/db?x=a:b@c"},
		{"sqlite://warden.db", "", "sqlite://warden.db"},
		{"warden.db", "", "warden.db"},
		// A "/" before the ":" ends any scheme and any user name: these
		// are SQLite file paths, and "b" is no password to mask.
		{"./data/a:b@c.db", "", "./data/a:b@c.db"},
		{"data/a:b@c.db?_pragma=busy_timeout(5000)", "", "data/a:b@c.db?_pragma=busy_timeout(5000)"},
		{"/var/lib/w/a:b@c.db", "", "/var/lib/w/a:b@c.db"},
		{"../a:b@c:d@e.db", "", "../a:b@c:d@e.db"},
		// A password may hold "/" after its ":".
		{"root:p/w@tcp(h)/db", "p/w", "root:xxxxx@tcp(h)/db"},
	} {
		if got := dburl.Password(c.in); got != c.pass {
			t.Errorf("Password(%q) = %q, want %q", c.in, got, c.pass)
		}
		if got := dburl.Redact(c.in); got != c.redacted {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.redacted)
		}
	}
}

// Error masks the password as written and as a driver decoded it, and
// leaves the error's identity to errors.Is.
func TestError(t *testing.T) {
	dsn := "postgres://u:p%40ssw0rd@h/db"
	inner := &fs.PathError{Op: "open", Path: dsn, Err: fs.ErrNotExist}
	err := dburl.Error(errors.Join(inner, errors.New("server said: password p@ssw0rd is wrong")), dsn)
	if strings.Contains(err.Error(), "p%40ssw0rd") || strings.Contains(err.Error(), "p@ssw0rd") || !strings.Contains(err.Error(), dburl.Mask) {
		t.Errorf("Error = %q: the password shows", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Errorf("errors.As(%v, *fs.PathError) = false", err)
	}
	plain := errors.New("no password here")
	if got := dburl.Error(plain, dsn); got != plain {
		t.Errorf("Error of an error without the password = %v, want it unchanged", got)
	}
	if got := dburl.Error(inner, "sqlite://x.db"); got != error(inner) {
		t.Errorf("Error with a DSN without password = %v, want it unchanged", got)
	}
	if dburl.Error(nil, dsn) != nil {
		t.Error("Error(nil) != nil")
	}
}
