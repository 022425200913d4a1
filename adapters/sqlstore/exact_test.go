package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	casbinmodel "github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
)

// twins are rules that differ only by case, accent, trailing space or
// composition: every one must be its own row.
var twins = [][]string{
	{"carol", "/posts", "GET", "deny"},
	{"Carol", "/posts", "GET", "deny"},
	{"CAROL", "/posts", "GET", "deny"},
	{"e", "/posts", "GET", "allow"},
	{"\u00e9", "/posts", "GET", "allow"},  // é precomposed
	{"e\u0301", "/posts", "GET", "allow"}, // e and a combining acute accent
	{"carol ", "/posts", "GET", "deny"},
	{"carol  ", "/posts", "GET", "deny"},
	{"straße", "/posts", "GET", "allow"},
	{"strasse", "/posts", "GET", "allow"},
}

const twinModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
`

// loadRules returns the "p" rules a fresh load of a reads.
func loadRules(t *testing.T, a *gormadapter.Adapter) [][]string {
	t.Helper()
	m, err := casbinmodel.NewModelFromString(twinModel)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	return m["p"]["p"].Policy
}

func has(rules [][]string, r []string) bool {
	return slices.ContainsFunc(rules, func(x []string) bool { return slices.Equal(x, r) })
}

// TestCasbinRuleTwinsAreDistinct: on every database, rules that differ
// only by case, accent or trailing space are stored as distinct rows, read
// back as written, and a revoke of one leaves the others.
func TestCasbinRuleTwinsAreDistinct(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			ctx := context.Background()
			a, err := sqlstore.CasbinRuleAdapter(ctx, db.DB, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range twins {
				if err := a.AddPolicy("p", "p", r); err != nil {
					t.Fatalf("add %q: %v", r, err)
				}
			}
			var n int64
			if err := db.Table("casbin_rule").Count(&n).Error; err != nil || n != int64(len(twins)) {
				t.Fatalf("rows = %d, %v; want %d distinct rows", n, err, len(twins))
			}
			got := loadRules(t, a)
			for _, r := range twins {
				if !has(got, r) {
					t.Errorf("rule %q not read back; got %q", r, got)
				}
			}
			// Revoke each twin in turn: exactly that one goes.
			for i, r := range twins {
				if err := a.RemovePolicy("p", "p", r); err != nil {
					t.Fatal(err)
				}
				got := loadRules(t, a)
				if has(got, r) {
					t.Errorf("revoked %q still stored", r)
				}
				for _, rest := range twins[i+1:] {
					if !has(got, rest) {
						t.Errorf("revoking %q removed %q", r, rest)
					}
				}
			}
		})
	}
}

// TestRequireExactColumnsRefusesInexactTables: a table that folds case,
// accents or trailing spaces is refused, naming the table, the column, its
// collation and a fix; on PostgreSQL and MySQL the fix given is run, and
// the table is then accepted.
func TestRequireExactColumnsRefusesInexactTables(t *testing.T) {
	type table struct {
		name, ddl string
		want      []string // in the message
		fixable   bool     // the fix in the message is one runnable statement
	}
	cases := map[string][]table{
		"mysql": {
			{"general_ci", "CREATE TABLE general_ci (id INT PRIMARY KEY, ptype VARCHAR(100), v0 VARCHAR(100)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
				[]string{"column ptype", "column v0", "utf8mb4_general_ci", "ALTER TABLE `general_ci` MODIFY `ptype` VARBINARY(400), MODIFY `v0` VARBINARY(400)"}, true},
			{"bin_pads", "CREATE TABLE bin_pads (id INT PRIMARY KEY, ptype VARCHAR(100) NOT NULL, v0 VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
				[]string{"column v0", "utf8mb4_bin", "PAD SPACE", "MODIFY `v0` VARBINARY(400) NOT NULL"}, true},
			{"fixed", "CREATE TABLE fixed (id INT PRIMARY KEY, ptype VARBINARY(40), v0 CHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin)",
				[]string{"column v0", "fixed-width", "MODIFY `v0` VARBINARY(40)"}, true},
			{"text_ci", "CREATE TABLE text_ci (id INT PRIMARY KEY, ptype BLOB, v0 TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)",
				[]string{"column v0", "utf8mb4_unicode_ci", "MODIFY `v0` BLOB"}, true},
		},
		"postgres": {
			{"fixed", `CREATE TABLE fixed (id INT PRIMARY KEY, ptype VARCHAR(100), v0 CHAR(100))`,
				[]string{"column v0", "character(100)", `ALTER TABLE "fixed" ALTER COLUMN "v0" TYPE varchar(100) COLLATE "C"`}, true},
			{"nondet", `CREATE TABLE nondet (id INT PRIMARY KEY, ptype VARCHAR(100), v0 TEXT COLLATE ci)`,
				[]string{"column v0", "collation ci", "non-deterministic", `ALTER COLUMN "v0" TYPE text COLLATE "C"`}, true},
		},
		"sqlite": {
			{"nocase", `CREATE TABLE nocase (id INTEGER PRIMARY KEY, ptype TEXT, v0 TEXT COLLATE NOCASE)`,
				[]string{"column v0", "collation NOCASE", `rename the table`}, false},
			{"rtrim", `CREATE TABLE rtrim (id INTEGER PRIMARY KEY, ptype varchar(100) COLLATE RTRIM, v0 TEXT)`,
				[]string{"column ptype", "collation RTRIM"}, false},
			{"numeric", `CREATE TABLE "numeric" (id INTEGER PRIMARY KEY, ptype TEXT, v0 NUMERIC)`,
				[]string{"column v0", "numeric affinity"}, false},
		},
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			ctx := context.Background()
			if b.Name == "postgres" {
				if err := db.Exec(`CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range cases[b.Name] {
				if err := db.Exec(c.ddl).Error; err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				err := sqlstore.RequireExactColumns(ctx, db.DB, c.name, "ptype", "v0")
				if !errors.Is(err, sqlstore.ErrInexactColumns) {
					t.Fatalf("%s: err = %v, want ErrInexactColumns", c.name, err)
				}
				msg := err.Error()
				for _, w := range append(c.want, "table "+c.name) {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: message lacks %q: %s", c.name, w, msg)
					}
				}
				if !c.fixable {
					continue
				}
				_, fix, _ := strings.Cut(msg, "fix: ")
				if err := db.Exec(fix).Error; err != nil {
					t.Fatalf("%s: the fix %q fails: %v", c.name, fix, err)
				}
				if err := sqlstore.RequireExactColumns(ctx, db.DB, c.name, "ptype", "v0"); err != nil {
					t.Errorf("%s after the fix: %v", c.name, err)
				}
			}
			// Missing tables and columns are errors, not a pass.
			if err := sqlstore.RequireExactColumns(ctx, db.DB, "absent", "v0"); err == nil || !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("missing table: %v", err)
			}
			if err := db.Exec(`CREATE TABLE exact_ok (id INT PRIMARY KEY, v0 VARCHAR(10))`).Error; err != nil {
				t.Fatal(err)
			}
			if err := sqlstore.RequireExactColumns(ctx, db.DB, "exact_ok", "v9"); err == nil || !strings.Contains(err.Error(), "no column v9") {
				t.Errorf("missing column: %v", err)
			}
		})
	}
}

// TestCasbinRuleAdapterRefusesGormAdaptersTable: on MariaDB, a table that
// gorm-adapter created itself (the database's utf8mb4_general_ci) is
// refused, naming the columns and the fix, and so is a Store on
// authz_groups created so; after the fix the twins are distinct.
func TestCasbinRuleAdapterRefusesGormAdaptersTable(t *testing.T) {
	db := dbtest.MySQL(t)
	ctx := context.Background()
	if err := db.Exec("ALTER DATABASE `" + db.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := gormadapter.NewAdapterByDBUseTableName(db.DB, "", "casbin_rule"); err != nil {
		t.Fatal(err)
	}
	_, err := sqlstore.CasbinRuleAdapter(ctx, db.DB, "")
	if !errors.Is(err, sqlstore.ErrInexactColumns) {
		t.Fatalf("err = %v, want ErrInexactColumns", err)
	}
	for _, w := range []string{"table casbin_rule", "column ptype", "column v5", "utf8mb4_general_ci", "ALTER TABLE `casbin_rule` MODIFY `ptype` VARBINARY(400)"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message lacks %q: %v", w, err)
		}
	}
	_, fix, _ := strings.Cut(err.Error(), "fix: ")
	if err := db.Exec(fix).Error; err != nil {
		t.Fatalf("fix %q: %v", fix, err)
	}
	a, err := sqlstore.CasbinRuleAdapter(ctx, db.DB, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range twins {
		if err := a.AddPolicy("p", "p", r); err != nil {
			t.Fatalf("add %q: %v", r, err)
		}
	}
	if got := loadRules(t, a); len(got) != len(twins) {
		t.Errorf("after the fix, %d rules stored, want %d: %q", len(got), len(twins), got)
	}

	if err := db.Exec("CREATE TABLE authz_groups (id BIGINT PRIMARY KEY AUTO_INCREMENT, username VARCHAR(500) NOT NULL, group_name VARCHAR(255) NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(db.DB)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Migrate(ctx)
	if !errors.Is(err, sqlstore.ErrInexactColumns) || !strings.Contains(err.Error(), "column username") || !strings.Contains(err.Error(), "column group_name") {
		t.Fatalf("Migrate on an inexact authz_groups = %v", err)
	}
}
