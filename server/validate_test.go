package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// TestRuleFieldLabels: the API names a role rule's fields as the
// enforcer's checks do: member, role, domain only where the definition has
// a domain, and the parameters of a conditional definition
// (g = _, _, (_, _)) param1, param2..., never "domain" or a field number.
func TestRuleFieldLabels(t *testing.T) {
	const head = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\n"
	const tail = "\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	const headDom = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n[role_definition]\n"
	const tailDom = "\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act\n"
	cases := []struct {
		name   string
		model  string
		values []string
		want   []string // substrings of the error
	}{
		{"count, plain", head + "g = _, _" + tail, []string{"a"},
			[]string{"values: must have 2 values (member, role), got 1"}},
		{"count, domain", headDom + "g = _, _, _" + tailDom, []string{"a"},
			[]string{"values: must have 3 values (member, role, domain), got 1"}},
		{"count, conditional", head + "g = _, _, (_, _)" + tail, []string{"a"},
			[]string{"values: must have 4 values (member, role, param1, param2), got 1"}},
		{"count, conditional with a domain", headDom + "g = _, _, _, (_, _)" + tailDom, []string{"a"},
			[]string{"values: must have 5 values (member, role, domain, param1, param2), got 1"}},
		{"empty parameter", head + "g = _, _, (_, _)" + tail, []string{"alice", "admin", "", "_"},
			[]string{"values[2]: must not be empty (param1)"}},
		{"spaced parameter", head + "g = _, _, (_, _)" + tail, []string{"alice", "admin", "_", " 2026-01-01 00:00:00"},
			[]string{"values[3]: leading or trailing space (param2)"}},
		{"empty parameter with a domain", headDom + "g = _, _, _, (_, _)" + tailDom, []string{"alice", "admin", "d1", "_", ""},
			[]string{"values[4]: must not be empty (param2)"}},
		{"empty domain", headDom + "g = _, _, _, (_, _)" + tailDom, []string{"alice", "admin", "", "_", "_"},
			[]string{"values[2]: must not be empty (domain)"}},
		// The enforcer's own checks (invisible characters) name the
		// field as well.
		{"invisible character in a parameter", head + "g = _, _, (_, _)" + tail, []string{"alice", "admin", "_", "2026\u200b"},
			[]string{"values[3]: ", "(param2)"}},
		{"invisible character in the first parameter", head + "g = _, _, (_, _)" + tail, []string{"alice", "admin", "a\u200b", "_"},
			[]string{"values[2]: ", "(param1)"}},
		{"invisible character in a parameter with a domain", headDom + "g = _, _, _, (_, _)" + tailDom, []string{"alice", "admin", "d1", "a\u200b", "_"},
			[]string{"values[3]: ", "(param1)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := enforcer.ParseModel(c.model)
			if err != nil {
				t.Fatal(err)
			}
			e, err := enforcer.New(context.Background(), m, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateRules(e, policyadmin.ScopePolicy, []enforcer.Rule{{PType: "g", Values: c.values}})
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("got %v, want %q", err, c.want)
				}
			}
		})
	}
}

// TestGroupFieldLabels: /v1/groups takes member, role and a domain only
// for a definition whose third field is a domain; a conditional definition
// (g = _, _, (_)) has a parameter there, which the endpoint cannot fill
// from a domain: it sends the caller to /v1/rules.
func TestGroupFieldLabels(t *testing.T) {
	const head = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\n"
	const tail = "\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	cases := []struct {
		def  string
		body groupBody
		want string // the error, "" for none
	}{
		{"g = _, _", groupBody{Member: "alice", Role: "admin"}, ""},
		{"g = _, _", groupBody{Member: "alice", Role: "admin", Domain: "d1"}, "domain: the model's g has no domain"},
		{"g = _, _, _", groupBody{Member: "alice", Role: "admin", Domain: "d1"}, ""},
		{"g = _, _, _", groupBody{Member: "alice", Role: "admin"}, "domain: must not be empty"},
		{"g = _, _, (_)", groupBody{Member: "alice", Role: "admin", Domain: "_"}, "ptype: ptype \"g\" has 3 fields (member, role, param1); use /v1/rules"},
		{"g = _, _, (_, _)", groupBody{Member: "alice", Role: "admin"}, "ptype: ptype \"g\" has 4 fields (member, role, param1, param2); use /v1/rules"},
	}
	for _, c := range cases {
		text := head + c.def + tail
		if c.def == "g = _, _, _" {
			text = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n[role_definition]\n" + c.def +
				"\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act\n"
		}
		// A single parameter needs a condition of its own.
		opts := []enforcer.Option{enforcer.WithLinkCondition("g", "always", func(...string) (bool, error) { return true, nil })}
		m, err := enforcer.ParseModel(text, opts...)
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(context.Background(), m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.body.rule(e)
		if got := fmt.Sprint(err); (c.want == "") != (err == nil) || err != nil && got != c.want {
			t.Errorf("%s %+v: got %v, want %q", c.def, c.body, err, c.want)
		}
	}
}
