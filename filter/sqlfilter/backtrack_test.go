package sqlfilter_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// TestProofBacktrackLimit: MariaDB's PCRE gives up on a match that
// backtracks past its match limit with only a warning, and REGEXP answers
// 0: under NOT (a deny rule) that "no match" would return a row the deny
// rule covers. Go's regexp never gives up, so the decision denies the row.
// The translation must refuse such an expression on MySQL/MariaDB, not
// return the row; the other engines must return exactly Decide's rows.
func TestProofBacktrackLimit(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.sub == p.sub && keyMatch2(r.obj, p.obj) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The deny pattern's wildcards can each end at any /b/: PCRE tries
	// them in turn, Go's regexp runs in linear time.
	if _, err := e.AddRules(ctx, enforcer.P("bob", "/a/*", "read", "allow"),
		enforcer.P("bob", "/a/*/b/*/b/*/c/*", "read", "deny")); err != nil {
		t.Fatal(err)
	}
	hostile := "/a//b//b//c/" + strings.Repeat("x/b/", 1000) // 4012 bytes
	values := []string{"/a/x", "/a//b//b//c/x", hostile, "/a/" + strings.Repeat("x/b/", 1000)[:4000]}
	req := enforcer.NewRequest("bob", enforcer.Unknown{}, "read")
	p, err := e.Plan(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for i, v := range values {
		d, err := e.Decide(ctx, enforcer.NewRequest("bob", v, "read"))
		if err == nil && d.Allowed {
			want = append(want, int64(i+1))
		}
	}
	if !slices.Equal(want, []int64{1, 4}) {
		t.Fatalf("Decide allows rows %v, want [1 4]", want)
	}
	proved := 0
	for _, b := range dbtest.Backends() {
		if env := map[string]string{"postgres": dbtest.PostgresEnv, "mysql": dbtest.MySQLEnv}[b.Name]; env != "" && os.Getenv(env) == "" {
			continue
		}
		tb := newTable(t, b, values)
		w, err := sqlfilter.Translate(p, tb.d, sqlfilter.Columns{"obj": "obj"})
		if tb.d == sqlfilter.MySQL && errors.Is(err, filter.ErrUnsupported) {
			if !strings.Contains(err.Error(), "backtrack") {
				t.Errorf("MySQL: refused without naming the reason: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tb.d, err)
		}
		if got := tb.query(t, w); !slices.Equal(got, want) {
			t.Errorf("%s: %s %q\nreturns rows %v, Decide allows %v (extra %q)", tb.d, w.SQL, w.Args, got, want,
				tb.values(minus(got, want)))
		}
		proved++
	}
	if proved == 0 {
		t.Fatal("no backend proved the plan")
	}
}

// TestBacktrackFree: which expressions MySQL/MariaDB may match under NOT.
func TestBacktrackFree(t *testing.T) {
	cases := []struct {
		re string
		ok bool
	}{
		{`^/posts/[^/]+$`, true},
		{`^/[^/]+/[^/]+/c$`, true},
		{`^/posts/.*$`, true},
		{`(?i)^posts$`, true},
		{`^[a-z]?1$`, true},
		{`é+`, true},
		{`^/a/.*/b/.*$`, false},     // .* can end at any /
		{`^/a/[^/]+\.json$`, false}, // [^/] includes .
		{`^(?i)[a-z]+K$`, false},    // K's orbit holds k
		{`^(a|ab)*$`, false},        // alternation
		{`^(?:ab)*$`, false},        // repeats more than one character
		{`^a*b*$`, false},           // repetition after repetition
		{`a*b`, false},              // unanchored, repetition not at the end
		{`^[^/]+[0-9]$`, false},     // followed by a class
		{`^a|b$`, false},
	}
	for _, c := range cases {
		p := filter.Plan{Kind: filter.Conditional, Cond: filter.Not(filter.Regex("obj", c.re))}
		_, err := sqlfilter.Translate(p, sqlfilter.MySQL, sqlfilter.Columns{"obj": "path"})
		if c.ok != (err == nil) {
			t.Errorf("%s under NOT on MySQL: %v, want accepted %v", c.re, err, c.ok)
		}
		if !c.ok && !errors.Is(err, filter.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", c.re, err)
		}
		// Outside NOT a give-up only omits a row: accepted.
		p = filter.Plan{Kind: filter.Conditional, Cond: filter.Regex("obj", c.re)}
		if _, err := sqlfilter.Translate(p, sqlfilter.MySQL, sqlfilter.Columns{"obj": "path"}); err != nil {
			t.Errorf("%s on MySQL: %v", c.re, err)
		}
	}
}
