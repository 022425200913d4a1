package sqlfilter_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
	"github.com/wardenhq/warden/filter/sqliteregexp"
	"github.com/wardenhq/warden/models"
)

func TestMain(m *testing.M) {
	// Before any SQLite connection is opened.
	if err := sqliteregexp.Register(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// proofModel is one model of the row-by-row proof with the pools its
// policy is drawn from.
type proofModel struct {
	name string
	text string
}

// casbinExamples are Casbin's example models the plan supports.
var casbinExamples = []string{
	"basic_model", "basic_with_root_model", "basic_without_users_model", "basic_without_resources_model",
	"glob_model", "keymatch_model", "keymatch2_model", "rbac_model", "rbac_model_matcher_using_in_op",
	"rbac_model_matcher_using_in_op_bracket", "rbac_with_deny_model", "rbac_with_not_deny_model",
	"rbac_with_domains_model", "rbac_with_domain_pattern_model", "rbac_with_multiple_policy_model",
	"rbac_with_resource_roles_model", "rbac_with_pattern_model",
	"comment_model", "rbac_model_in_multi_line",
}

// extraModels cover what neither set has: keyMatch3/5, regexMatch on the
// object, an attribute comparison, deny-override with patterns.
var extraModels = map[string]string{
	"keymatch3_deny": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch3(r.obj, p.obj) && r.act == p.act`,
	"keymatch5": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch5(r.obj, p.obj) && r.act == p.act`,
	"regex_obj": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && regexMatch(r.obj, p.obj) && r.act == p.act`,
	"or_not": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && (keyMatch(r.obj, p.obj) || r.obj == "public") && !(r.obj != p.obj && r.act == "write") && r.act == p.act`,
}

func loadProofModels(t *testing.T) []proofModel {
	t.Helper()
	var out []proofModel
	for _, name := range models.Names() {
		if name == models.ABAC {
			continue // eval(): see TestPlanUnsupported
		}
		text, err := models.Text(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, proofModel{name: name, text: text})
	}
	// Warden's default model (conf/model.conf), which warden serve uses.
	if b, err := os.ReadFile(filepath.Join("..", "..", "conf", "model.conf")); err == nil {
		out = append(out, proofModel{name: "conf/model", text: string(b)})
	} else {
		t.Fatal(err)
	}
	dir := filepath.Join(casbinDir(t), "examples")
	for _, name := range casbinExamples {
		b, err := os.ReadFile(filepath.Join(dir, name+".conf"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, proofModel{name: "casbin/" + name, text: string(b)})
	}
	names := make([]string, 0, len(extraModels))
	for n := range extraModels {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, proofModel{name: "extra/" + n, text: extraModels[n]})
	}
	return out
}

// casbinDir is Casbin's module directory, for its example models.
func casbinDir(t *testing.T) string {
	t.Helper()
	gomod := os.Getenv("GOMODCACHE")
	if gomod == "" {
		home, _ := os.UserHomeDir()
		gomod = filepath.Join(home, "go", "pkg", "mod")
		if gp := os.Getenv("GOPATH"); gp != "" {
			gomod = filepath.Join(strings.Split(gp, string(os.PathListSeparator))[0], "pkg", "mod")
		}
	}
	dir := filepath.Join(gomod, "github.com", "casbin", "casbin", "v2@v2.135.0")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Casbin's examples not found in the module cache: %v", err)
	}
	return dir
}

var (
	users   = []string{"alice", "bob", "carol", "dave", "Alice", "root"}
	roles   = []string{"admin", "editor", "viewer", "deep0"}
	domains = []string{"t1", "t2"}
	long    = strings.Repeat("/é", 333) // 999 bytes: rule values are at most 1024
)

// Object pools by the function that compares the open field.
var objectPools = map[string][]string{
	"literal": {"/posts/1", "/posts/2", "data1", "data2", "data3", "%", "_", "a_b", "100%", `back\slash`, "it's",
		`"q"`, "Posts", "posts", "space", "/pоsts/1", "", long, "é", "日本", "read:posts", "write:posts",
		"posts_group", "data_group", "all", "o0", "o5"},
	"keyMatch": {"/posts/*", "/posts", "*", "/a%b*", "/a_b*", `\*`, "", "read:*", "write:posts", "/é*",
		"posts/!*", "data1", "[*"},
	"keyMatch2": {"/posts/:id", "/posts/*", "/posts/:id/comments", "/file.txt", "/a%b/:x", "/u_n/*", "/*",
		"/exact", "data1", "/:a/:b", "/posts/:id.json"},
	"keyMatch3": {"/posts/{id}", "/posts/*", "/a.b/{x}", "/posts/{id}/c", "/*", "/exact", "/{a}/{b}"},
	"globMatch": {"/posts/*", "/posts/?", "*.txt", "/exact", "/a%_*", "*", "/é?", "data?"},
	"regexMatch": {"^/posts/[0-9]+$", "posts", "^data[12]$", "(?i)^posts$", "^.$", "a.b", "^/x$", "^$",
		"é+", `^\d{2,3}$`, "^(a|b)*c?$", "[^/]", "^.{3}$", "(?s)^a.b$", `\.txt$`, `^[\x00-\x{10FFFF}]+$`},
}

var extraRows = []string{
	"", " ", "%", "_", `\`, "'", `"`, "''", "%%", "__", "a%b", "a_b", "ab", "aXb", "!", "!%", "[", "*", "?",
	"/", "//", "/posts", "/posts/", "/posts/1", "/POSTS/1", "/posts/1 ", " /posts/1", "/posts/1\n", "/posts/\n1",
	"/posts/1/", "/posts/1/comments", "/posts/é", "/posts/日本", "/posts/1?x=y", "/posts/1?", "/posts/a/c",
	"/pоsts/1", "/posts/1\r", "/posts/1\t", "/file.txt", "/fileXtxt", "/fileétxt", "/file\ntxt", "a.txt",
	"/a%b/x", "/aXb/x", "/u_n/x", "/uXn/x", "/exact", "/exact/", "/EXACT", "data1", "DATA1", "data1 ",
	"data2", "data3", "data12", "posts", "Posts", "POSTS", "xpostsx", "a\nb", "aéb", "a.b", "ab", "abc", "aXbc",
	"12", "123", "1234", "١٢", "c", "abab", "ababc", "x", "é", "ée", "ééé", "/é", "/éé", "/x\n", "/x\ny",
	"read:posts", "read:", "write:posts", "read:posts:all", "Read:posts", long, long + "x", long[:999],
	strings.Repeat("a", 1000), strings.Repeat("é", 1000), "line\nbreak", strings.Repeat("/", 4096), strings.Repeat("/", 4097), "/a.b/x", "/aXb/x", "/posts/1/c", "/1/2", "/1", "posts/!x", "[x", "posts/*",
	"\x01", "/\u00a0", "o1", "o3", "o10", "o11", "o12", "public", "Public", "/posts/x.json", "/posts/1.json",
}

// rowValues is every object of the proof: the pools, variants of them, and
// hostile values.
func rowValues() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] && !strings.ContainsRune(s, 0) {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range extraRows {
		add(s)
	}
	names := make([]string, 0, len(objectPools))
	for n := range objectPools {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, s := range objectPools[n] {
			add(s)
			add(strings.ToUpper(s))
			add(s + " ")
			add(s + "\n")
			add(s + "/x")
			add(s + "?q=1")
			add(strings.ReplaceAll(s, "*", "x"))
			add(strings.ReplaceAll(s, ":id", "7"))
			add(strings.ReplaceAll(s, "{id}", "7"))
		}
	}
	return out
}

// poolFor picks the pool for the function the matcher applies to the open
// field.
func poolFor(matcher, open string) string {
	for _, fn := range []string{"keyMatch2", "keyMatch3", "keyMatch5", "keyMatch", "globMatch", "regexMatch"} {
		if strings.Contains(matcher, fn+"(r_"+open) {
			if fn == "keyMatch5" {
				return "keyMatch3"
			}
			return fn
		}
	}
	return "literal"
}

// shape is what the proof knows of a model.
type shape struct {
	m       model.Model
	rTok    []string
	pTok    []string
	open    int
	hasG    bool
	hasG2   bool
	gDomain bool
	pool    string
	actRe   bool
}

func shapeOf(t *testing.T, m model.Model) shape {
	t.Helper()
	s := shape{m: m, rTok: m["r"]["r"].Tokens, pTok: m["p"]["p"].Tokens, open: -1}
	for i, tok := range s.rTok {
		switch tok {
		case "r_obj", "r_perm", "r_thing":
			s.open = i
		}
	}
	if s.open < 0 {
		s.open = len(s.rTok) - 1
	}
	if g, ok := m["g"]["g"]; ok {
		s.hasG = true
		s.gDomain = len(g.Tokens) == 3
	}
	_, s.hasG2 = m["g"]["g2"]
	matcher := m["m"]["m"].Value
	s.pool = poolFor(matcher, strings.TrimPrefix(s.rTok[s.open], "r_"))
	s.actRe = strings.Contains(matcher, "regexMatch(r_act")
	return s
}

func (s shape) policy(r *rand.Rand) []enforcer.Rule {
	var rules []enforcer.Rule
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	subjects := append(slices.Clone(users), roles...)
	acts := []string{"read", "write", "*"}
	if s.actRe {
		acts = []string{"GET", "^(GET|POST)$", ".*", "^GET$", "POST"}
	}
	for range 40 {
		vals := make([]string, len(s.pTok))
		for i, tok := range s.pTok {
			switch tok {
			case "p_sub", "p_role", "p_user":
				vals[i] = pick(subjects)
			case "p_dom":
				vals[i] = pick(domains)
			case "p_obj", "p_perm", "p_thing":
				vals[i] = pick(objectPools[s.pool])
			case "p_eft":
				vals[i] = "allow"
				if r.IntN(4) == 0 {
					vals[i] = "deny"
				}
			default:
				vals[i] = pick(acts)
			}
		}
		rules = append(rules, enforcer.P(vals...))
	}
	if s.hasG {
		links := [][]string{{"alice", "editor"}, {"editor", "viewer"}, {"bob", "viewer"}, {"root", "admin"}, {"carol", "deep0"}}
		for i := range 11 {
			links = append(links, []string{fmt.Sprintf("deep%d", i), fmt.Sprintf("deep%d", i+1)})
		}
		links = append(links, []string{"deep11", "admin"}) // beyond Casbin's 10 links
		if s.hasG2 {
			objLinks := [][]string{{"/posts/1", "posts_group"}, {"/posts/2", "posts_group"}, {"data1", "data_group"},
				{"data2", "data_group"}, {"data_group", "all"}, {"posts_group", "all"}, {"%", "data_group"}, {"Posts", "posts_group"}}
			for i := range 11 {
				objLinks = append(objLinks, []string{fmt.Sprintf("o%d", i), fmt.Sprintf("o%d", i+1)})
			}
			objLinks = append(objLinks, []string{"o11", "all"}, []string{"posts_group", "o2"}) // a cycle through o2
			for _, l := range objLinks {
				rules = append(rules, enforcer.Rule{PType: "g2", Values: l})
			}
		}
		for _, l := range links {
			if s.gDomain {
				for j, d := range domains {
					if j == 0 || l[0] == "alice" || l[0] == "deep3" {
						rules = append(rules, enforcer.G(l[0], l[1], d))
					}
				}
				continue
			}
			rules = append(rules, enforcer.G(l...))
		}
	}
	return rules
}

// requests are the plan requests of the proof: every subject, domain and
// action, with and without request-scoped groups.
func (s shape) requests() []enforcer.Request {
	acts := []string{"read", "write"}
	if s.actRe {
		acts = []string{"GET", "POST", "DELETE"}
	}
	groupSets := [][]string{nil}
	if s.hasG {
		groupSets = append(groupSets, []string{"editor"}, []string{"deep4", "nobody"})
	}
	var out []enforcer.Request
	subjects := append(slices.Clone(users), "admin", "nobody")
	var rec func(i int, vals []any)
	rec = func(i int, vals []any) {
		if i == len(s.rTok) {
			for _, g := range groupSets {
				out = append(out, enforcer.Request{Values: slices.Clone(vals), Groups: g})
			}
			return
		}
		var choices []string
		switch {
		case i == s.open:
			rec(i+1, append(vals, enforcer.Unknown{}))
			return
		case i == 0:
			choices = subjects
		case s.rTok[i] == "r_dom":
			choices = domains
		default:
			choices = acts
		}
		for _, c := range choices {
			rec(i+1, append(slices.Clone(vals), c))
		}
	}
	rec(0, nil)
	return out
}

// table is the proof's table on one backend.
type table struct {
	db   dbtest.DB
	d    sqlfilter.Dialect
	rows map[int64]*string
}

func newTable(t *testing.T, b dbtest.Backend, values []string) *table {
	t.Helper()
	db := b.Open(t)
	d, err := sqlfilter.ParseDialect(b.Name)
	if err != nil {
		t.Fatal(err)
	}
	col := "TEXT"
	if d == sqlfilter.MySQL {
		col = "VARBINARY(8192)" // compares bytes: no case folding, no padding
	}
	if err := db.Exec("CREATE TABLE objects (id INTEGER PRIMARY KEY, obj " + col + ", owner " + col + ")").Error; err != nil {
		t.Fatal(err)
	}
	tb := &table{db: db, d: d, rows: map[int64]*string{}}
	ph := func(n int) string {
		if d == sqlfilter.Postgres {
			return fmt.Sprintf("$%d", n)
		}
		return "?"
	}
	ins := fmt.Sprintf("INSERT INTO objects (id, obj, owner) VALUES (%s, %s, %s)", ph(1), ph(2), ph(3))
	tx := db.Begin()
	for i, v := range values {
		v := v
		tb.rows[int64(i+1)] = &v
		owner := users[i%len(users)]
		if err := tx.Exec(ins, i+1, v, owner).Error; err != nil {
			t.Fatalf("insert %q: %v", v, err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	tb.rows[int64(len(values)+1)] = nil // NULL
	if err := db.Exec(fmt.Sprintf("INSERT INTO objects (id, obj, owner) VALUES (%s, NULL, NULL)", ph(1)), len(values)+1).Error; err != nil {
		t.Fatal(err)
	}
	// The stored values come back byte for byte.
	got := map[int64]string{}
	rs, err := db.Raw("SELECT id, obj FROM objects WHERE obj IS NOT NULL").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var s string
		if err := rs.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		got[id] = s
	}
	for id, v := range tb.rows {
		if v != nil && got[id] != *v {
			t.Fatalf("%s stored %q as %q", b.Name, *v, got[id])
		}
	}
	return tb
}

func (tb *table) query(t *testing.T, w sqlfilter.Where) []int64 {
	t.Helper()
	rs, err := tb.db.Raw("SELECT id FROM objects WHERE "+w.SQL+" ORDER BY id", w.Args...).Rows()
	if err != nil {
		t.Fatalf("%s: %v", w.SQL, err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestProofRowByRow is the heart of the planner's tests: on SQLite,
// PostgreSQL and MariaDB, for every model the plan supports, a generated
// policy with roles, chains, deny rules and domains, and every subject
// with and without request-scoped groups, the rows the filter returns are
// exactly the rows for which Decide allows.
func TestProofRowByRow(t *testing.T) {
	ctx := context.Background()
	values := rowValues()
	var tables []*table
	for _, b := range dbtest.Backends() {
		if env := map[string]string{"postgres": dbtest.PostgresEnv, "mysql": dbtest.MySQLEnv}[b.Name]; env != "" && os.Getenv(env) == "" {
			t.Logf("%s not configured: set %s to prove the filter on it", b.Name, env)
			continue
		}
		tables = append(tables, newTable(t, b, values))
	}
	for mi, pm := range loadProofModels(t) {
		t.Run(pm.name, func(t *testing.T) {
			m, err := enforcer.ParseModel(pm.text)
			if err != nil {
				t.Fatal(err)
			}
			s := shapeOf(t, m)
			e, err := enforcer.New(ctx, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(13, uint64(mi)))
			if _, err := e.AddRules(ctx, s.policy(r)...); err != nil {
				t.Fatal(err)
			}
			field := strings.TrimPrefix(s.rTok[s.open], "r_")
			cols := sqlfilter.Columns{field: "obj"}
			kinds := map[filter.Kind]int{}
			for _, req := range s.requests() {
				p, want := truth(t, ctx, e, s, req, values)
				kinds[p.Kind]++
				for _, tb := range tables {
					tb.prove(t, req, p, cols, want)
				}
			}
			if kinds[filter.Conditional] == 0 {
				t.Errorf("no conditional plan: %v", kinds)
			}
		})
	}
}

// truth plans req and returns the plan with the ids of the rows (values,
// then one NULL) Decide allows, checking Plan.Holds on each.
func truth(t *testing.T, ctx context.Context, e *enforcer.Enforcer, s shape, req enforcer.Request, values []string) (filter.Plan, []int64) {
	t.Helper()
	p, err := e.Plan(ctx, req)
	if err != nil {
		t.Fatalf("plan %v: %v", req, err)
	}
	holdsFor, err := p.Compile()
	if err != nil {
		t.Fatalf("plan %v: %v", req, err)
	}
	var want []int64
	for i, v := range values {
		vals := slices.Clone(req.Values)
		vals[s.open] = v
		d, err := e.Decide(ctx, enforcer.Request{Values: vals, Groups: req.Groups})
		allowed := err == nil && d.Allowed
		if holds := holdsFor(func(string) (string, bool) { return v, true }); holds != allowed {
			t.Fatalf("plan %v (%s) on %q: holds %v, Decide %v", req, p.Cond, v, holds, allowed)
		}
		if allowed {
			want = append(want, int64(i+1))
		}
	}
	// The NULL row: only a plan without a condition returns it.
	if holds, _ := p.Holds(func(string) (string, bool) { return "", false }); holds != (p.Kind == filter.AlwaysAllowed) {
		t.Fatalf("plan %v holds %v for NULL", req, holds)
	}
	if p.Kind == filter.AlwaysAllowed {
		want = append(want, int64(len(values)+1))
	}
	return p, want
}

// prove checks that the filter of p returns exactly the rows want.
func (tb *table) prove(t *testing.T, req enforcer.Request, p filter.Plan, cols sqlfilter.Columns, want []int64) {
	t.Helper()
	w, err := sqlfilter.Translate(p, tb.d, cols)
	if err != nil {
		t.Fatalf("%s: translate %v (%s): %v", tb.d, req, p.Cond, err)
	}
	got := tb.query(t, w)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %v: plan %s\nSQL %s %q\nextra rows %q\nmissing rows %q", tb.d, req, p.Cond, w.SQL, w.Args,
			tb.values(minus(got, want)), tb.values(minus(want, got)))
	}
}

func deref(v *string) string {
	if v == nil {
		return "<NULL>"
	}
	return *v
}

func minus(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func (tb *table) values(ids []int64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, deref(tb.rows[id]))
	}
	return out
}
