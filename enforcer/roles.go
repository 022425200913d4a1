package enforcer

import (
	"slices"
	"time"
)

// maxHierarchy is how many g links a role chain may have, as in Casbin's
// default role manager (NewRoleManagerImpl(10)): a role further away is not
// reached, so a decision stays equal to Casbin's.
const maxHierarchy = 10

// roleGraph holds the g links of one role definition: for each domain (""
// when the definition has no domain), each name's direct roles in the order
// they were added.
type roleGraph struct {
	domains bool
	links   map[string]map[string][]string
	// dm, when set, is the definition's domain matching function and
	// the pattern domains: a link in a domain that is a pattern holds in
	// every domain it matches (domainmatch.go).
	dm *patternSet
	// nm, when set, is the definition's name matching function, and
	// names holds each domain's names for it.
	nm    *matchFn
	names map[string]*nameSet
	// cond, when set, holds the parameters of a conditional role
	// definition's links, which hold only while their condition does
	// (linkcond.go).
	cond *condLinks
}

// newRoleGraph returns an empty graph with the definition's matching
// functions (nil for none).
func newRoleGraph(domains bool, dm, nm *matchFn) *roleGraph {
	g := &roleGraph{domains: domains, links: map[string]map[string][]string{}, dm: newPatternSet(dm), nm: nm}
	if nm != nil {
		g.names = map[string]*nameSet{}
	}
	return g
}

func (g *roleGraph) domainKey(dom string) string {
	if g.domains {
		return dom
	}
	return ""
}

func (g *roleGraph) parents(name, dom string) []string {
	return g.links[g.domainKey(dom)][name]
}

// add links name to role. Values are a g rule: name, role[, domain]; the
// graph may keep vals, which must not change after. seq is the rule's
// storedRule.seq, which only a conditional definition's graph reads (see
// place).
func (g *roleGraph) add(vals []string, seq uint64) {
	if g.cond != nil {
		g.cond.add(vals, seq)
		vals = vals[:g.cond.nTok]
	}
	name, role, dom := vals[0], vals[1], ""
	if len(vals) > 2 {
		dom = vals[2]
	}
	d := g.links[g.domainKey(dom)]
	if d == nil {
		d = map[string][]string{}
		g.links[g.domainKey(dom)] = d
		g.dm.added(dom)
	}
	roles := d[name]
	for _, r := range roles {
		if r == role {
			return
		}
	}
	if g.nm != nil {
		g.countName(g.domainKey(dom), name, 1)
		g.countName(g.domainKey(dom), role, 1)
	}
	if len(roles) == 0 {
		// Most names have one role: its list is the rule's own value,
		// capped so that a second role copies it (vals never change).
		d[name] = vals[1:2:2]
		return
	}
	d[name] = append(roles, role)
}

// remove unlinks name from role.
func (g *roleGraph) remove(vals []string) {
	if g.cond != nil {
		if g.cond.remove(vals) {
			g.place(vals) // another rule still gives the link
			return
		}
		vals = vals[:g.cond.nTok]
	}
	name, role, dom := vals[0], vals[1], ""
	if len(vals) > 2 {
		dom = vals[2]
	}
	d := g.links[g.domainKey(dom)]
	roles := d[name]
	for i, r := range roles {
		if r == role {
			if g.nm != nil {
				g.countName(g.domainKey(dom), name, -1)
				g.countName(g.domainKey(dom), role, -1)
			}
			if len(roles) == 1 {
				delete(d, name)
				if len(d) == 0 {
					delete(g.links, g.domainKey(dom))
					g.dm.removed(dom)
				}
			} else {
				// Copy so that a reader's earlier view (none can exist under
				// the write lock, but Rules snapshots may) stays intact.
				next := make([]string, 0, len(roles)-1)
				next = append(next, roles[:i]...)
				d[name] = append(next, roles[i+1:]...)
			}
			return
		}
	}
}

// place moves the link of vals, a conditional g rule removed while other
// rules still give its link, to where the first of those rules puts it
// among its name's roles. A name's roles stand in the policy order of the
// first rule giving each, as a rebuild (compacted) and a reload
// (fromModel), adding the rules in that order, list them; with the first
// rule removed, the link would otherwise keep that rule's place, and Roles
// and Explain's chain would change order at the next rebuild.
func (g *roleGraph) place(vals []string) {
	name, role, dom := vals[0], vals[1], ""
	if g.cond.nTok > 2 {
		dom = vals[2]
	}
	d := g.links[g.domainKey(dom)]
	roles := d[name]
	i := slices.Index(roles, role)
	if i < 0 {
		return
	}
	seq := g.cond.first(dom, name, role) // only later than before
	j := i + 1
	for j < len(roles) && g.cond.first(dom, name, roles[j]) < seq {
		j++
	}
	if j == i+1 {
		return
	}
	// A new slice, as in remove: the old one may be a rule's own values.
	next := make([]string, 0, len(roles))
	next = append(next, roles[:i]...)
	next = append(next, roles[i+1:j]...)
	next = append(next, role)
	d[name] = append(next, roles[j:]...)
}

// reachSet is the set of names a name reaches through g links, with the
// index of the name each was reached from, so that a chain can be told.
// Small sets are searched linearly: for the usual handful of roles that is
// faster than hashing and allocates nothing.
type reachSet struct {
	names  []string
	parent []int32
	idx    map[string]int32
	// patterns are the roles reached as roles of a reached name that a
	// name matching function may read as patterns (roleGraph.linked).
	patterns []string

	namesArr  [reachSetLinear]string
	parentArr [reachSetLinear]int32
}

// inline points the set's slices at its own arrays (sets inside a pooled
// evalCtx; see there).
func (s *reachSet) inline() {
	s.names = s.namesArr[:0]
	s.parent = s.parentArr[:0]
}

const reachSetLinear = 16

// reset empties s for the next request; the names it held (role names,
// request-scoped groups) are cleared from the backing array too.
func (s *reachSet) reset() {
	clear(s.names)
	if cap(s.names) > reachSetLinear {
		// names outgrew namesArr, which still holds its first names.
		clear(s.namesArr[:])
	}
	s.names = s.names[:0]
	s.parent = s.parent[:0]
	clear(s.patterns)
	if cap(s.patterns) > maxKeptElems {
		s.patterns = nil
	}
	s.patterns = s.patterns[:0]
	if s.idx != nil {
		if len(s.idx) > 1024 {
			s.idx = nil
		} else {
			clear(s.idx)
		}
	}
}

func (s *reachSet) index(n string) int32 {
	if s.idx != nil && len(s.names) > reachSetLinear {
		if i, ok := s.idx[n]; ok {
			return i
		}
		return -1
	}
	for i, x := range s.names {
		if x == n {
			return int32(i)
		}
	}
	return -1
}

func (s *reachSet) has(n string) bool { return s.index(n) >= 0 }

func (s *reachSet) add(n string, parent int32) {
	if s.has(n) {
		return
	}
	s.names = append(s.names, n)
	s.parent = append(s.parent, parent)
	if len(s.names) > reachSetLinear {
		if s.idx == nil {
			s.idx = make(map[string]int32, 4*reachSetLinear)
		}
		if len(s.names) == reachSetLinear+1 {
			clear(s.idx)
			for i, x := range s.names {
				s.idx[x] = int32(i)
			}
		} else {
			s.idx[n] = int32(len(s.names) - 1)
		}
	}
}

// chain returns the names from the start of the set to n, both included.
func (s *reachSet) chain(n string) []string {
	i := s.index(n)
	if i < 0 {
		return nil
	}
	var rev []string
	for ; i >= 0; i = s.parent[i] {
		rev = append(rev, s.names[i])
	}
	out := make([]string, len(rev))
	for j := range rev {
		out[j] = rev[len(rev)-1-j]
	}
	return out
}

// walk fills s with the names start reaches within maxHierarchy links of g
// in domain dom. extra are request-scoped roles of subject: links that count
// wherever subject is reached.
func (g *roleGraph) walk(s *reachSet, start, dom, subject string, extra []string) {
	s.add(start, -1)
	if g.dm != nil || g.nm != nil {
		g.walkMatching(s, dom, subject, extra)
		return
	}
	var now time.Time
	if g.cond != nil {
		now = g.cond.now()
	}
	lo := 0
	for depth := 0; depth < maxHierarchy; depth++ {
		hi := len(s.names)
		if lo == hi {
			return
		}
		for i := lo; i < hi; i++ {
			n := s.names[i]
			for _, p := range g.parents(n, dom) {
				if g.cond != nil && !g.cond.holds(g.domainKey(dom), n, p, now) {
					continue
				}
				s.add(p, int32(i))
			}
			if len(extra) > 0 && n == subject {
				for _, p := range extra {
					s.add(p, int32(i))
				}
			}
		}
		lo = hi
	}
}
