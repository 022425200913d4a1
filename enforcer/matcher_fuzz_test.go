package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// Generated matchers: where differential_test.go varies policies over fixed
// model shapes, this varies the matcher itself — term kinds, &&, ||, !,
// parentheses, literals (including ones govaluate reads as times) — so that
// the parser, the compiled subset and the fallback to govaluate are held to
// Casbin's answers.

var matcherTerms = []string{
	"g(r.sub, p.sub)", "g(p.sub, r.sub)", "r.sub == p.sub", "r.obj == p.obj", "p.obj == r.obj",
	"r.act == p.act", "r.act != p.act", "keyMatch(r.obj, p.obj)", "keyMatch2(r.obj, p.obj)", "keyMatch4(r.obj, p.obj)",
	"regexMatch(r.act, p.act)", "globMatch(r.obj, p.obj)", `p.act == ".*"`, `r.sub == "alice"`,
	`r.obj == "2024-01-01"`, `r.obj != "data1"`, "true", `r.act == "read"`,
	// A call with a space before "(", an ! inside a literal, a literal with
	// an escape: govaluate's reading of each, through matchexpr.
	"g (r.sub, p.sub)", `r.obj != "!data1"`, `regexMatch(r.obj, "^/a/\d$")`,
}

func genMatcher(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(3) == 0 {
		return matcherTerms[r.IntN(len(matcherTerms))]
	}
	switch r.IntN(4) {
	case 0:
		return "!(" + genMatcher(r, depth-1) + ")"
	case 1:
		return "(" + genMatcher(r, depth-1) + " || " + genMatcher(r, depth-1) + ")"
	default:
		return genMatcher(r, depth-1) + " && " + genMatcher(r, depth-1)
	}
}

var effects = []string{
	"some(where (p.eft == allow))",
	"!some(where (p.eft == deny))",
	"some(where (p.eft == allow)) && !some(where (p.eft == deny))",
}

// Patterns are chosen so that no rule fails to evaluate: Warden never looks
// at rules that cannot match, so an error in one of those is Casbin's alone.
var (
	fuzzSubs = []string{"alice", "bob", "role0", "role1", "role2"}
	fuzzObjs = []string{"data1", "data2", "/a/1", "/a/:id", "/a/*", "2024-01-01", "/{x}/{x}", "/{x}/{y}"}
	fuzzActs = []string{"read", "write", ".*", "(read)|(write)"}
	fuzzEfts = []string{"allow", "allow", "deny", "maybe"}
)

func runMatcherCase(t testing.TB, seed uint64, requests int) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	text := fmt.Sprintf("[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n"+
		"[role_definition]\ng = _, _\n[policy_effect]\ne = %s\n[matchers]\nm = %s\n",
		effects[r.IntN(len(effects))], genMatcher(r, 3))
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	w, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	c, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	c.EnableLog(false)
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	for i := r.IntN(12); i >= 0; i-- {
		rule := enforcer.P(pick(fuzzSubs), pick(fuzzObjs), pick(fuzzActs), pick(fuzzEfts))
		if _, err := w.AddRules(context.Background(), rule); err != nil {
			t.Fatal(err)
		}
		_, _ = c.AddPolicy(rule.Values)
	}
	for i := r.IntN(5); i >= 0; i-- {
		link := enforcer.G(pick(fuzzSubs), pick(fuzzSubs[2:]))
		if _, err := w.AddRules(context.Background(), link); err != nil {
			t.Fatal(err)
		}
		_, _ = c.AddGroupingPolicy(link.Values)
	}
	reqObjs := []string{"data1", "data2", "/a/1", "/a/b/c", "2024-01-01", "/b", "/a/a", "/q/q"}
	for i := 0; i < requests; i++ {
		req := []any{pick(fuzzSubs), pick(reqObjs), pick([]string{"read", "write", "delete"})}
		wd, werr := w.Decide(context.Background(), enforcer.NewRequest(req...))
		cok, crule, cerr := c.EnforceEx(req...)
		switch {
		case cerr != nil && wd.Allowed:
			t.Fatalf("%s\n%v: casbin failed (%v) but warden allowed", text, req, cerr)
		case cerr != nil:
		case werr != nil:
			t.Fatalf("%s\n%v: warden failed (%v) where casbin answered %v", text, req, werr, cok)
		case wd.Allowed != cok || !slices.Equal(wd.Rule.Values, crule) && !(wd.Rule.IsZero() && len(crule) == 0):
			t.Fatalf("%s\n%v: warden %v %v, casbin %v %v", text, req, wd.Allowed, wd.Rule, cok, crule)
		}
	}
}

func TestDifferentialGeneratedMatchers(t *testing.T) {
	for seed := uint64(1); seed <= 400; seed++ {
		runMatcherCase(t, seed, 40)
	}
}

// FuzzMatcher explores further: go test -run '^$' -fuzz FuzzMatcher ./enforcer
func FuzzMatcher(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { runMatcherCase(t, seed, 30) })
}
