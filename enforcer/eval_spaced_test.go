package enforcer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// TestEvalSpacedCall: Casbin registers eval() only for a matcher its
// util.HasEval matches (eval followed directly by "("): a matcher that
// writes only "eval (p.sub_rule)" fails every decision with "Undefined
// function eval". Warden refuses the model, as it refuses any matcher
// calling a function govaluate does not have; it decided such a matcher's
// requests (allowing where Casbin fails). A matcher that also writes
// eval(p.obj) has eval() for both calls, in both.
func TestEvalSpacedCall(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		matcher string
		fails   bool
	}{
		{"eval (p.sub_rule) && r.obj == p.obj && r.act == p.act", true},
		{"eval (p.sub_rule) && eval(p.obj) && r.act == p.act", false},
		{"eval( p.sub_rule ) && r.obj == p.obj && r.act == p.act", false},
	} {
		text := strings.Replace(evalModels0, "eval(p.sub_rule) && r.obj == p.obj && r.act == p.act", c.matcher, 1)
		if text == evalModels0 {
			t.Fatal("the matcher was not replaced")
		}
		rules := []enforcer.Rule{{PType: "p", Values: []string{"r.sub.Age > 18", "true", "read"}}}
		cb := loadedCasbin(t, text, rules)
		m, perr := enforcer.ParseModel(text)
		if c.fails {
			for _, age := range []int{30, 10} {
				if ok, err := cb.Enforce(map[string]any{"Age": age}, "true", "read"); err == nil {
					t.Fatalf("%s: Casbin decides %v; the test expects it to fail", c.matcher, ok)
				}
			}
			if !errors.Is(perr, enforcer.ErrInvalidModel) || !strings.Contains(perr.Error(), "eval") {
				t.Errorf("%s: ParseModel = %v, want ErrInvalidModel naming eval", c.matcher, perr)
			}
			continue
		}
		if perr != nil {
			t.Fatal(perr)
		}
		w, err := enforcer.New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.AddRules(ctx, rules...); err != nil {
			t.Fatal(err)
		}
		decided := map[bool]bool{}
		for _, age := range []int{30, 10} {
			vals := []any{map[string]any{"Age": age}, "true", "read"}
			d, werr := w.Decide(ctx, enforcer.Request{Values: vals})
			ok, cerr := cb.Enforce(vals...)
			if werr != nil || cerr != nil || d.Allowed != ok {
				t.Errorf("%s, age %d: Warden allowed=%v (%v), Casbin allowed=%v (%v)", c.matcher, age, d.Allowed, werr, ok, cerr)
			}
			decided[ok] = true
		}
		if !decided[true] || !decided[false] {
			t.Errorf("%s: Casbin decided %v: the requests prove little", c.matcher, decided)
		}
	}
	// The same in a second matcher, which ParseModel does not compile:
	// its requests fail, as Casbin's do, and the first matcher's decide.
	text := strings.Replace(hostileDefsModel, "m2 = eval(p.sub_rule)", "m2 = eval (p.sub_rule)", 1)
	rules := []enforcer.Rule{{PType: "p", Values: []string{"r.sub.Age > 18", "/d", "read"}}, {PType: "p", Values: []string{"r2.sub.Age > 18", "/d", "read"}}}
	w, cb := pairWith(t, text, rules, nil, func(*casbin.Enforcer) error { return nil })
	sub := map[string]any{"Age": 30}
	d, werr := w.Decide(ctx, enforcer.Request{Values: []any{sub, "read"}, Definition: enforcer.Definition{R: "r2", M: "m2"}})
	ok, cerr := cb.Enforce(casbin.EnforceContext{RType: "r2", PType: "p", EType: "e", MType: "m2"}, sub, "read")
	if cerr == nil || werr == nil || d.Allowed {
		t.Errorf("m2 = eval (p.sub_rule): Warden allowed=%v (%v), Casbin allowed=%v (%v); want both to fail", d.Allowed, werr, ok, cerr)
	}
	d, werr = w.Decide(ctx, enforcer.NewRequest(sub, "/d", "read"))
	ok, cerr = cb.Enforce(sub, "/d", "read")
	if werr != nil || cerr != nil || !ok || !d.Allowed || !slices.Equal(d.Rule.Values, rules[0].Values) {
		t.Errorf("m: Warden allowed=%v by %v (%v), Casbin allowed=%v (%v); want both to allow by the first rule", d.Allowed, d.Rule, werr, ok, cerr)
	}
}
