package enforcer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/models"
)

const planRBAC = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = MATCHER`

func planEnforcer(t *testing.T, text string, rules ...enforcer.Rule) *enforcer.Enforcer {
	t.Helper()
	m, err := enforcer.ParseModel(text)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), rules...); err != nil {
		t.Fatal(err)
	}
	return e
}

func withMatcher(m string) string { return strings.Replace(planRBAC, "MATCHER", m, 1) }

// TestPlanUnsupported: each construct the planner cannot express exactly
// is refused with ErrUnsupported naming it, never planned more widely.
func TestPlanUnsupported(t *testing.T) {
	abac, _ := models.Text(models.ABAC)
	priority := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`
	rule := enforcer.P("alice", "/posts/**", "read")
	cases := []struct {
		name, model, want string
		groups            []string
		req               []any
	}{
		{"eval", abac, "eval()", nil, []any{map[string]any{"Name": "alice"}, enforcer.Unknown{}, "read"}},
		{"priority effect", priority, "priority", nil, nil},
		{"custom function", withMatcher(`g(r.sub, p.sub) && keyGet2(r.obj, p.obj, "id") == "1"`), "keyGet2", nil, nil},
		{"keyMatch4 on the object", withMatcher(`g(r.sub, p.sub) && keyMatch4(r.obj, p.obj)`), "keyMatch4", nil, nil},
		{"ipMatch on the object", withMatcher(`g(r.sub, p.sub) && ipMatch(r.obj, p.obj)`), "ipMatch", nil, nil},
		{"role function over the object with groups", withMatcher(`g(r.sub, p.sub) && g(r.obj, p.obj)`), "role function g(r.obj, p.obj) over the open field with request-scoped groups", []string{"editor"}, nil},
		{"the object as a role", withMatcher(`g(r.sub, p.sub) && g(p.obj, r.obj)`), "role function g(p.obj, r.obj) with the open field as the role", nil, nil},
		{"pattern from the object", withMatcher(`g(r.sub, p.sub) && keyMatch(p.obj, r.obj)`), "open field as its pattern", nil, nil},
		{"number comparison", withMatcher(`g(r.sub, p.sub) && r.obj > 3`), "operator >", nil, nil},
		{"number literal", withMatcher(`g(r.sub, p.sub) && r.obj == 3`), "number 3", nil, nil},
		{"two open fields", withMatcher(`g(r.sub, p.sub) && r.obj.A == r.obj.B`), "two open fields", nil,
			[]any{"alice", enforcer.Unknown{}, "read"}},
		{"object as value and attributes", withMatcher(`g(r.sub, p.sub) && r.obj == p.obj || r.obj.Owner == r.sub`), "both as a value and for its attributes", nil, nil},
		{"globMatch with **", withMatcher(`g(r.sub, p.sub) && globMatch(r.obj, p.obj)`), `globMatch pattern "/posts/**"`, nil, nil},
		{"groups without a role term", withMatcher(`r.sub == p.sub && r.obj == p.obj`), "request-scoped groups", []string{"editor"}, nil},
		{"ternary", withMatcher(`g(r.sub, p.sub) && (r.obj == p.obj ? true : false)`), "operator ?", nil, nil},
		{"escape in a literal", withMatcher(`g(r.sub, p.sub) && r.obj == "a\\b"`), "escape", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := planEnforcer(t, c.model)
			if len(e.Rules("p")) == 0 {
				if _, err := e.AddRules(context.Background(), rule); err != nil {
					// the priority and eval models have other widths
					_, _ = e.AddRules(context.Background(), enforcer.P("alice", "/posts/**", "read", "allow"))
				}
			}
			req := c.req
			if req == nil {
				req = []any{"alice", enforcer.Unknown{}, "read"}
			}
			p, err := e.Plan(context.Background(), enforcer.Request{Values: req, Groups: c.groups})
			if !errors.Is(err, enforcer.ErrUnsupported) || !errors.Is(err, filter.ErrUnsupported) {
				t.Fatalf("got %v, %v; want ErrUnsupported", p, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name %q", err, c.want)
			}
		})
	}
}

// TestPlanEvaluationError: where Decide fails (here on an attribute the
// subject lacks), the plan fails too, rather than allow anything.
func TestPlanEvaluationError(t *testing.T) {
	e := planEnforcer(t, withMatcher(`r.sub.Name == p.sub && r.obj == p.obj && r.act == p.act`),
		enforcer.P("alice", "/x", "read"))
	sub := map[string]any{"Nom": "alice"}
	_, err := e.Plan(context.Background(), enforcer.NewRequest(sub, enforcer.Unknown{}, "read"))
	if !errors.Is(err, enforcer.ErrEvaluation) {
		t.Fatalf("got %v, want ErrEvaluation", err)
	}
	if _, err := e.Decide(context.Background(), enforcer.NewRequest(sub, "/x", "read")); !errors.Is(err, enforcer.ErrEvaluation) {
		t.Fatalf("Decide: %v", err)
	}
}

// TestPlanRequest: exactly one field must be Unknown.
func TestPlanRequest(t *testing.T) {
	e := planEnforcer(t, withMatcher(`g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`))
	for _, vals := range [][]any{
		{"alice", "/x", "read"},
		{"alice", enforcer.Unknown{}, enforcer.Unknown{}},
		{"alice", enforcer.Unknown{}},
	} {
		if _, err := e.Plan(context.Background(), enforcer.NewRequest(vals...)); !errors.Is(err, enforcer.ErrInvalidRequest) {
			t.Errorf("%v: got %v, want ErrInvalidRequest", vals, err)
		}
	}
}

// TestPlanShapes pins the plans of the common shapes.
func TestPlanShapes(t *testing.T) {
	rbacDeny, _ := models.Text(models.RBACDeny)
	rules := []enforcer.Rule{
		enforcer.P("editor", "/a", "read", "allow"),
		enforcer.P("viewer", "/b", "read", "allow"),
		enforcer.P("viewer", "/c", "read", "allow"),
		enforcer.P("alice", "/b", "read", "deny"),
		enforcer.P("root", "/x", "read", "allow"),
		enforcer.G("alice", "editor"),
		enforcer.G("editor", "viewer"),
	}
	e := planEnforcer(t, rbacDeny, rules...)
	cases := []struct {
		sub    string
		groups []string
		want   string
	}{
		{"alice", nil, `(obj IN ("/a", "/b", "/c") AND NOT obj = "/b" AND LENGTH(obj) <= 4096)`},
		{"bob", nil, "<nil>"},
		{"bob", []string{"viewer"}, `(obj IN ("/b", "/c") AND LENGTH(obj) <= 4096)`},
		{"root", nil, `(obj = "/x" AND LENGTH(obj) <= 4096)`},
	}
	for _, c := range cases {
		p, err := e.Plan(context.Background(), enforcer.Request{Values: []any{c.sub, enforcer.Unknown{}, "read"}, Groups: c.groups})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Cond.String(); got != c.want {
			t.Errorf("%s %v: got %s, want %s", c.sub, c.groups, got, c.want)
		}
	}
}
