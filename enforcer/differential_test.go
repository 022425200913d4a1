package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// The differential tests hold Warden to its promise: the same model and
// policy give the same decision, and name the same rule, as plain Casbin.

// diffModel is a model shape for generated policies.
type diffModel struct {
	name    string
	text    string
	eft     bool // p has an eft field
	domains bool // r and p have a dom field, g has three
	objs    func(r *rand.Rand) string
	reqObj  func(r *rand.Rand) string
	g2      bool
}

var plainObjs = func(r *rand.Rand) string { return fmt.Sprintf("data%d", r.IntN(6)) }

var pathPatterns = []string{"/posts", "/posts/:id", "/posts/*", "/users/:id/posts", "/*", "/users/*", "/admin/:x/y"}
var pathRequests = []string{"/posts", "/posts/1", "/posts/1/comments", "/users/7/posts", "/users/7", "/admin/a/y", "/admin/a/z", "/", "/other"}

var diffModels = []diffModel{
	{
		name: "rbac",
		text: rbacModel,
		objs: plainObjs, reqObj: plainObjs,
	},
	{
		name: "rbac_deny",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`,
		eft: true, objs: plainObjs, reqObj: plainObjs,
	},
	{
		name: "deny_override",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && (r.act == p.act || p.act == "*")`,
		eft: true, objs: plainObjs, reqObj: plainObjs,
	},
	{
		name:   "restful",
		text:   restfulModel,
		objs:   func(r *rand.Rand) string { return pathPatterns[r.IntN(len(pathPatterns))] },
		reqObj: func(r *rand.Rand) string { return pathRequests[r.IntN(len(pathRequests))] },
	},
	{
		name: "wildcards_deny",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && (p.act == "*" || r.act == p.act)`,
		eft:    true,
		objs:   func(r *rand.Rand) string { return pathPatterns[r.IntN(len(pathPatterns))] },
		reqObj: func(r *rand.Rand) string { return pathRequests[r.IntN(len(pathRequests))] },
	},
	{
		name:    "domains",
		text:    domainsModel,
		domains: true, objs: plainObjs, reqObj: plainObjs,
	},
	{
		name: "objects_g2",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act`,
		g2: true, objs: plainObjs, reqObj: plainObjs,
	},
	{
		name: "keymatch3_5",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && (keyMatch3(r.obj, p.obj) || keyMatch5(r.obj, p.obj)) && r.act != "" && !(p.act == "none") && (r.act == p.act || globMatch(r.act, p.act))`,
		objs: func(r *rand.Rand) string {
			return []string{"/posts/{id}", "/posts/*", "/users/{id}/posts", "/{x}", "/posts"}[r.IntN(5)]
		},
		reqObj: func(r *rand.Rand) string {
			return []string{"/posts/1", "/posts/1?x=2", "/users/7/posts", "/a", "/posts", "/posts?q", "/users/7"}[r.IntN(7)]
		},
	},
	{
		// Numbers are outside the compiled subset: govaluate evaluates
		// this matcher, on the candidates the index still narrows.
		name: "govaluate",
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && (r.act == p.act || p.act == "*") && 1 == 1`,
		eft: true, objs: plainObjs, reqObj: plainObjs,
	},
}

// genPolicy makes a random policy for dm: users and roles, acyclic role
// links including chains longer than Casbin's limit of ten, p rules on users
// and roles.
func genPolicy(r *rand.Rand, dm diffModel) []enforcer.Rule {
	nRoles := 3 + r.IntN(14)
	nUsers := 3 + r.IntN(10)
	doms := []string{"t1", "t2", "t3"}
	role := func(i int) string { return fmt.Sprintf("role%d", i) }
	var rules []enforcer.Rule
	g := func(a, b string) {
		if dm.domains {
			rules = append(rules, enforcer.G(a, b, doms[r.IntN(len(doms))]))
		} else {
			rules = append(rules, enforcer.G(a, b))
		}
	}
	// Role links only go from a lower to a higher number: no cycles.
	for i := 0; i < nRoles; i++ {
		for j := i + 1; j < nRoles; j++ {
			if r.IntN(5) == 0 {
				g(role(i), role(j))
			}
		}
	}
	if r.IntN(2) == 0 { // a long chain, past Casbin's ten links
		for i := 0; i+1 < nRoles && i < 13; i++ {
			g(role(i), role(i+1))
		}
	}
	for u := 0; u < nUsers; u++ {
		for k := r.IntN(3); k > 0; k-- {
			g(fmt.Sprintf("user%d", u), role(r.IntN(nRoles)))
		}
	}
	if dm.g2 {
		for i := 0; i < 6; i++ {
			rules = append(rules, enforcer.Rule{PType: "g2", Values: []string{fmt.Sprintf("data%d", i), fmt.Sprintf("group%d", r.IntN(3))}})
		}
	}
	acts := []string{"read", "write", "*"}
	for k := 4 + r.IntN(30); k > 0; k-- {
		sub := role(r.IntN(nRoles))
		if r.IntN(4) == 0 {
			sub = fmt.Sprintf("user%d", r.IntN(nUsers))
		}
		obj := dm.objs(r)
		if dm.g2 && r.IntN(2) == 0 {
			obj = fmt.Sprintf("group%d", r.IntN(3))
		}
		act := acts[r.IntN(len(acts))]
		if dm.name == "restful" {
			act = []string{"GET", "POST", "(GET)|(POST)", ".*"}[r.IntN(4)]
		}
		vals := []string{sub}
		if dm.domains {
			vals = append(vals, doms[r.IntN(len(doms))])
		}
		vals = append(vals, obj, act)
		if dm.eft {
			vals = append(vals, []string{"allow", "allow", "deny", "maybe"}[r.IntN(4)])
		}
		rules = append(rules, enforcer.P(vals...))
	}
	return rules
}

func genRequest(r *rand.Rand, dm diffModel, subjects []string) []any {
	sub := subjects[r.IntN(len(subjects))]
	vals := []any{sub}
	if dm.domains {
		vals = append(vals, []string{"t1", "t2", "t3", "t4"}[r.IntN(4)])
	}
	act := []string{"read", "write", "*", "delete"}[r.IntN(4)]
	if dm.name == "restful" {
		act = []string{"GET", "POST", "DELETE"}[r.IntN(3)]
	}
	return append(vals, dm.reqObj(r), act)
}

// pair builds a Warden enforcer and a Casbin enforcer with the same rules,
// added in the same order so that both name the same first rule. scoped are
// g links of subject "token-user" that Warden gets as request-scoped groups
// and Casbin as stored g rules.
func pair(t testing.TB, text string, rules []enforcer.Rule, scoped []string, domain string) (*enforcer.Enforcer, *casbin.Enforcer) {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("model is not on the fast path: %s", reason)
	}
	c, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	c.EnableLog(false)
	for _, r := range rules {
		if _, err := w.AddRules(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(r.PType, "g") {
			_, err = c.AddNamedGroupingPolicy(r.PType, r.Values)
		} else {
			_, err = c.AddNamedPolicy(r.PType, r.Values)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, grp := range scoped {
		vals := []string{"token-user", grp}
		if domain != "" {
			vals = append(vals, domain)
		}
		if _, err := c.AddGroupingPolicy(vals); err != nil {
			t.Fatal(err)
		}
	}
	return w, c
}

// compare decides req on both and reports any difference.
func compare(t testing.TB, w *enforcer.Enforcer, c *casbin.Enforcer, req enforcer.Request) {
	t.Helper()
	wd, werr := w.Decide(context.Background(), req)
	cok, crule, cerr := c.EnforceEx(req.Values...)
	if (werr != nil) != (cerr != nil) {
		t.Fatalf("%v: errors differ: warden %v, casbin %v", req.Values, werr, cerr)
	}
	if wd.Allowed != cok {
		t.Fatalf("%v (scoped groups %v): warden allowed=%v (%s), casbin allowed=%v (%v)", req.Values, req.Groups, wd.Allowed, wd.Rule, cok, crule)
	}
	if !slices.Equal(wd.Rule.Values, crule) && !(len(crule) == 0 && wd.Rule.IsZero()) {
		t.Fatalf("%v: warden rule %q, casbin rule %v", req.Values, wd.Rule, crule)
	}
}

func runDifferential(t testing.TB, seed uint64, dm diffModel, requests int) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rules := genPolicy(r, dm)
	groups := []string{fmt.Sprintf("role%d", r.IntN(5)), fmt.Sprintf("role%d", r.IntN(16))}
	domain := ""
	if dm.domains {
		domain = []string{"t1", "t2", "t3"}[r.IntN(3)]
	}
	w, c := pair(t, dm.text, rules, groups, domain)
	// Request-scoped policies of the token user: stored last on Casbin's
	// side, which is where Warden ranks them.
	var policies [][]string
	for k := r.IntN(4); k > 0; k-- {
		extra := genPolicy(r, dm)
		p := extra[len(extra)-1].Values
		if r.IntN(2) == 0 {
			p[0] = "token-user"
		}
		policies = append(policies, p)
	}
	subjects := []string{"nobody"}
	for i := 0; i < 16; i++ {
		subjects = append(subjects, fmt.Sprintf("user%d", i), fmt.Sprintf("role%d", i))
	}
	for i := 0; i < requests; i++ {
		compare(t, w, c, enforcer.Request{Values: genRequest(r, dm, subjects)})
	}
	for _, p := range policies {
		if _, err := c.AddPolicy(p); err != nil {
			t.Fatal(err)
		}
	}
	// The token user: request-scoped groups and policies on Warden's side,
	// stored rules on Casbin's (added only now, after the other requests). Domain models scope the links to one domain there, so
	// only that domain is asked.
	for i := 0; i < requests/4; i++ {
		vals := genRequest(r, dm, []string{"token-user"})
		if dm.domains {
			vals[1] = domain
		}
		compare(t, w, c, enforcer.Request{Values: vals, Groups: groups, Policies: policies})
	}
}

func TestDifferentialGenerated(t *testing.T) {
	for _, dm := range diffModels {
		t.Run(dm.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 40; seed++ {
				runDifferential(t, seed, dm, 200)
			}
		})
	}
}

// FuzzDifferential explores policies and requests beyond the fixed seeds:
// go test -fuzz FuzzDifferential ./enforcer
func FuzzDifferential(f *testing.F) {
	for i := range diffModels {
		f.Add(uint64(i*7919+1), uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		runDifferential(t, seed, diffModels[int(which)%len(diffModels)], 50)
	})
}

// TestDifferentialChainDepth pins Casbin's limit of ten g links: a rule ten
// links away applies, eleven links away does not, with stored and with
// request-scoped groups.
func TestDifferentialChainDepth(t *testing.T) {
	var rules []enforcer.Rule
	for i := 0; i < 14; i++ {
		rules = append(rules, enforcer.G(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d", i+1)))
		rules = append(rules, enforcer.P(fmt.Sprintf("r%d", i), fmt.Sprintf("data%d", i), "read"))
	}
	rules = append(rules, enforcer.G("alice", "r0"))
	w, c := pair(t, diffModels[0].text, rules, []string{"r0"}, "")
	decided := map[bool]int{}
	for i := 0; i < 14; i++ {
		for _, sub := range []string{"alice", "r0"} {
			req := enforcer.NewRequest(sub, fmt.Sprintf("data%d", i), "read")
			compare(t, w, c, req)
			ok, _ := w.Enforce(context.Background(), req.Values...)
			decided[ok]++
		}
		req := enforcer.Request{Values: []any{"token-user", fmt.Sprintf("data%d", i), "read"}, Groups: []string{"r0"}}
		compare(t, w, c, req)
	}
	// alice reaches r0..r9 (ten links), r0 reaches r0..r10.
	if decided[true] != 10+11 {
		t.Fatalf("allowed %d of the chain's rules, want 21", decided[true])
	}
}
