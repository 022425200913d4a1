package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/parity"
)

// The priority effects decide by the first matching rule in the order
// Casbin's loader sorts the policy into (priority field, then the subject's
// level for subjectPriority, then policy order). These tests hold the index
// to that order on generated policies, against a plain Casbin enforcer that
// loaded the same rules.

// prioModel is a model shape with an order: fields says what each p field
// holds, in the model's order.
type prioModel struct {
	name   string
	text   string
	fields []string // of "prio", "sub", "obj", "dom", "act", "eft"
	domain bool     // g has a domain
	layers bool     // subjectPriority: keep the hierarchy's levels defined
}

const (
	prioReq = "[request_definition]\nr = sub, obj, act\n"
	prioG   = "[role_definition]\ng = _, _\n"
	prioM   = "[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
)

var prioModels = []prioModel{
	{name: "priority_effect", text: prioReq + "[policy_definition]\np = sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = priority(p.eft) || deny\n" + prioM, fields: []string{"sub", "obj", "act", "eft"}},
	{name: "priority_effect_no_eft", text: prioReq + "[policy_definition]\np = sub, obj, act\n" + prioG +
		"[policy_effect]\ne = priority(p.eft) || deny\n" + prioM, fields: []string{"sub", "obj", "act"}},
	{name: "priority_field", text: prioReq + "[policy_definition]\np = priority, sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = priority(p.eft) || deny\n" + prioM, fields: []string{"prio", "sub", "obj", "act", "eft"}},
	{name: "priority_field_wildcard", text: prioReq + "[policy_definition]\np = sub, priority, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = priority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && (r.act == p.act || p.act == \"*\")\n",
		fields: []string{"sub", "prio", "obj", "act", "eft"}},
	{name: "priority_field_govaluate", text: prioReq + "[policy_definition]\np = priority, sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = priority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act && 1 == 1\n",
		fields: []string{"prio", "sub", "obj", "act", "eft"}},
	// A priority field orders the rules whatever the effect, which then
	// decides which rule is named.
	{name: "priority_field_allow_and_deny", text: prioReq + "[policy_definition]\np = priority, sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = some(where (p.eft == allow)) && !some(where (p.eft == deny))\n" + prioM,
		fields: []string{"prio", "sub", "obj", "act", "eft"}},
	{name: "priority_field_allow_override", text: prioReq + "[policy_definition]\np = priority, sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = some(where (p.eft == allow))\n" + prioM, fields: []string{"prio", "sub", "obj", "act", "eft"}},
	{name: "subject_priority", text: prioReq + "[policy_definition]\np = sub, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n" + prioM, fields: []string{"sub", "obj", "act", "eft"}, layers: true},
	{name: "subject_priority_with_priority", text: prioReq + "[policy_definition]\np = sub, priority, obj, act, eft\n" + prioG +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n" + prioM, fields: []string{"sub", "prio", "obj", "act", "eft"}, layers: true},
	{name: "subject_priority_domain", text: "[request_definition]\nr = sub, obj, dom, act\n[policy_definition]\np = sub, obj, dom, act, eft\n" +
		"[role_definition]\ng = _, _, _\n[policy_effect]\ne = subjectPriority(p.eft) || deny\n" +
		"[matchers]\nm = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act\n",
		fields: []string{"sub", "obj", "dom", "act", "eft"}, domain: true, layers: true},
}

// genPrioPolicy makes a policy for pm: a layered role hierarchy (each name
// links to one or two names of the layer above, so every top role that
// reaches a name reaches it at the same depth, and Casbin's levels are
// defined), sometimes a cycle no top role reaches, and p rules on every
// layer with priorities drawn from a small range, so that many are equal,
// some written differently ("+1", "01") for the same number.
func genPrioPolicy(r *rand.Rand, pm prioModel) []enforcer.Rule {
	doms := []string{"d1", "d2"}
	layers := [][]string{}
	for l := 0; l < 4; l++ {
		var names []string
		for i := 0; i < 2+r.IntN(4); i++ {
			names = append(names, fmt.Sprintf("l%dn%d", l, i))
		}
		layers = append(layers, names)
	}
	var rules []enforcer.Rule
	seen := map[string]bool{}
	add := func(rule enforcer.Rule) {
		if k := rule.String(); !seen[k] {
			seen[k] = true
			rules = append(rules, rule)
		}
	}
	link := func(a, b, dom string) {
		if pm.domain {
			add(enforcer.G(a, b, dom))
		} else {
			add(enforcer.G(a, b))
		}
	}
	linkDoms := []string{""}
	if pm.domain {
		linkDoms = doms
	}
	// Each domain's links are layered on their own, so that a name's
	// depth is its layer in every domain it has links in.
	for _, dom := range linkDoms {
		for l := 1; l < len(layers); l++ {
			for _, n := range layers[l] {
				for k := 1 + r.IntN(2); k > 0; k-- {
					link(n, layers[l-1][r.IntN(len(layers[l-1]))], dom)
				}
			}
		}
	}
	if !pm.layers {
		// Without subjectPriority the hierarchy's shape does not order
		// anything: links across layers too.
		for k := r.IntN(4); k > 0; k-- {
			a, b := r.IntN(len(layers)), r.IntN(len(layers))
			if a > b {
				link(layers[a][r.IntN(len(layers[a]))], layers[b][r.IntN(len(layers[b]))], doms[0])
			}
		}
	}
	if r.IntN(3) == 0 {
		// A cycle below no top role: Casbin leaves both at level 1.
		link("cyc1", "cyc2", doms[0])
		link("cyc2", "cyc1", doms[0])
		link(layers[3][0], "cyc1", doms[0])
	}
	var all []string
	for _, names := range layers {
		all = append(all, names...)
	}
	all = append(all, "cyc1", "nobody-links")
	prios := []string{"0", "1", "1", "+1", "01", "2", "-1", "-10", "3", "10"}
	for k := 6 + r.IntN(30); k > 0; k-- {
		var vals []string
		for _, f := range pm.fields {
			switch f {
			case "prio":
				vals = append(vals, prios[r.IntN(len(prios))])
			case "sub":
				vals = append(vals, all[r.IntN(len(all))])
			case "obj":
				vals = append(vals, fmt.Sprintf("data%d", r.IntN(3)))
			case "dom":
				vals = append(vals, doms[r.IntN(len(doms))])
			case "act":
				vals = append(vals, []string{"read", "write", "*"}[r.IntN(3)])
			case "eft":
				vals = append(vals, []string{"allow", "allow", "deny", "deny", "indeterminate"}[r.IntN(5)])
			}
		}
		add(enforcer.P(vals...))
	}
	r.Shuffle(len(rules), func(i, j int) { rules[i], rules[j] = rules[j], rules[i] })
	return rules
}

// TestPriorityDifferential compares decisions and named rules with plain
// Casbin on generated policies, for each priority form, and checks that the
// index decides them.
func TestPriorityDifferential(t *testing.T) {
	for _, pm := range prioModels {
		t.Run(pm.name, func(t *testing.T) {
			allowed, denied, byDeny, moved := 0, 0, 0, 0
			for seed := uint64(1); seed <= 12; seed++ {
				r := rand.New(rand.NewPCG(seed, 7))
				rules := genPrioPolicy(r, pm)
				rep, err := parity.Run(context.Background(), parity.Config{Model: pm.text, Rules: rules, Requests: 150, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				if !rep.FastPath {
					t.Fatalf("not on the index: %s", rep.Reason)
				}
				if !rep.Equal() {
					t.Fatalf("seed %d: %d differences, first %+v\nrules %v", seed, len(rep.Diffs), rep.Diffs[0], rules)
				}
				if rep.Failed > 0 || rep.Unevaluated > 0 {
					t.Fatalf("seed %d: %d requests failed", seed, rep.Failed)
				}
				allowed += rep.Allowed
				denied += rep.Denied
				d, m := orderMatters(t, pm, rules, seed)
				byDeny += d
				moved += m
			}
			// The comparison proves something only if both answers occur,
			// deny rules decide, and the order decides.
			sorts := slices.Contains(pm.fields, "prio") || pm.layers
			denies := slices.Contains(pm.fields, "eft") && !strings.Contains(pm.text, "e = some(where (p.eft == allow))\n")
			if allowed < 60 || denied < 60 || denies && byDeny < 60 || sorts && moved < 12 {
				t.Fatalf("allowed %d, denied %d, by a deny rule %d, moved by the order %d: the generator is too weak", allowed, denied, byDeny, moved)
			}
			t.Logf("allowed %d, denied %d, by a deny rule %d, moved by the order %d", allowed, denied, byDeny, moved)
		})
	}
}

// orderMatters counts the generated requests that a deny rule decides, and
// those that Casbin answers otherwise (or with another rule) when it does
// not sort the policy: an enforcer that is given the rules one by one
// (AddPolicy, which keeps them in the order given), with the effect
// priority(p.eft) || deny in place of subjectPriority.
func orderMatters(t *testing.T, pm prioModel, rules []enforcer.Rule, seed uint64) (byDeny, moved int) {
	t.Helper()
	sorted := sortedCasbin(t, pm.text, rules)
	m, err := model.NewModelFromString(strings.Replace(pm.text, "subjectPriority(", "priority(", 1))
	if err != nil {
		t.Fatal(err)
	}
	unsorted, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.PType == "g" {
			_, err = unsorted.AddNamedGroupingPolicy("g", r.Values)
		} else {
			_, err = unsorted.AddPolicy(r.Values)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	eft := slices.Index(pm.fields, "eft")
	for _, req := range parity.Requests(sorted.GetModel(), rules, parity.RequestOptions{N: 150, Seed: seed}) {
		ok, rule, err := sorted.EnforceEx(req...)
		if err != nil {
			t.Fatal(err)
		}
		if eft >= 0 && len(rule) > 0 && rule[eft] == "deny" {
			byDeny++
		}
		uok, urule, err := unsorted.EnforceEx(req...)
		if err != nil {
			t.Fatal(err)
		}
		if ok != uok || !slices.Equal(rule, urule) {
			moved++
		}
	}
	return byDeny, moved
}

func newWarden(t testing.TB, text string, rules []enforcer.Rule, opts ...enforcer.Option) *enforcer.Enforcer {
	t.Helper()
	m, err := enforcer.ParseModel(text, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, rulesLoader(rules), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// rulesLoader loads fixed rules in order, as a policy file does, and
// stores nothing.
type rulesLoader []enforcer.Rule

func (a rulesLoader) LoadPolicy(m model.Model) error {
	for _, r := range a {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return err
		}
	}
	return nil
}
func (rulesLoader) SavePolicy(model.Model) error                { return errors.ErrUnsupported }
func (rulesLoader) AddPolicy(string, string, []string) error    { return errors.New("not implemented") }
func (rulesLoader) RemovePolicy(string, string, []string) error { return errors.New("not implemented") }
func (rulesLoader) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errors.New("not implemented")
}

// sortedCasbin is a plain Casbin enforcer that loaded rules as from a
// policy file, so that its loader sorted them.
func sortedCasbin(t testing.TB, text string, rules []enforcer.Rule) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := casbin.NewEnforcer(m, rulesLoader(rules))
	if err != nil {
		t.Fatal(err)
	}
	c.EnableLog(false)
	return c
}

// TestPriorityIncremental changes the policy of a running enforcer (adds,
// removes, g links included) and compares it with a Casbin enforcer that
// loads the resulting policy: the order follows every change, where
// Casbin's own AddPolicy and RemovePolicy would leave its in-memory order
// behind.
func TestPriorityIncremental(t *testing.T) {
	ctx := context.Background()
	for _, pm := range prioModels {
		t.Run(pm.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 6; seed++ {
				r := rand.New(rand.NewPCG(seed, 11))
				rules := genPrioPolicy(r, pm)
				extra := genPrioPolicy(r, pm)
				w := newWarden(t, pm.text, rules[:len(rules)/2])
				held := slices.Clone(rules[:len(rules)/2])
				for _, rule := range append(rules[len(rules)/2:], extra...) {
					if i := r.IntN(len(held)); r.IntN(3) == 0 && (!pm.layers || keepsDepth(held, i)) {
						if n, err := w.RemoveRules(ctx, held[i]); err != nil || n != 1 {
							t.Fatalf("remove %s: %d, %v", held[i], n, err)
						}
						held = slices.Delete(held, i, i+1)
					}
					if slices.ContainsFunc(held, func(h enforcer.Rule) bool {
						return h.PType == rule.PType && slices.Equal(h.Values, rule.Values)
					}) {
						continue
					}
					if _, err := w.AddRules(ctx, rule); err != nil {
						t.Fatal(err)
					}
					held = append(held, rule)
				}
				rep, err := parity.Run(ctx, parity.Config{Model: pm.text, Rules: held, Requests: 200, Seed: seed,
					Decider: func(*enforcer.Enforcer) enforcer.Decider { return w }})
				if err != nil {
					t.Fatal(err)
				}
				if !rep.Equal() {
					t.Fatalf("seed %d: %d differences, first %+v", seed, len(rep.Diffs), rep.Diffs[0])
				}
				// Rules lists the policy in the order decisions take it,
				// which is Casbin's after loading.
				c := sortedCasbin(t, pm.text, held)
				pol, _ := c.GetPolicy()
				var got [][]string
				for _, rule := range w.Rules("p") {
					got = append(got, rule.Values)
				}
				if !slices.EqualFunc(got, pol, slices.Equal) {
					t.Fatalf("seed %d: Rules(p)\n%v\nCasbin's order\n%v", seed, got, pol)
				}
			}
		})
	}
}

// keepsDepth reports whether removing held[i] keeps every name's depth
// below the top roles: it is a p rule, or a link whose member keeps another
// link in the same domain.
func keepsDepth(held []enforcer.Rule, i int) bool {
	g := held[i]
	if g.PType != "g" {
		return true
	}
	for j, h := range held {
		if j != i && h.PType == "g" && h.Values[0] == g.Values[0] && slices.Equal(h.Values[2:], g.Values[2:]) {
			return true
		}
	}
	return false
}

// TestPriorityRequestPolicies: request-scoped rules take part as if they
// were appended to the policy, and are ranked with it.
func TestPriorityRequestPolicies(t *testing.T) {
	ctx := context.Background()
	for _, pm := range prioModels {
		t.Run(pm.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 6; seed++ {
				r := rand.New(rand.NewPCG(seed, 13))
				rules := genPrioPolicy(r, pm)
				var scoped [][]string
				for _, rule := range genPrioPolicy(r, pm) {
					if rule.PType == "p" && len(scoped) < 4 {
						scoped = append(scoped, rule.Values)
					}
				}
				w := newWarden(t, pm.text, rules)
				all := slices.Clone(rules)
				for _, p := range scoped {
					all = append(all, enforcer.P(p...))
				}
				c := sortedCasbin(t, pm.text, all)
				for _, req := range parity.Requests(c.GetModel(), all, parity.RequestOptions{N: 200, Seed: seed}) {
					d, err := w.Decide(ctx, enforcer.Request{Values: req, Policies: scoped})
					ok, rule, cerr := c.EnforceEx(req...)
					if err != nil || cerr != nil {
						t.Fatalf("%v: %v, %v", req, err, cerr)
					}
					if d.Allowed != ok || !slices.Equal(d.Rule.Values, rule) && len(rule)+len(d.Rule.Values) > 0 {
						t.Fatalf("seed %d %v: warden %v %v, casbin %v %v", seed, req, d.Allowed, d.Rule, ok, rule)
					}
				}
			}
		})
	}
}

// TestSubjectPriorityUndefinedOrder builds hierarchies in which top roles
// reach a subject at different depths, so that Casbin's order (and so its
// decision) depends on its map iteration. Casbin is loaded many times; the
// index must either fail the decision or agree with every one of Casbin's
// answers, and must decide where the undefined levels cannot matter.
func TestSubjectPriorityUndefinedOrder(t *testing.T) {
	ctx := context.Background()
	pm := prioModels[7] // subject_priority
	if pm.name != "subject_priority" {
		t.Fatal(pm.name)
	}
	pm.layers = false
	decided, failed, varied := 0, 0, 0
	for seed := uint64(1); seed <= 14; seed++ {
		r := rand.New(rand.NewPCG(seed, 17))
		rules := genPrioPolicy(r, pm)
		// Shortcuts from a name to a top role: two depths.
		for k := 2 + r.IntN(3); k > 0; k-- {
			g := enforcer.G(fmt.Sprintf("l%dn%d", 2+r.IntN(2), r.IntN(2)), fmt.Sprintf("l0n%d", r.IntN(2)))
			if !slices.ContainsFunc(rules, func(x enforcer.Rule) bool { return x.String() == g.String() }) {
				rules = append(rules, g)
			}
		}
		w := newWarden(t, pm.text, rules)
		var loads []*casbin.Enforcer
		for range 12 {
			loads = append(loads, sortedCasbin(t, pm.text, rules))
		}
		for _, req := range parity.Requests(loads[0].GetModel(), rules, parity.RequestOptions{N: 100, Seed: seed}) {
			outcomes := map[string]bool{}
			for _, c := range loads {
				ok, rule, err := c.EnforceEx(req...)
				if err != nil {
					t.Fatal(err)
				}
				outcomes[fmt.Sprint(ok, rule)] = true
			}
			if len(outcomes) > 1 {
				varied++
			}
			d, err := w.Decide(ctx, enforcer.NewRequest(req...))
			if err != nil {
				if !errors.Is(err, enforcer.ErrEvaluation) || !strings.Contains(err.Error(), "no defined order") {
					t.Fatalf("%v: %v", req, err)
				}
				failed++
				continue
			}
			decided++
			rule := d.Rule.Values
			if rule == nil {
				rule = []string{}
			}
			if got := fmt.Sprint(d.Allowed, rule); !outcomes[got] || len(outcomes) != 1 {
				t.Fatalf("seed %d %v: warden %s, casbin %v", seed, req, got, outcomes)
			}
		}
	}
	if varied < 3 || decided < 700 {
		t.Fatalf("Casbin varied on %d requests, Warden failed %d and decided %d: the test proves nothing", varied, failed, decided)
	}
	t.Logf("Casbin's answer varied on %d requests; Warden failed %d, decided %d", varied, failed, decided)
}

// TestPriorityValues: a priority that strconv.Atoi cannot read is refused
// on every way in, on both paths; every integer Atoi reads is accepted.
func TestPriorityValues(t *testing.T) {
	ctx := context.Background()
	text := prioModels[2].text // p = priority, sub, obj, act, eft
	for _, opts := range [][]enforcer.Option{nil, {enforcer.WithCasbinEvaluation()}} {
		w := newWarden(t, text, nil, opts...)
		for _, bad := range []string{"high", " 1", "1 ", "1.5", "0x10", "99999999999999999999", "", "1e3", "--1"} {
			_, err := w.AddRules(ctx, enforcer.P(bad, "alice", "data", "read", "allow"))
			var re *enforcer.RuleError
			if !errors.As(err, &re) || !errors.Is(err, enforcer.ErrInvalidRule) || re.Field != "priority" || re.Index != 0 {
				t.Fatalf("priority %q: %v", bad, err)
			}
			_, err = w.Decide(ctx, enforcer.Request{Values: []any{"alice", "data", "read"},
				Policies: [][]string{{bad, "alice", "data", "read", "allow"}}})
			if !errors.Is(err, enforcer.ErrInvalidRequest) {
				t.Fatalf("request policy with priority %q: %v", bad, err)
			}
		}
		for _, good := range []string{"1", "+1", "-3", "007", "-0", "9223372036854775807"} {
			if _, err := w.AddRules(ctx, enforcer.P(good, "alice", "data"+good, "read", "allow")); err != nil {
				t.Fatalf("priority %q: %v", good, err)
			}
		}
	}
	dir := t.TempDir()
	mpath, ppath := dir+"/model.conf", dir+"/policy.csv"
	writeFile(t, mpath, text)
	writeFile(t, ppath, "p, 1, alice, data, read, allow\np, high, bob, data, read, allow\n")
	_, err := enforcer.NewFromFiles(ctx, mpath, ppath)
	if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), ppath+":2:") {
		t.Fatalf("policy file with priority high: %v", err)
	}
}

// TestSubjectPriorityCycle: a cycle below a top role, on which Casbin's
// loader never returns. The index decides where the order of the
// candidates cannot change the answer and fails the decision where it can.
func TestSubjectPriorityCycle(t *testing.T) {
	ctx := context.Background()
	w := newWarden(t, prioModels[7].text, []enforcer.Rule{
		enforcer.G("a", "top"), enforcer.G("b", "a"), enforcer.G("a", "b"), enforcer.G("u", "b"),
		enforcer.P("u", "data", "read", "allow"), enforcer.P("a", "data", "read", "deny"),
		enforcer.P("u", "doc", "read", "allow"), enforcer.P("a", "doc", "write", "indeterminate"),
	})
	if ok, reason := w.FastPath(); !ok {
		t.Fatal(reason)
	}
	if _, err := w.Decide(ctx, enforcer.NewRequest("u", "data", "read")); !errors.Is(err, enforcer.ErrEvaluation) {
		t.Fatalf("two candidates whose order Casbin never settles: %v", err)
	}
	for _, c := range []struct {
		req   []any
		allow bool
		rule  string
	}{
		{[]any{"u", "doc", "read"}, true, "p, u, doc, read, allow"},   // the other candidate does not match
		{[]any{"u", "doc", "write"}, false, ""},                       // it matches, but decides nothing
		{[]any{"a", "data", "read"}, false, "p, a, data, read, deny"}, // one candidate
	} {
		d, err := w.Decide(ctx, enforcer.NewRequest(c.req...))
		if err != nil || d.Allowed != c.allow || d.Rule.String() != c.rule {
			t.Fatalf("%v: %v %q, %v; want %v %q", c.req, d.Allowed, d.Rule, err, c.allow, c.rule)
		}
	}
}

// TestPriorityRequestScopedGroups: under subjectPriority, request-scoped
// groups would change the hierarchy that orders the rules, so they are
// refused; under priority(p.eft) they count as links, as stored ones do.
func TestPriorityRequestScopedGroups(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{enforcer.P("admin", "data", "read", "deny"), enforcer.P("staff", "data", "read", "allow")}
	w := newWarden(t, prioModels[7].text, rules)
	if _, err := w.Decide(ctx, enforcer.NewRequest("alice", "data", "read").WithGroups("admin")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("subjectPriority with request-scoped groups: %v", err)
	}
	w = newWarden(t, prioModels[0].text, rules)
	c := sortedCasbin(t, prioModels[0].text, append(slices.Clone(rules), enforcer.G("alice", "staff"), enforcer.G("alice", "admin")))
	d, err := w.Decide(ctx, enforcer.NewRequest("alice", "data", "read").WithGroups("staff", "admin"))
	ok, rule, _ := c.EnforceEx("alice", "data", "read")
	if err != nil || d.Allowed != ok || !slices.Equal(d.Rule.Values, rule) || d.Effect != enforcer.EffectDeny {
		t.Fatalf("warden %v %v %v, casbin %v %v", d, err, d.Effect, ok, rule)
	}
}

// TestPriorityPlan: under a priority effect the first matching rule
// decides, which no union of conditions states, so Plan refuses; a
// priority field under another effect only orders the rules, and plans.
func TestPriorityPlan(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{enforcer.P("1", "alice", "data", "read", "allow")}
	w := newWarden(t, prioModels[2].text, rules)
	if _, err := w.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("plan under priority(p.eft): %v", err)
	}
	w = newWarden(t, prioModels[6].text, rules) // priority field, allow-override
	p, err := w.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read"))
	if err != nil || p.Kind != filter.Conditional {
		t.Fatalf("plan with a priority field: %v, %v", p, err)
	}
}

// TestPriorityRulesFor: RulesFor lists a caller's rules in the order
// decisions take them.
func TestPriorityRulesFor(t *testing.T) {
	ctx := context.Background()
	w := newWarden(t, prioModels[2].text, []enforcer.Rule{
		enforcer.P("5", "staff", "data", "read", "allow"), enforcer.P("-1", "alice", "data", "write", "deny"),
		enforcer.P("5", "alice", "data", "read", "deny"), enforcer.P("1", "staff", "doc", "read", "allow"),
		enforcer.G("alice", "staff"),
	})
	grants, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range grants {
		got = append(got, g.Rule.String())
	}
	want := []string{"p, -1, alice, data, write, deny", "p, 1, staff, doc, read, allow", "p, 5, staff, data, read, allow", "p, 5, alice, data, read, deny"}
	if !slices.Equal(got, want) {
		t.Fatalf("RulesFor %q, want %q", got, want)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
