package enforcer_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestCasbinEvaluation runs the enforcer on Casbin's own evaluation (as
// models outside the fast path are): the same answers, changes and reloads,
// and request-scoped data refused rather than ignored.
func TestCasbinEvaluation(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy, enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	fast := newConf(t)
	if ok, reason := e.FastPath(); ok || reason == "" {
		t.Fatalf("FastPath() = %v, %q; want false with a reason", ok, reason)
	}
	for _, req := range [][]any{
		{"bob", "/posts/42", "GET"}, {"alice", "/audit/1", "DELETE"}, {"carol", "/posts", "POST"},
		{"bob", "/posts/1/comments", "POST"}, {"mallory", "/posts", "GET"}, {"alice", "/x/y", "PUT"},
	} {
		a, errA := e.Decide(ctx, enforcer.NewRequest(req...))
		b, errB := fast.Decide(ctx, enforcer.NewRequest(req...))
		if errA != nil || errB != nil || a.Allowed != b.Allowed || a.Rule.String() != b.Rule.String() || a.Effect != b.Effect {
			t.Errorf("%v: casbin %+v (%v), fast path %+v (%v)", req, a, errA, b, errB)
		}
	}
	if n, err := e.AddRules(ctx, enforcer.G("dave", "editor")); err != nil || n != 1 {
		t.Fatalf("AddRules = %d, %v", n, err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); !ok {
		t.Fatal("a grant is not in force")
	}
	if !slices.ContainsFunc(e.Rules("g"), func(r enforcer.Rule) bool { return r.String() == "g, dave, editor" }) {
		t.Fatal("Rules does not list the grant")
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); !ok {
		t.Fatal("the grant was not persisted")
	}
	if n, err := e.RemoveRules(ctx, enforcer.G("dave", "editor")); err != nil || n != 1 {
		t.Fatalf("RemoveRules = %d, %v", n, err)
	}
	if ok, _ := e.Enforce(ctx, "dave", "/posts", "POST"); ok {
		t.Fatal("a revoke is not in force")
	}
	if _, err := e.Decide(ctx, enforcer.NewRequest("dave", "/posts", "POST").WithGroups("editor")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("request-scoped groups under Casbin's evaluation: %v; want ErrUnsupported", err)
	}
	if _, err := e.RulesFor(ctx, enforcer.Subject{Name: "bob"}); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("RulesFor under Casbin's evaluation: %v; want ErrUnsupported", err)
	}
	if _, err := e.AddRules(ctx, enforcer.Rule{PType: "p", Values: []string{"x"}}); !errors.Is(err, enforcer.ErrInvalidRule) {
		t.Fatalf("a short rule: %v; want ErrInvalidRule", err)
	}
}
