package enforcer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// linksLoader loads g links and one p rule per subject, in order.
type linksLoader struct{ g, p [][]string }

func (a linksLoader) LoadPolicy(m model.Model) error {
	for _, v := range a.g {
		if err := persist.LoadPolicyArray(append([]string{"g"}, v...), m); err != nil {
			return err
		}
	}
	for _, v := range a.p {
		if err := persist.LoadPolicyArray(append([]string{"p"}, v...), m); err != nil {
			return err
		}
	}
	return nil
}
func (linksLoader) SavePolicy(model.Model) error                { return errors.ErrUnsupported }
func (linksLoader) AddPolicy(string, string, []string) error    { return errors.ErrUnsupported }
func (linksLoader) RemovePolicy(string, string, []string) error { return errors.ErrUnsupported }
func (linksLoader) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errors.ErrUnsupported
}

const subjectPriorityDomains = `[request_definition]
r = sub, dom, obj
[policy_definition]
p = sub, dom, obj
[role_definition]
g = _, _, _
[policy_effect]
e = subjectPriority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub, r.dom) && r.obj == p.obj`

// TestComputeLevelsIsCasbins holds computeLevels to Casbin's own sort
// (model.SortPoliciesBySubjectHierarchy, run by its loader) on random link
// graphs with domains, shared members, chains and cycles that no top role
// reaches: a rule per subject is loaded, and Casbin's order must be the
// order of the computed levels, deepest first, policy order within a
// level. Where a level is not defined (top roles reach a name at different
// depths) Casbin's order changes from one load to the next; every order it
// gives must then agree with the computed ranges.
func TestComputeLevelsIsCasbins(t *testing.T) {
	defined, undefined := 0, 0
	for seed := uint64(1); seed <= 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		n := 3 + r.IntN(14)
		name := func(i int) string { return fmt.Sprintf("n%d", i) }
		doms := []string{"a", "b", ""}
		g := newRoleGraph(true, nil, nil)
		var links [][]string
		add := func(v []string) {
			for _, l := range links {
				if slices.Equal(l, v) {
					return
				}
			}
			links = append(links, v)
			g.add(v, 0)
		}
		// Links from a higher to a lower number: no cycle a top role
		// could reach; then, at times, a cycle of names no link leads
		// into from outside it.
		for i := 1; i < n; i++ {
			for k := r.IntN(3); k > 0; k-- {
				add([]string{name(i), name(r.IntN(i)), doms[r.IntN(2+int(seed%2))]})
			}
		}
		if r.IntN(3) == 0 {
			add([]string{"c1", "c2", "a"})
			add([]string{"c2", "c1", "a"})
			add([]string{name(n - 1), "c1", "a"})
		}
		var rules [][]string
		for _, d := range doms {
			for i := 0; i < n; i++ {
				rules = append(rules, []string{name(i), d, "x"})
			}
			rules = append(rules, []string{"c1", d, "x"}, []string{"elsewhere", d, "x"})
		}
		r.Shuffle(len(rules), func(i, j int) { rules[i], rules[j] = rules[j], rules[i] })

		lv := computeLevels(g)
		cm := &compiledModel{prioIdx: -1, subjPrio: true, subjDomIdx: 1}
		ranks := make([]ranked, len(rules))
		for i, v := range rules {
			ranks[i], _, _ = cm.rankOf(&storedRule{vals: v, seq: uint64(i)}, lv, nil)
		}
		want := slices.Clone(ranks)
		slices.SortFunc(want, compareRanked)

		m, err := model.NewModelFromString(subjectPriorityDomains)
		if err != nil {
			t.Fatal(err)
		}
		loads := 1
		if lv.unsure {
			loads = 8
			undefined++
		} else {
			defined++
		}
		for range loads {
			c, err := casbin.NewEnforcer(m.Copy(), linksLoader{g: links, p: rules})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := c.GetPolicy()
			if !lv.unsure {
				for i := range got {
					if !slices.Equal(got[i], want[i].sr.vals) {
						t.Fatalf("seed %d: Casbin's order %v, computed %v (levels %v, links %v)", seed, got, want, lv.m, links)
					}
				}
				continue
			}
			// Casbin's order must be possible within the ranges: no rule
			// it puts first is surely after the other.
			at := map[string]ranked{}
			for _, rk := range ranks {
				at[fmt.Sprint(rk.sr.vals)] = rk
			}
			for i := range got {
				for j := i + 1; j < len(got); j++ {
					if a, b := at[fmt.Sprint(got[i])], at[fmt.Sprint(got[j])]; surelyBefore(b, a) {
						t.Fatalf("seed %d: Casbin puts %v before %v, computed ranges say otherwise (%v, %v)", seed, got[i], got[j], a.lvl, b.lvl)
					}
				}
			}
		}
	}
	if defined < 25 || undefined < 25 {
		t.Fatalf("%d graphs with defined levels, %d without: the generator is too weak", defined, undefined)
	}
}

// TestComputeLevelsCycleBelowTopRole: a cycle that a top role reaches makes
// Casbin's loader loop for ever (its breadth-first walk keeps no visited
// set); computeLevels ends and gives every name that top role reaches an
// unknown level, and the names elsewhere their own.
func TestComputeLevelsCycleBelowTopRole(t *testing.T) {
	g := newRoleGraph(false, nil, nil)
	for _, v := range [][]string{{"a", "top"}, {"b", "a"}, {"a", "b"}, {"u", "b"}, {"v", "other"}} {
		g.add(v, 0)
	}
	lv := computeLevels(g)
	for _, n := range []string{"::top", "::a", "::b", "::u"} {
		if got := lv.m[n]; got != (levelRange{0, levelUnknown}) {
			t.Errorf("%s: %v, want unknown", n, got)
		}
	}
	if got := lv.m["::v"]; got != (levelRange{1, 1}) {
		t.Errorf("v: %v, want 1", got)
	}
	if !lv.unsure {
		t.Error("not marked unsure")
	}
}
