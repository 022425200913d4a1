package parity_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

const rbacModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && r.act == p.act`

var rbacRules = []enforcer.Rule{
	enforcer.P("admin", "/admin/*", "GET"),
	enforcer.P("editor", "/posts/:id", "POST"),
	enforcer.P("bob", "/users/:id/profile", "GET"),
	enforcer.G("alice", "admin"),
	enforcer.G("admin", "editor"),
	enforcer.G("carol", "editor"),
}

func TestRunAgreesOnAModelOnTheIndex(t *testing.T) {
	rep, err := parity.Run(context.Background(), parity.Config{Model: rbacModel, Rules: rbacRules, Requests: 500, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Equal() || !rep.FastPath || rep.Requests != 500 || rep.Seed != 7 {
		t.Fatalf("report %+v", rep)
	}
	// The requests reach the rules: a comparison of denials only would
	// prove little.
	if rep.Allowed < 50 || rep.Denied < 50 || rep.Allowed+rep.Denied+rep.Failed != rep.Requests {
		t.Fatalf("allowed %d, denied %d, failed %d of %d", rep.Allowed, rep.Denied, rep.Failed, rep.Requests)
	}
}

// wrong wraps Warden's enforcer and changes its answer where change says.
type wrong struct {
	e      *enforcer.Enforcer
	change func(req enforcer.Request, x *enforcer.Explanation) error
}

func (w wrong) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	x, err := w.Explain(ctx, req)
	return x.Decision, err
}

func (w wrong) Explain(ctx context.Context, req enforcer.Request) (enforcer.Explanation, error) {
	x, err := w.e.Explain(ctx, req)
	if err != nil {
		return x, err
	}
	return x, w.change(req, &x)
}

// TestRunReportsEveryDifference injects deciders that are wrong in one way
// each: every request they answer wrongly is reported, with its kind, and
// no other.
func TestRunReportsEveryDifference(t *testing.T) {
	isAlice := func(req enforcer.Request) bool { return req.Values[0] == "alice" }
	tests := []struct {
		kind   parity.Kind
		change func(req enforcer.Request, x *enforcer.Explanation) error
	}{
		{parity.KindDecision, func(req enforcer.Request, x *enforcer.Explanation) error {
			if isAlice(req) {
				x.Allowed = !x.Allowed
			}
			return nil
		}},
		{parity.KindRule, func(req enforcer.Request, x *enforcer.Explanation) error {
			if isAlice(req) && x.Allowed {
				x.Rule = enforcer.P("admin", "/elsewhere", "GET")
			}
			return nil
		}},
		{parity.KindChain, func(req enforcer.Request, x *enforcer.Explanation) error {
			if isAlice(req) && x.Allowed {
				x.Chain = []string{"alice", "editor"} // skips admin: no such link
			}
			return nil
		}},
		{parity.KindError, func(req enforcer.Request, x *enforcer.Explanation) error {
			if isAlice(req) {
				return errors.New("injected")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			var wrongs []string // the requests answered wrongly
			cfg := parity.Config{Model: rbacModel, Rules: rbacRules, Requests: 400, Seed: 3,
				Decider: func(e *enforcer.Enforcer) enforcer.Decider {
					return wrong{e, func(req enforcer.Request, x *enforcer.Explanation) error {
						before := *x
						before.Chain = slices.Clone(x.Chain)
						err := tt.change(req, x)
						if err != nil || !reflect.DeepEqual(before, *x) {
							wrongs = append(wrongs, fmt.Sprint(req.Values))
						}
						return err
					}}
				}}
			rep, err := parity.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(wrongs) == 0 {
				t.Fatal("no request was answered wrongly: the test proves nothing")
			}
			var got []string
			for _, d := range rep.Diffs {
				if d.Kind != tt.kind {
					t.Errorf("%v: kind %s, want %s", d.Request, d.Kind, tt.kind)
				}
				got = append(got, fmt.Sprint(d.Request))
			}
			if !slices.Equal(got, wrongs) {
				t.Fatalf("reported %d requests, %d were answered wrongly\nreported: %v\nwrong: %v", len(got), len(wrongs), got, wrongs)
			}
			if rep.Equal() {
				t.Fatal("Equal with differences")
			}
		})
	}
}

// TestSetupCasbinFindsALiteralPattern: a role link written as a pattern
// (g2, /book/:id, book) is a pattern to Casbin only with the matching
// function registered; Warden, which cannot register one yet, takes it
// literally. With the function on Casbin's side the harness finds the
// requests that tell them apart.
func TestSetupCasbinFindsALiteralPattern(t *testing.T) {
	text := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act`
	rules := []enforcer.Rule{
		enforcer.P("reader", "book", "GET"),
		enforcer.G("alice", "reader"),
		{PType: "g2", Values: []string{"/book/:id", "book"}},
	}
	cfg := parity.Config{Model: text, Rules: rules, Requests: 300, Seed: 1}
	rep, err := parity.Run(context.Background(), cfg)
	if err != nil || !rep.Equal() {
		t.Fatalf("without the function: %+v, %v", rep, err)
	}
	cfg.SetupCasbin = func(c *casbin.Enforcer) error {
		c.AddNamedMatchingFunc("g2", "keyMatch2", util.KeyMatch2)
		return c.BuildRoleLinks()
	}
	rep, err = parity.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diffs) == 0 {
		t.Fatal("Casbin with keyMatch2 on g2 and Warden without it found equal")
	}
	for _, d := range rep.Diffs {
		if d.Kind != parity.KindDecision || !d.Casbin.Allowed || d.Warden.Allowed {
			t.Errorf("%+v: want Casbin to allow what Warden denies", d)
		}
	}
}

func TestRequestsAreDeterministic(t *testing.T) {
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	a := parity.Requests(m, rbacRules, parity.RequestOptions{N: 300, Seed: 11})
	b := parity.Requests(m, rbacRules, parity.RequestOptions{N: 300, Seed: 11})
	c := parity.Requests(m, rbacRules, parity.RequestOptions{N: 300, Seed: 12})
	if len(a) != 300 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different requests (%d)", len(a))
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("another seed, the same requests")
	}
}

// TestRequestsReachTheBoundaries: the generated requests hold the values
// that decide: pattern instances and near misses, members of roles, the
// longest value Warden accepts and none longer, the empty string, non-ASCII.
func TestRequestsReachTheBoundaries(t *testing.T) {
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	reqs := parity.Requests(m, rbacRules, parity.RequestOptions{N: 2000, Seed: 1, MaxValue: 300})
	seen := map[int]map[string]bool{0: {}, 1: {}, 2: {}}
	for _, r := range reqs {
		for i, v := range r {
			s := v.(string)
			if len(s) > 300 {
				t.Fatalf("a value of %d bytes, over MaxValue", len(s))
			}
			seen[i][s] = true
		}
	}
	for i, want := range map[int][]string{
		0: {"alice", "admin", "carol", "bob", "editor", ""},
		1: {"/admin/", "/admin", "/admin/x/y", "/posts/1", "/posts/", "/users/1/profile", "/posts/:id", ""},
		2: {"GET", "POST", "get"},
	} {
		for _, w := range want {
			if !seen[i][w] {
				t.Errorf("field %d: no request with %q", i, w)
			}
		}
	}
	var long, unicode bool
	for s := range seen[1] {
		long = long || len(s) == 300
		unicode = unicode || utf8.RuneCountInString(s) < len(s)
	}
	if !long || !unicode {
		t.Errorf("objects: one of the longest accepted %v, non-ASCII %v", long, unicode)
	}
}

// TestRequestsOfAttributes: a field whose attributes the matcher or an
// eval() rule reads is a map of them, with the literals they are compared
// with.
func TestRequestsOfAttributes(t *testing.T) {
	text := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.obj.Owner == r.sub.Name && r.act == p.act`
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	rules := []enforcer.Rule{enforcer.P("r.sub.Age >= 18 && r.sub.Role == 'staff'", "doc", "read")}
	var ages []any
	roles := map[any]bool{}
	for _, r := range parity.Requests(m, rules, parity.RequestOptions{N: 300, Seed: 1}) {
		sub, ok := r[0].(map[string]any)
		if !ok {
			t.Fatalf("subject %#v is not a map of attributes", r[0])
		}
		if _, ok := r[1].(map[string]any); !ok {
			t.Fatalf("object %#v is not a map of attributes", r[1])
		}
		ages = append(ages, sub["Age"])
		roles[sub["Role"]] = true
	}
	for _, age := range []any{17.0, 18.0, 19.0} {
		if !slices.Contains(ages, age) {
			t.Errorf("no subject of Age %v", age)
		}
	}
	if !roles["staff"] {
		t.Error("no subject of Role staff")
	}
	rep, err := parity.Run(context.Background(), parity.Config{Model: text, Rules: rules, Requests: 300, Seed: 1})
	if err != nil || !rep.Equal() || rep.Allowed == 0 {
		t.Fatalf("%+v, %v", rep, err)
	}
}

func TestRunRefusals(t *testing.T) {
	ctx := context.Background()
	custom := strings.Replace(rbacModel, "keyMatch2(r.obj, p.obj)", "myMatch(r.obj, p.obj)", 1)
	_, err := parity.Run(ctx, parity.Config{Model: custom, Rules: rbacRules})
	var le *parity.LoadError
	if !errors.As(err, &le) || le.Side != parity.Warden || !strings.Contains(err.Error(), "unknown function myMatch") {
		t.Fatalf("custom function: %v", err)
	}
	bad := append(slices.Clone(rbacRules), enforcer.P("x", "/a\u200b", "GET"))
	if _, err := parity.Run(ctx, parity.Config{Model: rbacModel, Rules: bad}); !errors.As(err, &le) || le.Side != parity.Warden || !errors.Is(err, enforcer.ErrInvalidRule) {
		t.Fatalf("a rule value keyMatch2 cannot read: %v", err)
	}
	if _, err := parity.Run(ctx, parity.Config{ModelFile: "m.conf"}); err == nil || errors.As(err, &le) {
		t.Fatalf("a model file without a policy file: %v", err)
	}
	if _, err := parity.Run(ctx, parity.Config{Model: rbacModel, Requests: -1}); err == nil {
		t.Fatal("negative requests accepted")
	}
}

// TestRunFiles compares files as each side reads them.
func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	modelFile, policyFile := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	var policy strings.Builder
	for _, r := range rbacRules {
		fmt.Fprintln(&policy, r)
	}
	if err := os.WriteFile(modelFile, []byte(rbacModel), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policyFile, []byte(policy.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := parity.Run(context.Background(), parity.Config{ModelFile: modelFile, PolicyFile: policyFile, Requests: 200})
	if err != nil || !rep.Equal() || rep.Allowed == 0 {
		t.Fatalf("%+v, %v", rep, err)
	}
	// Warden's errors name the file and line.
	if err := os.WriteFile(policyFile, []byte("p, admin, /a/*, GET\np, x, y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = parity.Run(context.Background(), parity.Config{ModelFile: modelFile, PolicyFile: policyFile})
	var le *parity.LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), policyFile+":2:") {
		t.Fatalf("short rule: %v", err)
	}
}

// TestRunFilesWithSpaceBeforeAComma: Casbin reads "p, alice , /a" as
// subject "alice " and a reader that trimmed it allowed alice where Casbin
// denies. Warden reads the line as Casbin does and refuses the value with
// FILE:LINE and the field, so no accepted file is read differently; the
// same rules written without the space are equal on both sides.
func TestRunFilesWithSpaceBeforeAComma(t *testing.T) {
	dir := t.TempDir()
	modelFile, policyFile := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(modelFile, []byte(rbacModel), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, field string }{
		{"p, alice , /a/*, GET", "sub"},
		{"p, alice, /a/* , GET", "obj"},
		{`p, alice, " /a/*", GET`, "obj"},
		{"g, bob , admin", "member"},
	} {
		if err := os.WriteFile(policyFile, []byte("p, admin, /a/*, GET\n"+tc.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := parity.Run(context.Background(), parity.Config{ModelFile: modelFile, PolicyFile: policyFile, Requests: 200})
		var le *parity.LoadError
		if !errors.As(err, &le) || le.Side != parity.Warden || !errors.Is(err, enforcer.ErrInvalidRule) ||
			!strings.Contains(err.Error(), policyFile+":2:") || !strings.Contains(err.Error(), "field "+tc.field+": ") ||
			!strings.Contains(err.Error(), "leading or trailing space") {
			t.Errorf("%q: %v; want Warden's refusal naming %s:2 and field %s", tc.line, err, policyFile, tc.field)
		}
	}
	if err := os.WriteFile(policyFile, []byte("p, admin, /a/*, GET\np,  alice,\t/a/*,   GET   \ng,bob,admin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := parity.Run(context.Background(), parity.Config{ModelFile: modelFile, PolicyFile: policyFile, Requests: 200})
	if err != nil || !rep.Equal() || rep.Allowed == 0 || len(rep.PolicyDiffs) > 0 {
		t.Fatalf("space after commas only: %+v, %v", rep, err)
	}
}

// TestRunWithDefinitions compares a model with two definitions, each
// request asked with its Config.Definitions choice on both sides: equal as
// it is, and every request of the second choice reported when Warden is
// asked with the default instead.
func TestRunWithDefinitions(t *testing.T) {
	const text = `[request_definition]
r = sub, obj, act
r2 = sub, obj
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = g(r2.sub, p.sub) && r2.obj == p.obj`
	rules := []enforcer.Rule{
		enforcer.P("alice", "data1", "read", "allow"), enforcer.P("admins", "data1", "write", "deny"),
		enforcer.P("bob", "data2", "read", "deny"), enforcer.P("admins", "data2", "write", "allow"),
		enforcer.G("alice", "admins"), enforcer.G("bob", "admins"),
	}
	second := enforcer.Definition{R: "r2", M: "m2"}
	cfg := parity.Config{Model: text, Rules: rules, Requests: 400, Seed: 5, Definitions: []enforcer.Definition{{}, second}}
	rep, err := parity.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Equal() || !rep.FastPath || rep.Requests != 400 || rep.Allowed < 20 {
		t.Fatalf("report %+v", rep)
	}
	cfg.Decider = func(e *enforcer.Enforcer) enforcer.Decider {
		return deciderFunc(func(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
			req.Definition = enforcer.Definition{}
			return e.Decide(ctx, req)
		})
	}
	rep, err = parity.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diffs) != 200 {
		t.Fatalf("%d differences, want the 200 requests of %s", len(rep.Diffs), second)
	}
	for _, d := range rep.Diffs {
		if d.Definition != second || d.Kind != parity.KindError {
			t.Fatalf("difference %+v: want an error of %s", d, second)
		}
	}
}

type deciderFunc func(context.Context, enforcer.Request) (enforcer.Decision, error)

func (f deciderFunc) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	return f(ctx, req)
}

// TestRunFailuresOfRulesThatCannotMatch: where Casbin's loop fails on a
// rule the index rules out (an eval() text reading an attribute the
// request lacks, for another action), Warden's answer is held to Casbin's
// on the rules that do not fail; an answer that differs from that one is
// still reported.
func TestRunFailuresOfRulesThatCannotMatch(t *testing.T) {
	const pbac = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj_rule, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && eval(p.obj_rule) && r.act == p.act`
	rules := []enforcer.Rule{
		enforcer.P("r.sub.Role == 'admin'", "r.obj.Type == 'doc'", "read"),
		enforcer.P("r.sub.Age >= 18", "r.obj.Type == 'video'", "play"),
	}
	run := func(change func(req enforcer.Request, x *enforcer.Explanation) error) *parity.Report {
		t.Helper()
		cfg := parity.Config{Model: pbac, Rules: rules, Requests: 400, Seed: 5}
		if change != nil {
			cfg.Decider = func(e *enforcer.Enforcer) enforcer.Decider { return wrong{e, change} }
		}
		rep, err := parity.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := run(nil)
	if !rep.Equal() {
		t.Fatalf("Warden differs from Casbin: %+v", rep.Diffs)
	}
	if rep.Unevaluated == 0 || rep.Allowed == 0 {
		t.Fatalf("%d unevaluated, %d allowed: the requests never met a failing rule Warden skips", rep.Unevaluated, rep.Allowed)
	}
	// A Warden that names another rule where Casbin failed and allowed
	// nothing is wrong, and reported.
	var wrongs int
	rep = run(func(req enforcer.Request, x *enforcer.Explanation) error {
		if x.Allowed && !slices.Equal(x.Rule.Values, rules[0].Values) {
			x.Rule = rules[0]
			wrongs++
		}
		return nil
	})
	if wrongs == 0 || len(rep.Diffs) != wrongs {
		t.Fatalf("%d answers changed, %d reported", wrongs, len(rep.Diffs))
	}
}

// TestRunSubjectPriorityCycle: under subjectPriority, a cycle of g links
// below a top role makes plain Casbin's loader loop for ever. Run reports
// that Casbin cannot load the input (a Casbin-side LoadError naming the
// links) instead of hanging; Warden's index would decide it. A hung Run
// fails the test after a generous bound; the passing case never waits.
func TestRunSubjectPriorityCycle(t *testing.T) {
	ctx := context.Background()
	text := "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	rules := []enforcer.Rule{
		enforcer.P("u", "data", "read", "allow"), enforcer.P("a", "data", "read", "deny"),
		enforcer.G("a", "top"), enforcer.G("b", "a"), enforcer.G("u", "b"), enforcer.G("a", "b"),
	}
	dir := t.TempDir()
	mpath, ppath := filepath.Join(dir, "m.conf"), filepath.Join(dir, "p.csv")
	var csv strings.Builder
	for _, r := range rules {
		csv.WriteString(r.String() + "\n")
	}
	if err := os.WriteFile(mpath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ppath, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]parity.Config{
		"text":  {Model: text, Rules: rules, Requests: 50},
		"files": {ModelFile: mpath, PolicyFile: ppath, Requests: 50},
	} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := parity.Run(ctx, cfg)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("parity.Run did not return: plain Casbin's subject sort loops on the cycle")
			}
			var le *parity.LoadError
			if !errors.As(err, &le) || le.Side != parity.Casbin || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Fatalf("%v; want a Casbin-side LoadError naming the links", err)
			}
		})
	}
	// Without the closing link both load and agree.
	rep, err := parity.Run(ctx, parity.Config{Model: text, Rules: rules[:5], Requests: 50})
	if err != nil || !rep.Equal() {
		t.Fatalf("%+v, %v", rep, err)
	}
}
