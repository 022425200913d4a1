package enforcer_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// RulesFor on domain models whose matcher reads the domain with a
// function (keyMatch(r.dom, p.dom) and the rest), held to plain Casbin:
// the rules listed for a subject in a domain are exactly those that match
// some request of that subject in that domain. Whether a rule matches is
// asked of Casbin itself: a probe enforcer loads the policy's role links
// and that one rule, as an allow, under an allow-override effect, and
// allows a request exactly when Casbin's matcher holds for the rule (asked
// only where Casbin's role manager links the subject to the rule's subject
// in the domain, which the matcher's g requires). The
// probe requests are the subject, the domain, the objects requests are
// drawn from and the rule's own, and the actions read, write and the
// rule's own (the generator's actions are read, write and patterns that
// match one of them). Each request the full
// Casbin allows must, besides, be allowed by a listed rule (EnforceEx's
// explain).
func TestRulesForDomainFunctions(t *testing.T) {
	ctx := context.Background()
	for _, dm := range domainPatternModels {
		if !strings.HasPrefix(dm.matcher, "g(r.sub, p.sub, r.dom)") {
			continue // RulesFor needs g(r.sub, p.sub) with the request's domain
		}
		t.Run(dm.name, func(t *testing.T) {
			var listedSome, unlistedSome int
			for seed := uint64(1); seed <= 4; seed++ {
				r := rand.New(rand.NewPCG(seed, 91))
				rules := genDomainPolicy(r, dm)
				w, c := pair(t, dm.text(), rules, nil, "")
				var links, ps []enforcer.Rule
				for _, rl := range rules {
					if rl.PType == "g" {
						links = append(links, rl)
					} else {
						ps = append(ps, rl)
					}
				}
				probeText := strings.Replace(dm.text(), "e = "+dm.effect, "e = "+allowEffect, 1)
				if !dm.eft {
					probeText = strings.Replace(probeText, "e = "+allowEffect, "e = some(where (p.eft == allow))", 1)
				}
				probes := make([]*casbin.Enforcer, len(ps))
				for i, p := range ps {
					asAllow := slices.Clone(p.Values)
					if dm.eft {
						asAllow[4] = "allow"
					}
					probes[i] = loadedCasbin(t, probeText, append(slices.Clone(links), enforcer.P(asAllow...)))
				}
				acts := []string{"read", "write", "delete"}
				rm := c.GetRoleManager()
				// The names in the policy, and one that is not.
				subjects := []string{"nobody"}
				for _, rl := range rules {
					if !slices.Contains(subjects, rl.Values[0]) {
						subjects = append(subjects, rl.Values[0])
					}
				}
				for _, sub := range subjects {
					for _, dom := range requestDomains {
						grants, err := w.RulesFor(ctx, enforcer.Subject{Name: sub, Domain: dom})
						if err != nil {
							t.Fatalf("RulesFor(%s, %q): %v", sub, dom, err)
						}
						listed := map[string]bool{}
						for _, g := range grants {
							listed[g.Rule.String()] = true
						}
						for i, p := range ps {
							// Casbin's g(r.sub, p.sub, r.dom) is its role
							// manager's HasLink: where it fails, no request
							// of sub in dom can match the rule, and the
							// probes need not be asked.
							matched := false
							if linked, err := rm.HasLink(sub, p.Values[0], dom); err == nil && linked {
								objs := append(slices.Clone(dm.reqObjs), p.Values[2])
								matched = matchesSome(t, probes[i], sub, dom, objs, []string{"read", "write", p.Values[3]})
							}
							switch {
							case matched && !listed[p.String()]:
								t.Errorf("seed %d: RulesFor(%s, %q) leaves out %s, which Casbin matches for a request of %s in %q",
									seed, sub, dom, p, sub, dom)
							case !matched && listed[p.String()]:
								t.Errorf("seed %d: RulesFor(%s, %q) lists %s, which Casbin matches for no request of %s in %q",
									seed, sub, dom, p, sub, dom)
							case matched:
								listedSome++
							default:
								unlistedSome++
							}
						}
						for _, obj := range append(slices.Clone(dm.reqObjs), dm.objs...) {
							for _, act := range acts {
								ok, explain, err := c.EnforceEx(sub, dom, obj, act)
								if err == nil && ok && len(explain) > 0 && !listed[enforcer.P(explain...).String()] {
									t.Errorf("seed %d: Casbin allows %s %q %s %s by %v, which RulesFor does not list", seed, sub, dom, obj, act, explain)
								}
							}
						}
						if t.Failed() {
							t.FailNow()
						}
					}
				}
			}
			// Both answers occur: a test where every rule is listed, or
			// none, would show nothing.
			if listedSome < 50 || unlistedSome < 50 {
				t.Fatalf("%d rules matched and %d did not, over every subject and domain: too few of one", listedSome, unlistedSome)
			}
		})
	}
}

// matchesSome reports whether probe allows any request of sub in dom.
func matchesSome(t *testing.T, probe *casbin.Enforcer, sub, dom string, objs, acts []string) bool {
	t.Helper()
	for _, obj := range objs {
		for _, act := range acts {
			ok, err := probe.Enforce(sub, dom, obj, act)
			if err != nil && !errors.Is(err, context.Canceled) {
				continue // a request Casbin cannot decide grants nothing
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// The contract on a model that compares domains with ==, for contrast:
// only the rules of the domain are listed.
func TestRulesForDomainEquality(t *testing.T) {
	const text = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act`
	w, _ := pair(t, text, []enforcer.Rule{
		enforcer.P("admin", "t1", "data1", "read"), enforcer.P("admin", "t2", "data2", "read"),
		enforcer.G("alice", "admin", "t1"), enforcer.G("alice", "admin", "t2"),
	}, nil, "")
	grants, err := w.RulesFor(context.Background(), enforcer.Subject{Name: "alice", Domain: "t1"})
	if err != nil || len(grants) != 1 || grants[0].Rule.Values[1] != "t1" {
		t.Fatalf("RulesFor(alice, t1) = %v, %v; want the t1 rule alone", grants, err)
	}
}
