package enforcer_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

// Matching functions of role definitions (WithMatchingFunction,
// WithDomainMatchingFunction; Casbin's AddNamedMatchingFunc and
// AddNamedDomainMatchingFunc): generated policies whose link names and
// domains are patterns, compared with plain Casbin that has the same
// functions registered, decision for decision and rule for rule.

// starPrefix is a function of the user's own, whose prefix the index does
// not know: a pattern ending in "*" matches what begins with the rest.
func starPrefix(name, pattern string) bool {
	rest, ok := strings.CutSuffix(pattern, "*")
	return ok && strings.HasPrefix(name, rest)
}

type roleMatchModel struct {
	name    string
	text    string
	domains bool
	// names and domainFns are the functions: of the names of g and g2,
	// and of g's domains.
	names     map[string]func(string, string) bool
	domainFns map[string]func(string, string) bool
	byName    map[string]string // functions given by name instead (fn nil)
	subjects  []string          // pools of link names and rule values
	objects   []string
	doms      []string
	reqSubs   []string
	reqObjs   []string
	reqDoms   []string
}

const patternModelText = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act`

const domainPatternRolesText = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act`

var (
	pathNames = []string{"/book/:id", "/book/1", "/book/2", "/book/*", "/pen/:id", "/pen/1", "/:kind/1",
		"book_group", "pen_group", "all_group", "/book/1/*"}
	patternRequests = []string{"/book/1", "/book/2", "/book/3", "/pen/1", "/pen/2/x", "/x/1", "/book/1/a",
		"book_group", "pen_group", "/book/:id", "/book/*", "nothing"}
	userNames = []string{"alice", "bob", "cathy", "/user/:id", "/user/7", "admin", "editor", "/user/*", "staff"}
	userReqs  = []string{"alice", "bob", "cathy", "/user/7", "/user/8", "/user/7/x", "admin", "/user/:id", "dave"}
	// No stored pattern domain matches another under keyMatch2: Casbin's
	// domain manager would then copy links along the chain in an order
	// its loading decides, which Warden does not follow (docs/models.md).
	domainNames = []string{"domain1", "domain2", "*", "/u/:id", "/t/1", "/t/*", "/t/1/a", "/u/1"}
	domainReqs  = []string{"domain1", "domain2", "domain3", "*", "/t/1", "/t/2", "/t/1/a", "/u/1", "/u/2/x", "/t/*", ""}
)

var roleMatchModels = []roleMatchModel{
	{name: "pattern_g2", text: patternModelText,
		names:    map[string]func(string, string) bool{"g2": util.KeyMatch2},
		subjects: userNames, objects: pathNames, reqSubs: userReqs, reqObjs: patternRequests},
	{name: "pattern_g_and_g2", text: patternModelText,
		names:    map[string]func(string, string) bool{"g": util.KeyMatch2, "g2": util.KeyMatch2},
		subjects: userNames, objects: pathNames, reqSubs: userReqs, reqObjs: patternRequests},
	{name: "pattern_by_name_keyMatch", text: patternModelText,
		byName:   map[string]string{"g": "keyMatch", "g2": "keyMatch"},
		subjects: userNames, objects: pathNames, reqSubs: userReqs, reqObjs: patternRequests},
	{name: "user_function", text: patternModelText,
		names:    map[string]func(string, string) bool{"g": starPrefix, "g2": starPrefix},
		subjects: userNames, objects: pathNames, reqSubs: userReqs, reqObjs: patternRequests},
	{name: "domain_pattern", text: domainPatternRolesText, domains: true,
		domainFns: map[string]func(string, string) bool{"g": util.KeyMatch2},
		subjects:  userNames, objects: []string{"data1", "data2", "data3"}, doms: domainNames,
		reqSubs: userReqs, reqObjs: []string{"data1", "data2", "data3"}, reqDoms: domainReqs},
	{name: "all_pattern", text: domainPatternRolesText, domains: true,
		names:     map[string]func(string, string) bool{"g": util.KeyMatch2},
		domainFns: map[string]func(string, string) bool{"g": util.KeyMatch2},
		subjects:  userNames, objects: []string{"data1", "data2"}, doms: domainNames,
		reqSubs: userReqs, reqObjs: []string{"data1", "data2"}, reqDoms: domainReqs},
	{name: "all_pattern_user_function", text: domainPatternRolesText, domains: true,
		names:     map[string]func(string, string) bool{"g": starPrefix},
		domainFns: map[string]func(string, string) bool{"g": starPrefix},
		subjects:  userNames, objects: []string{"data1", "data2"}, doms: domainNames,
		reqSubs: userReqs, reqObjs: []string{"data1", "data2"}, reqDoms: domainReqs},
}

func (rm roleMatchModel) options() []enforcer.Option {
	var out []enforcer.Option
	for _, pt := range slices.Sorted(mapsKeys(rm.names)) {
		out = append(out, enforcer.WithMatchingFunction(pt, "fn", rm.names[pt]))
	}
	for _, pt := range slices.Sorted(mapsKeys(rm.byName)) {
		out = append(out, enforcer.WithMatchingFunction(pt, rm.byName[pt], nil))
	}
	for _, pt := range slices.Sorted(mapsKeys(rm.domainFns)) {
		out = append(out, enforcer.WithDomainMatchingFunction(pt, "fn", rm.domainFns[pt]))
	}
	return out
}

var utilByName = map[string]func(string, string) bool{"keyMatch": util.KeyMatch, "keyMatch2": util.KeyMatch2}

func (rm roleMatchModel) setup(c *casbin.Enforcer) error {
	for pt, fn := range rm.names {
		c.AddNamedMatchingFunc(pt, "fn", fn)
	}
	for pt, name := range rm.byName {
		c.AddNamedMatchingFunc(pt, name, utilByName[name])
	}
	for pt, fn := range rm.domainFns {
		c.AddNamedDomainMatchingFunc(pt, "fn", fn)
	}
	return c.BuildRoleLinks()
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func genRoleMatchPolicy(r *rand.Rand, rm roleMatchModel) []enforcer.Rule {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	acts := []string{"read", "write"}
	var rules []enforcer.Rule
	for i := 0; i < 6+r.IntN(14); i++ {
		if rm.domains {
			rules = append(rules, enforcer.P(pick(rm.subjects), pick(rm.doms), pick(rm.objects), pick(acts)))
		} else {
			rules = append(rules, enforcer.P(pick(rm.subjects), pick(rm.objects), pick(acts)))
		}
	}
	for i := 0; i < 4+r.IntN(12); i++ {
		if rm.domains {
			rules = append(rules, enforcer.G(pick(rm.subjects), pick(rm.subjects), pick(rm.doms)))
			continue
		}
		rules = append(rules, enforcer.G(pick(rm.subjects), pick(rm.subjects)))
		rules = append(rules, enforcer.Rule{PType: "g2", Values: []string{pick(rm.objects), pick(rm.objects)}})
	}
	return rules
}

func genRoleMatchRequest(r *rand.Rand, rm roleMatchModel) []any {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	act := pick([]string{"read", "write"})
	if rm.domains {
		return []any{pick(rm.reqSubs), pick(rm.reqDoms), pick(rm.reqObjs), act}
	}
	return []any{pick(rm.reqSubs), pick(rm.reqObjs), act}
}

func TestRoleMatchingFunctionsDifferential(t *testing.T) {
	for _, rm := range roleMatchModels {
		t.Run(rm.name, func(t *testing.T) {
			allowed, literal := 0, 0
			for seed := uint64(1); seed <= 10; seed++ {
				r := rand.New(rand.NewPCG(seed, 37))
				rules := genRoleMatchPolicy(r, rm)
				w, c := pairWith(t, rm.text, rules, rm.options(), rm.setup)
				if ok, reason := w.FastPath(); !ok {
					t.Fatalf("not on the index: %s", reason)
				}
				plain := loadedCasbin(t, rm.text, rules) // without the functions
				for range 250 {
					req := enforcer.NewRequest(genRoleMatchRequest(r, rm)...)
					compare(t, w, c, req)
					ok, _ := c.Enforce(req.Values...)
					if ok {
						allowed++
					}
					if pok, _ := plain.Enforce(req.Values...); pok != ok {
						literal++
					}
				}
				rep, err := parity.Run(context.Background(), parity.Config{Model: rm.text, Rules: rules, Requests: 200, Seed: seed,
					Options: rm.options(), SetupCasbin: rm.setup})
				if err != nil {
					t.Fatal(err)
				}
				if !rep.FastPath || !rep.Equal() {
					t.Fatalf("seed %d: fast path %v (%s), differences %+v", seed, rep.FastPath, rep.Reason, rep.Diffs[:min(3, len(rep.Diffs))])
				}
			}
			// Four fields must agree under a domain: fewer allows there.
			if allowed < 25 {
				t.Fatalf("only %d requests allowed", allowed)
			}
			// The functions must matter, or this compares nothing new.
			if literal < 5 {
				t.Fatalf("only %d requests decided differently with the links read literally", literal)
			}
		})
	}
}

// TestRoleMatchingAfterChanges adds and removes rules one at a time and
// compares each state with a Casbin enforcer that loads the policy left,
// with the same functions.
func TestRoleMatchingAfterChanges(t *testing.T) {
	ctx := context.Background()
	for _, rm := range roleMatchModels {
		t.Run(rm.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			rules := genRoleMatchPolicy(r, rm)
			w, _ := pairWith(t, rm.text, rules, rm.options(), rm.setup)
			held := slices.Clone(rules)
			for step := 0; step < 30; step++ {
				if len(held) > 0 && r.IntN(3) > 0 {
					i := r.IntN(len(held))
					if _, err := w.RemoveRules(ctx, held[i]); err != nil {
						t.Fatal(err)
					}
					held = slices.Delete(held, i, i+1)
				} else {
					extra := genRoleMatchPolicy(r, rm)
					add := extra[r.IntN(len(extra))]
					if n, err := w.AddRules(ctx, add); err != nil {
						t.Fatal(err)
					} else if n == 1 {
						held = append(held, add)
					}
				}
				c := loadedCasbin(t, rm.text, held)
				if err := rm.setup(c); err != nil {
					t.Fatal(err)
				}
				for range 40 {
					compare(t, w, c, enforcer.NewRequest(genRoleMatchRequest(r, rm)...))
				}
			}
		})
	}
}

// TestRoleMatchingCasbinEvaluation: the embedded Casbin enforcer gets the
// same functions.
func TestRoleMatchingCasbinEvaluation(t *testing.T) {
	rm := roleMatchModels[1]
	r := rand.New(rand.NewPCG(8, 9))
	rules := genRoleMatchPolicy(r, rm)
	w, c := pairWith(t, rm.text, rules, append(rm.options(), enforcer.WithCasbinEvaluation()), rm.setup)
	if ok, _ := w.FastPath(); ok {
		t.Fatal("on the index")
	}
	for range 300 {
		compare(t, w, c, enforcer.NewRequest(genRoleMatchRequest(r, rm)...))
	}
}

// TestRoleMatchingFailsClosed: a matching function that panics fails the
// decisions that call it (an error, denied), never the caller.
func TestRoleMatchingFailsClosed(t *testing.T) {
	ctx := context.Background()
	boom := func(name, pattern string) bool {
		if strings.Contains(name, "boom") {
			panic("boom")
		}
		return util.KeyMatch2(name, pattern)
	}
	m, err := enforcer.ParseModel(patternModelText)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(ctx, m, nil, enforcer.WithMatchingFunction("g2", "boom", boom))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddRules(ctx, enforcer.P("alice", "book_group", "read"),
		enforcer.Rule{PType: "g2", Values: []string{"/book/:id", "book_group"}},
		enforcer.Rule{PType: "g2", Values: []string{"/boom/:id", "boom_group"}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := w.Enforce(ctx, "alice", "/book/1", "read"); err != nil || !ok {
		t.Fatalf("/book/1: %v %v", ok, err)
	}
	d, err := w.Decide(ctx, enforcer.NewRequest("alice", "/boom/1", "read"))
	if !errors.Is(err, enforcer.ErrEvaluation) || d.Allowed {
		t.Fatalf("/boom/1: %+v %v, want ErrEvaluation and a denial", d, err)
	}
}

// TestRoleMatchingRefuses: what the options cannot honour, and what a
// definition with a name matching function cannot do.
func TestRoleMatchingRefuses(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		text string
		opt  enforcer.Option
		want string
	}{
		{"no such definition", patternModelText, enforcer.WithMatchingFunction("g3", "", util.KeyMatch), "no role definition g3"},
		{"not a role definition", patternModelText, enforcer.WithMatchingFunction("p", "", util.KeyMatch), "not a role definition"},
		{"unknown name, nil function", patternModelText, enforcer.WithMatchingFunction("g", "keyMatch9", nil), "none of Casbin's"},
		{"domain without a domain", patternModelText, enforcer.WithDomainMatchingFunction("g", "", util.KeyMatch), "has no domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := enforcer.ParseModel(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := enforcer.New(ctx, m, nil, tc.opt); !errors.Is(err, enforcer.ErrInvalidOption) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want ErrInvalidOption (%s)", err, tc.want)
			}
		})
	}
	m, err := enforcer.ParseModel(patternModelText)
	if err != nil {
		t.Fatal(err)
	}
	twice := []enforcer.Option{enforcer.WithMatchingFunction("g", "", util.KeyMatch), enforcer.WithMatchingFunction("g", "", util.KeyMatch2)}
	if _, err := enforcer.New(ctx, m, nil, twice...); !errors.Is(err, enforcer.ErrInvalidOption) {
		t.Fatalf("twice: %v", err)
	}
	w, err := enforcer.New(ctx, m, nil, enforcer.WithMatchingFunction("g", "", util.KeyMatch2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Decide(ctx, enforcer.NewRequest("alice", "/a", "read").WithGroups("admin")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("request-scoped groups: %v", err)
	}
	if _, err := w.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "read")); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("plan: %v", err)
	}
	if _, err := w.RulesFor(ctx, enforcer.Subject{Name: "alice"}); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("RulesFor: %v", err)
	}
}

// FuzzRoleMatching explores pattern-link policies beyond the fixed seeds:
// go test -run '^$' -fuzz FuzzRoleMatching ./enforcer
func FuzzRoleMatching(f *testing.F) {
	for i := range roleMatchModels {
		f.Add(uint64(i*17+3), uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		rm := roleMatchModels[int(which)%len(roleMatchModels)]
		r := rand.New(rand.NewPCG(seed, 37))
		w, c := pairWith(t, rm.text, genRoleMatchPolicy(r, rm), rm.options(), rm.setup)
		for range 60 {
			compare(t, w, c, enforcer.NewRequest(genRoleMatchRequest(r, rm)...))
		}
	})
}
