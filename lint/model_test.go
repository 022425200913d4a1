package lint_test

import (
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/lint"
)

func TestModel(t *testing.T) {
	good, err := os.ReadFile("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"clean", string(good), nil},
		{"clean with a byte order mark", "\xef\xbb\xbf" + string(good), nil},
		{"flagged", strings.Replace(string(good), "&& keyMatch2(r.obj", "&& keyMatch9(r.obj", 1), []string{
			"model.conf:38: m: unknown function keyMatch9: not a Casbin built-in or a role definition; a function of your own must be registered in code with enforcer.WithFunction(\"keyMatch9\", fn), which the linter cannot see",
		}},
		{"attribute of a policy value", strings.Replace(string(good), "&& keyMatch2(r.obj, p.obj)", "&& keyMatch2(r.obj, p.obj) && p.obj.Owner == r.sub", 1), []string{
			"model.conf:38: m: p.obj.Owner: policy values are strings, so p.obj has no attribute Owner",
		}},
		{"attribute of a request value", strings.Replace(string(good), "&& keyMatch2(r.obj, p.obj)", "&& keyMatch2(r.obj.Path, p.obj)", 1), nil},
		{"empty", "", []string{
			"model.conf:1: missing r = ... in [request_definition], which Casbin requires",
			"model.conf:1: missing p = ... in [policy_definition], which Casbin requires",
			"model.conf:1: missing e = ... in [policy_effect], which Casbin requires",
			"model.conf:1: missing m = ... in [matchers], which Casbin requires",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range lint.Model("model.conf", []byte(tt.src)) {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// FuzzModel checks that linting any model text never panics (the enforcer
// lints every model it loads) and that every problem has a line.
func FuzzModel(f *testing.F) {
	for _, p := range []string{"../conf/model.conf", "../models/abac.conf", "../models/rbac_domains.conf", "testdata/sections/model.conf", "testdata/matcher/model.conf"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[matchers]\nm = g(\"\\\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		probs := lint.Model("fuzz.conf", src)
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %v", p)
			}
		}
	})
}
