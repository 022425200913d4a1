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

// Found by the attack on WithDeferredEvalErrors (issue 12 round): what a
// rule whose eval() text no engine can compile may and may not do, on
// every path that reads rules, against plain Casbin where Casbin decides.

// grantTexts are the eval() texts of the rules RulesFor lists.
func grantTexts(gs []enforcer.Grant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Rule.Values[1])
	}
	return out
}

// TestRulesForRefusesUnreadableRequestPolicies: RulesFor lists the
// caller's request-scoped policies as grants, so it checks them as Decide
// does (checkRequest): a policy Decide refuses with ErrInvalidRequest (an
// eval() text no engine can compile, without WithDeferredEvalErrors; a
// bidi override in its subject) is refused by RulesFor too, never listed
// as something the caller may do.
func TestRulesForRefusesUnreadableRequestPolicies(t *testing.T) {
	ctx := context.Background()
	w, _ := pairWith(t, objectConditionsModel, []enforcer.Rule{enforcer.P("alice", "r.obj.price < 25", "read")}, nil,
		func(*casbin.Enforcer) error { return nil })
	for _, pol := range [][]string{
		{"alice", "r.obj.author = bob", "write"},
		{"alice\u202e", "r.obj.price < 25", "write"},
		{"alice", "eval(r.obj)", "write"},
	} {
		_, derr := w.Decide(ctx, enforcer.Request{Values: []any{"alice", map[string]any{"price": 1}, "write"}, Policies: [][]string{pol}})
		if !errors.Is(derr, enforcer.ErrInvalidRequest) {
			t.Fatalf("%q: Decide %v, want ErrInvalidRequest", pol, derr)
		}
		gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{pol}})
		if !errors.Is(err, enforcer.ErrInvalidRequest) || gs != nil {
			t.Fatalf("%q: RulesFor %v, %v; want ErrInvalidRequest as Decide", pol, grantTexts(gs), err)
		}
	}
	// A policy Decide takes is listed.
	gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{{"alice", "r.obj.price < 5", "write"}}})
	if err != nil || !slices.Equal(grantTexts(gs), []string{"r.obj.price < 25", "r.obj.price < 5"}) {
		t.Fatalf("RulesFor: %v, %v", grantTexts(gs), err)
	}
}

// TestRulesForSkipsDeferredRules: under WithDeferredEvalErrors a rule
// whose eval() text no engine can compile is stored, but it can grant
// nothing (every decision that reaches it fails): RulesFor does not list
// it, stored or request-scoped, reached directly or through a role, as it
// lists no rule whose condition fails.
func TestRulesForSkipsDeferredRules(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{
		enforcer.P("alice", "r.obj.price < 25", "read"),
		enforcer.P("admin", "r.obj.category_id = 2", "read"),
		enforcer.P("alice", "r.obj.author = bob", "write"),
		enforcer.P("admin", "r.obj.category_id == 2", "write"),
		enforcer.G("alice", "admin"),
	}
	w, c := pairWith(t, objectConditionsModel, rules, []enforcer.Option{enforcer.WithDeferredEvalErrors()},
		func(*casbin.Enforcer) error { return nil })
	gs, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice", Policies: [][]string{
		{"alice", "r.obj.price <", "read"},
		{"admin", "r.obj.price > 1", "read"},
	}})
	want := []string{"r.obj.price < 25", "r.obj.category_id == 2", "r.obj.price > 1"}
	if err != nil || !slices.Equal(grantTexts(gs), want) {
		t.Fatalf("RulesFor: %q, %v; want %q", grantTexts(gs), err, want)
	}
	// Each rule left out fails every decision that reaches it, on both.
	for _, text := range []string{"r.obj.category_id = 2", "r.obj.author = bob"} {
		one := loadedCasbin(t, objectConditionsModel, []enforcer.Rule{enforcer.P("alice", text, "read")})
		if _, err := one.Enforce("alice", map[string]any{"category_id": 2, "author": "bob"}, "read"); err == nil ||
			!strings.Contains(err.Error(), "error while parsing eval parameter") {
			t.Fatalf("%q: Casbin %v, want its compile error", text, err)
		}
	}
	if _, err := c.Enforce("admin", map[string]any{"category_id": 2}, "read"); err == nil {
		t.Fatal("Casbin decides a request reaching the deferred rule")
	}
}
