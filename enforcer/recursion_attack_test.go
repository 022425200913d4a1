package enforcer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestRequestEvalRecursionFails: under WithRequestEvalUnsafe a request
// whose text evaluates itself (eval(r.rule) as r.rule) made eval() call
// itself until the goroutine's stack overflowed, which no recover catches:
// one request killed the process (Casbin's eval() does the same). The
// nesting is bounded, and the decision fails closed.
func TestRequestEvalRecursionFails(t *testing.T) {
	ctx := context.Background()
	e := newWarden(t, requestEvalModel, []enforcer.Rule{enforcer.P("bob", "data1")}, enforcer.WithRequestEvalUnsafe())
	for _, text := range []string{"eval(r.rule)", "true && eval(r.rule)", "eval(r.rule) || true"} {
		d, err := e.Decide(ctx, enforcer.NewRequest("mallory", "data1", text))
		if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed || !strings.Contains(err.Error(), "nested") {
			t.Fatalf("%s: Decide = %v, %v; want ErrEvaluation naming the nesting", text, d, err)
		}
	}
	// Nesting within the bound still evaluates.
	if ok, err := e.Enforce(ctx, "mallory", "data1", `eval("true")`); err != nil || !ok {
		t.Fatalf("a nested eval() within the bound: %v, %v", ok, err)
	}
	// Casbin's own eval() has no bound: with Casbin's enforcer deciding,
	// such a model is refused rather than left to crash on a request.
	m, err := enforcer.ParseModel(requestEvalModel, enforcer.WithRequestEvalUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := enforcer.New(ctx, m, nil, enforcer.WithRequestEvalUnsafe(), enforcer.WithCasbinEvaluation()); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("New with Casbin deciding eval() of request data = %v; want ErrUnsupported", err)
	}
}
