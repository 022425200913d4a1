package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/config/dbtest"
)

// schemaOf lists every table with its columns, and the triggers and
// indexes, of the database db is on.
func schemaOf(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tb := range tables {
		cols, err := db.Migrator().ColumnTypes(tb)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cols {
			names = append(names, c.Name())
		}
		out = append(out, "table "+tb+"("+strings.Join(names, ",")+")")
	}
	var q string
	switch db.Dialector.Name() {
	case "sqlite":
		q = "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('trigger', 'index')"
	case "postgres":
		q = "SELECT 'trigger ' || trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema() " +
			"UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema()"
	case "mysql":
		q = "SELECT CONCAT('trigger ', trigger_name) FROM information_schema.triggers WHERE trigger_schema = DATABASE() " +
			"UNION ALL SELECT CONCAT('index ', table_name, '.', index_name) FROM information_schema.statistics WHERE table_schema = DATABASE()"
	}
	var objs []string
	if err := db.Raw(q).Scan(&objs).Error; err != nil {
		t.Fatal(err)
	}
	out = append(out, objs...)
	slices.Sort(out)
	return out
}

// TestReadOnlyCommandsChangeNothing: list, audit and audit verify create
// and migrate nothing, on a fresh database and on one whose tables are of
// an older version (a head row without its epoch, which a writer fills in).
func TestReadOnlyCommandsChangeNothing(t *testing.T) {
	readers := [][]string{{"list"}, {"list", "--json"}, {"list", "--scope", "admin"}, {"list", "--ptype", "g"}, {"audit"}, {"audit", "verify"}}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				var out, errb bytes.Buffer
				full := append(append([]string{}, args...), "--db", db.DSN, "--model", confModel)
				if args[0] == "audit" { // audit takes no --model
					full = append(append([]string{}, args...), "--db", db.DSN)
				}
				code := run(full, &out, &errb)
				return code, out.String(), errb.String()
			}
			before := schemaOf(t, db.DB)
			if len(before) != 0 {
				t.Fatalf("the fresh database is not empty: %v", before)
			}
			for _, r := range readers {
				code, out, errOut := cli(r...)
				if after := schemaOf(t, db.DB); len(after) != 0 {
					t.Fatalf("warden %s on a fresh database created %v", strings.Join(r, " "), after)
				}
				if r[0] == "list" && (code != 0 || strings.Trim(out, "[]\n") != "" || !strings.Contains(errOut, "no policy is stored there yet")) {
					t.Errorf("warden %s on a fresh database: exit %d, stdout %q, stderr %q", strings.Join(r, " "), code, out, errOut)
				}
			}

			// Tables of an older version: a writer would fill in the epoch.
			if code, _, errOut := cli("grant", "g", "yan", "viewer"); code != 0 {
				t.Fatalf("grant: %s", errOut)
			}
			if err := db.DB.Exec("UPDATE casbin_rule_head SET epoch = ''").Error; err != nil {
				t.Fatal(err)
			}
			before = schemaOf(t, db.DB)
			for _, r := range readers {
				if code, _, errOut := cli(r...); code != 0 {
					t.Errorf("warden %s: exit %d: %s", strings.Join(r, " "), code, errOut)
				}
			}
			if after := schemaOf(t, db.DB); !slices.Equal(after, before) {
				t.Errorf("the read-only commands changed the schema:\nbefore %v\nafter  %v", before, after)
			}
			var epoch string
			if err := db.DB.Raw("SELECT epoch FROM casbin_rule_head").Scan(&epoch).Error; err != nil || epoch != "" {
				t.Errorf("a read-only command wrote the head's epoch %q (%v)", epoch, err)
			}
			if code, out, _ := cli("list"); code != 0 || out != "g, yan, viewer\n" {
				t.Errorf("list: exit %d, %q", code, out)
			}
		})
	}
}

// TestReadOnlyCommandsCreateNoFile: a SQLite file that does not exist is
// an error for the readers, not a new database.
func TestReadOnlyCommandsCreateNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{{"list"}, {"audit"}, {"audit", "verify"}} {
		var stderr bytes.Buffer
		code := run(append(args, "--db", "sqlite://"+path), &bytes.Buffer{}, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), fmt.Sprintf("no SQLite database at %s", path)) {
			t.Errorf("warden %v on a missing file: exit %d, stderr %q", args, code, stderr.String())
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("warden %v created %s", args, path)
		}
	}
}

// TestReadOnlyCommandsRefuseWhatIsNoDatabase: a file that is not a SQLite
// database, or a directory, is an error (exit 2, saying so), not an empty
// database: SQLite opens any file, and reading no table from it read as
// "no policy stored yet", exit 0. grant and serve say the same, where
// they blamed a later step ("setup lock: file is not a database").
func TestReadOnlyCommandsRefuseWhatIsNoDatabase(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("hello world, this is no database at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{notDB, notDB + " is not a SQLite database that can be read"},
		{dir, dir + " is a directory, not a SQLite database"},
	} {
		for _, args := range [][]string{{"list"}, {"audit"}, {"audit", "verify"}} {
			var stdout, stderr bytes.Buffer
			code := run(append(args, "--db", "sqlite://"+tt.path), &stdout, &stderr)
			if code != exitError || !strings.Contains(stderr.String(), tt.want) || stdout.Len() > 0 {
				t.Errorf("warden %v on %s: exit %d, stdout %q, stderr %q; want %d and %q", args, tt.path, code, stdout.String(), stderr.String(), exitError, tt.want)
			}
		}
	}
	for _, args := range [][]string{
		{"grant", "--db", "sqlite://" + notDB, "p", "alice", "/x", "GET", "allow"},
		{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite://" + notDB, "--jwt-secret", serveSecret, "--model", confModel, "--seed", ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), notDB+" is not a SQLite database that can be read") {
			t.Errorf("warden %s on %s: exit %d, stderr %q", args[0], notDB, code, stderr.String())
		}
	}
	if b, err := os.ReadFile(notDB); err != nil || !strings.HasPrefix(string(b), "hello world") {
		t.Errorf("the file was changed: %q, %v", b, err)
	}
}
