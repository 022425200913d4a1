package sqlfilter_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// utf8Pattern is the byte pattern of well-formed UTF-8 that guards a
// regular expression on MySQL/MariaDB.
const utf8Pattern = `\A(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|` +
	`\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*\z`

var cols = sqlfilter.Columns{"obj": "path", "obj.Owner": "posts.owner"}

func TestTranslate(t *testing.T) {
	plan := filter.Plan{Kind: filter.Conditional, Cond: filter.And(
		filter.Or(filter.In("obj", "/b", "/a", "/a"), filter.Prefix("obj", "/x%_!"), filter.Eq("obj.Owner", "alice")),
		filter.Not(filter.Regex("obj", `^/p/[^/]+$`)),
	)}
	cases := []struct {
		d    sqlfilter.Dialect
		sql  string
		args []any
	}{
		{sqlfilter.SQLite, "`path` IS NOT NULL AND typeof(`path`) = 'text' AND `posts`.`owner` IS NOT NULL AND typeof(`posts`.`owner`) = 'text' AND ((`path` IN (?, ?) OR (length(CAST(`path` AS BLOB)) >= ? AND substr(CAST(`path` AS BLOB), 1, ?) = CAST(? AS BLOB)) OR `posts`.`owner` = ?) AND NOT (regexp(?, CASE WHEN length(CAST(`path` AS BLOB)) = 0 THEN '' ELSE CAST(`path` AS BLOB) END)))",
			[]any{"/a", "/b", 5, 5, "/x%_!", "alice", `^/p/[^/]+$`}},
		{sqlfilter.Postgres, `"path" IS NOT NULL AND "posts"."owner" IS NOT NULL AND (("path" IN ($1, $2) OR "path" LIKE $3 ESCAPE '!' OR "posts"."owner" = $4) AND NOT ("path" ~ $5))`,
			[]any{"/a", "/b", "/x!%!_!!%", "alice", `^\U0000002Fp\U0000002F(?:[\U00000001-\U0000002E0-\U0010FFFF])+$`}},
		{sqlfilter.MySQL, "`path` IS NOT NULL AND `posts`.`owner` IS NOT NULL AND ((`path` IN (?, ?) OR `path` LIKE ? ESCAPE '!' OR `posts`.`owner` = ?) AND NOT (CASE WHEN CAST(`path` AS BINARY) REGEXP ? THEN CONVERT(`path` USING utf8mb4) COLLATE utf8mb4_bin REGEXP ? END))",
			[]any{"/a", "/b", "/x!%!_!!%", "alice", utf8Pattern, `(?-imsx)\A\x{2F}p\x{2F}(?:[\x{0}-\x{2E}0-\x{10FFFF}])+\z`}},
	}
	for _, c := range cases {
		w, err := sqlfilter.Translate(plan, c.d, cols)
		if err != nil {
			t.Fatal(err)
		}
		if w.SQL != c.sql || !slices.Equal(w.Args, c.args) {
			t.Errorf("%s:\n got %s %q\nwant %s %q", c.d, w.SQL, w.Args, c.sql, c.args)
		}
	}
}

func TestTranslateConstantPlans(t *testing.T) {
	for _, d := range []sqlfilter.Dialect{sqlfilter.SQLite, sqlfilter.Postgres, sqlfilter.MySQL} {
		for kind, want := range map[filter.Kind]string{filter.AlwaysAllowed: "1 = 1", filter.AlwaysDenied: "1 = 0"} {
			w, err := sqlfilter.Translate(filter.Plan{Kind: kind}, d, nil)
			if err != nil || w.SQL != want || len(w.Args) != 0 {
				t.Errorf("%s %s: %q %v %v", d, kind, w.SQL, w.Args, err)
			}
		}
	}
}

// TestTranslateLiteralForms: regular expressions that are an equality or a
// prefix become = and LIKE (a byte comparison on SQLite).
func TestTranslateLiteralForms(t *testing.T) {
	cases := []struct{ re, sqlite, postgres string }{
		{`^/posts/1$`, "`path` = ?", `"path" = $1`},
		{`^/posts/.*$`, "((length(CAST(`path` AS BLOB)) >= ? AND substr(CAST(`path` AS BLOB), 1, ?) = CAST(? AS BLOB) AND regexp(?, CASE WHEN length(CAST(`path` AS BLOB)) = 0 THEN '' ELSE CAST(`path` AS BLOB) END)))",
			`("path" LIKE $1 ESCAPE '!' AND "path" NOT LIKE $2 ESCAPE '!')`},
		{`\A/posts/(?s:.*)`, "(length(CAST(`path` AS BLOB)) >= ? AND substr(CAST(`path` AS BLOB), 1, ?) = CAST(? AS BLOB))", `"path" LIKE $1 ESCAPE '!'`},
	}
	for _, c := range cases {
		p := filter.Plan{Kind: filter.Conditional, Cond: filter.Regex("obj", c.re)}
		for d, want := range map[sqlfilter.Dialect]string{sqlfilter.SQLite: c.sqlite, sqlfilter.Postgres: c.postgres} {
			w, err := sqlfilter.Translate(p, d, sqlfilter.Columns{"obj": "path"})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimPrefix(strings.TrimPrefix(w.SQL, `"path" IS NOT NULL AND `), "`path` IS NOT NULL AND typeof(`path`) = 'text' AND "); got != want {
				t.Errorf("%s %s: got %s, want %s", d, c.re, got, want)
			}
		}
	}
}

// TestTranslateUnsupported: what an engine cannot state exactly is
// refused, naming the construct; SQLite runs Go's regexp and takes all.
func TestTranslateUnsupported(t *testing.T) {
	cases := []struct{ re, want string }{
		{`\bword`, "word boundary"},
		{`(?m)^a$`, "multi-line"},
		{`^a{256}$`, "repetition count above 255"},
		{`a\x00b`, "NUL"},
	}
	for _, c := range cases {
		p := filter.Plan{Kind: filter.Conditional, Cond: &filter.Cond{Op: filter.OpRegex, Field: "obj", Regex: c.re, Source: "regexMatch(r.obj, p.obj)"}}
		for _, d := range []sqlfilter.Dialect{sqlfilter.Postgres, sqlfilter.MySQL} {
			_, err := sqlfilter.Translate(p, d, cols)
			if c.want == "NUL" && d == sqlfilter.MySQL {
				if err != nil {
					t.Errorf("%s on MySQL: %v", c.re, err)
				}
				continue
			}
			if !errors.Is(err, filter.ErrUnsupported) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "regexMatch") {
				t.Errorf("%s on %s: got %v, want ErrUnsupported naming %q", c.re, d, err, c.want)
			}
		}
		if _, err := sqlfilter.Translate(p, sqlfilter.SQLite, cols); err != nil {
			t.Errorf("%s on SQLite: %v", c.re, err)
		}
	}
}

func TestTranslateErrors(t *testing.T) {
	p := filter.Plan{Kind: filter.Conditional, Cond: filter.Eq("obj.Type", "x")}
	if _, err := sqlfilter.Translate(p, sqlfilter.SQLite, cols); err == nil || !strings.Contains(err.Error(), "obj.Type") {
		t.Errorf("missing column: %v", err)
	}
	for _, bad := range []string{`a"b`, "a`b", "", "a..b"} {
		_, err := sqlfilter.Translate(filter.Plan{Kind: filter.Conditional, Cond: filter.Eq("obj", "x")}, sqlfilter.MySQL, sqlfilter.Columns{"obj": bad})
		if err == nil {
			t.Errorf("column %q accepted", bad)
		}
	}
	if _, err := sqlfilter.ParseDialect("oracle"); err == nil {
		t.Error("oracle accepted")
	}
}

func ExampleTranslate() {
	p := filter.Plan{Kind: filter.Conditional, Cond: filter.And(
		filter.In("obj", "/posts/1", "/posts/2"),
		filter.Not(filter.Eq("obj", "/posts/2")),
	)}
	w, err := sqlfilter.Translate(p, sqlfilter.Postgres, sqlfilter.Columns{"obj": "path"})
	if err != nil {
		panic(err)
	}
	fmt.Println(w.SQL)
	fmt.Println(w.Args...)
	// Output:
	// "path" IS NOT NULL AND ("path" IN ($1, $2) AND NOT ("path" = $3))
	// /posts/1 /posts/2 /posts/2
}
