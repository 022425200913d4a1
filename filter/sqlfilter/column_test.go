package sqlfilter_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// TestSQLiteUnknownColumn: SQLite reads a double-quoted name that is no
// column as a string literal, so a misspelt or renamed column made
// "path" IS NOT NULL AND NOT ("path" = '/secret') true for every row, the
// denied one included. The translation must name columns so that an
// unknown one is an error.
func TestSQLiteUnknownColumn(t *testing.T) {
	db := dbtest.SQLite(t)
	if err := db.Exec("CREATE TABLE objects (id INTEGER PRIMARY KEY, obj TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO objects (id, obj) VALUES (1, '/secret'), (2, '/a')").Error; err != nil {
		t.Fatal(err)
	}
	p := filter.Plan{Kind: filter.Conditional, Cond: filter.Not(filter.Eq("obj", "/secret"))}
	for _, col := range []string{"nosuch", "objects.nosuch", "obj"} {
		w, err := sqlfilter.Translate(p, sqlfilter.SQLite, sqlfilter.Columns{"obj": col})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		err = db.Raw("SELECT id FROM objects WHERE "+w.SQL+" ORDER BY id", w.Args...).Pluck("id", &ids).Error
		switch {
		case col != "obj" && err == nil:
			t.Errorf("column %s: %s returned rows %v, want an error", col, w.SQL, ids)
		case col == "obj" && (err != nil || len(ids) != 1 || ids[0] != 2):
			t.Errorf("column obj: rows %v, %v; want [2]", ids, err)
		}
	}
}

// TestSQLiteNonTextRow: a SQLite column of any declared type keeps a BLOB
// as a BLOB, and one without TEXT affinity keeps a number as a number;
// neither equals a TEXT argument, so NOT (obj = '/docs/secret') held for
// a BLOB '/docs/secret' and NOT (obj = '7') for an INTEGER 7, rows whose
// values the decision reads as the denied strings. A conditional plan must
// return no row whose mapped column holds something other than text.
func TestSQLiteNonTextRow(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == p.sub && keyMatch(r.obj, p.obj) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("alice", "/docs/*", "read", "allow"), enforcer.P("alice", "/docs/secret", "read", "deny"),
		enforcer.P("alice", "7*", "read", "allow"), enforcer.P("alice", "7", "read", "deny")); err != nil {
		t.Fatal(err)
	}
	p, err := e.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sqlfilter.Translate(p, sqlfilter.SQLite, sqlfilter.Columns{"obj": "obj"})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"TEXT", "BLOB", ""} {
		db := dbtest.SQLite(t)
		if err := db.Exec("CREATE TABLE objects (id INTEGER PRIMARY KEY, obj " + typ + ")").Error; err != nil {
			t.Fatal(err)
		}
		rows := []any{[]byte("/docs/secret"), "/docs/secret", "/docs/a", 7, "7", "71"}
		for i, v := range rows {
			if err := db.Exec("INSERT INTO objects (id, obj) VALUES (?, ?)", i+1, v).Error; err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		if err := db.Raw("SELECT id FROM objects WHERE "+w.SQL+" ORDER BY id", w.Args...).Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			var s string
			switch v := rows[id-1].(type) {
			case []byte:
				s = string(v)
			case int:
				s = strconv.Itoa(v)
			default:
				s = v.(string)
			}
			if d, err := e.Decide(ctx, enforcer.NewRequest("alice", s, "read")); err != nil || !d.Allowed {
				t.Errorf("column type %q: row %d (%v, read as %q) returned, Decide denies it (%v)\n%s %q", typ, id, rows[id-1], s, err, w.SQL, w.Args)
			}
		}
	}
}
