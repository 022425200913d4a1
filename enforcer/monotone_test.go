package enforcer_test

import (
	"errors"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

func TestMonotone(t *testing.T) {
	const head = "[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj, eft\n[role_definition]\ng = _, _\n"
	tests := []struct {
		name, effect, matcher string
		monotone              bool
	}{
		{"allow only", "some(where (p.eft == allow))", "g(r.sub, p.sub) && r.obj == p.obj", true},
		{"deny wins", "some(where (p.eft == allow)) && !some(where (p.eft == deny))", "g(r.sub, p.sub) && r.obj == p.obj", false},
		{"deny override", "!some(where (p.eft == deny))", "g(r.sub, p.sub) && r.obj == p.obj", false},
		{"priority", "priority(p.eft) || deny", "g(r.sub, p.sub) && r.obj == p.obj", false},
		{"negated role", "some(where (p.eft == allow))", `g(r.sub, p.sub) && r.obj == p.obj && !g(r.sub, "suspended")`, false},
		{"inequality", "some(where (p.eft == allow))", "g(r.sub, p.sub) && r.obj != p.obj", false},
		{"eval", "some(where (p.eft == allow))", "g(r.sub, p.sub) && eval(p.obj)", false},
		{"default model's matcher", "some(where (p.eft == allow))", `g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && (p.obj == "*" || r.obj == p.obj)`, true},
		{"role compared with false", "some(where (p.eft == allow))", `g(r.sub, p.sub) && r.obj == p.obj && g(r.sub, "suspended") == false`, false},
		{"false compared with a role", "some(where (p.eft == allow))", `g(r.sub, p.sub) && r.obj == p.obj && false == g(r.sub, "suspended")`, false},
		{"two roles compared", "some(where (p.eft == allow))", `g(r.sub, p.sub) && g(r.sub, "suspended") == g(r.sub, "nobody")`, false},
		{"role in a ternary", "some(where (p.eft == allow))", `g(r.sub, p.sub) && (g(r.sub, "suspended") ? false : true)`, false},
		// An ! inside a string literal is text, not a negation.
		{"! in a literal", "some(where (p.eft == allow))", `g(r.sub, p.sub) && (r.obj == p.obj || r.obj == "!public")`, true},
		{"call with a space", "some(where (p.eft == allow))", `g (r.sub, p.sub) && r.obj == p.obj`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := model.NewModelFromString(head + "[policy_effect]\ne = " + tt.effect + "\n[matchers]\nm = " + tt.matcher + "\n")
			if err != nil {
				t.Fatal(err)
			}
			err = enforcer.Monotone(m)
			if (err == nil) != tt.monotone || (err != nil && !errors.Is(err, enforcer.ErrNotMonotone)) {
				t.Errorf("Monotone = %v, want monotone %v", err, tt.monotone)
			}
		})
	}
}
