package subjectsort

import (
	"errors"
	"strings"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"
)

// Sorts reports whether Casbin's loader sorts m's policy by subject, the
// test SortPoliciesBySubjectHierarchy makes: the effect e (whatever
// definition the requests choose) is exactly subjectPriority(p_eft) ||
// deny, as the model parser writes it, and g is defined (without g Casbin
// fails the load instead).
func Sorts(m model.Model) bool {
	e := m["e"]["e"]
	return e != nil && e.Value == constant.SubjectPriorityEffect && m["g"]["g"] != nil
}

// Cycle returns the links of a cycle below a top role in links, the
// policy of m's "g" (each rule's values), on which Casbin's subject sort
// loops, or nil when it ends. Names are keyed as Casbin keys them: a
// link's domain is its third value whenever it has other than two (for a
// conditional g = _, _, (_, _) that is its first parameter, as in Casbin),
// so the answer is exact for what Casbin would walk. A link with fewer than
// two values makes Casbin fail before it walks: no cycle then.
func Cycle(links [][]string) [][]string {
	type edge struct {
		to   int
		link int // index in links
	}
	ids := map[string]int{}
	var children [][]edge
	var member []bool
	id := func(k string) int {
		if i, ok := ids[k]; ok {
			return i
		}
		ids[k] = len(children)
		children = append(children, nil)
		member = append(member, false)
		return len(children) - 1
	}
	for i, l := range links {
		if len(l) < 2 {
			return nil
		}
		dom := ""
		if len(l) != 2 {
			dom = l[2]
		}
		c, p := id(dom+"::"+l[0]), id(dom+"::"+l[1])
		children[p] = append(children[p], edge{to: c, link: i})
		member[c] = true
	}
	// Depth first from every top role, in the order the links name them
	// (so the answer is the same on every run); color 1 is on the stack, 2
	// done. A done name reaches no cycle: any walk through it ends.
	color := make([]uint8, len(children))
	type frame struct{ node, next, via int }
	var stack []frame
	for root := range children {
		if member[root] || color[root] != 0 {
			continue
		}
		color[root] = 1
		stack = append(stack[:0], frame{node: root, via: -1})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(children[f.node]) {
				color[f.node] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			e := children[f.node][f.next]
			f.next++
			switch color[e.to] {
			case 0:
				color[e.to] = 1
				stack = append(stack, frame{node: e.to, via: e.link})
			case 1:
				// e closes the cycle from e.to down the stack to f.node.
				var out [][]string
				for i := len(stack) - 1; stack[i].node != e.to; i-- {
					out = append(out, links[stack[i].via])
				}
				for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
					out[i], out[j] = out[j], out[i]
				}
				return append(out, links[e.link])
			}
		}
	}
	return nil
}

// Check returns an error naming the links of a cycle on which Casbin's
// loader would loop when it loads m's policy, or nil. m holds the loaded
// policy, not yet sorted.
func Check(m model.Model) error {
	if !Sorts(m) {
		return nil
	}
	return CheckLinks(m["g"]["g"].Policy)
}

// ErrCycle is wrapped by CheckLinks' error: links form a cycle below a top
// role.
var ErrCycle = errors.New("subjectPriority: a cycle of links below a top role")

// CheckLinks is Check for the "g" links of a model Casbin sorts. Its error
// wraps ErrCycle.
func CheckLinks(links [][]string) error {
	c := Cycle(links)
	if c == nil {
		return nil
	}
	names := make([]string, len(c))
	for i, l := range c {
		names[i] = "g, " + strings.Join(l, ", ")
	}
	return &cycleError{links: strings.Join(names, "; ")}
}

// cycleError is CheckLinks' error, naming the links of the cycle.
type cycleError struct{ links string }

func (e *cycleError) Error() string {
	return "subjectPriority: the links " + e.links + " form a cycle below a top role, on which Casbin's loader (SortPoliciesBySubjectHierarchy) never returns"
}

// Is makes the error ErrCycle.
func (e *cycleError) Is(target error) bool { return target == ErrCycle }

// Links names the links of the cycle, as "g, a, b; g, b, a".
func Links(err error) string {
	var c *cycleError
	if errors.As(err, &c) {
		return c.links
	}
	return ""
}
