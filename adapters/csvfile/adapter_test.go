package csvfile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/adapters/csvfile"
)

const rbacDenyModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

func newModel(t *testing.T, text string) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func policyCount(m model.Model) int {
	n := 0
	for _, sec := range []string{"p", "g"} {
		for _, ast := range m[sec] {
			n += len(ast.Policy)
		}
	}
	return n
}

func TestLoadPolicyRejectsAgainstModel(t *testing.T) {
	conditional := rbacDenyModel + "\n[role_definition]\ng = _, _\ng2 = _, _, (_, _)\n"
	tests := []struct {
		name    string
		model   string
		in      string
		wantErr error
		wantMsg string // without the "PATH:" prefix
	}{
		{"p with too few fields", rbacDenyModel, "p, alice, /posts, GET, allow\n\np, bob, /posts, GET\n", csvfile.ErrFieldCount,
			"3: wrong number of fields: ptype p expects 4 fields (sub, obj, act, eft), got 3"},
		{"p with too many fields", rbacDenyModel, "p, bob, /posts, GET, allow, extra\n", csvfile.ErrFieldCount,
			"1: wrong number of fields: ptype p expects 4 fields (sub, obj, act, eft), got 5"},
		{"g with too few fields", rbacDenyModel, "g, alice\n", csvfile.ErrFieldCount,
			"1: wrong number of fields: ptype g expects 2 fields (_, _), got 1"},
		{"g with a stray domain", rbacDenyModel, "g, alice, editor, tenant1\n", csvfile.ErrFieldCount,
			"1: wrong number of fields: ptype g expects 2 fields (_, _), got 3"},
		{"conditional g beyond its parameters", conditional, "g2, a, b, 1, 2, 3\n", csvfile.ErrFieldCount,
			"1: wrong number of fields: ptype g2 expects 4 fields (_, _, (_, _)), got 5"},
		// Casbin refuses a conditional link without its parameters when
		// it builds the role links ("grouping policy elements do not meet
		// role definition"); the file's line says so first.
		{"conditional g without its parameters", conditional, "g2, a, b\n", csvfile.ErrFieldCount,
			"1: wrong number of fields: ptype g2 expects 4 fields (_, _, (_, _)), got 2"},
		{"ptype not in the model", rbacDenyModel, "p, a, b, c, allow\np2, a, b\n", csvfile.ErrUnknownPType,
			`2: field ptype: unknown ptype: "p2" is not defined by the model (defined: p, g)`},
		{"syntax error after good lines", rbacDenyModel, "p, a, b, c, allow\ng, a, b\np, \"x\n", csvfile.ErrSyntax,
			`3: syntax error: extraneous or missing " in quoted-field at column 6`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.in)
			m := newModel(t, tt.model)
			err := csvfile.New(path).LoadPolicy(m)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v is not %v", err, tt.wantErr)
			}
			if want := path + ":" + tt.wantMsg; err.Error() != want {
				t.Errorf("message\n got %s\nwant %s", err, want)
			}
			// All or nothing: the good lines before the bad one were not added.
			if n := policyCount(m); n != 0 {
				t.Errorf("model holds %d rules after a failed load", n)
			}
		})
	}
}

func TestLoadPolicyAcceptsConditionalParams(t *testing.T) {
	m := newModel(t, rbacDenyModel+"\n[role_definition]\ng = _, _\ng2 = _, _, (_, _)\n")
	path := writeFile(t, "g2, a, b, _, _\ng2, c, d, 2026-01-01, 2027-01-01\n")
	if err := csvfile.New(path).LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	if n := len(m["g"]["g2"].Policy); n != 2 {
		t.Fatalf("%d g2 rules, want 2", n)
	}
}

func TestLoadPolicyMissingFile(t *testing.T) {
	err := csvfile.New(filepath.Join(t.TempDir(), "nope.csv")).LoadPolicy(newModel(t, rbacDenyModel))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %v, want os.ErrNotExist", err)
	}
}

func TestEnforcerWithAdapter(t *testing.T) {
	path := writeFile(t, "\xef\xbb\xbf# team\r\np, editor, /posts, write, allow\r\ng, alice, editor\r\np, alice, /posts, write, allow\np, alice, /posts, write, allow\n")
	e, err := casbin.NewEnforcer(newModel(t, rbacDenyModel), csvfile.New(path))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce("alice", "/posts", "write"); !ok {
		t.Fatal("alice cannot write /posts")
	}
	rules, err := e.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rules); got != 2 {
		t.Fatalf("%d p rules, want 2 (duplicates skipped)", got)
	}
}

// TestWritesPersist checks that an enforcer's changes reach the file and
// that a second enforcer reading the file sees them.
func TestWritesPersist(t *testing.T) {
	const original = "# Editors write posts.\np, editor, /posts, write, allow\ng, alice, editor\n# Bob reads.\np, bob, /posts, read, allow"
	path := writeFile(t, original)
	ad := csvfile.New(path)
	e, err := casbin.NewEnforcer(newModel(t, rbacDenyModel), ad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicy("alice", "/posts", "write", "deny"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicies([][]string{{"carol", "/a, b", "read", "allow"}, {"dave", `say "x"`, "read", "allow"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddGroupingPolicy("bob", "editor"); err != nil {
		t.Fatal(err)
	}
	want := original + "\np, alice, /posts, write, deny\np, carol, \"/a, b\", read, allow\np, dave, \"say \"\"x\"\"\", read, allow\ng, bob, editor\n"
	if got := readFile(t, path); got != want {
		t.Fatalf("after adds:\n%s\nwant:\n%s", got, want)
	}

	if _, err := e.RemovePolicy("bob", "/posts", "read", "allow"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RemoveFilteredGroupingPolicy(0, "alice"); err != nil {
		t.Fatal(err)
	}
	want = "# Editors write posts.\np, editor, /posts, write, allow\n# Bob reads.\np, alice, /posts, write, deny\np, carol, \"/a, b\", read, allow\np, dave, \"say \"\"x\"\"\", read, allow\ng, bob, editor\n"
	if got := readFile(t, path); got != want {
		t.Fatalf("after removes:\n%s\nwant:\n%s", got, want)
	}

	e2, err := casbin.NewEnforcer(newModel(t, rbacDenyModel), csvfile.New(path))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := e2.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rules), 4; got != want {
		t.Fatalf("reloaded %d p rules, want %d", got, want)
	}
	if ok, _ := e2.Enforce("bob", "/posts", "write"); !ok {
		t.Error("reloaded: bob (editor) cannot write /posts")
	}
	if ok, _ := e2.Enforce("carol", "/a, b", "read"); !ok {
		t.Error("reloaded: quoted object lost")
	}
}

func TestSavePolicyAtomicAndKeepsMode(t *testing.T) {
	path := writeFile(t, "p, a, b, c, allow\n")
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(newModel(t, rbacDenyModel), csvfile.New(path))
	if err != nil {
		t.Fatal(err)
	}
	e.EnableAutoSave(false)
	if _, err := e.AddGroupingPolicy("alice", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicy("admin", " spaced ", "read", "deny"); err != nil {
		t.Fatal(err)
	}
	if err := e.SavePolicy(); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, path), "p, a, b, c, allow\np, admin, \" spaced \", read, deny\ng, alice, admin\n"; got != want {
		t.Fatalf("saved:\n%s\nwant:\n%s", got, want)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSavePolicyRefusesUnstorableValue(t *testing.T) {
	path := writeFile(t, "p, a, b, c, allow\n")
	m := newModel(t, rbacDenyModel)
	if err := m.AddPolicy("p", "p", []string{"a", "line\nbreak", "c", "allow"}); err != nil {
		t.Fatal(err)
	}
	err := csvfile.New(path).SavePolicy(m)
	if !errors.Is(err, csvfile.ErrValue) {
		t.Fatalf("error %v, want ErrValue", err)
	}
	if !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("error %q does not name the file", err)
	}
	if got := readFile(t, path); got != "p, a, b, c, allow\n" {
		t.Errorf("file changed by a failed save: %q", got)
	}
	if err := csvfile.New(path).AddPolicy("p", "p", []string{"a\x00", "b", "c", "allow"}); !errors.Is(err, csvfile.ErrValue) {
		t.Errorf("AddPolicy with NUL: error %v, want ErrValue", err)
	}
}

func TestRemoveRefusesBrokenFile(t *testing.T) {
	const broken = "p, a, b, c, allow\np, \"x\n"
	path := writeFile(t, broken)
	err := csvfile.New(path).RemovePolicy("p", "p", []string{"a", "b", "c", "allow"})
	if !errors.Is(err, csvfile.ErrSyntax) {
		t.Fatalf("error %v, want ErrSyntax", err)
	}
	if got := readFile(t, path); got != broken {
		t.Errorf("broken file rewritten: %q", got)
	}
}

func TestContextMethodsRefuseDoneContext(t *testing.T) {
	path := writeFile(t, "p, a, b, c, allow\n")
	ad := csvfile.New(path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := newModel(t, rbacDenyModel)
	errs := []error{
		ad.LoadPolicyCtx(ctx, m),
		ad.SavePolicyCtx(ctx, m),
		ad.AddPolicyCtx(ctx, "p", "p", []string{"x", "y", "z", "allow"}),
		ad.RemovePolicyCtx(ctx, "p", "p", []string{"a", "b", "c", "allow"}),
		ad.RemoveFilteredPolicyCtx(ctx, "p", "p", 0, "a"),
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d: error %v, want context.Canceled", i, err)
		}
	}
	if got := readFile(t, path); got != "p, a, b, c, allow\n" {
		t.Errorf("file changed: %q", got)
	}
	if err := ad.LoadPolicyCtx(context.Background(), m); err != nil || policyCount(m) != 1 {
		t.Errorf("LoadPolicyCtx: %v, %d rules", err, policyCount(m))
	}
}

// TestConcurrentAppendAndLoad runs appends and full loads at once: every
// load must see whole lines only.
func TestConcurrentAppendAndLoad(t *testing.T) {
	path := writeFile(t, "p, a, b, c, allow\n")
	ad := csvfile.New(path)
	const writers, perWriter = 4, 50
	done := make(chan error, writers+1)
	for w := 0; w < writers; w++ {
		go func() {
			for i := 0; i < perWriter; i++ {
				if err := ad.AddPolicy("p", "p", []string{fmt.Sprintf("user%d-%d", w, i), strings.Repeat("/x", 200), "read", "allow"}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 100; i++ {
			if err := ad.LoadPolicy(newModel(t, rbacDenyModel)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < writers+1; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	m := newModel(t, rbacDenyModel)
	if err := ad.LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	if got, want := policyCount(m), 1+writers*perWriter; got != want {
		t.Fatalf("%d rules, want %d", got, want)
	}
}
