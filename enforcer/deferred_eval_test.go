package enforcer_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// objectConditionsModel is Casbin's examples/object_conditions_model.conf.
const objectConditionsModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, sub_rule, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && eval(p.sub_rule) && r.act == p.act`

// TestDeferredEvalErrorsWrites: WithDeferredEvalErrors lets in the eval()
// texts no engine can compile, and only those; every other check of an
// eval() value still refuses the rule when it is written.
func TestDeferredEvalErrorsWrites(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		text     string
		deferred bool   // accepted with the option
		reason   string // the refusal's reason, with or without the option
	}{
		{"r.obj.price < 25", true, ""},
		{"r.obj.category_id = 2", true, "is not an expression eval() can read"},
		{"r.obj.author = bob", true, "is not an expression eval() can read"},
		{"r.obj.price <", true, "is not an expression eval() can read"},
		// Compiled by govaluate, so read, so checked.
		{"eval(r.obj)", false, "calls eval() itself"},
		{"regexMatch('/a', r.act)", false, "passes the request field r_act to regexMatch as its pattern"},
		{"q.x == 1", false, "which is not a field of the model"},
		{"keyMatch(r.act)", false, "calls keyMatch with 1 arguments"},
		{"regexMatch(r.act, '(')", false, "in eval(): "},
	}
	for _, withOpt := range []bool{false, true} {
		var opts []enforcer.Option
		if withOpt {
			opts = append(opts, enforcer.WithDeferredEvalErrors())
		}
		m, err := enforcer.ParseModel(objectConditionsModel, opts...)
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			rule := enforcer.P("alice", c.text, "read")
			_, err := e.AddRules(ctx, rule)
			wantOK := c.reason == "" || (withOpt && c.deferred)
			if wantOK {
				if err != nil {
					t.Errorf("option %v: %q refused: %v", withOpt, c.text, err)
				}
				continue
			}
			var re *enforcer.RuleError
			if !errors.As(err, &re) || !errors.Is(err, enforcer.ErrInvalidRule) || re.Field != "sub_rule" || !strings.Contains(re.Reason, c.reason) {
				t.Errorf("option %v: %q: %v, want a RuleError for field sub_rule: %s", withOpt, c.text, err, c.reason)
			}
			if e.Has(rule.PType, rule.Values) {
				t.Errorf("option %v: %q stored though refused", withOpt, c.text)
			}
		}
	}
}

// TestDeferredEvalErrorsFailClosed: a decision that reaches a text no
// engine can compile fails with ErrEvaluation and denies, on the index
// and through Casbin's own enforcer, as plain Casbin fails it; one that
// is decided before reaching it is Casbin's answer.
func TestDeferredEvalErrorsFailClosed(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{
		enforcer.P("alice", "r.obj.price < 25", "read"),
		enforcer.P("admin", "r.obj.category_id = 2", "read"),
		enforcer.P("bob", "r.obj.author = bob", "write"),
		enforcer.G("alice", "admin"),
	}
	c := loadedCasbin(t, objectConditionsModel, rules)
	reqs := [][]any{
		{"alice", map[string]any{"price": 10}, "read"},                   // the first rule allows
		{"alice", map[string]any{"price": 30, "category_id": 2}, "read"}, // reaches admin's text: fails
		{"admin", map[string]any{"category_id": 2}, "read"},              // fails
		{"bob", map[string]any{"author": "bob"}, "write"},                // fails
		{"carol", map[string]any{"price": 1}, "read"},                    // no rule: denied
	}
	for _, casbinOnly := range []bool{false, true} {
		opts := []enforcer.Option{enforcer.WithDeferredEvalErrors()}
		if casbinOnly {
			opts = append(opts, enforcer.WithCasbinEvaluation())
		}
		w, _ := pairWith(t, objectConditionsModel, rules, opts, func(*casbin.Enforcer) error { return nil })
		if ok, reason := w.FastPath(); ok == casbinOnly {
			t.Fatalf("casbin-only %v: FastPath %v (%s)", casbinOnly, ok, reason)
		}
		for _, req := range reqs {
			d, werr := w.Decide(ctx, enforcer.NewRequest(req...))
			cok, cerr := c.Enforce(req...)
			if (werr != nil) != (cerr != nil) || d.Allowed != cok {
				t.Errorf("casbin-only %v: %v: warden %v %v, casbin %v %v", casbinOnly, req, d.Allowed, werr, cok, cerr)
			}
			if werr != nil && (!errors.Is(werr, enforcer.ErrEvaluation) || d.Allowed) {
				t.Errorf("casbin-only %v: %v: %v allowed %v, want ErrEvaluation and a denial", casbinOnly, req, werr, d.Allowed)
			}
		}
	}
}

// TestDeferredEvalErrorsCasbinExample: Casbin's object_conditions example
// files load with the option, and without it are refused naming the file,
// the line and the field.
func TestDeferredEvalErrorsCasbinExample(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	model := filepath.Join(dir, "object_conditions_model.conf")
	policy := filepath.Join(dir, "object_conditions_policy.csv")
	writeFile(t, model, objectConditionsModel)
	writeFile(t, policy, "p, alice, r.obj.price < 25, read\np, admin, r.obj.category_id = 2, read\np, bob, r.obj.author = bob, write\n\ng, alice, admin\n")
	_, err := enforcer.NewFromFiles(ctx, model, policy)
	if err == nil || !strings.Contains(err.Error(), policy+":2:") || !strings.Contains(err.Error(), "field sub_rule") {
		t.Fatalf("without the option: %v, want a refusal naming %s:2 and field sub_rule", err, policy)
	}
	e, err := enforcer.NewFromFiles(ctx, model, policy, enforcer.WithDeferredEvalErrors())
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Len("p"); n != 3 {
		t.Fatalf("%d p rules loaded, want 3", n)
	}
}
