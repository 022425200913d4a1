package enforcer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

func newConf(t *testing.T) *enforcer.Enforcer {
	t.Helper()
	e, err := enforcer.NewFromFiles(context.Background(), "../conf/model.conf", "../conf/policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExplain(t *testing.T) {
	e := newConf(t)
	tests := []struct {
		name    string
		req     enforcer.Request
		allowed bool
		effect  enforcer.Effect
		rule    string
		chain   []string
	}{
		{
			name:    "role chain to viewer",
			req:     enforcer.NewRequest("bob", "/posts/42", "GET"),
			allowed: true, effect: enforcer.EffectAllow,
			rule:  "p, viewer, /posts/:id, GET, allow",
			chain: []string{"bob", "editor", "viewer"},
		},
		{
			name:    "admin wildcard",
			req:     enforcer.NewRequest("alice", "/anything/at/all", "PATCH"),
			allowed: true, effect: enforcer.EffectAllow,
			rule:  "p, admin, /*, *, allow",
			chain: []string{"alice", "admin"},
		},
		{
			name:   "deny rule wins over admin wildcard",
			req:    enforcer.NewRequest("alice", "/audit/2026", "DELETE"),
			effect: enforcer.EffectDeny,
			rule:   "p, admin, /audit/*, DELETE, deny",
			chain:  []string{"alice", "admin"},
		},
		{
			name:   "deny on the user itself",
			req:    enforcer.NewRequest("bob", "/posts/1/comments", "POST"),
			effect: enforcer.EffectDeny,
			rule:   "p, bob, /posts/:id/comments, *, deny",
			chain:  []string{"bob"},
		},
		{
			name:   "no rule allows",
			req:    enforcer.NewRequest("carol", "/posts", "POST"),
			effect: enforcer.EffectNone,
		},
		{
			name:   "unknown subject",
			req:    enforcer.NewRequest("mallory", "/posts", "GET"),
			effect: enforcer.EffectNone,
		},
		{
			name:    "request-scoped group",
			req:     enforcer.NewRequest("dave", "/posts", "POST").WithGroups("editor"),
			allowed: true, effect: enforcer.EffectAllow,
			rule:  "p, editor, /posts, POST, allow",
			chain: []string{"dave", "editor"},
		},
		{
			name:    "request-scoped group inherits stored links",
			req:     enforcer.NewRequest("dave", "/posts/7", "GET").WithGroups("editor"),
			allowed: true, effect: enforcer.EffectAllow,
			rule:  "p, viewer, /posts/:id, GET, allow",
			chain: []string{"dave", "editor", "viewer"},
		},
		{
			name: "request-scoped policy",
			req: enforcer.Request{
				Values:   []any{"erin", "/reports", "GET"},
				Policies: [][]string{{"erin", "/reports", "GET", "allow"}},
			},
			allowed: true, effect: enforcer.EffectAllow,
			rule:  "p, erin, /reports, GET, allow",
			chain: []string{"erin"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := e.Explain(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if x.Allowed != tt.allowed || x.Effect != tt.effect || x.Rule.String() != tt.rule || !slices.Equal(x.Chain, tt.chain) {
				t.Errorf("got allowed=%v effect=%v rule=%q chain=%v; want %v %v %q %v",
					x.Allowed, x.Effect, x.Rule, x.Chain, tt.allowed, tt.effect, tt.rule, tt.chain)
			}
		})
	}
}

func TestRequestScopedGroupsDoNotLeak(t *testing.T) {
	e := newConf(t)
	ctx := context.Background()
	ok, err := e.Decide(ctx, enforcer.NewRequest("dave", "/posts", "POST").WithGroups("admin"))
	if err != nil || !ok.Allowed {
		t.Fatalf("scoped decision = %v, %v; want allow", ok, err)
	}
	after, err := e.Enforce(ctx, "dave", "/posts", "POST")
	if err != nil || after {
		t.Fatalf("after a scoped decision dave alone = %v, %v; want deny", after, err)
	}
	if slices.ContainsFunc(e.Rules("g"), func(r enforcer.Rule) bool { return r.Values[0] == "dave" }) {
		t.Fatal("a request-scoped group became a stored g rule")
	}
}

func TestBadRequests(t *testing.T) {
	e := newConf(t)
	ctx := context.Background()
	tests := []struct {
		name string
		req  enforcer.Request
		want error
	}{
		{"too few values", enforcer.NewRequest("alice", "/posts"), enforcer.ErrInvalidRequest},
		{"too many values", enforcer.NewRequest("alice", "/posts", "GET", "x"), enforcer.ErrInvalidRequest},
		{"scoped policy of the wrong size", enforcer.Request{Values: []any{"a", "/b", "GET"}, Policies: [][]string{{"a", "/b"}}}, enforcer.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Decide(ctx, tt.req)
			if !errors.Is(err, tt.want) || d.Allowed {
				t.Fatalf("Decide = %v, %v; want deny and %v", d, err, tt.want)
			}
		})
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if d, err := e.Decide(cctx, enforcer.NewRequest("alice", "/posts", "GET")); !errors.Is(err, context.Canceled) || d.Allowed {
		t.Fatalf("Decide on a cancelled context = %v, %v", d, err)
	}
}

// TestBadRegexInRuleIsRefused: a rule value its function cannot read is
// refused when written, naming the field, instead of failing every
// decision that reaches it; a request value that makes the matcher fail
// still denies with an evaluation error.
func TestBadRegexInRuleIsRefused(t *testing.T) {
	m, err := enforcer.ParseModel(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && regexMatch(r.obj, p.obj) && ipMatch(r.act, p.act)
`)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.AddRules(ctx, enforcer.P("alice", "([", "10.0.0.0/8"))
	var re *enforcer.RuleError
	if !errors.Is(err, enforcer.ErrInvalidRule) || !errors.As(err, &re) || re.Field != "obj" || re.Index != 1 {
		t.Fatalf("AddRules with a bad regexMatch pattern = %v; want a RuleError for field obj", err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("alice", "x", "10.0.0.0/8")); err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(ctx, enforcer.NewRequest("alice", "x", "not-an-ip"))
	if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed {
		t.Fatalf("Decide = %v, %v; want an evaluation error and deny", d, err)
	}
}

func TestAddRemoveRules(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); ok {
		t.Fatal("dave allowed before any grant")
	}
	n, err := e.AddRules(ctx, enforcer.G("dave", "editor"), enforcer.G("dave", "editor"), enforcer.G("bob", "editor"))
	if err != nil || n != 1 {
		t.Fatalf("AddRules = %d, %v; want 1 (a duplicate and an existing rule are skipped)", n, err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); !ok {
		t.Fatal("dave denied right after the grant")
	}
	// The change was persisted: a fresh enforcer on the same file agrees.
	e2, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e2.Enforce(ctx, "dave", "/posts", "POST"); !ok {
		t.Fatal("the grant was not persisted to the policy file")
	}
	if n, err := e.RemoveRules(ctx, enforcer.G("dave", "editor"), enforcer.G("nobody", "x")); err != nil || n != 1 {
		t.Fatalf("RemoveRules = %d, %v; want 1", n, err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); ok {
		t.Fatal("dave allowed right after the revoke")
	}
	for _, bad := range []enforcer.Rule{
		{PType: "p", Values: []string{"x", "/y"}},
		{PType: "g2", Values: []string{"a", "b"}},
		{PType: "g", Values: []string{"a", "b", "c"}},
	} {
		if _, err := e.AddRules(ctx, bad); !errors.Is(err, enforcer.ErrInvalidRule) {
			t.Errorf("AddRules(%v) = %v; want ErrInvalidRule", bad, err)
		}
	}
}

func TestReloadKeepsLastGoodPolicy(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, []byte("g, dave, admin\np, broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = e.Reload(ctx)
	if err == nil {
		t.Fatal("Reload of a bad file succeeded")
	}
	if want := policy + ":2"; !containsStr(err.Error(), want) {
		t.Errorf("Reload error %q does not name %s", err, want)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "GET"); ok {
		t.Error("a line of the rejected file took effect")
	}
	if ok, _ := e.Enforce(ctx, "bob", "/posts", "POST"); !ok {
		t.Error("the last good policy is no longer in force")
	}
	if err := os.WriteFile(policy, []byte("p, dave, /x, GET, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/x", "GET"); !ok {
		t.Error("the reloaded policy is not in force")
	}
	if ok, _ := e.Enforce(ctx, "bob", "/posts", "POST"); ok {
		t.Error("a rule removed from the file is still in force")
	}
}

func TestNewFromFilesErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := enforcer.NewFromFiles(ctx, "testdata/missing.conf", "../conf/policy.csv"); !errors.Is(err, enforcer.ErrInvalidModel) {
		t.Errorf("missing model: %v", err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "model.conf")
	if err := os.WriteFile(bad, []byte("[request_definition]\nr = sub, obj\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.NewFromFiles(ctx, bad, "../conf/policy.csv"); !errors.Is(err, enforcer.ErrInvalidModel) || !containsStr(err.Error(), bad) {
		t.Errorf("incomplete model: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
