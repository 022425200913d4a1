package enforcer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/csvpolicy"
	"github.com/wardenhq/warden/internal/rulecases"
)

// TestRuleValueAttacks runs the rule-value attack suite through the
// enforcer's write paths: AddRules, ApplyAdded, and a policy file load,
// which names FILE:LINE and the field (issue 10, items 11, 12, 15).
func TestRuleValueAttacks(t *testing.T) {
	ctx := context.Background()
	modelPath := filepath.Join("..", rulecases.Model)
	for _, tc := range rulecases.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			rule := enforcer.Rule{PType: tc.Rule[0], Values: tc.Values()}
			check := func(path string, err error) {
				t.Helper()
				var re *enforcer.RuleError
				if !errors.Is(err, enforcer.ErrInvalidRule) || !errors.As(err, &re) {
					t.Fatalf("%s: %v; want a *RuleError", path, err)
				}
				if re.Index != tc.Index || re.Field != tc.Field || !strings.Contains(re.Reason, tc.Want) {
					t.Fatalf("%s: value %d, field %s, reason %q; want value %d, field %s, reason with %q",
						path, re.Index, re.Field, re.Reason, tc.Index, tc.Field, tc.Want)
				}
			}
			for _, casbinOnly := range []bool{false, true} {
				var opts []enforcer.Option
				if casbinOnly {
					opts = append(opts, enforcer.WithCasbinEvaluation())
				}
				// A copy: an accepted rule is saved to the file.
				policy := filepath.Join(t.TempDir(), "policy.csv")
				copyFile(t, "../conf/policy.csv", policy)
				e, err := enforcer.NewFromFiles(ctx, modelPath, policy, opts...)
				if err != nil {
					t.Fatal(err)
				}
				before := len(e.Rules(rule.PType))
				_, err = e.AddRules(ctx, rule)
				check("AddRules", err)
				_, err = e.ApplyAdded(rule)
				check("ApplyAdded", err)
				check("CheckRule", e.CheckRule(rule))
				if got := len(e.Rules(rule.PType)); got != before {
					t.Fatalf("%d %s rules after refused writes, want %d", got, rule.PType, before)
				}
			}
			// A policy file holding the rule at line 2 is refused as a whole.
			var buf bytes.Buffer
			good := csvpolicy.Line{PType: "p", Values: []string{"viewer", "/posts", "GET", "allow"}}
			if err := csvpolicy.Write(&buf, []csvpolicy.Line{good, {PType: rule.PType, Values: rule.Values}}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "policy.csv")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := enforcer.NewFromFiles(ctx, modelPath, path)
			check("policy file", err)
			if !strings.Contains(err.Error(), path+":2: ") || !strings.Contains(err.Error(), "field "+tc.Field+": ") {
				t.Fatalf("policy file error %q does not name %s:2 and field %s", err, path, tc.Field)
			}
		})
	}
}

// TestReloadKeepsTheLastGoodPolicy: a policy file that gains a rule with a
// bad value is refused on Reload, and the policy in force is unchanged, on
// the fast path and on Casbin's.
func TestReloadKeepsTheLastGoodPolicy(t *testing.T) {
	ctx := context.Background()
	for _, casbinOnly := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "policy.csv")
		copyFile(t, "../conf/policy.csv", path)
		var opts []enforcer.Option
		if casbinOnly {
			opts = append(opts, enforcer.WithCasbinEvaluation())
		}
		e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", path, opts...)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("p, carol, /posts(, GET, allow\n"); err != nil {
			t.Fatal(err)
		}
		f.Close()
		err = e.Reload(ctx)
		if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "field obj") {
			t.Fatalf("Reload with a bad pattern = %v; want ErrInvalidRule naming field obj", err)
		}
		// Every decision still works with the previous policy.
		for _, req := range [][]any{{"carol", "/posts/1", "GET", true}, {"alice", "/posts/1", "DELETE", true}, {"carol", "/posts", "POST", false}} {
			ok, err := e.Enforce(ctx, req[:3]...)
			if err != nil || ok != req[3] {
				t.Fatalf("casbin=%v %v: %v, %v; want %v", casbinOnly, req[:3], ok, err, req[3])
			}
		}
	}
}

// TestValuesPerFunction: each function's arguments are checked as the
// function reads them, in the position the matcher passes them, on both
// evaluation paths.
func TestValuesPerFunction(t *testing.T) {
	tests := []struct {
		name, matcher string
		obj           string // the p.obj value
		want          string // "" for accepted
	}{
		{"keyMatch3 unclosed group", "keyMatch3(r.obj, p.obj)", "/a/{id}/(", "not a valid keyMatch3 pattern"},
		{"keyMatch3 parameter swallows metacharacters", "keyMatch3(r.obj, p.obj)", "/a/{id(}", ""},
		{"keyMatch5 unclosed class", "keyMatch5(r.obj, p.obj)", "/a/[", "not a valid keyMatch5 pattern"},
		{"keyMatch4 own capture group", "keyMatch4(r.obj, p.obj)", "/a/{id}/(b)", "capture groups of its own"},
		{"keyMatch4 non-capturing group", "keyMatch4(r.obj, p.obj)", "/a/{id}/(?:b)", ""},
		{"keyMatch2 parameter swallows metacharacters", "keyMatch2(r.obj, p.obj)", "/a/:id(", ""},
		{"regexMatch", "regexMatch(r.obj, p.obj)", "^/a/(b", "not a valid regexMatch pattern"},
		{"regexMatch pattern over the size limit", "regexMatch(r.obj, p.obj)", "^/" + strings.Repeat("a", 300) + "$", "over the limit of 256 for a regexMatch pattern"},
		{"regex operator", "r.obj =~ p.obj", "(", "not a valid =~ pattern"},
		{"regexMatch key position is free text", "regexMatch(p.obj, r.obj)", "(", ""},
		{"keyGet2 pattern", "keyGet2(r.obj, p.obj, 'id') != ''", "/a/:id/(", "not a valid keyGet2 pattern"},
		{"globMatch unclosed alternative", "globMatch(r.obj, p.obj)", "/a/{b,c", "not a valid globMatch pattern"},
		{"globMatch unclosed class", "globMatch(r.obj, p.obj)", "/a/[b", "not a valid globMatch pattern"},
		{"globMatch alternatives blow-up", "globMatch(r.obj, p.obj)", strings.Repeat("{a,b}", 7), "combinations of {…} alternatives"},
		{"globMatch ok", "globMatch(r.obj, p.obj)", "/a/**/*.{png,jpg}", ""},
		{"ipMatch CIDR", "ipMatch(r.obj, p.obj)", "10.0.0.0/8", ""},
		{"ipMatch bad CIDR", "ipMatch(r.obj, p.obj)", "10.0.0.0/33", "neither an IP address nor a CIDR"},
		{"ipMatch first argument needs an address", "ipMatch(p.obj, r.obj)", "10.0.0.0/8", "not an IP address"},
		{"a field joined into a pattern is checked as joined", `keyMatch2(r.obj, p.obj + "x")`, "(", `"(x" is not a valid keyMatch2 pattern`},
		{"a field joined after a literal", `regexMatch(r.obj, "^" + p.obj)`, "(", `"^(" is not a valid regexMatch pattern`},
		{"a field joined with a request field counts the request part empty", `keyMatch2(r.obj, p.obj + r.sub)`, "/a(", "not a valid keyMatch2 pattern"},
		{"a joined pattern that compiles", `keyMatch2(r.obj, p.obj + "/*")`, "/a", ""},
		{"a joined pattern over the program limit", `keyMatch2(r.obj, p.obj + "{1000}")`, "/a", "regexp instructions, over the limit"},
		{"pattern read by two functions satisfies both", "keyMatch2(r.obj, p.obj) || ipMatch(r.obj, p.obj)", "/a", "neither an IP address nor a CIDR"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && (" + tt.matcher + ")\n"
			m, err := model.NewModelFromString(text)
			if err != nil {
				t.Fatal(err)
			}
			for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
				e, err := enforcer.New(ctx, m, nil, opts...)
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.AddRules(ctx, enforcer.P("alice", tt.obj))
				switch {
				case tt.want == "" && err != nil:
					t.Fatalf("AddRules(%q) = %v; want accepted", tt.obj, err)
				case tt.want != "" && (!errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "field obj: ") || !strings.Contains(err.Error(), tt.want)):
					t.Fatalf("AddRules(%q) = %v; want ErrInvalidRule naming field obj and %q", tt.obj, err, tt.want)
				}
			}
		})
	}
	t.Run("eval of a policy value must parse", func(t *testing.T) {
		m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = rule, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = eval(p.rule) && r.obj == p.obj\n")
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("r.sub == 'alice' &&", "data1")); !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "field rule: ") {
			t.Fatalf("AddRules with a broken eval rule = %v; want ErrInvalidRule naming field rule", err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("r.sub == 'alice'", "data1")); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.Enforce(ctx, "alice", "data1"); !ok || err != nil {
			t.Fatalf("Enforce = %v, %v; want allow", ok, err)
		}
	})
}

type pathAttr struct {
	Path string
	Tags []string
}

// TestRequestAttributeBounds: a string inside a request value (a struct
// field, a map entry, a slice element) is read by the matcher as a string
// value is (keyMatch2(r.obj.Path, p.obj)), so it is bounded as one: a
// 200 KB Path took seconds per decision against one rule.
func TestRequestAttributeBounds(t *testing.T) {
	ctx := context.Background()
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && keyMatch2(r.obj.Path, p.obj)\n")
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("/a", 2049)
	for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("alice", "/a/*")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			v    any
			name string
		}{
			{pathAttr{Path: big}, "obj.Path"},
			{&pathAttr{Path: big}, "obj.Path"},
			{map[string]any{"Path": big}, `obj["Path"]`},
			{map[string]string{"Path": "/a/b", "x": big}, `obj["x"]`},
			{pathAttr{Path: "/a/b", Tags: []string{"t", big}}, "obj.Tags[1]"},
		} {
			ok, err := e.Enforce(ctx, "alice", tc.v)
			if ok || !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), "field "+tc.name+": 4098 bytes, over the limit of 4096") {
				t.Fatalf("%T with a %d-byte attribute: %v, %v; want ErrInvalidRequest naming %s", tc.v, len(big), ok, err, tc.name)
			}
		}
		for _, v := range []any{pathAttr{Path: "/a/b"}, map[string]any{"Path": "/a/b"}} {
			if ok, err := e.Enforce(ctx, "alice", v); !ok || err != nil {
				t.Fatalf("%T within the limit: %v, %v; want allow", v, ok, err)
			}
		}
	}
}

// TestEvalRuleValues: an eval() rule value is the expression Casbin parses
// and evaluates at every decision that reaches its rule. One that calls a
// function with the wrong number of arguments (g with one panics), reads a
// name that is no field, passes another field of its rule as a pattern
// that field cannot be, or calls eval() itself (which evaluates request
// data: eval(r_obj) allowed a request whose obj was "true") is refused
// when written, naming the field at fault.
func TestEvalRuleValues(t *testing.T) {
	ctx := context.Background()
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = rule, obj\n[role_definition]\ng = _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = eval(p.rule)\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, rule, obj string
		field, want     string // want "" for accepted
	}{
		{"nested eval of a request field", "eval(r.obj)", "x", "rule", "calls eval() itself"},
		{"nested eval of a policy field", "eval(p.obj)", "r.sub == 'alice'", "rule", "calls eval() itself"},
		{"nested eval with spaces", "r.sub == 'a' || eval (r.obj)", "x", "rule", "calls eval() itself"},
		{"eval in a string literal is text", "r.obj == 'eval(x)'", "x", "", ""},
		{"built-in with too few arguments", "keyMatch2(r.obj)", "x", "rule", "calls keyMatch2 with 1 arguments, which takes 2"},
		{"role function with too few arguments", "g(r.sub)", "x", "rule", "calls g with 1 arguments, which takes 2"},
		{"keyGet2 takes three", "keyGet2(r.obj, '/a/:id') == 'x'", "x", "rule", "calls keyGet2 with 2 arguments, which takes 3"},
		{"unknown name", "foo == 1", "x", "rule", "reads foo, which is not a field"},
		{"unknown field", "r.name == 'x'", "x", "rule", "reads r_name, which is not a field"},
		{"another field read as a pattern", "keyMatch2(r.obj, p.obj)", "/a(", "obj", `read by eval() in field rule: "/a(" is not a valid keyMatch2 pattern`},
		{"another field read by the regex operator", "r.obj =~ p.obj", "(", "obj", "not a valid =~ pattern"},
		{"another field joined into a pattern", "regexMatch(r.obj, '^' + p.obj)", "(", "obj", `"^(" is not a valid regexMatch pattern`},
		{"another field that is a good pattern", "keyMatch2(r.obj, p.obj) && g(r.sub, 'admin')", "/a/:id", "", ""},
		{"attributes of a field", "r.sub.Age > 18", "x", "", ""},
		{"a request field as a pattern", "regexMatch(p.obj, r.obj)", "x", "rule", "passes the request field r_obj to regexMatch as its pattern"},
		{"a request field joined into a pattern", "keyMatch2(r.sub, p.obj + r.obj)", "/a", "rule", "passes the request field r_obj to keyMatch2"},
		{"a request field as the regex operand", "p.obj =~ r.obj", "x", "rule", "passes the request field r_obj to =~"},
		{"a request field as the key", "regexMatch(r.obj, '^/a')", "x", "", ""},
		// govaluate panics on it: the write must fail, not crash.
		{"a trailing backslash", `r.sub == 'a' \`, "x", "rule", "backslash at the end"},
		// govaluate would evaluate the first clause only.
		{"a clause nothing joins", "(r.sub == 'alice') (r.obj == 'x')", "x", "rule", "ignores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
				e, err := enforcer.New(ctx, m, nil, opts...)
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.AddRules(ctx, enforcer.P(tt.rule, tt.obj))
				var re *enforcer.RuleError
				switch {
				case tt.want == "" && err != nil:
					t.Fatalf("AddRules(%q, %q) = %v; want accepted", tt.rule, tt.obj, err)
				case tt.want != "" && (!errors.As(err, &re) || re.Field != tt.field || !strings.Contains(re.Reason, tt.want)):
					t.Fatalf("AddRules(%q, %q) = %v; want a *RuleError naming field %s and %q", tt.rule, tt.obj, err, tt.field, tt.want)
				}
			}
		})
	}
	// What the nested eval let in: the request's obj decided.
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("eval(r.obj)", "x")); err == nil {
		if ok, _ := e.Enforce(ctx, "mallory", "true"); ok {
			t.Fatal("a rule value eval(r.obj) let the request decide")
		}
	}
}

// TestLiteralPatterns: a pattern written into the matcher itself, or into
// a rule value that eval() reads, is checked like a rule's pattern.
func TestLiteralPatterns(t *testing.T) {
	ctx := context.Background()
	text := "[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && %s\n"
	for _, matcher := range []string{`keyMatch2(r.obj, "/posts(")`, `regexMatch(r.obj, '^(a')`, `ipMatch(r.obj, "10.0.0.0/33")`} {
		src := fmt.Sprintf(text, matcher)
		if _, err := enforcer.ParseModel(src); !errors.Is(err, enforcer.ErrInvalidModel) {
			t.Fatalf("ParseModel with %s = %v; want ErrInvalidModel", matcher, err)
		}
		m, err := model.NewModelFromString(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := enforcer.New(ctx, m, nil); !errors.Is(err, enforcer.ErrInvalidModel) {
			t.Fatalf("New with %s = %v; want ErrInvalidModel", matcher, err)
		}
	}
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = rule, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = eval(p.rule) && r.obj == p.obj\n")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("keyMatch2(r.sub, '/a(')", "data1")); !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "in eval(): ") {
		t.Fatalf("AddRules with a bad pattern inside an eval rule = %v; want ErrInvalidRule", err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("keyMatch2(r.sub, '/a/:id')", "data1")); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Enforce(ctx, "/a/1", "data1"); !ok || err != nil {
		t.Fatalf("Enforce = %v, %v; want allow", ok, err)
	}
}

const requestEvalModel = `[request_definition]
r = sub, obj, rule
[policy_definition]
p = sub, obj
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.obj == p.obj && eval(r.rule)
`

// TestRequestEvalIsRefused: a matcher that evaluates request data lets the
// caller write the rule ('p.sub == "bob" || true' allows anything); New,
// LoadModel and ParseModel refuse it unless WithRequestEvalUnsafe
// (issue 10, item 13).
func TestRequestEvalIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "model.conf")
	if err := os.WriteFile(path, []byte(requestEvalModel), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.LoadModel(path); !errors.Is(err, enforcer.ErrInvalidModel) || !strings.Contains(err.Error(), "eval(r.rule)") {
		t.Fatalf("LoadModel = %v; want ErrInvalidModel naming eval(r.rule)", err)
	}
	if _, err := enforcer.ParseModel(requestEvalModel); !errors.Is(err, enforcer.ErrInvalidModel) {
		t.Fatalf("ParseModel = %v; want ErrInvalidModel", err)
	}
	for _, matcher := range []string{"eval(r.rule)", "eval(r.sub.Rule)", `eval(r.rule + "")`, "r.obj == p.obj && eval(r2.rule)"} {
		m, err := model.NewModelFromString(strings.Replace(requestEvalModel, "eval(r.rule)", matcher, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := enforcer.New(ctx, m, nil); !errors.Is(err, enforcer.ErrInvalidModel) {
			t.Fatalf("New with %s = %v; want ErrInvalidModel", matcher, err)
		}
	}
	// eval() of a policy value is the policy deciding: accepted.
	if _, err := enforcer.ParseModel(strings.Replace(requestEvalModel, "eval(r.rule)", "eval(p.sub)", 1)); err != nil {
		t.Fatalf("eval(p.sub): %v", err)
	}
	// With the option, the model loads, and the danger is real.
	m, err := enforcer.LoadModel(path, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("bob", "data1")); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Enforce(ctx, "mallory", "data1", `p.sub == "bob" || true`); !ok || err != nil {
		t.Fatalf("Enforce = %v, %v; the unsafe option should let the request decide", ok, err)
	}
}

// TestRequestBounds: string request values over the limit, request values
// the matcher reads as patterns, and request-scoped rules are checked
// before any rule is evaluated, naming the field and the limit
// (issue 10, item 12).
func TestRequestBounds(t *testing.T) {
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", "../conf/policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	long := "/posts/" + strings.Repeat("a", 4096)
	d, err := e.Decide(ctx, enforcer.NewRequest("alice", long, "GET"))
	if !errors.Is(err, enforcer.ErrInvalidRequest) || d.Allowed || !strings.Contains(err.Error(), "field obj: ") || !strings.Contains(err.Error(), "limit of 4096") {
		t.Fatalf("Decide with a %d-byte path = %v, %v; want ErrInvalidRequest naming obj and the limit", len(long), d, err)
	}
	scoped := enforcer.NewRequest("alice", "/posts/1", "GET")
	scoped.Policies = [][]string{{"alice", "/x(", "GET", "allow"}}
	d, err = e.Decide(ctx, scoped)
	if !errors.Is(err, enforcer.ErrInvalidRequest) || d.Allowed || !strings.Contains(err.Error(), "field obj: ") {
		t.Fatalf("Decide with a bad request-scoped pattern = %v, %v; want ErrInvalidRequest naming obj", d, err)
	}
	small, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", "../conf/policy.csv", enforcer.WithLimits(enforcer.Limits{RequestValue: 8}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Enforce(ctx, "alice", "/posts/12", "GET"); !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), "limit of 8") {
		t.Fatalf("Enforce over a configured limit of 8 = %v", err)
	}
	// A request value the matcher reads as a pattern is checked like a
	// rule's pattern, on both paths.
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && regexMatch(p.obj, r.obj)\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("alice", "/posts/1")); err != nil {
			t.Fatal(err)
		}
		for _, pat := range []string{"(", "(a{30}){30}"} {
			if ok, err := e.Enforce(ctx, "alice", pat); ok || !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), "field obj: ") {
				t.Fatalf("request pattern %q: %v, %v; want ErrInvalidRequest naming obj", pat, ok, err)
			}
		}
		if ok, err := e.Enforce(ctx, "alice", "^/posts/[0-9]+$"); !ok || err != nil {
			t.Fatalf("good request pattern: %v, %v", ok, err)
		}
	}
	// A request value joined into a pattern is checked as the joined
	// pattern, with the policy's part counted empty.
	m, err = model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && regexMatch(p.obj, \"^\" + r.obj)\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("alice", "/posts/1")); err != nil {
			t.Fatal(err)
		}
		for _, pat := range []string{"(", "(a{30}){30}"} {
			if ok, err := e.Enforce(ctx, "alice", pat); ok || !errors.Is(err, enforcer.ErrInvalidRequest) || !strings.Contains(err.Error(), `field obj: "^`) {
				t.Fatalf("joined request pattern %q: %v, %v; want ErrInvalidRequest naming obj and the joined pattern", pat, ok, err)
			}
		}
		if ok, err := e.Enforce(ctx, "alice", "/posts/[0-9]+$"); !ok || err != nil {
			t.Fatalf("good joined request pattern: %v, %v", ok, err)
		}
	}
}
