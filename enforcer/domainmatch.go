package enforcer

import (
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
)

// Domain matching functions. Casbin's role manager can be given a function
// that reads the domains of role links as patterns (AddNamedDomainMatchingFunc):
// a link stored in domain "tenant1/*" then holds in "tenant1/east" too,
// and Casbin registers keyMatch so, unasked, for every role definition with
// a domain when the model's matcher contains keyMatch(r_dom, p_dom). A
// decision in domain D follows the links of D and of every stored domain
// that D matches, which is what Casbin's domain manager holds for D once
// the links are loaded (it copies the links of the patterns a domain
// matches into it). Pattern domains are kept by their literal prefix
// (pattern.go), so finding those a domain matches costs a lookup per
// prefix length, not a pass over every domain.

// keyMatchDomains is the text whose presence in the matcher makes Casbin
// register keyMatch as the domain matching function (Enforcer.initRmMap).
const keyMatchDomains = "keyMatch(r_dom, p_dom)"

// domainMatch is one role definition's domain matching function and the
// pattern domains its links are stored in.
type domainMatch struct {
	fn func(name, pattern string) bool
	// prefix gives a pattern's literal prefix, or exact when it can only
	// match itself; nil when the function is not one whose prefix is
	// known, and every stored domain is then tried.
	prefix func(pattern string) (lit string, exact bool)

	byPrefix map[string][]string // pattern domains by literal prefix
	lens     lenSet
	all      map[string]bool // every stored domain, when prefix is nil
}

// implicitDomainMatch is Casbin's unasked keyMatch for role definitions
// with a domain, or nil when the matcher does not call for it.
func implicitDomainMatch(m model.Model) *domainMatch {
	if mm := m["m"]["m"]; mm == nil || !strings.Contains(mm.Value, keyMatchDomains) {
		return nil
	}
	return &domainMatch{
		fn: util.KeyMatch,
		prefix: func(p string) (string, bool) {
			lit, exact, _ := literalPrefix("keyMatch", p)
			return lit, exact
		},
	}
}

// clone returns an empty domainMatch with dm's function, for a new graph.
func (dm *domainMatch) clone() *domainMatch {
	if dm == nil {
		return nil
	}
	return &domainMatch{fn: dm.fn, prefix: dm.prefix}
}

// added records that a domain holds links now.
func (dm *domainMatch) added(dom string) {
	if dm == nil {
		return
	}
	if dm.prefix == nil {
		if dm.all == nil {
			dm.all = map[string]bool{}
		}
		dm.all[dom] = true
		return
	}
	lit, exact := dm.prefix(dom)
	if exact {
		return // found by its name
	}
	if dm.byPrefix == nil {
		dm.byPrefix = map[string][]string{}
	}
	dm.byPrefix[lit] = append(dm.byPrefix[lit], dom)
	dm.lens.add(len(lit))
}

// removed records that a domain holds no link any more.
func (dm *domainMatch) removed(dom string) {
	if dm == nil {
		return
	}
	if dm.prefix == nil {
		delete(dm.all, dom)
		return
	}
	lit, exact := dm.prefix(dom)
	if exact {
		return
	}
	list := dm.byPrefix[lit]
	for i, d := range list {
		if d == dom {
			if len(list) == 1 {
				delete(dm.byPrefix, lit)
			} else {
				next := make([]string, 0, len(list)-1)
				dm.byPrefix[lit] = append(append(next, list[:i]...), list[i+1:]...)
			}
			dm.lens.remove(len(lit))
			return
		}
	}
}

// domains appends to out the stored domains whose links hold in dom: dom
// itself, then the patterns it matches.
func (g *roleGraph) matchingDomains(out []string, dom string) []string {
	if _, ok := g.links[dom]; ok {
		out = append(out, dom)
	}
	dm := g.dm
	if dm.prefix == nil {
		for d := range dm.all {
			if d != dom && dm.fn(dom, d) {
				out = append(out, d)
			}
		}
		return out
	}
	for _, l := range dm.lens.lens {
		if l > len(dom) {
			break
		}
		for _, d := range dm.byPrefix[dom[:l]] {
			if d != dom && dm.fn(dom, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// walkMatching is walk for a graph with a domain matching function: a
// name's parents are its roles in every domain whose links hold in dom.
// s holds start already.
func (g *roleGraph) walkMatching(s *reachSet, dom, subject string, extra []string) {
	var arr [4]string
	doms := g.matchingDomains(arr[:0], dom)
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
				}
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
