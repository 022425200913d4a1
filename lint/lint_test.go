package lint_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/lint"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.txt from the current output")

// TestGolden lints every testdata/<case>/model.conf (with policy.csv when
// present) and compares the output with want.txt.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			modelPath := filepath.Join(dir, "model.conf")
			policyPath := filepath.Join(dir, "policy.csv")
			if _, err := os.Stat(policyPath); err != nil {
				policyPath = ""
			}
			probs, err := lint.Check(modelPath, policyPath)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, p := range probs {
				b.WriteString(p.String() + "\n")
			}
			wantPath := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantPath, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestShippedFilesAreClean keeps the embedded models, their fixtures and the
// default configuration free of lint findings.
func TestShippedFilesAreClean(t *testing.T) {
	pairs := [][2]string{{"../conf/model.conf", "../conf/policy.csv"}}
	models, err := filepath.Glob("../models/*.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(models) == 0 {
		t.Fatal("no embedded models found")
	}
	for _, m := range models {
		name := strings.TrimSuffix(filepath.Base(m), ".conf")
		pairs = append(pairs, [2]string{m, filepath.Join("../models/testdata", name+".csv")})
	}
	for _, p := range pairs {
		probs, err := lint.Check(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range probs {
			t.Errorf("%s", pr)
		}
	}
}

func TestCheckUnreadableFiles(t *testing.T) {
	if _, err := lint.Check(filepath.Join(t.TempDir(), "missing.conf"), ""); !os.IsNotExist(err) {
		t.Errorf("missing model: error %v, want not-exist", err)
	}
	if _, err := lint.Check("../conf/model.conf", filepath.Join(t.TempDir(), "missing.csv")); !os.IsNotExist(err) {
		t.Errorf("missing policy: error %v, want not-exist", err)
	}
}

func TestPolicyAgainstBrokenModel(t *testing.T) {
	// With no usable model the policy is still checked for syntax and
	// nothing that needs the model is claimed.
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.conf")
	policyPath := filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(modelPath, []byte("[request_definition]\nr = sub\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policyPath, []byte("p, a\np, \"b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	probs, err := lint.Check(modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		modelPath + ":1: missing p = ... in [policy_definition], which Casbin requires",
		modelPath + ":1: missing e = ... in [policy_effect], which Casbin requires",
		modelPath + ":1: missing m = ... in [matchers], which Casbin requires",
		policyPath + `:2: syntax error: extraneous or missing " in quoted-field at column 6`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFlaggedEffectFailsInCasbin shows the effect lint rejects really fails
// at decision time.
func TestFlaggedEffectFailsInCasbin(t *testing.T) {
	e, err := casbin.NewEnforcer("testdata/effect/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicy("alice", "/posts", "GET", "allow"); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Enforce("alice", "/posts", "GET"); err == nil {
		t.Fatalf("Enforce = %v with no error; lint's effect finding would be wrong", ok)
	}
}

// TestCasbinFacts backs two findings with Casbin v2.135's own behaviour:
// timeMatch is not a matcher function, and a p line cannot leave out eft.
func TestCasbinFacts(t *testing.T) {
	t.Run("timeMatch is unknown to matchers", func(t *testing.T) {
		m, err := model.NewModelFromString(`
[request_definition]
r = sub
[policy_definition]
p = sub
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && timeMatch("_", "_")
`)
		if err != nil {
			t.Fatal(err)
		}
		e, err := casbin.NewEnforcer(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddPolicy("alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Enforce("alice"); err == nil {
			t.Fatal("Casbin evaluated timeMatch; lint must accept it")
		}
	})
	t.Run("eft cannot be omitted", func(t *testing.T) {
		e, err := casbin.NewEnforcer("../conf/model.conf")
		if err != nil {
			t.Fatal(err)
		}
		if err := persist.LoadPolicyLine("p, viewer, /posts, GET", e.GetModel()); err == nil {
			t.Fatal("Casbin loaded a p line without eft; lint must accept it")
		}
		if err := persist.LoadPolicyLine("p, viewer, /posts, GET, allow", e.GetModel()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("g without its domain never matches", func(t *testing.T) {
		e, err := casbin.NewEnforcer("testdata/patterns/model.conf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddPolicy("admin", "t1", "10.0.0.0/8", "GET"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddGroupingPolicy("alice", "admin", "t1"); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.Enforce("alice", "t1", "10.1.2.3", "GET"); ok || err != nil {
			t.Fatalf("Enforce = %v, %v; want a silent deny", ok, err)
		}
		if ok, err := e.Enforce("admin", "t1", "10.1.2.3", "GET"); !ok || err != nil {
			t.Fatalf("control: Enforce = %v, %v; want allow", ok, err)
		}
	})
	t.Run("a bad regexMatch pattern breaks decisions", func(t *testing.T) {
		e, err := casbin.NewEnforcer("testdata/patterns/model.conf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddPolicy("admin", "t1", "10.0.0.0/8", "(GET"); err != nil {
			t.Fatal(err)
		}
		failed := func() (failed bool) {
			defer func() {
				if recover() != nil {
					failed = true
				}
			}()
			_, err := e.Enforce("admin", "t1", "10.1.2.3", "GET")
			return err != nil
		}()
		if !failed {
			t.Fatal("Casbin decided with a malformed regexMatch pattern; lint must accept it")
		}
	})
}

// A huge line is reported, not echoed: the message stays short.
func TestHugeLineMessageIsShort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.conf")
	huge := append([]byte("[request_definition]\nr = sub, obj, act\n"), bytes.Repeat([]byte("x"), 10<<20)...)
	if err := os.WriteFile(path, huge, 0o600); err != nil {
		t.Fatal(err)
	}
	probs, err := lint.Check(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) == 0 {
		t.Fatal("no problem reported for a 10 MB garbage line")
	}
	for _, p := range probs {
		if len(p.String()) > 1024 {
			t.Fatalf("problem message is %d bytes long", len(p.String()))
		}
	}
}

// TestSyntaxFindingsAreCasbins backs the findings of testdata/syntax with
// Casbin v2.135's own behaviour: each matcher, with the rule p, alice,
// data1, read (café for m4), fails to evaluate or decides otherwise than it
// reads.
func TestSyntaxFindingsAreCasbins(t *testing.T) {
	const head = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n" +
		"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = "
	cases := []struct {
		matcher string
		obj     string
		req     []any
		want    string // "error", or the decision
	}{
		{"r.sub == p.sub && r.obj == `data1`", "data1", []any{"alice", "data1", "read"}, "error"},
		{`r.sub == p.sub && r.act == "it's"`, "data1", []any{"alice", "data1", "it's"}, "error"},
		// The act is ignored: write is allowed by a read rule.
		{"(r.sub == p.sub && r.obj == p.obj) (r.act == p.act)", "data1", []any{"alice", "data1", "write"}, "true"},
		// The literal is not "café" any more.
		{`r.sub == p.sub && r.obj == "café"`, "café", []any{"alice", "café", "read"}, "false"},
		{`r.sub == p.sub && (r.act == "a" ?r.obj : p.obj) == p.obj`, "data1", []any{"alice", "data1", "a"}, "error"},
	}
	for _, c := range cases {
		m, err := model.NewModelFromString(head + c.matcher + "\n")
		if err != nil {
			t.Fatal(err)
		}
		e, err := casbin.NewEnforcer(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddPolicy("alice", c.obj, "read"); err != nil {
			t.Fatal(err)
		}
		got := func() string {
			defer func() { _ = recover() }()
			ok, err := e.Enforce(c.req...)
			if err != nil {
				return "error"
			}
			return fmt.Sprint(ok)
		}()
		if got != c.want {
			t.Errorf("%s: Casbin %s, want %s", c.matcher, got, c.want)
		}
	}
}
