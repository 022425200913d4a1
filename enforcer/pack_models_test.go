package enforcer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// packCase is a model whose compaction is compared with the same policy
// never churned: a rule generator over a small vocabulary (so that
// removals hit rules that others share a link or a key with), a filler
// that no request reaches, and a request generator.
type packCase struct {
	name, text string
	rule       func(r *rand.Rand) enforcer.Rule
	filler     func(i int) enforcer.Rule
	request    func(r *rand.Rand) ([]any, string, string) // values, subject, domain
	ptypes     []string
}

func one[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

var packCases = []packCase{
	{
		name: "priority", text: priorityFieldModel, ptypes: []string{"p", "g"},
		rule: func(r *rand.Rand) enforcer.Rule {
			if r.IntN(3) == 0 {
				return enforcer.G(one(r, "u0", "u1", "u2"), one(r, "r0", "r1", "r2"))
			}
			return enforcer.P(one(r, "1", "2", "3"), one(r, "u0", "r0", "r1", "r2"), one(r, "/a", "/b"), "read", one(r, "allow", "deny"))
		},
		filler: func(i int) enforcer.Rule { return enforcer.P("1", fmt.Sprintf("f%d", i), "/f", "read", "allow") },
		request: func(r *rand.Rand) ([]any, string, string) {
			s := one(r, "u0", "u1", "u2", "r1")
			return []any{s, one(r, "/a", "/b"), "read"}, s, ""
		},
	},
	{
		name: "subjectPriority", text: subjectPriorityModel, ptypes: []string{"p", "g"},
		rule: func(r *rand.Rand) enforcer.Rule {
			if r.IntN(2) == 0 {
				// A chain, never a cycle: u → r0 → r1 → r2.
				switch r.IntN(3) {
				case 0:
					return enforcer.G(one(r, "u0", "u1"), one(r, "r0", "r1", "r2"))
				case 1:
					return enforcer.G("r0", one(r, "r1", "r2"))
				default:
					return enforcer.G("r1", "r2")
				}
			}
			return enforcer.P(one(r, "u0", "r0", "r1", "r2"), one(r, "/a", "/b"), "read", one(r, "allow", "deny"))
		},
		filler: func(i int) enforcer.Rule {
			if i%3 == 0 {
				return enforcer.G(fmt.Sprintf("f%d", i), fmt.Sprintf("fr%d", i))
			}
			return enforcer.P(fmt.Sprintf("f%d", i), "/f", "read", "allow")
		},
		request: func(r *rand.Rand) ([]any, string, string) {
			s := one(r, "u0", "u1", "r0")
			return []any{s, one(r, "/a", "/b"), "read"}, s, ""
		},
	},
	{
		name: "domain patterns", text: domainPatternBenchModel, ptypes: []string{"p", "g"},
		rule: func(r *rand.Rand) enforcer.Rule {
			if r.IntN(2) == 0 {
				return enforcer.G(one(r, "u0", "u1", "r0"), one(r, "r0", "r1", "r2"), one(r, "t1", "t*", "*", "t1/x"))
			}
			return enforcer.P(one(r, "u0", "r0", "r1", "r2"), one(r, "t1", "t*", "*"), one(r, "/a/*", "/a/b", "/:id"), "read")
		},
		filler: func(i int) enforcer.Rule {
			if i%3 == 0 {
				return enforcer.G(fmt.Sprintf("f%d", i), "r0", "t*")
			}
			return enforcer.P(fmt.Sprintf("f%d", i), "t1", "/f", "read")
		},
		request: func(r *rand.Rand) ([]any, string, string) {
			s, d := one(r, "u0", "u1", "r0"), one(r, "t1", "t2", "t1/x")
			return []any{s, d, one(r, "/a/b", "/a/c", "/x"), "read"}, s, d
		},
	},
	{
		name: "temporal", text: temporalModel, ptypes: []string{"p", "g"},
		rule: func(r *rand.Rand) enforcer.Rule {
			if r.IntN(2) == 0 {
				return enforcer.G(one(r, "u0", "u1", "r0"), one(r, "r0", "r1", "r2"),
					one(r, "_", "1970-01-01 00:00:00", "9999-01-01 00:00:00"), one(r, "_", "9999-12-30 00:00:00", "1971-01-01 00:00:00"))
			}
			return enforcer.P(one(r, "u0", "r0", "r1", "r2"), one(r, "/a", "/b"), "read")
		},
		filler: func(i int) enforcer.Rule {
			if i%3 == 0 {
				return enforcer.G(fmt.Sprintf("f%d", i), "r0", "_", "_")
			}
			return enforcer.P(fmt.Sprintf("f%d", i), "/f", "read")
		},
		request: func(r *rand.Rand) ([]any, string, string) {
			s := one(r, "u0", "u1", "r0")
			return []any{s, one(r, "/a", "/b"), "read"}, s, ""
		},
	},
	{
		name: "eval", ptypes: []string{"p"},
		text: `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.obj == p.obj && r.act == p.act`,
		rule: func(r *rand.Rand) enforcer.Rule {
			return enforcer.P(one(r, `r.sub == "u0"`, `r.sub != "u1"`, `r.sub == "u2"`), one(r, "/a", "/b"), "read")
		},
		filler: func(i int) enforcer.Rule { return enforcer.P(fmt.Sprintf(`r.sub == "f%d"`, i), "/f", "read") },
		request: func(r *rand.Rand) ([]any, string, string) {
			s := one(r, "u0", "u1", "u2")
			return []any{s, one(r, "/a", "/b"), "read"}, s, ""
		},
	},
}

// TestCompactionMatchesNoChurn: an enforcer whose policy is rebuilt
// (fillers added among its rules, then removed) answers as one given the
// same changes without the fillers, which is never rebuilt: rules in
// order, decisions with their rule, chain and links, RulesFor and Roles,
// for priority and subjectPriority models, pattern domains, conditional
// links and eval() rules.
func TestCompactionMatchesNoChurn(t *testing.T) {
	ctx := context.Background()
	for _, pc := range packCases {
		t.Run(pc.name, func(t *testing.T) {
			for seed := range uint64(8) {
				r := rand.New(rand.NewPCG(seed, 3))
				a, b := planEnforcer(t, pc.text), planEnforcer(t, pc.text)
				both := func(rule enforcer.Rule, add bool) {
					t.Helper()
					for _, e := range []*enforcer.Enforcer{a, b} {
						var err error
						if add {
							_, err = e.AddRules(ctx, rule)
						} else {
							_, err = e.RemoveRules(ctx, rule)
						}
						if err != nil {
							t.Fatal(err)
						}
					}
				}
				var fill []enforcer.Rule
				for i := range 60 {
					both(pc.rule(r), true)
					batch := make([]enforcer.Rule, 0, 100)
					for j := range 100 {
						batch = append(batch, pc.filler(i*100+j))
					}
					if _, err := a.AddRules(ctx, batch...); err != nil {
						t.Fatal(err)
					}
					fill = append(fill, batch...)
				}
				for range 60 {
					both(pc.rule(r), r.IntN(2) == 0)
				}
				if _, err := a.RemoveRules(ctx, fill...); err != nil {
					t.Fatal(err)
				}
				if enforcer.Compactions(a) == 0 {
					t.Fatal("never rebuilt")
				}
				for range 20 {
					both(pc.rule(r), r.IntN(2) == 0)
				}
				for _, pt := range pc.ptypes {
					ga, gb := a.Rules(pt), b.Rules(pt)
					if !slices.EqualFunc(ga, gb, func(x, y enforcer.Rule) bool { return x.String() == y.String() }) {
						t.Fatalf("seed %d: %s rules\n rebuilt %v\n never   %v", seed, pt, ga, gb)
					}
				}
				for range 60 {
					vals, sub, dom := pc.request(r)
					xa, erra := a.Explain(ctx, enforcer.NewRequest(vals...))
					xb, errb := b.Explain(ctx, enforcer.NewRequest(vals...))
					if fmt.Sprint(xa, erra) != fmt.Sprint(xb, errb) {
						t.Fatalf("seed %d: %v\n rebuilt %+v %v\n never   %+v %v", seed, vals, xa, erra, xb, errb)
					}
					s := enforcer.Subject{Name: sub, Domain: dom}
					fa, erra := a.RulesFor(ctx, s)
					fb, errb := b.RulesFor(ctx, s)
					if fmt.Sprint(fa, erra) != fmt.Sprint(fb, errb) {
						t.Fatalf("seed %d: RulesFor %v\n rebuilt %v %v\n never   %v %v", seed, s, fa, erra, fb, errb)
					}
					ra, erra := a.Roles(ctx, s)
					rb, errb := b.Roles(ctx, s)
					if fmt.Sprint(ra, erra) != fmt.Sprint(rb, errb) {
						t.Fatalf("seed %d: Roles %v\n rebuilt %v %v\n never   %v %v", seed, s, ra, erra, rb, errb)
					}
				}
			}
		})
	}
}
