package sqlfilter_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// FuzzPlanRow widens the proof: for any rule pattern under each matching
// function and any row value, the SQLite filter returns the row exactly
// when Decide allows it (and Plan.Holds agrees). Its seed corpus runs in
// the normal suite.
func FuzzPlanRow(f *testing.F) {
	seeds := []struct {
		fn      uint8
		pattern string
		row     string
	}{
		{0, "/posts/*", "/posts/1"}, {1, "/posts/:id", "/posts/1\n"}, {2, "/a.b/{x}", "/aéb/x"},
		{3, "/x/{id}", "/x/1?y=2"}, {4, "^a.b$", "a\nb"}, {5, "*.txt", "a/b.txt"}, {4, "(?i)é", "É"},
		{1, "/%_!/*", "/%_!/x"}, {0, "", ""}, {4, `^\d+$`, "١٢"},
		// Bytes a hostile writer can store in SQLite: NUL, invalid UTF-8.
		{3, "/x/{id}", "/x/1\x00/y"}, {1, "/pub/:id", "/pub/a\x00/b"}, {3, "/x/{id}", "١0\xa2"}, {2, "$", "\x00"},
		{1, "/p/*", "/p/\x00\n"}, {0, "/é*", "/\xc3\xa9\xa9"}, {4, "^.0$", "\xff0"},
	}
	for _, s := range seeds {
		f.Add(s.fn, s.pattern, s.row)
	}
	db := dbtest.SQLite(f)
	if err := db.Exec("CREATE TABLE objects (id INTEGER PRIMARY KEY, obj TEXT)").Error; err != nil {
		f.Fatal(err)
	}
	fns := []string{"keyMatch", "keyMatch2", "keyMatch3", "keyMatch5", "regexMatch", "globMatch"}
	f.Fuzz(func(t *testing.T, fn uint8, pattern, row string) {
		ctx := context.Background()
		name := fns[int(fn)%len(fns)]
		m, err := enforcer.ParseModel(withFunc(name))
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("alice", pattern, "read", "allow"), enforcer.P("alice", "/deny/*", "read", "deny")); err != nil {
			return // a value the policy refuses
		}
		p, err := e.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read"))
		if err != nil {
			return // refused, never widened
		}
		d, derr := e.Decide(ctx, enforcer.NewRequest("alice", row, "read"))
		allowed := derr == nil && d.Allowed
		holds, err := p.Holds(func(string) (string, bool) { return row, true })
		if err != nil || holds != allowed {
			t.Fatalf("%s(%q) on %q: holds %v (%v), Decide %v (%v)", name, pattern, row, holds, err, allowed, derr)
		}
		w, err := sqlfilter.Translate(p, sqlfilter.SQLite, sqlfilter.Columns{"obj": "obj"})
		if err != nil {
			t.Fatal(err)
		}
		tx := db.Begin()
		defer tx.Rollback()
		if err := tx.Exec("INSERT INTO objects (id, obj) VALUES (1, ?)", row).Error; err != nil {
			return // SQLite cannot hold the value (a NUL byte, say)
		}
		var n int
		if err := tx.Raw("SELECT count(*) FROM objects WHERE "+w.SQL, w.Args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", w.SQL, err)
		}
		if (n == 1) != allowed {
			t.Fatalf("%s(%q) on %q: SQL %s %q returns %d rows, Decide %v", name, pattern, row, w.SQL, w.Args, n, allowed)
		}
	})
}

func withFunc(fn string) string {
	return `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && ` + fn + `(r.obj, p.obj) && r.act == p.act`
}
