package enforcer_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
)

// TestRoleFunctionExtraArguments holds a role function called with more
// arguments than its definition has to Casbin's decisions. Casbin's g
// (util.GenerateGFunction) passes the role manager the first two names and,
// given a third argument, that as the domain; a fourth and later argument is
// never read (only checked to be a string), and a definition without a
// domain (g = _, _) ignores the domain it is given. Each matcher is tried as
// the index compiles it to Go, through govaluate with the index ("&& true"
// is not compiled), and through govaluate without the index (the ternary),
// with request-scoped groups as well as stored links.
func TestRoleFunctionExtraArguments(t *testing.T) {
	const noDom = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n" +
		"[role_definition]\ng = _, _\ng2 = _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = "
	const withDom = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n" +
		"[role_definition]\ng = _, _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = "
	type shape struct {
		head    string
		matcher string // the role terms; the forms below add the rest
		rest    string
		domains bool
	}
	shapes := []shape{
		{noDom, `g(r.sub, p.sub, r.act)`, "r.obj == p.obj && r.act == p.act", false},
		{noDom, `g(r.sub, p.sub, "t1")`, "r.obj == p.obj && r.act == p.act", false},
		{noDom, `g(r.sub, p.sub, "t1", r.obj)`, "r.obj == p.obj && r.act == p.act", false},
		{noDom, `g(r.sub, p.sub, p.obj, p.act, "x")`, "r.obj == p.obj && r.act == p.act", false},
		{noDom, `g(r.sub, p.sub) && g2(r.obj, p.obj, r.sub)`, "r.act == p.act", false},
		{withDom, `g(r.sub, p.sub, r.dom, "x")`, "r.dom == p.dom && r.obj == p.obj && r.act == p.act", true},
		{withDom, `g(r.sub, p.sub, r.dom, r.obj)`, "r.dom == p.dom && r.obj == p.obj && r.act == p.act", true},
		{withDom, `g(r.sub, p.sub, r.dom, p.obj, r.act)`, "r.dom == p.dom && r.obj == p.obj && r.act == p.act", true},
		{withDom, `g(r.sub, p.sub, "t1", "t2")`, "r.obj == p.obj && r.act == p.act", true},
		{withDom, `g(r.sub, p.sub, p.dom, r.dom)`, "r.obj == p.obj && r.act == p.act", true},
	}
	subjects := []string{"alice", "bob", "carol", "token-user", "admin"}
	doms := []string{"t1", "t2"}
	objs := []string{"data1", "data2", "t1"}
	acts := []string{"read", "write", "t1"}
	for _, s := range shapes {
		var rules []enforcer.Rule
		if s.domains {
			rules = []enforcer.Rule{
				{PType: "p", Values: []string{"admin", "t1", "data1", "read"}},
				{PType: "p", Values: []string{"admin", "t2", "data2", "write"}},
				{PType: "p", Values: []string{"editor", "t1", "data2", "read"}},
				{PType: "p", Values: []string{"bob", "t2", "data1", "read"}},
				{PType: "g", Values: []string{"alice", "admin", "t1"}},
				{PType: "g", Values: []string{"bob", "editor", "t2"}},
				{PType: "g", Values: []string{"editor", "admin", "t2"}},
				{PType: "g", Values: []string{"carol", "editor", "t1"}},
			}
		} else {
			rules = []enforcer.Rule{
				{PType: "p", Values: []string{"admin", "data1", "read"}},
				{PType: "p", Values: []string{"admin", "readers", "write"}},
				{PType: "p", Values: []string{"editor", "data2", "read"}},
				{PType: "p", Values: []string{"bob", "t1", "t1"}},
				{PType: "g", Values: []string{"alice", "admin"}},
				{PType: "g", Values: []string{"bob", "editor"}},
				{PType: "g", Values: []string{"editor", "admin"}},
				{PType: "g2", Values: []string{"data1", "readers"}},
			}
		}
		for _, form := range []string{
			s.matcher + " && " + s.rest,
			s.matcher + " && " + s.rest + " && true",
			s.matcher + " && " + s.rest + " ? true : false",
		} {
			t.Run(form, func(t *testing.T) {
				dom := ""
				if s.domains {
					dom = "t1"
				}
				w, c := pair(t, s.head+form+"\n", rules, []string{"editor"}, dom)
				if s.domains {
					// Warden's request-scoped groups hold in every domain.
					if _, err := c.AddGroupingPolicy("token-user", "editor", "t2"); err != nil {
						t.Fatal(err)
					}
				}
				for _, sub := range subjects {
					for _, obj := range objs {
						for _, act := range acts {
							vals := []any{sub, obj, act}
							if s.domains {
								for _, d := range doms {
									vals = []any{sub, d, obj, act}
									req := enforcer.Request{Values: vals}
									if sub == "token-user" {
										req.Groups = []string{"editor"}
									}
									compare(t, w, c, req)
								}
								continue
							}
							req := enforcer.Request{Values: vals}
							if sub == "token-user" {
								req.Groups = []string{"editor"}
							}
							compare(t, w, c, req)
						}
					}
				}
			})
		}
	}
}

// extraArgsWarden is an enforcer for text with rules: enforcer.New on
// Casbin's parse of the model, since the linter of ParseModel refuses a role
// function called with more arguments than its definition has.
func extraArgsWarden(t *testing.T, text string, rules []enforcer.Rule) *enforcer.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, rulesLoader(rules))
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := w.FastPath(); !ok {
		t.Fatalf("not on the index: %s", why)
	}
	return w
}

// TestRoleFunctionExtraArgumentsConditional: a conditional role function
// with a domain ignores a fourth argument as Casbin's
// GenerateConditionalGFunction does, decision for decision against Casbin
// with util.TimeMatchFunc on every link. Without a domain, Casbin looks the
// first link's condition up in the domain the third argument names, finds
// none and lets the link hold whatever its window; Warden checks every
// link's condition (linkcond.go), so it decides as with two arguments and
// never allows what Casbin denies.
func TestRoleFunctionExtraArgumentsConditional(t *testing.T) {
	withDom := []string{
		`g(r.sub, p.sub, r.dom, "x")`,
		`g(r.sub, p.sub, r.dom, r.obj)`,
		`g(r.sub, p.sub, r.dom, r.obj, p.act)`,
	}
	for _, call := range withDom {
		for _, tail := range []string{"", " && true"} {
			text := strings.Replace(temporalDomainModel, "g(r.sub, p.sub, r.dom)", call, 1) + tail
			t.Run(call+tail, func(t *testing.T) {
				for seed := range uint64(60) {
					r := rand.New(rand.NewPCG(seed, 12))
					rules := genTemporalPolicy(r, true)
					w := extraArgsWarden(t, text, rules)
					c := sortedCasbin(t, text, rules)
					registerConditions(t, c, util.TimeMatchFunc)
					for _, vals := range temporalRequests(true) {
						want, rule, err := c.EnforceEx(vals...)
						if err != nil {
							t.Fatal(err)
						}
						d, err := w.Decide(context.Background(), enforcer.Request{Values: vals})
						if err != nil || d.Allowed != want || !slices.Equal(d.Rule.Values, rule) {
							t.Fatalf("seed %d %v: warden %v %v (%v), casbin %v %v", seed, vals, d.Allowed, d.Rule.Values, err, want, rule)
						}
					}
				}
			})
		}
	}
	for _, call := range []string{`g(r.sub, p.sub, "x")`, `g(r.sub, p.sub, r.obj, "y")`} {
		for _, tail := range []string{"", " && true"} {
			text := strings.Replace(temporalModel, "g(r.sub, p.sub)", call, 1) + tail
			t.Run(call+tail, func(t *testing.T) {
				for seed := range uint64(60) {
					r := rand.New(rand.NewPCG(seed, 12))
					rules := genTemporalPolicy(r, false)
					w := extraArgsWarden(t, text, rules)
					two := extraArgsWarden(t, temporalModel, rules)
					c := sortedCasbin(t, text, rules)
					registerConditions(t, c, util.TimeMatchFunc)
					for _, vals := range temporalRequests(false) {
						casbinOK, err := c.Enforce(vals...)
						if err != nil {
							t.Fatal(err)
						}
						d, err := w.Decide(context.Background(), enforcer.Request{Values: vals})
						d2, err2 := two.Decide(context.Background(), enforcer.Request{Values: vals})
						if err != nil || err2 != nil || d.Allowed != d2.Allowed || !slices.Equal(d.Rule.Values, d2.Rule.Values) {
							t.Fatalf("seed %d %v: %s: %v %v (%v); with two arguments %v %v (%v)", seed, vals, call, d.Allowed, d.Rule.Values, err, d2.Allowed, d2.Rule.Values, err2)
						}
						if d.Allowed && !casbinOK {
							t.Fatalf("seed %d %v: warden allows what Casbin denies", seed, vals)
						}
					}
				}
			})
		}
	}
}

func temporalRequests(domains bool) [][]any {
	var out [][]any
	for _, sub := range []string{"alice", "bob", "carol", "r1", "r3", "nobody"} {
		for _, obj := range []string{"data0", "data1", "data2"} {
			for _, act := range []string{"read", "write"} {
				if !domains {
					out = append(out, []any{sub, obj, act})
					continue
				}
				for _, dom := range []string{"d1", "d2"} {
					out = append(out, []any{sub, dom, obj, act})
				}
			}
		}
	}
	return out
}

// TestRoleFunctionExtraArgumentNotString: Casbin's g requires every
// argument to be a string, the ones it ignores too, and fails the decision
// otherwise; Warden fails it too, without allowing. Casbin's conditional g
// reads no argument past the third, so a number there decides as usual.
func TestRoleFunctionExtraArgumentNotString(t *testing.T) {
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "data1", "read"}},
		{PType: "g", Values: []string{"alice", "admin"}},
	}
	for _, m := range []string{
		`g(r.sub, p.sub, "t1", r.act) && r.obj == p.obj`,
		`g(r.sub, p.sub, r.act) && r.obj == p.obj`,
	} {
		text := strings.Replace(rbacModel, "g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", m, 1)
		if text == rbacModel {
			t.Fatal("rbacModel's matcher changed")
		}
		w := extraArgsWarden(t, text, rules)
		c := sortedCasbin(t, text, rules)
		ok, err := c.Enforce("alice", "data1", 7)
		if err == nil {
			t.Fatalf("%s: Casbin decides %v on a number: the expectation is stale", m, ok)
		}
		d, err := w.Decide(context.Background(), enforcer.Request{Values: []any{"alice", "data1", 7}})
		if err == nil || d.Allowed {
			t.Fatalf("%s: warden %v, %v; Casbin fails the decision", m, d.Allowed, err)
		}
	}

	text := strings.Replace(temporalDomainModel, "g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act",
		"g(r.sub, p.sub, r.dom, r.act) && r.dom == p.dom && r.obj == p.obj", 1)
	crules := []enforcer.Rule{
		{PType: "p", Values: []string{"r1", "d1", "data1", "read"}},
		{PType: "g", Values: []string{"alice", "r1", "d1", "_", "_"}},
		{PType: "g", Values: []string{"bob", "r1", "d1", "_", "1970-01-01 00:00:00"}},
	}
	w := extraArgsWarden(t, text, crules)
	c := sortedCasbin(t, text, crules)
	registerConditions(t, c, util.TimeMatchFunc)
	for _, sub := range []string{"alice", "bob", "carol"} {
		vals := []any{sub, "d1", "data1", 7}
		want, err := c.Enforce(vals...)
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.Decide(context.Background(), enforcer.Request{Values: vals})
		if err != nil || d.Allowed != want {
			t.Fatalf("%v: warden %v (%v), casbin %v", vals, d.Allowed, err, want)
		}
	}
}
