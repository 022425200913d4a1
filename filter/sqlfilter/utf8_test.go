package sqlfilter_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// TestProofInvalidUTF8: a VARBINARY column (what docs/filtering.md asks
// for on MySQL/MariaDB) takes any bytes, whoever writes the row. Go's
// regexp reads each invalid byte as U+FFFD; MariaDB's CONVERT(… USING
// utf8mb4) turns it into "?" and keeps an encoded surrogate as one
// character. A regular expression must never match such a row where the
// decision does not, in either polarity.
func TestProofInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == p.sub && regexMatch(r.obj, p.obj) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("bob", `^/\?+$`, "read", "allow"),
		enforcer.P("carol", `^/.+$`, "read", "allow"), enforcer.P("carol", `^/.{1,3}$`, "read", "deny"),
		enforcer.P("dave", `^/\x{FFFD}+$`, "read", "allow"),
		enforcer.P("erin", `^/.+$`, "read", "allow"), enforcer.P("erin", `^/.{3}$`, "read", "deny")); err != nil {
		t.Fatal(err)
	}
	values := []string{"/\xff", "/\xed\xb0\x80", "/?", "/abcd", "/ab", "/\xc3", "/\xef\xbf\xbd", "/é", "/\xc0\xaf"}
	for _, b := range dbtest.Backends() {
		if b.Name == "postgres" {
			continue // PostgreSQL text holds valid UTF-8 only
		}
		if env := map[string]string{"mysql": dbtest.MySQLEnv}[b.Name]; env != "" && os.Getenv(env) == "" {
			continue
		}
		tb := newTable(t, b, values)
		for _, sub := range []string{"bob", "carol", "dave", "erin"} {
			p, err := e.Plan(ctx, enforcer.NewRequest(sub, enforcer.Unknown{}, "read"))
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for i, v := range values {
				d, err := e.Decide(ctx, enforcer.NewRequest(sub, v, "read"))
				if err == nil && d.Allowed {
					want = append(want, int64(i+1))
				}
			}
			w, err := sqlfilter.Translate(p, tb.d, sqlfilter.Columns{"obj": "obj"})
			if err != nil {
				t.Fatalf("%s: %s: %v", tb.d, sub, err)
			}
			got := tb.query(t, w)
			if extra := minus(got, want); len(extra) > 0 {
				t.Errorf("%s: %s: %s %q returns %q, which Decide denies", tb.d, sub, w.SQL, w.Args, tb.values(extra))
			}
			// A row that is not UTF-8 may be left out (it is no text the
			// engine can match); a valid one may not.
			for _, id := range minus(want, got) {
				if v := *tb.rows[id]; utf8.ValidString(v) {
					t.Errorf("%s: %s: misses %q, which Decide allows", tb.d, sub, v)
				}
			}
			if sub == "carol" && !slices.Contains(got, 4) {
				t.Errorf("%s: carol: /abcd missing", tb.d)
			}
		}
	}
}
