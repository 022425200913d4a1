package sqlfilter_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// attrModels read attributes of the object: Casbin's ABAC example (which
// Casbin's own enforcer decides) and a role model with an owner override.
var attrModels = map[string]string{
	"owner_or_role": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch2(r.obj.Path, p.obj) && r.act == p.act || r.obj.Owner == r.sub && r.act == "read"`,
	// root may read everything: a plan without a condition, which must
	// still leave out what Decide refuses (an attribute over the bound).
	"owner_or_root": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == r.obj.Owner && keyMatch(r.obj.Path, "/posts/*") || r.sub == "root"`,
}

type thing struct{ path, owner *string }

// TestProofAttributes: attribute comparisons (r.obj.Owner == r.sub) are
// proved row by row like the object itself, with NULL in either column.
func TestProofAttributes(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join(casbinDir(t), "examples", "abac_model.conf"))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"casbin/abac_model": string(b), "owner_or_role": attrModels["owner_or_role"], "owner_or_root": attrModels["owner_or_root"]}
	str := func(s string) *string { return &s }
	var things []thing
	// Decide refuses a request whose attribute is longer than a request
	// value may be (4096 bytes): so must the plan, row by row.
	long := strings.Repeat("x", 4097)
	paths := []*string{nil, str("/posts/1"), str("/posts/1/x"), str("/posts/%"), str("/drafts/2"), str(""), str("/posts/1\n"), str("/posts/" + long)}
	owners := []*string{nil, str("alice"), str("Alice"), str("alice "), str(""), str("bob"), str("%"), str("ali_e"), str("аlice"), str("alice" + long)}
	for _, p := range paths {
		for _, o := range owners {
			things = append(things, thing{p, o})
		}
	}
	var tables []*attrTable
	for _, bk := range dbtest.Backends() {
		if env := map[string]string{"postgres": dbtest.PostgresEnv, "mysql": dbtest.MySQLEnv}[bk.Name]; env != "" && os.Getenv(env) == "" {
			continue
		}
		tables = append(tables, newAttrTable(t, bk, things))
	}
	cols := sqlfilter.Columns{"obj.Path": "path", "obj.Owner": "owner"}
	for _, name := range []string{"casbin/abac_model", "owner_or_role", "owner_or_root"} {
		t.Run(name, func(t *testing.T) {
			m, err := enforcer.ParseModel(texts[name])
			if err != nil {
				t.Fatal(err)
			}
			e, err := enforcer.New(ctx, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if name == "owner_or_role" {
				if _, err := e.AddRules(ctx, enforcer.P("editor", "/posts/:id", "read", "allow"), enforcer.P("editor", "/posts/:id", "write", "allow"),
					enforcer.P("bob", "/posts/1", "read", "deny"), enforcer.G("bob", "editor")); err != nil {
					t.Fatal(err)
				}
			}
			conditional := 0
			for _, sub := range []string{"alice", "bob", "Alice", "nobody", "", "root"} {
				for _, act := range []string{"read", "write"} {
					req := enforcer.NewRequest(sub, enforcer.Unknown{}, act)
					p, err := e.Plan(ctx, req)
					if err != nil {
						t.Fatalf("%v: %v", req, err)
					}
					if p.Kind == filter.Conditional {
						conditional++
					}
					fields := []string(nil)
					if p.Cond != nil {
						fields = p.Cond.Fields()
					}
					var want []int64
					for i, th := range things {
						obj := map[string]any{}
						vals := map[string]*string{"obj.Path": th.path, "obj.Owner": th.owner}
						if th.path != nil {
							obj["Path"] = *th.path
						}
						if th.owner != nil {
							obj["Owner"] = *th.owner
						}
						d, derr := e.Decide(ctx, enforcer.NewRequest(sub, obj, act))
						allowed := derr == nil && d.Allowed
						// A conditional plan never returns a row with NULL
						// in a mapped column (the one stated narrowing):
						// such a row has no value to ask Decide about.
						null := th.path == nil || th.owner == nil
						if p.Kind == filter.Conditional && null {
							allowed = false
						}
						holds, err := p.Holds(func(f string) (string, bool) {
							if v := vals[f]; v != nil {
								return *v, true
							}
							return "", false
						})
						if holds && slices.ContainsFunc(fields, func(f string) bool { return vals[f] == nil }) {
							t.Fatalf("%v (%s): Holds %v with a NULL tested field", req, p.Cond, holds)
						}
						// Decide refuses an object with any attribute over the
						// bound, which Translate applies to every mapped column.
						untestedLong := slices.ContainsFunc([]string{"obj.Path", "obj.Owner"}, func(f string) bool {
							return !slices.Contains(fields, f) && vals[f] != nil && len(*vals[f]) > 4096
						})
						if null || untestedLong {
							holds = allowed // Holds sees only the fields it tests
						}
						if err != nil || holds != allowed {
							t.Fatalf("%v (%s) on %q/%q: holds %v (%v), want %v (Decide %v)", req, p.Cond, deref(th.path), deref(th.owner), holds, err, allowed, derr)
						}
						if allowed {
							want = append(want, int64(i+1))
						}
					}
					for _, tb := range tables {
						w, err := sqlfilter.Translate(p, tb.d, cols)
						if err != nil {
							t.Fatal(err)
						}
						got := tb.query(t, w)
						if !slices.Equal(got, want) {
							t.Fatalf("%s %v: %s\n%s %q\ngot %v\nwant %v", tb.d, req, p.Cond, w.SQL, w.Args, got, want)
						}
					}
				}
			}
			if conditional == 0 {
				t.Error("no conditional plan")
			}
		})
	}
}

type attrTable struct {
	db dbtest.DB
	d  sqlfilter.Dialect
}

func newAttrTable(t *testing.T, b dbtest.Backend, things []thing) *attrTable {
	t.Helper()
	db := b.Open(t)
	d, _ := sqlfilter.ParseDialect(b.Name)
	col := "TEXT"
	if d == sqlfilter.MySQL {
		col = "VARBINARY(8192)"
	}
	if err := db.Exec("CREATE TABLE things (id INTEGER PRIMARY KEY, path " + col + ", owner " + col + ")").Error; err != nil {
		t.Fatal(err)
	}
	ins := "INSERT INTO things (id, path, owner) VALUES (?, ?, ?)"
	if d == sqlfilter.Postgres {
		ins = "INSERT INTO things (id, path, owner) VALUES ($1, $2, $3)"
	}
	tx := db.Begin()
	for i, th := range things {
		if err := tx.Exec(ins, i+1, th.path, th.owner).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	return &attrTable{db: db, d: d}
}

func (tb *attrTable) query(t *testing.T, w sqlfilter.Where) []int64 {
	t.Helper()
	var ids []int64
	if err := tb.db.Raw(fmt.Sprintf("SELECT id FROM things WHERE %s ORDER BY id", w.SQL), w.Args...).Scan(&ids).Error; err != nil {
		t.Fatalf("%s: %v", w.SQL, err)
	}
	return ids
}
