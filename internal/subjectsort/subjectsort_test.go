package subjectsort

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

const subjModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = subjectPriority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

// casbinLoops is Casbin's getSubjectHierarchyMap (model/model.go) with a
// bound: breadth first from every top role, with no memory of what it
// visited. Without a cycle no walk is deeper than the number of names, so
// a walk that goes deeper never ends in Casbin.
func casbinLoops(links [][]string) bool {
	child := map[string]bool{}
	kids := map[string][]string{}
	var names []string
	seen := map[string]bool{}
	for _, l := range links {
		dom := ""
		if len(l) != 2 {
			dom = l[2]
		}
		c, p := dom+"::"+l[0], dom+"::"+l[1]
		kids[p] = append(kids[p], c)
		child[c] = true
		for _, n := range []string{c, p} {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for _, root := range names {
		if child[root] {
			continue
		}
		queue := []string{root}
		for lv := 0; len(queue) > 0; lv++ {
			if lv > len(names) {
				return true
			}
			var next []string
			for _, n := range queue {
				next = append(next, kids[n]...)
			}
			queue = next
		}
	}
	return false
}

type links [][]string

func (a links) LoadPolicy(m model.Model) error {
	for _, l := range a {
		if err := persist.LoadPolicyArray(append([]string{"g"}, l...), m); err != nil {
			return err
		}
	}
	return nil
}
func (links) SavePolicy(model.Model) error                { return errors.ErrUnsupported }
func (links) AddPolicy(string, string, []string) error    { return errors.ErrUnsupported }
func (links) RemovePolicy(string, string, []string) error { return errors.ErrUnsupported }
func (links) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errors.ErrUnsupported
}

// TestCycleMatchesCasbin: on random small link sets (cycles, self links,
// cycles no top role reaches, diamonds), Cycle finds a cycle exactly when
// Casbin's walk never ends; where it finds none, Casbin's own loader
// returns; the links it names are a cycle of the input.
func TestCycleMatchesCasbin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	loops, ends := 0, 0
	for range 2000 {
		n := 2 + r.IntN(5)
		var ls [][]string
		for range 1 + r.IntN(7) {
			ls = append(ls, []string{string(rune('a' + r.IntN(n))), string(rune('a' + r.IntN(n)))})
		}
		c := Cycle(ls)
		want := casbinLoops(ls)
		if (c != nil) != want {
			t.Fatalf("%v: cycle %v, Casbin loops %v", ls, c, want)
		}
		if c == nil {
			ends++
			m, err := model.NewModelFromString(subjModel)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := casbin.NewEnforcer(m, links(ls)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		loops++
		for i, l := range c {
			if next := c[(i+1)%len(c)]; l[0] != next[1] {
				t.Fatalf("%v: %v is not a cycle", ls, c)
			}
		}
	}
	if loops < 100 || ends < 100 {
		t.Fatalf("too few of a kind: %d loop, %d end", loops, ends)
	}
}

// TestCycleDomains: Casbin keys names by the third value of a link that
// has other than two, so a cycle in one domain loops and the same names
// across domains do not.
func TestCycleDomains(t *testing.T) {
	if c := Cycle([][]string{{"a", "top", "d1"}, {"b", "a", "d1"}, {"a", "b", "d2"}}); c != nil {
		t.Fatalf("links across domains: %v", c)
	}
	c := Cycle([][]string{{"a", "top", "d1"}, {"b", "a", "d1"}, {"a", "b", "d1"}})
	if len(c) != 2 {
		t.Fatalf("cycle in d1: %v", c)
	}
	if Cycle([][]string{{"a", "top"}, {"b", "a"}, {"a"}}) != nil {
		t.Fatal("a short link makes Casbin fail before it walks")
	}
}

// TestCheck names the links and applies only to models Casbin sorts.
func TestCheck(t *testing.T) {
	m, err := model.NewModelFromString(subjModel)
	if err != nil {
		t.Fatal(err)
	}
	if err := (links{{"a", "top"}, {"b", "a"}, {"a", "b"}}).LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	err = Check(m)
	if err == nil || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
		t.Fatalf("Check: %v", err)
	}
	other, err := model.NewModelFromString(strings.Replace(subjModel, "subjectPriority(p.eft) || deny", "priority(p.eft) || deny", 1))
	if err != nil {
		t.Fatal(err)
	}
	other["g"]["g"].Policy = m["g"]["g"].Policy
	if err := Check(other); err != nil {
		t.Fatalf("priority(p.eft) does not sort by subject: %v", err)
	}
}
