package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
)

// Conditional and temporal role links (linkcond.go): models whose role
// definition has parameters load, decide as Casbin with the same condition
// registered on every link, and stop granting at a window's end on the
// enforcer's clock.

// engines are the two ways an Enforcer decides; conditional links must
// behave the same in both.
var engines = []struct {
	name string
	opts []enforcer.Option
}{
	{"index", nil},
	{"casbin", []enforcer.Option{enforcer.WithCasbinEvaluation()}},
}

func casbinExamples(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/casbin/casbin/v2").Output()
	if err != nil {
		t.Fatalf("go list casbin: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "examples")
}

// casbinWithConditions is plain Casbin on a model and policy file with fn
// registered on every g link, as Casbin's tests of these models do.
func casbinWithConditions(t testing.TB, modelPath, policyPath string, fn func(...string) (bool, error)) *casbin.Enforcer {
	t.Helper()
	c, err := casbin.NewEnforcer(modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	c.EnableLog(false)
	registerConditions(t, c, fn)
	return c
}

func registerConditions(t testing.TB, c *casbin.Enforcer, fn func(...string) (bool, error)) {
	t.Helper()
	for ptype, a := range c.GetModel()["g"] {
		for _, v := range a.Policy {
			if len(a.Tokens) > 2 {
				c.AddNamedDomainLinkConditionFunc(ptype, v[0], v[1], v[2], fn)
			} else {
				c.AddNamedLinkConditionFunc(ptype, v[0], v[1], fn)
			}
		}
	}
}

// TestTemporalRoleExamples loads Casbin's examples of temporal and
// conditional roles and decides every combination of their names as Casbin
// does with util.TimeMatchFunc on every link, and as Casbin's own tests
// expect (alice holds data3_admin, data4, 5 and 7, not data2, 6 and 8).
func TestTemporalRoleExamples(t *testing.T) {
	dir := casbinExamples(t)
	for _, ex := range []struct{ model, policy string }{
		{"rbac_with_temporal_roles_model.conf", "rbac_with_temporal_roles_policy.csv"},
		{"rbac_with_domain_temporal_roles_model.conf", "rbac_with_domain_temporal_roles_policy.csv"},
		{"rbac_with_domains_conditional_model.conf", "rbac_with_domains_conditional_policy.csv"},
	} {
		for _, eng := range engines {
			t.Run(ex.model+"/"+eng.name, func(t *testing.T) {
				mp, pp := filepath.Join(dir, ex.model), filepath.Join(dir, ex.policy)
				w, err := enforcer.NewFromFiles(context.Background(), mp, pp, eng.opts...)
				if err != nil {
					t.Fatal(err)
				}
				c := casbinWithConditions(t, mp, pp, util.TimeMatchFunc)
				onIndex(t, w, eng.name)
				domains := strings.Contains(ex.model, "domain")
				subs := []string{"alice", "bob", "jack", "data2_admin", "test1"}
				objs := []string{"data1", "data2", "data3", "data4", "data5", "data6", "data7", "data8", "service1", "service2"}
				acts := []string{"read", "write", "/list", "/broadcast"}
				doms := []string{"domain1", "domain2", "domain3", "domain4", "domain5", "domain6", "domain7", "domain8", "none"}
				if !domains {
					doms = []string{""}
				}
				allowed := 0
				for _, s := range subs {
					for _, d := range doms {
						for _, o := range objs {
							for _, a := range acts {
								vals := []any{s, o, a}
								if domains {
									vals = []any{s, d, o, a}
								}
								want, err := c.Enforce(vals...)
								if err != nil {
									t.Fatal(err)
								}
								got, err := w.Enforce(context.Background(), vals...)
								if err != nil || got != want {
									t.Fatalf("%v: warden %v (%v), casbin %v", vals, got, err, want)
								}
								if got {
									allowed++
								}
							}
						}
					}
				}
				if allowed == 0 {
					t.Fatal("nothing allowed: the comparison proves nothing")
				}
				if ex.model == "rbac_with_temporal_roles_model.conf" {
					for obj, want := range map[string]bool{"data2": false, "data3": true, "data4": true, "data5": true, "data6": false, "data7": true, "data8": false} {
						if got, _ := w.Enforce(context.Background(), "alice", obj, "read"); got != want {
							t.Errorf("alice read %s = %v, Casbin's test expects %v", obj, got, want)
						}
					}
				}
			})
		}
	}
}

const temporalModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _, (_, _)
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`

const temporalDomainModel = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _, (_, _)
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act`

// onIndex fails the test unless w decides where engine says.
func onIndex(t testing.TB, w *enforcer.Enforcer, engine string) {
	t.Helper()
	if ok, why := w.FastPath(); ok != (engine == "index") {
		t.Fatalf("FastPath() = %v, %q on the %s engine", ok, why, engine)
	}
}

// clock is a time a test moves by hand.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }

// TestLinkWindowEnds: a link granted until a time stops granting at that
// time, with no reload and after many decisions have warmed every cache
// there is; it grants again when the clock is moved back, and a link
// whose window has not begun grants from its start.
func TestLinkWindowEnds(t *testing.T) {
	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	f := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "data", "read"}},
		{PType: "p", Values: []string{"viewer", "data", "write"}},
		{PType: "g", Values: []string{"alice", "admin", f(start), f(end)}},
		{PType: "g", Values: []string{"alice", "viewer", f(end), "_"}},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			clk := newClock(start.Add(time.Minute))
			w := newWarden(t, temporalModel, rules, append(eng.opts, enforcer.WithClock(clk.now))...)
			ctx := context.Background()
			expect := func(act string, want bool) {
				t.Helper()
				for range 100 {
					d, err := w.Decide(ctx, enforcer.Request{Values: []any{"alice", "data", act}})
					if err != nil || d.Allowed != want {
						t.Fatalf("at %v: alice %s = %v (%v), want %v", clk.now(), act, d.Allowed, err, want)
					}
				}
			}
			expect("read", true)
			expect("write", false)
			clk.set(end.Add(-time.Nanosecond))
			expect("read", true)
			clk.set(end) // the end is exclusive, as in util.TimeMatch
			expect("read", false)
			expect("write", false) // the start is exclusive too
			clk.set(end.Add(time.Second))
			expect("read", false)
			expect("write", true)
			clk.set(start.Add(time.Minute))
			expect("read", true)
			expect("write", false)
		})
	}
}

// TestLinkConditionFailsClosed: a condition that returns an error or
// panics makes its own link not hold, never the decision fail open or
// crash, while the subject's other links still hold. Casbin differs: it
// stops following the name's other roles at the first error.
func TestLinkConditionFailsClosed(t *testing.T) {
	cond := func(args ...string) (bool, error) {
		switch args[0] {
		case "error":
			return true, errors.New("condition failed") // true with an error: still no link
		case "panic":
			panic("condition panicked")
		}
		return args[0] == "yes", nil
	}
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"r_err", "data", "read"}},
		{PType: "p", Values: []string{"r_panic", "data", "write"}},
		{PType: "p", Values: []string{"r_yes", "data", "list"}},
		{PType: "p", Values: []string{"r_no", "data", "delete"}},
		{PType: "g", Values: []string{"alice", "r_err", "error", "_"}},
		{PType: "g", Values: []string{"alice", "r_panic", "panic", "_"}},
		{PType: "g", Values: []string{"alice", "r_yes", "yes", "_"}},
		{PType: "g", Values: []string{"alice", "r_no", "no", "_"}},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			w := newWarden(t, temporalModel, rules, append(eng.opts, enforcer.WithLinkCondition("g", "custom", cond))...)
			for act, want := range map[string]bool{"read": false, "write": false, "list": true, "delete": false} {
				d, err := w.Decide(context.Background(), enforcer.Request{Values: []any{"alice", "data", act}})
				if d.Allowed != want {
					t.Errorf("alice %s = %v (%v), want %v", act, d.Allowed, err, want)
				}
				if eng.name == "index" && err != nil {
					t.Errorf("alice %s: %v; a failing condition is a link that does not hold", act, err)
				}
			}
		})
	}
}

// TestLinkConditionDefault: with no WithLinkCondition, a conditional role
// definition's links hold only inside their time window; a window that
// cannot be read (a bad date, a missing bound) never holds.
func TestLinkConditionDefault(t *testing.T) {
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"a", "data", "read"}},
		{PType: "p", Values: []string{"b", "data", "write"}},
		{PType: "p", Values: []string{"c", "data", "list"}},
		{PType: "g", Values: []string{"alice", "a", "_", "_"}},
		{PType: "g", Values: []string{"alice", "b", "yesterday", "_"}},
		{PType: "g", Values: []string{"alice", "c", "", ""}},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			w := newWarden(t, temporalModel, rules, eng.opts...)
			for act, want := range map[string]bool{"read": true, "write": false, "list": false} {
				if got, _ := w.Enforce(context.Background(), "alice", "data", act); got != want {
					t.Errorf("alice %s = %v, want %v", act, got, want)
				}
			}
		})
	}
}

// TestConditionalRuleWidth: a conditional link must carry its parameters,
// as Casbin requires; the model copy the enforcer keeps does too.
func TestConditionalRuleWidth(t *testing.T) {
	w := newWarden(t, temporalModel, nil)
	if _, err := w.AddRules(context.Background(), enforcer.Rule{PType: "g", Values: []string{"alice", "admin"}}); !errors.Is(err, enforcer.ErrInvalidRule) {
		t.Fatalf("a link without its parameters: %v", err)
	}
	if got := w.Fields("g"); !slices.Equal(got, []string{"_", "_", "_", "_"}) {
		t.Fatalf("Fields(g) = %q", got)
	}
	if p := w.Model()["g"]["g"].ParamsTokens; len(p) != 2 {
		t.Fatalf("Model() lost the parameters: %q", p)
	}
}

// TestFieldNames: the names errors give a rule's fields; a conditional
// definition's third value is a parameter, not a domain.
func TestFieldNames(t *testing.T) {
	for _, c := range []struct {
		text, ptype string
		want        []string
	}{
		{temporalModel, "g", []string{"member", "role", "param1", "param2"}},
		{temporalDomainModel, "g", []string{"member", "role", "domain", "param1", "param2"}},
		{temporalDomainModel, "p", []string{"sub", "dom", "obj", "act"}},
		{rbacModel, "g", []string{"member", "role"}},
		{rbacModel, "g2", nil},
		{rbacModel, "r", nil},
		{rbacModel, "", nil},
	} {
		w := newWarden(t, c.text, nil)
		if got := w.FieldNames(c.ptype); !slices.Equal(got, c.want) {
			t.Errorf("FieldNames(%q) = %q, want %q", c.ptype, got, c.want)
		}
	}
	w := newWarden(t, temporalModel, nil)
	err := w.CheckRule(enforcer.Rule{PType: "g", Values: []string{"alice", "admin", "2026\u200b", "_"}})
	var re *enforcer.RuleError
	if !errors.As(err, &re) || re.Index != 2 || re.Field != "param1" {
		t.Fatalf("CheckRule: %v (%+v)", err, re)
	}
}

// TestLinkConditionIncremental: links added and removed on a running
// enforcer get the condition too, in both engines.
func TestLinkConditionIncremental(t *testing.T) {
	clk := newClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			w := newWarden(t, temporalModel, []enforcer.Rule{{PType: "p", Values: []string{"admin", "data", "read"}}},
				append(eng.opts, enforcer.WithClock(clk.now))...)
			ctx := context.Background()
			expired := enforcer.Rule{PType: "g", Values: []string{"alice", "admin", "_", "2029-01-01 00:00:00"}}
			if _, err := w.AddRules(ctx, expired); err != nil {
				t.Fatal(err)
			}
			if ok, _ := w.Enforce(ctx, "alice", "data", "read"); ok {
				t.Fatal("an expired link added at run time grants")
			}
			current := enforcer.Rule{PType: "g", Values: []string{"bob", "admin", "_", "2031-01-01 00:00:00"}}
			if _, err := w.AddRules(ctx, current); err != nil {
				t.Fatal(err)
			}
			if ok, _ := w.Enforce(ctx, "bob", "data", "read"); !ok {
				t.Fatal("a current link added at run time does not grant")
			}
			if _, err := w.RemoveRules(ctx, current); err != nil {
				t.Fatal(err)
			}
			if ok, _ := w.Enforce(ctx, "bob", "data", "read"); ok {
				t.Fatal("a removed link grants")
			}
		})
	}
}

// genTemporalPolicy makes a policy of conditional links for the models
// above: windows far in the past, far in the future, open on either side
// or both, so that util.TimeMatchFunc (which reads time.Now) and Warden's
// clock (at now) agree; chains of links of depth up to four, cycles, and
// p rules on every name.
func genTemporalPolicy(r *rand.Rand, domains bool) []enforcer.Rule {
	bounds := []string{"_", "1970-01-01 00:00:00", "2000-06-01 12:00:00", "2999-01-01 00:00:00", "9999-12-30 00:00:00"}
	names := []string{"alice", "bob", "carol", "r1", "r2", "r3", "r4", "r5"}
	doms := []string{"d1", "d2"}
	var rules []enforcer.Rule
	seen := map[string]bool{}
	add := func(r enforcer.Rule) {
		k := r.PType + strings.Join(r.Values, ",")
		if !seen[k] {
			seen[k] = true
			rules = append(rules, r)
		}
	}
	for range 8 + r.IntN(20) {
		v := []string{names[r.IntN(len(names))], "data" + fmt.Sprint(r.IntN(3)), []string{"read", "write"}[r.IntN(2)]}
		if domains {
			v = []string{v[0], doms[r.IntN(2)], v[1], v[2]}
		}
		add(enforcer.Rule{PType: "p", Values: v})
	}
	for range 6 + r.IntN(14) {
		from := names[r.IntN(len(names))]
		to := names[3+r.IntN(5)]
		if from == to {
			continue
		}
		v := []string{from, to}
		if domains {
			v = append(v, doms[r.IntN(2)])
		}
		start, end := bounds[r.IntN(len(bounds))], bounds[r.IntN(len(bounds))]
		if domains && strings.HasPrefix(from, "r") {
			// Casbin checks a domain link's condition only on the
			// request subject's own links (linkcond.go); links from a
			// role get a window open now, where both agree.
			// TestDomainLinkConditionPastFirstLink covers the rest.
			start, end = []string{"_", "1970-01-01 00:00:00"}[r.IntN(2)], []string{"_", "9999-12-30 00:00:00"}[r.IntN(2)]
		}
		add(enforcer.Rule{PType: "g", Values: append(v, start, end)})
	}
	return rules
}

// TestTemporalDifferential compares generated temporal policies, decision
// for decision and rule for rule, with plain Casbin that has
// util.TimeMatchFunc registered on every link, in both engines.
func TestTemporalDifferential(t *testing.T) {
	for _, domains := range []bool{false, true} {
		text := temporalModel
		if domains {
			text = temporalDomainModel
		}
		for _, eng := range engines {
			t.Run(fmt.Sprintf("domains=%v/%s", domains, eng.name), func(t *testing.T) {
				allowed := 0
				for seed := range uint64(150) {
					r := rand.New(rand.NewPCG(seed, 12))
					rules := genTemporalPolicy(r, domains)
					w := newWarden(t, text, rules, eng.opts...)
					c := sortedCasbin(t, text, rules)
					registerConditions(t, c, util.TimeMatchFunc)
					onIndex(t, w, eng.name)
					for _, sub := range []string{"alice", "bob", "carol", "r1", "r3", "nobody"} {
						for _, dom := range []string{"d1", "d2"} {
							for _, obj := range []string{"data0", "data1", "data2"} {
								for _, act := range []string{"read", "write"} {
									vals := []any{sub, obj, act}
									if domains {
										vals = []any{sub, dom, obj, act}
									} else if dom == "d2" {
										continue
									}
									want, rule, err := c.EnforceEx(vals...)
									if err != nil {
										t.Fatal(err)
									}
									d, err := w.Decide(context.Background(), enforcer.Request{Values: vals})
									if err != nil || d.Allowed != want || !slices.Equal(d.Rule.Values, rule) {
										t.Fatalf("seed %d %v: warden %v %v (%v), casbin %v %v\npolicy %v", seed, vals, d.Allowed, d.Rule.Values, err, want, rule, rules)
									}
									if want {
										allowed++
									}
								}
							}
						}
					}
				}
				if allowed < 100 {
					t.Fatalf("only %d allowed decisions: the policies grant too little to compare", allowed)
				}
			})
		}
	}
}

// TestConditionalIncremental changes the links of running enforcers (adds
// and removes, several rules for one link with other windows among them)
// and compares each with plain Casbin that loads the resulting policy,
// conditions registered: a link takes the parameters of the last rule that
// gives it, and a removed link stops granting at once (Casbin's own
// removal leaves a conditional link in its role manager until a reload).
func TestConditionalIncremental(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for seed := range uint64(40) {
				r := rand.New(rand.NewPCG(seed, 99))
				base := genTemporalPolicy(r, false)
				w := newWarden(t, temporalModel, base, eng.opts...)
				held := slices.Clone(base)
				windows := [][2]string{{"_", "_"}, {"_", "1970-01-01 00:00:00"}, {"1970-01-01 00:00:00", "9999-12-30 00:00:00"}, {"9999-12-30 00:00:00", "_"}}
				for step := range 30 {
					ctx := context.Background()
					if r.IntN(2) == 0 || len(held) == 0 {
						win := windows[r.IntN(len(windows))]
						g := enforcer.Rule{PType: "g", Values: []string{[]string{"alice", "bob", "r1"}[r.IntN(3)], []string{"r1", "r2", "r3"}[r.IntN(3)], win[0], win[1]}}
						if g.Values[0] == g.Values[1] {
							continue
						}
						if n, err := w.AddRules(ctx, g); err != nil {
							t.Fatal(err)
						} else if n == 1 {
							held = append(held, g)
						}
					} else {
						i := r.IntN(len(held))
						if _, err := w.RemoveRules(ctx, held[i]); err != nil {
							t.Fatal(err)
						}
						held = slices.Delete(held, i, i+1)
					}
					c := sortedCasbin(t, temporalModel, held)
					registerConditions(t, c, util.TimeMatchFunc)
					for _, sub := range []string{"alice", "bob", "r1"} {
						for _, obj := range []string{"data0", "data1", "data2"} {
							for _, act := range []string{"read", "write"} {
								want, _ := c.Enforce(sub, obj, act)
								got, err := w.Enforce(ctx, sub, obj, act)
								if err != nil || got != want {
									t.Fatalf("seed %d step %d %s %s %s: warden %v (%v), casbin loading the policy %v\n%v", seed, step, sub, obj, act, got, err, want, held)
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestDomainLinkConditionPastFirstLink records where Warden denies and
// Casbin allows: in a role definition with a domain, Casbin's conditional
// role manager checks the condition of the subject's own links only (past
// the first link it looks the condition up without the domain, finds none,
// and lets the link hold). Warden checks every link, so an expired
// role-to-role link grants nothing.
func TestDomainLinkConditionPastFirstLink(t *testing.T) {
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"r2", "d1", "data", "read"}},
		{PType: "g", Values: []string{"alice", "r1", "d1", "_", "_"}},
		{PType: "g", Values: []string{"r1", "r2", "d1", "_", "1970-01-01 00:00:00"}},
	}
	c := sortedCasbin(t, temporalDomainModel, rules)
	registerConditions(t, c, util.TimeMatchFunc)
	if ok, _ := c.Enforce("alice", "d1", "data", "read"); !ok {
		t.Log("Casbin now checks the second link's condition too: the difference in linkcond.go and docs/roles.md is gone")
	}
	if ok, _ := c.Enforce("r1", "d1", "data", "read"); ok {
		t.Fatal("Casbin lets the expired link hold for its own subject")
	}
	for _, eng := range engines[:1] {
		w := newWarden(t, temporalDomainModel, rules, eng.opts...)
		for _, sub := range []string{"alice", "r1"} {
			if ok, err := w.Enforce(context.Background(), sub, "d1", "data", "read"); ok || err != nil {
				t.Errorf("%s: %v, %v: an expired link past the first grants", sub, ok, err)
			}
		}
	}
}

// TestConditionalListings: Roles, RulesFor and Plan follow only the links
// that hold on the enforcer's clock, like decisions.
func TestConditionalListings(t *testing.T) {
	clk := newClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "data", "read"}},
		{PType: "g", Values: []string{"alice", "admin", "_", "2030-02-01 00:00:00"}},
	}
	w := newWarden(t, temporalModel, rules, enforcer.WithClock(clk.now))
	ctx := context.Background()
	check := func(want bool) {
		t.Helper()
		roles, err := w.Roles(ctx, enforcer.Subject{Name: "alice"})
		if err != nil || slices.Contains(roles, "admin") != want {
			t.Fatalf("at %v: Roles = %v, %v", clk.now(), roles, err)
		}
		grants, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice"})
		if err != nil || (len(grants) > 0) != want {
			t.Fatalf("at %v: RulesFor = %v, %v", clk.now(), grants, err)
		}
		plan, err := w.Plan(ctx, enforcer.NewRequest(enforcer.Unknown{}, "data", "read"))
		if err != nil {
			t.Fatal(err)
		}
		ok, err := plan.Holds(func(f string) (string, bool) { return "alice", f == "sub" })
		if err != nil || ok != want {
			t.Fatalf("at %v: plan %v holds for alice: %v, %v", clk.now(), plan, ok, err)
		}
	}
	check(true)
	clk.set(time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC))
	check(false)
}

// TestExplainNamesLinks: an explanation names the g rules of its chain,
// a conditional link with the parameters its condition held on.
func TestExplainNamesLinks(t *testing.T) {
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"super", "data", "read"}},
		{PType: "g", Values: []string{"alice", "admin", "_", "1970-01-01 00:00:00"}}, // expired, then given again
		{PType: "g", Values: []string{"alice", "admin", "_", "9999-12-30 00:00:00"}},
		{PType: "g", Values: []string{"admin", "super", "1970-01-01 00:00:00", "_"}},
	}
	w := newWarden(t, temporalModel, rules)
	x, err := w.Explain(context.Background(), enforcer.NewRequest("alice", "data", "read"))
	if err != nil || !x.Allowed {
		t.Fatalf("%+v, %v", x, err)
	}
	want := []enforcer.Rule{
		{PType: "g", Values: []string{"alice", "admin", "_", "9999-12-30 00:00:00"}},
		{PType: "g", Values: []string{"admin", "super", "1970-01-01 00:00:00", "_"}},
	}
	if !slices.Equal(x.Chain, []string{"alice", "admin", "super"}) || fmt.Sprint(x.Links) != fmt.Sprint(want) {
		t.Fatalf("chain %v, links %v; want links %v", x.Chain, x.Links, want)
	}
	plain := newWarden(t, rbacModel, []enforcer.Rule{
		{PType: "p", Values: []string{"editor", "data", "read"}},
		{PType: "g", Values: []string{"bob", "editor"}},
	})
	x, err = plain.Explain(context.Background(), enforcer.NewRequest("bob", "data", "read"))
	if err != nil || fmt.Sprint(x.Links) != fmt.Sprint([]enforcer.Rule{{PType: "g", Values: []string{"bob", "editor"}}}) {
		t.Fatalf("plain RBAC: chain %v links %v, %v", x.Chain, x.Links, err)
	}
}

// TestLinkConditionParams: a role definition whose links have other than
// the time window's two parameters is refused, as no link of it could
// hold, unless a condition is registered for it.
func TestLinkConditionParams(t *testing.T) {
	text := strings.Replace(temporalModel, "g = _, _, (_, _)", "g = _, _, (_)", 1)
	var me *enforcer.ModelError
	if _, err := enforcer.ParseModel(text); !errors.As(err, &me) || !strings.Contains(err.Error(), "WithLinkCondition") {
		t.Fatalf("one parameter, no condition: %v", err)
	}
	level := enforcer.WithLinkCondition("g", "level", func(args ...string) (bool, error) { return args[0] >= "3", nil })
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "data", "read"}},
		{PType: "g", Values: []string{"alice", "admin", "5"}},
		{PType: "g", Values: []string{"bob", "admin", "1"}},
	}
	for _, eng := range engines {
		m, err := enforcer.ParseModel(text, level)
		if err != nil {
			t.Fatal(err)
		}
		w, err := enforcer.New(context.Background(), m, rulesLoader(rules), append(eng.opts, level)...)
		if err != nil {
			t.Fatal(err)
		}
		for sub, want := range map[string]bool{"alice": true, "bob": false} {
			if got, err := w.Enforce(context.Background(), sub, "data", "read"); got != want || err != nil {
				t.Errorf("%s: %s = %v, %v", eng.name, sub, got, err)
			}
		}
	}
}

// TestExplainPatternDomainLink: a link that holds through a pattern
// domain is named with the rule's own domain, the pattern.
func TestExplainPatternDomainLink(t *testing.T) {
	text := fmt.Sprintf(domainRequestDefs, "", "some(where (p.eft == allow))",
		"g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act")
	w := newWarden(t, text, []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "t1/*", "data", "read"}},
		{PType: "g", Values: []string{"alice", "admin", "t1/*"}},
	})
	x, err := w.Explain(context.Background(), enforcer.NewRequest("alice", "t1/east", "data", "read"))
	if err != nil || !x.Allowed || fmt.Sprint(x.Links) != fmt.Sprint([]enforcer.Rule{{PType: "g", Values: []string{"alice", "admin", "t1/*"}}}) {
		t.Fatalf("%+v, %v", x, err)
	}
}

// TestConditionalOnCasbin: the conditional definitions the index refuses
// name the construct and decide on Casbin's enforcer with the time window
// on every link, as plain Casbin with util.TimeMatchFunc registered does.
func TestConditionalOnCasbin(t *testing.T) {
	text := strings.Replace(temporalDomainModel, "r.dom == p.dom", "keyMatch(r.dom, p.dom)", 1)
	rules := []enforcer.Rule{
		{PType: "p", Values: []string{"admin", "t1/*", "data", "read"}},
		{PType: "p", Values: []string{"old", "t1/*", "data", "write"}},
		{PType: "g", Values: []string{"alice", "admin", "t1/*", "_", "9999-12-30 00:00:00"}},
		{PType: "g", Values: []string{"alice", "old", "t1/*", "_", "2000-01-01 00:00:00"}},
	}
	w := newWarden(t, text, rules)
	if ok, why := w.FastPath(); ok || !strings.Contains(why, "conditional role definition g with a domain matching function") {
		t.Fatalf("FastPath() = %v, %q", ok, why)
	}
	c := sortedCasbin(t, text, rules)
	registerConditions(t, c, util.TimeMatchFunc)
	for _, dom := range []string{"t1/*", "t1/a", "t2"} {
		for _, act := range []string{"read", "write"} {
			want, _ := c.Enforce("alice", dom, "data", act)
			got, err := w.Enforce(context.Background(), "alice", dom, "data", act)
			if got != want || err != nil {
				t.Errorf("%s %s: warden %v (%v), casbin %v", dom, act, got, err, want)
			}
		}
	}
	if ok, _ := w.Enforce(context.Background(), "alice", "t1/*", "data", "read"); !ok {
		t.Fatal("nothing allowed: the comparison proves nothing")
	}
}
