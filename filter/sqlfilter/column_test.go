package sqlfilter_test

import (
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
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
