package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/modelcheck"
)

// Attacks on the hot path's shortcuts (predKeyed: index candidates matched
// without the role term; policy values boxed at store; argument slabs;
// sortBySeq): generated policies over a small name space, in which
// subjects, roles, objects and domains overlap, decided by Warden and by
// plain Casbin loaded with the policy Warden holds, before and after rules
// are removed and added again.

type atkModel struct {
	name  string
	text  string
	opts  []enforcer.Option
	setup func(*casbin.Enforcer)
	// defs are the definitions requests choose from ({} is the default).
	defs []enforcer.Definition
	// tolerate is an error Warden documents where Casbin's answer is
	// not defined (subjectPriority over subjects at several depths).
	tolerate string
}

var atkNames = []string{"", "u0", "u1", "u2", "r0", "r1", "r2", "r3", "o0", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11"}

// atkValue is a value for a field of the given name.
func atkValue(r *rand.Rand, field string) string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	switch {
	case strings.HasSuffix(field, "eft"):
		return pick("allow", "allow", "deny", "indeterminate")
	case strings.HasSuffix(field, "priority"):
		return pick("1", "2", "3", "10")
	case strings.HasSuffix(field, "dom"):
		return pick("d1", "d2", "d*", "")
	case strings.HasSuffix(field, "act"):
		return pick("read", "write", "")
	case strings.HasSuffix(field, "obj"):
		return pick("o0", "o1", "r0", "u0", "")
	}
	return atkNames[r.IntN(len(atkNames))]
}

// atkPolicy generates p rules of every policy type and g links of every
// role definition, with a chain c0 → c1 → … → c11 that reaches past
// Casbin's 10 links.
func atkPolicy(r *rand.Rand, m model.Model) []enforcer.Rule {
	var rules []enforcer.Rule
	for _, ptype := range sortedAssertions(m, "p") {
		toks := m["p"][ptype].Tokens
		for range 15 + r.IntN(25) {
			vals := make([]string, len(toks))
			for i, tk := range toks {
				vals[i] = atkValue(r, tk)
			}
			rules = append(rules, enforcer.Rule{PType: ptype, Values: vals})
		}
	}
	for _, ptype := range sortedAssertions(m, "g") {
		n := len(m["g"][ptype].Tokens)
		link := func(a, b string) {
			vals := []string{a, b}
			for len(vals) < n {
				vals = append(vals, atkValue(r, "dom"))
			}
			rules = append(rules, enforcer.Rule{PType: ptype, Values: vals})
		}
		for i := range 11 {
			link(fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1))
		}
		for range 8 + r.IntN(10) {
			link(atkNames[r.IntN(len(atkNames))], atkNames[r.IntN(len(atkNames))])
		}
	}
	return dedupRules(rules)
}

func dedupRules(rules []enforcer.Rule) []enforcer.Rule {
	seen := map[string]bool{}
	out := rules[:0]
	for _, x := range rules {
		k := x.PType + "\x00" + strings.Join(x.Values, "\x00")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, x)
	}
	return out
}

func sortedAssertions(m model.Model, sec string) []string {
	var out []string
	for k := range m[sec] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// atkCasbin is plain Casbin holding w's policy in w's order.
func atkCasbin(t *testing.T, am atkModel, w *enforcer.Enforcer) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(am.text)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{"p", "g"} {
		for _, ptype := range sortedAssertions(m, sec) {
			for _, x := range w.Rules(ptype) {
				m.AddPolicy(sec, ptype, x.Values)
			}
		}
	}
	c, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	c.EnableLog(false)
	if am.setup != nil {
		am.setup(c)
	}
	if err := c.BuildRoleLinks(); err != nil {
		t.Fatal(err)
	}
	return c
}

// atkCompare decides req on both: the same error or none, the same
// decision, the same rule.
func atkCompare(t *testing.T, w *enforcer.Enforcer, c *casbin.Enforcer, req enforcer.Request, tolerate string) bool {
	t.Helper()
	wd, werr := w.Decide(context.Background(), req)
	if werr != nil && tolerate != "" && strings.Contains(werr.Error(), tolerate) {
		return false
	}
	vals := req.Values
	if req.Definition != (enforcer.Definition{}) {
		d := req.Definition
		vals = append([]any{casbin.EnforceContext{RType: d.R, PType: d.P, EType: d.E, MType: d.M}}, vals...)
	}
	cok, crule, cerr := c.EnforceEx(vals...)
	if (werr != nil) != (cerr != nil) {
		t.Fatalf("%v %+v: errors differ: warden %v, casbin %v", req.Values, req.Definition, werr, cerr)
	}
	if werr != nil {
		return false
	}
	if wd.Allowed != cok {
		t.Fatalf("%v %+v: warden allowed=%v (%q), casbin allowed=%v (%q)", req.Values, req.Definition, wd.Allowed, wd.Rule.Values, cok, crule)
	}
	if !slices.Equal(wd.Rule.Values, crule) && !(len(crule) == 0 && wd.Rule.IsZero()) {
		t.Fatalf("%v %+v: warden rule %q, casbin rule %q", req.Values, req.Definition, wd.Rule.Values, crule)
	}
	return cok
}

func atkRequest(r *rand.Rand, m model.Model, d enforcer.Definition) enforcer.Request {
	rt := d.R
	if rt == "" {
		rt = "r"
	}
	toks := m["r"][rt].Tokens
	vals := make([]any, len(toks))
	for i, tk := range toks {
		vals[i] = atkValue(r, tk)
	}
	return enforcer.Request{Values: vals, Definition: d}
}

// runAttack generates a policy for am, compares every request shape,
// then removes a third of the rules (links too) and adds some back, in
// another order, comparing again after each round.
func runAttack(t *testing.T, am atkModel, seeds int) {
	allowed, total := 0, 0
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 0xa77ac4))
		m, err := enforcer.ParseModel(am.text, am.opts...)
		if err != nil {
			t.Fatal(err)
		}
		w, err := enforcer.New(context.Background(), m, nil, am.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if ok, reason := w.FastPath(); !ok {
			t.Fatalf("not on the fast path: %s", reason)
		}
		rules := atkPolicy(r, m)
		if _, err := w.AddRules(context.Background(), rules...); err != nil {
			t.Fatal(err)
		}
		defs := am.defs
		if len(defs) == 0 {
			defs = []enforcer.Definition{{}}
		}
		for round := range 3 {
			c := atkCasbin(t, am, w)
			for range 150 {
				d := defs[r.IntN(len(defs))]
				if atkCompare(t, w, c, atkRequest(r, m, d), am.tolerate) {
					allowed++
				}
				total++
			}
			if round == 2 {
				break
			}
			var gone []enforcer.Rule
			for _, x := range rules {
				if r.IntN(3) == 0 {
					gone = append(gone, x)
				}
			}
			if _, err := w.RemoveRules(context.Background(), gone...); err != nil {
				t.Fatal(err)
			}
			r.Shuffle(len(gone), func(i, j int) { gone[i], gone[j] = gone[j], gone[i] })
			if _, err := w.AddRules(context.Background(), gone[:len(gone)/2]...); err != nil {
				t.Fatal(err)
			}
		}
	}
	if allowed == 0 || allowed == total {
		t.Fatalf("%d of %d requests allowed: the policy tests nothing", allowed, total)
	}
}

const atkHead = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = `

const atkDomHead = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = `

func eqFn(args ...any) (any, error) {
	a, _ := args[0].(string)
	b, _ := args[1].(string)
	return a == b, nil
}

var atkModels = []atkModel{
	{name: "plain", text: atkHead + "g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"},
	{name: "role_last", text: atkHead + "r.obj == p.obj && r.act == p.act && g(r.sub, p.sub)"},
	{name: "role_only", text: atkHead + "g(r.sub, p.sub)"},
	{name: "role_twice", text: atkHead + "g(r.sub, p.sub) && g(r.sub, p.obj) && r.act == p.act"},
	{name: "role_twice_same", text: atkHead + "g(r.sub, p.sub) && r.act == p.act && g(r.sub, p.sub)"},
	{name: "role_on_obj", text: atkHead + "g(r.obj, p.sub) && r.sub == p.obj && r.act == p.act"},
	{name: "role_eq_role_field", text: atkHead + "g(r.sub, p.sub) && r.obj == p.sub && r.act == p.act"},
	{name: "role_and_negated", text: atkHead + "g(r.sub, p.sub) && !g(r.obj, p.sub) && r.act == p.act"},
	{name: "negated_only", text: atkHead + "!g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"},
	{name: "role_or", text: atkHead + "g(r.sub, p.sub) && (r.obj == p.obj || p.obj == 'o1') && r.act == p.act"},
	{name: "role_ne", text: atkHead + "g(r.sub, p.sub) && r.obj != p.obj && r.act == p.act"},
	{name: "subject_is_role", text: atkHead + "g(r.sub, p.sub) && r.sub == p.sub && r.act == p.act"},
	{name: "fn", text: atkHead + "g(r.sub, p.sub) && same(r.obj, p.obj) && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithFunction("same", eqFn)},
		setup: func(c *casbin.Enforcer) { c.AddFunction("same", eqFn) }},
	{name: "fn_role_field", text: atkHead + "g(r.sub, p.sub) && same(p.sub, p.obj) || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithFunction("same", eqFn)},
		setup: func(c *casbin.Enforcer) { c.AddFunction("same", eqFn) }},
	{name: "domains", text: atkDomHead + "g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act"},
	{name: "domains_literal", text: atkDomHead + "g(r.sub, p.sub, 'd1') && r.obj == p.obj && r.act == p.act"},
	{name: "domains_policy_dom", text: atkDomHead + "g(r.sub, p.sub, p.dom) && g(r.sub, p.obj, r.dom) && r.act == p.act"},
	{name: "domains_keymatch", text: atkDomHead + "g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithDomainMatchingFunction("g", "keyMatch", nil)},
		setup: func(c *casbin.Enforcer) { c.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch) }},
	{name: "names_keymatch", text: atkHead + "g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithMatchingFunction("g", "keyMatch", nil)},
		setup: func(c *casbin.Enforcer) { c.AddNamedMatchingFunc("g", "keyMatch", util.KeyMatch) }},
	{name: "deny_override", text: strings.NewReplacer("p = sub, obj, act", "p = sub, obj, act, eft", "some(where (p.eft == allow))", "!some(where (p.eft == deny))").Replace(atkHead) +
		"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"},
	{name: "allow_and_deny", text: strings.NewReplacer("p = sub, obj, act", "p = sub, obj, act, eft", "some(where (p.eft == allow))", "some(where (p.eft == allow)) && !some(where (p.eft == deny))").Replace(atkHead) +
		"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"},
	{name: "priority", text: strings.NewReplacer("p = sub, obj, act", "p = priority, sub, obj, act, eft", "some(where (p.eft == allow))", "priority(p.eft) || deny").Replace(atkHead) +
		"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"},
	{name: "subject_priority", text: strings.NewReplacer("p = sub, obj, act", "p = sub, obj, act, eft", "some(where (p.eft == allow))", "subjectPriority(p.eft) || deny").Replace(atkHead) +
		"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", tolerate: "no defined order"},
	{name: "definitions", text: `[request_definition]
r = sub, obj, act
r2 = sub, obj
[policy_definition]
p = sub, obj, act
p2 = sub, obj
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = g2(r2.sub, p2.sub) && g(r2.sub, p2.obj)`,
		defs: []enforcer.Definition{{}, {R: "r2", P: "p2", E: "e", M: "m2"}}},
}

// TestPerf12AttackDifferential decides generated policies and requests on
// every model above as plain Casbin does.
func TestPerf12AttackDifferential(t *testing.T) {
	for _, am := range atkModels {
		t.Run(am.name, func(t *testing.T) { runAttack(t, am, 6) })
	}
}

// TestPerf12AttackScoped: request-scoped groups and policies on models
// whose index candidates skip the role term, against Casbin holding the
// groups as stored links of the token's subject and the policies after
// every stored rule. A request-scoped policy is not found by the index:
// its role term must still be evaluated (a scoped policy of a role the
// subject does not reach must not grant).
func TestPerf12AttackScoped(t *testing.T) {
	for _, am := range atkModels {
		switch am.name {
		case "plain", "role_last", "role_only", "fn", "role_twice", "deny_override", "domains", "priority":
		default:
			continue
		}
		t.Run(am.name, func(t *testing.T) {
			allowed, total := 0, 0
			for seed := range uint64(6) {
				r := rand.New(rand.NewPCG(seed, 0x5c0bed))
				m, err := enforcer.ParseModel(am.text, am.opts...)
				if err != nil {
					t.Fatal(err)
				}
				w, err := enforcer.New(context.Background(), m, nil, am.opts...)
				if err != nil {
					t.Fatal(err)
				}
				rules := atkPolicy(r, m)
				if _, err := w.AddRules(context.Background(), rules...); err != nil {
					t.Fatal(err)
				}
				for range 60 {
					req := atkRequest(r, m, enforcer.Definition{})
					req.Values[0] = "token-user"
					dom, domains := "", len(m["g"]["g"].Tokens) == 3
					if domains {
						dom = req.Values[1].(string)
					}
					for range r.IntN(3) {
						req.Groups = append(req.Groups, atkNames[1+r.IntN(len(atkNames)-1)])
					}
					for range r.IntN(3) {
						vals := make([]string, len(m["p"]["p"].Tokens))
						for i, tk := range m["p"]["p"].Tokens {
							vals[i] = atkValue(r, tk)
						}
						if r.IntN(2) == 0 {
							// the request's own object and action
							for i, tk := range m["p"]["p"].Tokens {
								if j := slices.Index(m["r"]["r"].Tokens, strings.Replace(tk, "p_", "r_", 1)); j > 0 && !strings.HasSuffix(tk, "sub") {
									vals[i] = req.Values[j].(string)
								}
							}
						}
						req.Policies = append(req.Policies, vals)
					}
					c := atkCasbin(t, am, w)
					for _, grp := range req.Groups {
						link := []string{"token-user", grp}
						if domains {
							link = append(link, dom)
						}
						if _, err := c.AddGroupingPolicy(link); err != nil {
							t.Fatal(err)
						}
					}
					for _, p := range req.Policies {
						if _, err := c.AddPolicy(p); err != nil {
							t.Fatal(err)
						}
					}
					if am.name == "priority" {
						// Casbin sorts by priority when it loads the policy.
						cm := c.GetModel()
						if err := cm.SortPoliciesByPriority(); err != nil {
							t.Fatal(err)
						}
					}
					if atkCompare(t, w, c, req, "") {
						allowed++
					}
					total++
				}
			}
			if allowed == 0 || allowed == total {
				t.Fatalf("%d of %d allowed", allowed, total)
			}
		})
	}
}

// TestPerf12AttackDepth: a role 10 links away grants, one 11 away does
// not, whichever way the matcher is written, as in Casbin.
func TestPerf12AttackDepth(t *testing.T) {
	for _, matcher := range []string{
		"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act",
		"g(r.sub, p.sub)",
		"g(r.sub, p.sub) && same(r.obj, p.obj)",
	} {
		am := atkModel{text: atkHead + matcher, opts: []enforcer.Option{enforcer.WithFunction("same", eqFn)},
			setup: func(c *casbin.Enforcer) { c.AddFunction("same", eqFn) }}
		m, err := enforcer.ParseModel(am.text, am.opts...)
		if err != nil {
			t.Fatal(err)
		}
		w, err := enforcer.New(context.Background(), m, nil, am.opts...)
		if err != nil {
			t.Fatal(err)
		}
		var rules []enforcer.Rule
		for i := range 12 {
			rules = append(rules, enforcer.G(fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1)))
		}
		rules = append(rules, enforcer.P("c11", "o1", "read"), enforcer.P("c10", "o0", "read"))
		if _, err := w.AddRules(context.Background(), rules...); err != nil {
			t.Fatal(err)
		}
		c := atkCasbin(t, am, w)
		if !atkCompare(t, w, c, enforcer.NewRequest("c0", "o0", "read"), "") {
			t.Fatalf("%s: c10, 10 links away, does not grant", matcher)
		}
		if matcher != "g(r.sub, p.sub)" && atkCompare(t, w, c, enforcer.NewRequest("c0", "o1", "read"), "") {
			t.Fatalf("%s: c11, 11 links away, grants", matcher)
		}
		atkCompare(t, w, c, enforcer.NewRequest("c1", "o1", "read"), "")
	}
}

// TestPerf12AttackConcurrentLinks: decisions in parallel with writers
// that add and remove a set of g links (and the p rules they lead to) in
// one call each, with a registered function that keeps its argument
// slices and checks them later. Every decision must be the one Casbin
// gives with the set present or the one it gives with the set absent,
// rule included; every kept slice must be as the function left it. Run
// under -race.
func TestPerf12AttackConcurrentLinks(t *testing.T) {
	type kept struct {
		args []any
		want []any
	}
	var keptMu sync.Mutex
	var keeps []kept
	keep := func(args ...any) (any, error) {
		a, _ := args[0].(string)
		b, _ := args[1].(string)
		args[0] = "changed" // the slice is the function's own
		keptMu.Lock()
		keeps = append(keeps, kept{args: args, want: []any{"changed", b}})
		keptMu.Unlock()
		_ = append(args, "appended")
		return a == b, nil
	}
	am := atkModel{text: atkHead + "g(r.sub, p.sub) && keep(r.obj, p.obj) && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithFunction("keep", keep)},
		setup: func(c *casbin.Enforcer) { c.AddFunction("keep", eqFn) }}
	r := rand.New(rand.NewPCG(7, 7))
	m, err := enforcer.ParseModel(am.text, am.opts...)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, nil, am.opts...)
	if err != nil {
		t.Fatal(err)
	}
	base := atkPolicy(r, m)
	if _, err := w.AddRules(context.Background(), base...); err != nil {
		t.Fatal(err)
	}
	var toggled []enforcer.Rule
	for _, x := range []enforcer.Rule{
		enforcer.G("u0", "t0"), enforcer.G("t0", "t1"), enforcer.G("u1", "t1"), enforcer.G("c5", "t0"),
		enforcer.P("t1", "o0", "read"), enforcer.P("t0", "o1", "write"), enforcer.P("t1", "", ""),
	} {
		if !w.Has(x.PType, x.Values) {
			toggled = append(toggled, x)
		}
	}
	var reqs []enforcer.Request
	for range 200 {
		reqs = append(reqs, atkRequest(r, m, enforcer.Definition{}))
	}
	type answer struct {
		allowed bool
		rule    []string
	}
	answers := func() []answer {
		c := atkCasbin(t, am, w)
		out := make([]answer, len(reqs))
		for i, q := range reqs {
			ok, rule, err := c.EnforceEx(q.Values...)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = answer{ok, rule}
		}
		return out
	}
	without := answers()
	if _, err := w.AddRules(context.Background(), toggled...); err != nil {
		t.Fatal(err)
	}
	with := answers()
	differ := 0
	for i := range reqs {
		if with[i].allowed != without[i].allowed {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the toggled links change no decision")
	}

	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (n*7 + g) % len(reqs)
				d, err := w.Decide(ctx, reqs[i])
				if err != nil {
					errs <- err
					return
				}
				got := answer{d.Allowed, d.Rule.Values}
				okWith := got.allowed == with[i].allowed && slices.Equal(got.rule, with[i].rule)
				okWithout := got.allowed == without[i].allowed && slices.Equal(got.rule, without[i].rule)
				if !okWith && !okWithout {
					errs <- fmt.Errorf("%v: %+v, neither %+v (links present) nor %+v (absent)", reqs[i].Values, got, with[i], without[i])
					return
				}
			}
		}()
	}
	for range 300 {
		if _, err := w.RemoveRules(ctx, toggled...); err != nil {
			t.Fatal(err)
		}
		if _, err := w.AddRules(ctx, toggled...); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	keptMu.Lock()
	defer keptMu.Unlock()
	if len(keeps) == 0 {
		t.Fatal("the function was never called")
	}
	for _, k := range keeps {
		if len(k.args) != 2 || cap(k.args) != 2 || !slices.Equal(k.args, k.want) {
			t.Fatalf("a kept argument slice changed: %v (cap %d), want %v", k.args, cap(k.args), k.want)
		}
	}
}

// TestPerf12AttackRequestUses: on matchers passing request fields to
// every kind of function (patterns, keys, CIDRs, registered functions,
// concatenations, role terms), a field for which RequestUses is false,
// so that decisions skip CheckRequest for it, is one CheckRequest refuses
// no hostile value within the size limit for; and a field it is true for
// is one some hostile value is refused for.
func TestPerf12AttackRequestUses(t *testing.T) {
	matchers := []string{
		"g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && regexMatch(r.act, p.act)",
		"keyMatch2(p.obj, r.obj) && regexMatch(p.act, r.act) && r.sub == p.sub",
		"keyMatch(r.obj, p.obj) && keyMatch(p.act, r.act) && globMatch(r.sub, p.sub)",
		"globMatch(p.sub, r.sub) && ipMatch(r.obj, p.obj) && ipMatch(p.act, r.act)",
		"keyMatch4(r.obj, p.obj + r.act) && keyGet2(r.sub, p.sub, r.act) == ''",
		"same(r.sub, p.sub) && same(p.obj, r.obj) && keyMatch3(r.act, p.act)",
		"r.obj =~ p.obj && p.act =~ r.act && g(r.sub, p.sub)",
		"keyMatch5(r.obj, p.obj) && keyGet3(r.act, p.act, p.sub) == r.sub",
	}
	hostile := []string{"(", "[", "/a/{id(}", strings.Repeat("(a*)*", 40), "not-an-ip", "10.0.0.0/99", `\`, "{a,{b,{c,d}}}", strings.Repeat("a{99}", 20), "/*/*/:x(/"}
	checked := 0
	for _, mt := range matchers {
		m, err := model.NewModelFromString(atkHead + mt)
		if err != nil {
			t.Fatal(err)
		}
		c := modelcheck.NewValueCheckerWith(m, modelcheck.Limits{}, modelcheck.CheckerOptions{Functions: map[string]govaluate.ExpressionFunction{"same": eqFn}})
		for i, name := range m["r"]["r"].Tokens {
			refused := 0
			for _, v := range hostile {
				if c.CheckRequest("r", i, v) != nil {
					refused++
				}
			}
			switch uses := c.RequestUses("r", i); {
			case !uses && refused > 0:
				t.Errorf("%s: %s: RequestUses is false, so decisions skip CheckRequest, which refuses %d hostile values", mt, name, refused)
			case uses && refused == 0:
				t.Errorf("%s: %s: RequestUses holds, but CheckRequest refuses no hostile value", mt, name)
			case uses:
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no field is checked")
	}
}

// swapLoader loads whichever policy it holds now, as an adapter whose
// store changed between two reloads.
type swapLoader struct{ rules []enforcer.Rule }

func (l *swapLoader) LoadPolicy(m model.Model) error {
	for _, r := range l.rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return err
		}
	}
	return nil
}

func (l *swapLoader) SavePolicy(model.Model) error                              { return nil }
func (l *swapLoader) AddPolicy(string, string, []string) error                  { return nil }
func (l *swapLoader) RemovePolicy(string, string, []string) error               { return nil }
func (l *swapLoader) RemoveFilteredPolicy(string, string, int, ...string) error { return nil }

// TestPerf12AttackReloadBoxes: a registered function is passed the policy
// value the rule holds after a reload changed the policy (a boxed value
// kept from before would decide by the old one), on every reload.
func TestPerf12AttackReloadBoxes(t *testing.T) {
	am := atkModel{text: atkHead + "g(r.sub, p.sub) && same(r.obj, p.obj) && r.act == p.act",
		opts:  []enforcer.Option{enforcer.WithFunction("same", eqFn)},
		setup: func(c *casbin.Enforcer) { c.AddFunction("same", eqFn) }}
	m, err := enforcer.ParseModel(am.text, am.opts...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	l := &swapLoader{rules: atkPolicy(r, m)}
	w, err := enforcer.New(context.Background(), m, l, am.opts...)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 6 {
		c := atkCasbin(t, am, w)
		allowed := 0
		for range 150 {
			if atkCompare(t, w, c, atkRequest(r, m, enforcer.Definition{}), "") {
				allowed++
			}
		}
		if allowed == 0 {
			t.Fatalf("round %d: nothing allowed", round)
		}
		// The same subjects and actions, other objects: the rules' keys
		// differ only in the field the function reads.
		next := slices.Clone(l.rules)
		for i, x := range next {
			if x.PType == "p" {
				next[i] = enforcer.P(x.Values[0], atkValue(r, "obj"), x.Values[2])
			}
		}
		l.rules = dedupRules(next)
		if err := w.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPerf12AttackNonStrings: requests with a value that is not a string
// (a number, a map, a struct) in any field, the subject and the role
// domain included, decide as in Casbin: the index and its shortcuts take
// only strings.
func TestPerf12AttackNonStrings(t *testing.T) {
	type obj struct{ Name string }
	odd := []any{7, 2.5, true, map[string]any{"Name": "o0"}, obj{Name: "o0"}, []string{"o0"}}
	for _, am := range atkModels {
		t.Run(am.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 0x0dd))
			m, err := enforcer.ParseModel(am.text, am.opts...)
			if err != nil {
				t.Fatal(err)
			}
			w, err := enforcer.New(context.Background(), m, nil, am.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.AddRules(context.Background(), atkPolicy(r, m)...); err != nil {
				t.Fatal(err)
			}
			c := atkCasbin(t, am, w)
			defs := am.defs
			if len(defs) == 0 {
				defs = []enforcer.Definition{{}}
			}
			failed := 0
			defer func() {
				if failed == 150 {
					t.Errorf("Casbin fails on every request: nothing compared")
				}
			}()
			for range 150 {
				req := atkRequest(r, m, defs[r.IntN(len(defs))])
				req.Values[r.IntN(len(req.Values))] = odd[r.IntN(len(odd))]
				vals := req.Values
				if d := req.Definition; d != (enforcer.Definition{}) {
					vals = append([]any{casbin.EnforceContext{RType: d.R, PType: d.P, EType: d.E, MType: d.M}}, vals...)
				}
				if _, cerr := c.Enforce(vals...); cerr != nil {
					// The documented difference: Casbin fails on a rule
					// the index rules out; Warden must not allow.
					if d, err := w.Decide(context.Background(), req); err == nil && d.Allowed {
						t.Fatalf("%v: Casbin fails (%.80s), Warden allows by %q", req.Values, cerr, d.Rule.Values)
					}
					failed++
					continue
				}
				atkCompare(t, w, c, req, am.tolerate)
			}
		})
	}
}

// TestPerf12AttackGeneratedMatchers: matchers of two to five conjuncts
// drawn from role terms (on the subject, the object, twice, negated),
// equalities, inequalities, literals, registered functions and
// disjunctions, in every order, decided as plain Casbin does on generated
// policies. Many are keyed by a role term that predKeyed drops.
func TestPerf12AttackGeneratedMatchers(t *testing.T) {
	pool := []string{
		"g(r.sub, p.sub)", "g(r.sub, p.sub)", "g(r.sub, p.sub)", "g(r.sub, p.obj)", "g(r.obj, p.sub)", "!g(r.sub, p.sub)",
		"r.obj == p.obj", "p.obj == r.obj", "r.act == p.act", "r.obj == p.sub", "r.sub == p.sub", "r.sub == p.obj",
		"r.act != p.act", "p.act == 'read'", "r.act == 'write'", "same(r.obj, p.obj)", "same(p.sub, r.obj)", "!same(p.obj, p.act)",
		"(r.obj == p.obj || g(r.sub, p.obj))", "(p.act == '' || r.act == p.act)", "keyMatch(r.obj, p.obj)",
		"g(p.obj, p.sub)", "g('u0', p.sub)", "g(r.sub, 'r0')", "g(r.obj, r.sub)",
	}
	r := rand.New(rand.NewPCG(99, 100))
	keyedSeen := 0
	for i := range 200 {
		n := 2 + r.IntN(4)
		parts := make([]string, n)
		for j := range parts {
			parts[j] = pool[r.IntN(len(pool))]
		}
		matcher := strings.Join(parts, " && ")
		if !strings.Contains(matcher, "p.") {
			continue
		}
		if strings.HasPrefix(matcher, "g(r.sub, p.sub)") || strings.Contains(matcher, " && g(r.sub, p.sub)") {
			keyedSeen++
		}
		am := atkModel{name: fmt.Sprint(i), text: atkHead + matcher,
			opts:  []enforcer.Option{enforcer.WithFunction("same", eqFn)},
			setup: func(c *casbin.Enforcer) { c.AddFunction("same", eqFn) }}
		t.Run(fmt.Sprintf("%d:%s", i, matcher), func(t *testing.T) {
			m, err := enforcer.ParseModel(am.text, am.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for seed := range uint64(3) {
				rr := rand.New(rand.NewPCG(seed, uint64(i)))
				w, err := enforcer.New(context.Background(), m, nil, am.opts...)
				if err != nil {
					t.Fatal(err)
				}
				if ok, reason := w.FastPath(); !ok {
					t.Fatalf("not on the fast path: %s", reason)
				}
				rules := atkPolicy(rr, m)
				if _, err := w.AddRules(context.Background(), rules...); err != nil {
					t.Fatal(err)
				}
				for round := range 2 {
					c := atkCasbin(t, am, w)
					for range 80 {
						atkCompare(t, w, c, atkRequest(rr, m, enforcer.Definition{}), "")
					}
					if round == 0 {
						var gone []enforcer.Rule
						for _, x := range rules {
							if rr.IntN(3) == 0 {
								gone = append(gone, x)
							}
						}
						if _, err := w.RemoveRules(context.Background(), gone...); err != nil {
							t.Fatal(err)
						}
						if _, err := w.AddRules(context.Background(), gone[:len(gone)/2]...); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
	if keyedSeen < 20 {
		t.Fatalf("only %d matchers keyed by g(r.sub, p.sub)", keyedSeen)
	}
}
