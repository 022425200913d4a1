package enforcer

import (
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// Matching functions of role definitions. Casbin's role manager can be
// given a function that reads the domains of role links as patterns
// (AddNamedDomainMatchingFunc, WithDomainMatchingFunction): a link stored
// in domain "tenant1/*" then holds in "tenant1/east" too, and Casbin
// registers keyMatch so, unasked, for every role definition with a domain
// when the model's matcher contains keyMatch(r_dom, p_dom). A decision in
// domain D follows the links of D and of every stored domain that D
// matches, which is what Casbin's domain manager holds for D once the
// links are loaded (it copies the links of the patterns a domain matches
// into it).
//
// It can also be given one that reads the names in the links as patterns
// (AddNamedMatchingFunc, WithMatchingFunction): with keyMatch2, a link
// "g2, /book/:id, book_group" puts "/book/1" in book_group. walkMatching
// follows Casbin's role manager there (see there).
//
// Both read stored strings as patterns, and both keep them the same way, in
// a patternSet: by their literal prefix (pattern.go), so that finding the
// patterns a string matches costs a lookup per prefix length, not a pass
// over every stored string.

// keyMatchDomains is the text whose presence in the matcher makes Casbin
// register keyMatch as the domain matching function (Enforcer.initRmMap).
const keyMatchDomains = "keyMatch(r_dom, p_dom)"

// matchFn is a matching function (Casbin's rbac.MatchingFunc) with what
// the index knows of it.
type matchFn struct {
	fn func(name, pattern string) bool
	// prefix gives a pattern's literal prefix, or exact when it can only
	// match itself; nil when the function is not one whose prefix is
	// known, and every stored string is then tried.
	prefix func(pattern string) (lit string, exact bool)
}

// exact reports whether pattern can match only itself.
func (mf *matchFn) exact(pattern string) bool {
	if mf.prefix == nil {
		return false
	}
	_, exact := mf.prefix(pattern)
	return exact
}

// knownMatchFn is Casbin's util function of that matcher-function name, with
// its literal prefix; nil for a name it does not know. The function is
// this package's version (match.go: the same regular expression, compiled
// once), which panics where Casbin's does, on a pattern that does not
// compile.
func knownMatchFn(name string) *matchFn {
	f := boolFuncs[name]
	if f == nil || name == "ipMatch" {
		return nil
	}
	fn := func(s, pattern string) bool {
		ok, err := f(s, pattern)
		if err != nil {
			panic(err)
		}
		return ok
	}
	if name == "globMatch" {
		// util.GlobMatch's error (a malformed pattern) is no match.
		fn = func(s, pattern string) bool { ok, err := f(s, pattern); return err == nil && ok }
	}
	return &matchFn{fn: fn, prefix: func(p string) (string, bool) {
		lit, exact, _ := literalPrefix(name, p)
		return lit, exact
	}}
}

// implicitDomainMatch is Casbin's unasked keyMatch for role definitions
// with a domain, or nil when the matcher does not call for it.
func implicitDomainMatch(m model.Model) *matchFn {
	if mm := m["m"]["m"]; mm == nil || !strings.Contains(mm.Value, keyMatchDomains) {
		return nil
	}
	return knownMatchFn("keyMatch")
}

// patternSet is the stored strings a matching function reads as patterns.
type patternSet struct {
	mf       *matchFn
	byPrefix map[string][]string // patterns by literal prefix
	lens     lenSet
	all      map[string]bool // every stored string, when the prefix is unknown
}

// newPatternSet returns an empty set for mf, or nil for none.
func newPatternSet(mf *matchFn) *patternSet {
	if mf == nil {
		return nil
	}
	return &patternSet{mf: mf}
}

// added records that s is stored now.
func (ps *patternSet) added(s string) {
	if ps == nil {
		return
	}
	if ps.mf.prefix == nil {
		if ps.all == nil {
			ps.all = map[string]bool{}
		}
		ps.all[s] = true
		return
	}
	lit, exact := ps.mf.prefix(s)
	if exact {
		return // found by its name
	}
	if ps.byPrefix == nil {
		ps.byPrefix = map[string][]string{}
	}
	ps.byPrefix[lit] = append(ps.byPrefix[lit], s)
	ps.lens.add(len(lit))
}

// removed records that s is stored no more.
func (ps *patternSet) removed(s string) {
	if ps == nil {
		return
	}
	if ps.mf.prefix == nil {
		delete(ps.all, s)
		return
	}
	lit, exact := ps.mf.prefix(s)
	if exact {
		return
	}
	list := ps.byPrefix[lit]
	for i, d := range list {
		if d == s {
			if len(list) == 1 {
				delete(ps.byPrefix, lit)
			} else {
				next := make([]string, 0, len(list)-1)
				ps.byPrefix[lit] = append(append(next, list[:i]...), list[i+1:]...)
			}
			ps.lens.remove(len(lit))
			return
		}
	}
}

// matching appends to out the stored patterns other than s that s matches.
func (ps *patternSet) matching(out []string, s string) []string {
	if ps.mf.prefix == nil {
		for d := range ps.all {
			if d != s && ps.mf.fn(s, d) {
				out = append(out, d)
			}
		}
		return out
	}
	for _, l := range ps.lens.lens {
		if l > len(s) {
			break
		}
		for _, d := range ps.byPrefix[s[:l]] {
			if d != s && ps.mf.fn(s, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// matchingDomains appends to out the stored domains whose links hold in
// dom: dom itself, then the patterns it matches.
func (g *roleGraph) matchingDomains(out []string, dom string) []string {
	if _, ok := g.links[dom]; ok {
		out = append(out, dom)
	}
	return g.dm.matching(out, dom)
}

// nameSet is the names of one domain's links (either side), counted, and
// those a name matching function may read as patterns.
type nameSet struct {
	count map[string]int
	pats  *patternSet
}

func (g *roleGraph) countName(dk, name string, delta int) {
	ns := g.names[dk]
	if ns == nil {
		ns = &nameSet{count: map[string]int{}, pats: newPatternSet(g.nm)}
		g.names[dk] = ns
	}
	n := ns.count[name] + delta
	switch {
	case n <= 0:
		delete(ns.count, name)
		ns.pats.removed(name)
		if len(ns.count) == 0 {
			delete(g.names, dk)
		}
	case n == 1 && delta > 0:
		ns.count[name] = n
		ns.pats.added(name)
	default:
		ns.count[name] = n
	}
}

// walkMatching is walk for a graph with a matching function: a name's
// parents are its roles in every domain whose links hold in dom, and, with
// a name matching function, what Casbin's role manager adds to them
// (Role.rangeRoles): for each role P of the name, every stored name that P
// matches as a pattern; and the roles of every stored pattern the name
// matches. Casbin computes those matches when a name is stored and Warden
// when a decision meets it, from the same names: those of the links in
// force (a Casbin enforcer changed in place also keeps the names of links
// it removed). s holds start already.
func (g *roleGraph) walkMatching(s *reachSet, dom, subject string, extra []string) {
	var arr [4]string
	doms := arr[:0]
	if g.dm != nil {
		doms = g.matchingDomains(doms, dom)
	} else if _, ok := g.links[g.domainKey(dom)]; ok {
		doms = append(doms, g.domainKey(dom))
	}
	lo := 0
	for depth := 0; depth < maxHierarchy; depth++ {
		hi := len(s.names)
		if lo == hi {
			return
		}
		for i := lo; i < hi; i++ {
			n := s.names[i]
			for _, d := range doms {
				for _, p := range g.links[d][n] {
					s.add(p, int32(i))
					if g.nm != nil {
						g.matchedBy(s, p, doms, int32(i))
					}
				}
			}
			if g.nm != nil {
				g.viaPatterns(s, n, doms, int32(i))
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

// matchedBy adds the stored names of doms that role p, a pattern, matches
// (Casbin's p.matched), and keeps p for linked.
func (g *roleGraph) matchedBy(s *reachSet, p string, doms []string, parent int32) {
	nm := g.nm
	lit := ""
	if nm.prefix != nil {
		l, exact := nm.prefix(p)
		if exact {
			return
		}
		lit = l
	}
	s.patterns = append(s.patterns, p)
	for _, d := range doms {
		ns := g.names[d]
		if ns == nil {
			continue
		}
		for y := range ns.count {
			if y != p && strings.HasPrefix(y, lit) && nm.fn(y, p) {
				s.add(y, parent)
			}
		}
	}
}

// viaPatterns adds the roles of the stored patterns of doms that n matches
// (the roles of Casbin's n.matchedBy).
func (g *roleGraph) viaPatterns(s *reachSet, n string, doms []string, parent int32) {
	var arr [4]string
	ms := arr[:0]
	for _, d := range doms {
		if ns := g.names[d]; ns != nil {
			ms = ns.pats.matching(ms, n)
		}
	}
	for _, m := range ms {
		for _, d := range doms {
			for _, p := range g.links[d][m] {
				s.add(p, parent)
			}
		}
	}
}

// linked is Casbin's HasLink(start, target) for a graph with a name matching
// function, s being what start reaches: target is reached, or matches
// (as a pattern) a name reached, or is matched by a role reached as a
// pattern (Casbin holds target, while it asks, as a name such a role
// matches).
func (g *roleGraph) linked(s *reachSet, target string) bool {
	if s.has(target) {
		return true
	}
	nm := g.nm
	if !nm.exact(target) {
		for _, n := range s.names {
			if nm.fn(n, target) {
				return true
			}
		}
	}
	for _, p := range s.patterns {
		if nm.fn(target, p) {
			return true
		}
	}
	return false
}
