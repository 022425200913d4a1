package sqliteregexp_test

import (
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/filter/sqliteregexp"
)

// TestRegexpIsGo: the function has Go's semantics (. stops at a newline,
// $ is the end of the text, case matters), NULL matches nothing, and a bad
// pattern fails the query instead of matching.
func TestRegexpIsGo(t *testing.T) {
	if err := sqliteregexp.Register(); err != nil {
		t.Fatal(err)
	}
	if err := sqliteregexp.Register(); err != nil {
		t.Fatal("second Register:", err)
	}
	db := dbtest.SQLite(t)
	cases := []struct {
		pattern, value string
		want           int
	}{
		{"^a.b$", "aXb", 1},
		{"^a.b$", "a\nb", 0},
		{"^ab$", "ab\n", 0},
		{"^ab$", "AB", 0},
		{"(?i)^ab$", "AB", 1},
		{"^.$", "é", 1},
		{`^[^/]+$`, "a\nb", 1},
	}
	for _, c := range cases {
		var got int
		if err := db.Raw("SELECT regexp(?, ?)", c.pattern, c.value).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("regexp(%q, %q) = %d, want %d", c.pattern, c.value, got, c.want)
		}
		if err := db.Raw("SELECT ? REGEXP ?", c.value, c.pattern).Scan(&got).Error; err != nil || got != c.want {
			t.Errorf("%q REGEXP %q = %d (%v), want %d", c.value, c.pattern, got, err, c.want)
		}
	}
	var n *int
	if err := db.Raw("SELECT regexp('a', NULL)").Scan(&n).Error; err != nil || n != nil {
		t.Errorf("NULL value: %v, %v", n, err)
	}
	var x int
	if err := db.Raw("SELECT regexp('(', 'a')").Scan(&x).Error; err == nil {
		t.Error("a bad pattern did not fail the query")
	}
}
