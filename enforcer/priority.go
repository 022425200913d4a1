package enforcer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Casbin orders a model's rules before it evaluates them when the policy
// has a priority field or the effect is subjectPriority(p_eft) || deny, and
// the priority effects decide by the first matching rule in that order. Its
// loader (model.SortPoliciesBySubjectHierarchy, then SortPoliciesByPriority,
// both stable) gives this order:
//
//   - by the priority field, read with strconv.Atoi, ascending;
//   - then, for subjectPriority, by the level of the rule's subject (its
//     first field, in the rule's dom field's domain) in the hierarchy of the
//     "g" links, deepest first;
//   - then in policy order.
//
// The index ranks its candidates with the same key, so the first candidate
// that decides is the rule Casbin's loop stops at. This is the order Casbin
// gives the policy when it loads it; Casbin's AddPolicy and RemovePolicy do
// not keep it (RemovePolicy moves the last rule into the hole, and
// neither re-sorts by subject), so Warden matches a Casbin enforcer that
// loaded the policy Warden holds, which is also what every Warden instance
// reloading it gets.
//
// Where Casbin's order is not defined Warden does not guess:
//
//   - a priority that strconv.Atoi cannot read makes Casbin's comparison
//     inconsistent (the rule lands wherever the sort algorithm leaves it),
//     so such a rule is refused when written (modelcheck.ValueChecker);
//   - a subject that top roles reach at different depths gets the level of
//     whichever root Casbin's map iteration visits last, and a cycle below a
//     top role makes Casbin's loader loop for ever; a decision whose outcome
//     depends on such a subject's place fails with ErrEvaluation (see
//     decidePriority). Where Casbin's own enforcer holds the policy
//     (casbinEngine) the cycle is refused on load and write instead, since
//     its loader would hang (internal/subjectsort).

// levelRange is the levels Casbin may give a subject: lo == hi when its
// level is defined.
type levelRange struct{ lo, hi int32 }

// levelUnknown is the upper bound of a subject below a cycle.
const levelUnknown = math.MaxInt32

// subjectLevels is Casbin's subject hierarchy map for the current "g"
// links, keyed as Casbin keys it: domain + "::" + name. Names missing from
// it are at level 0.
type subjectLevels struct {
	m      map[string]levelRange
	unsure bool // some subject's level is not defined
}

// hierarchy holds the subject levels of a state, computed when first needed
// after the "g" links changed. Decisions run under the read lock, in which
// the links cannot change, so a level map computed there is the one the
// links give; writers drop it under the write lock.
type hierarchy struct {
	mu  sync.Mutex
	cur atomic.Pointer[subjectLevels]
}

// levels returns the subject levels of st's "g" graph.
func (st *state) levels() *subjectLevels {
	h := &st.hier
	if l := h.cur.Load(); l != nil {
		return l
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if l := h.cur.Load(); l != nil {
		return l
	}
	l := computeLevels(st.graphs[st.cm.hierGI])
	h.cur.Store(l)
	return l
}

// linksChanged drops the computed levels after a change to the "g" links.
func (st *state) linksChanged() { st.hier.cur.Store(nil) }

// computeLevels is Casbin's getSubjectHierarchyMap for the links of g.
// Casbin walks breadth first from every top role (a name that is no
// member) without remembering what it visited, so a name gets, from each
// top role, the length of the longest path down to it, and the value of the
// top role its map iteration visits last; names below no top role keep 1.
// Here each top role's longest paths are computed once in topological
// order, and a name whose values differ is given their range.
func computeLevels(g *roleGraph) *subjectLevels {
	ids := map[string]int32{}
	var keys []string
	var children [][]int32
	var member []bool
	id := func(k string) int32 {
		if i, ok := ids[k]; ok {
			return i
		}
		i := int32(len(keys))
		ids[k] = i
		keys = append(keys, k)
		children = append(children, nil)
		member = append(member, false)
		return i
	}
	for dom, links := range g.links {
		for name, roles := range links {
			c := id(dom + "::" + name)
			member[c] = true
			for _, r := range roles {
				p := id(dom + "::" + r)
				children[p] = append(children[p], c)
			}
		}
	}
	n := len(keys)
	lvl := make([]levelRange, n)
	seen := make([]bool, n)
	cyclic := make([]bool, n)
	// Per top role: stamp marks the names it reaches, color the depth
	// first search's state, dist the longest path.
	stamp := make([]int32, n)
	color := make([]uint8, n)
	dist := make([]int32, n)
	var post, reach []int32
	type frame struct{ node, next int32 }
	var stack []frame
	for root := range int32(n) {
		if member[root] {
			continue
		}
		mark := root + 1
		post, reach = post[:0], reach[:0]
		cycle := false
		visit := func(x int32) {
			stamp[x], color[x], dist[x] = mark, 1, 0
			reach = append(reach, x)
			stack = append(stack, frame{node: x})
		}
		visit(root)
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if int(f.next) < len(children[f.node]) {
				c := children[f.node][f.next]
				f.next++
				switch {
				case stamp[c] != mark:
					visit(c)
				case color[c] == 1:
					cycle = true
				}
				continue
			}
			color[f.node] = 2
			post = append(post, f.node)
			stack = stack[:len(stack)-1]
		}
		if cycle {
			for _, x := range reach {
				cyclic[x] = true
			}
			continue
		}
		for i := len(post) - 1; i >= 0; i-- {
			u := post[i]
			for _, c := range children[u] {
				dist[c] = max(dist[c], dist[u]+1)
			}
		}
		for _, x := range reach {
			d := dist[x]
			if !seen[x] {
				seen[x], lvl[x] = true, levelRange{d, d}
				continue
			}
			lvl[x].lo, lvl[x].hi = min(lvl[x].lo, d), max(lvl[x].hi, d)
		}
	}
	out := &subjectLevels{m: make(map[string]levelRange, n)}
	for i, k := range keys {
		r := lvl[i]
		switch {
		case cyclic[i]:
			r = levelRange{0, levelUnknown}
		case !seen[i]:
			r = levelRange{1, 1} // below no top role: Casbin's initial 1
		}
		if r.lo != r.hi {
			out.unsure = true
		}
		if r != (levelRange{}) {
			out.m[k] = r
		}
	}
	return out
}

// ranked is a candidate with its place in Casbin's order.
type ranked struct {
	sr   *storedRule
	prio int
	lvl  levelRange
}

// ordered reports whether the model ranks rules by more than policy order.
func (cm *compiledModel) ordered() bool { return cm.prioIdx >= 0 || cm.subjPrio }

// rankOf computes sr's place. buf is scratch space for the level key; the
// grown buffer is returned.
func (cm *compiledModel) rankOf(sr *storedRule, lv *subjectLevels, buf []byte) (ranked, []byte, error) {
	r := ranked{sr: sr}
	if cm.prioIdx >= 0 {
		p, err := strconv.Atoi(sr.vals[cm.prioIdx])
		if err != nil {
			// Refused when written (modelcheck.ValueChecker): never reached.
			return r, buf, fmt.Errorf("%w: priority %q is not an integer", ErrEvaluation, sr.vals[cm.prioIdx])
		}
		r.prio = p
	}
	if lv != nil {
		buf = buf[:0]
		if cm.subjDomIdx >= 0 {
			buf = append(buf, sr.vals[cm.subjDomIdx]...)
		}
		buf = append(buf, "::"...)
		buf = append(buf, sr.vals[0]...)
		r.lvl = lv.m[string(buf)]
	}
	return r, buf, nil
}

// compareRanked is Casbin's order: priority ascending, then level
// descending (the lower bound stands for an undefined level), then policy
// order.
func compareRanked(a, b ranked) int {
	if c := cmp.Compare(a.prio, b.prio); c != 0 {
		return c
	}
	if c := cmp.Compare(b.lvl.lo, a.lvl.lo); c != 0 {
		return c
	}
	return cmp.Compare(a.sr.seq, b.sr.seq)
}

// surelyBefore reports whether a comes before b whatever levels Casbin
// gives the two subjects within their ranges.
func surelyBefore(a, b ranked) bool {
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.lvl.lo > b.lvl.hi || a.lvl.lo == b.lvl.hi && a.sr.seq < b.sr.seq
}

// rank sorts ev.cands into Casbin's order and keeps their ranks in
// ev.ranks. It reports whether some candidate's place is not defined.
func (ev *evalCtx) rank() (unsure bool, err error) {
	cm := ev.cm
	var lv *subjectLevels
	if cm.subjPrio {
		lv = ev.st.levels()
	}
	ev.ranks = ev.ranks[:0]
	for _, sr := range ev.cands {
		var r ranked
		r, ev.buf, err = cm.rankOf(sr, lv, ev.buf)
		if err != nil {
			return false, err
		}
		unsure = unsure || r.lvl.lo != r.lvl.hi
		ev.ranks = append(ev.ranks, r)
	}
	slices.SortFunc(ev.ranks, compareRanked)
	for i := range ev.ranks {
		ev.cands[i] = ev.ranks[i].sr
	}
	return unsure, nil
}

// sortRules sorts rules of cm's policy type into the order cm's decisions
// evaluate them in.
func (st *state) sortRules(cm *compiledModel, rules []*storedRule) {
	if !cm.ordered() {
		slices.SortFunc(rules, func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
		return
	}
	var lv *subjectLevels
	if cm.subjPrio {
		lv = st.levels()
	}
	rs := make([]ranked, len(rules))
	var buf []byte
	for i, sr := range rules {
		rs[i], buf, _ = cm.rankOf(sr, lv, buf)
	}
	slices.SortFunc(rs, compareRanked)
	for i := range rs {
		rules[i] = rs[i].sr
	}
}

// decidePriority is Casbin's loop under priority(p_eft) || deny and
// subjectPriority(p_eft) || deny, on the ranked candidates: the first rule
// that matches with the effect allow or deny decides; a rule whose eft is
// anything else is passed over, and when none decides the request is
// denied. When some candidate's place is not defined (unsure), the outcome
// stands only if no candidate that could be ranked before the deciding one
// would decide or fail itself.
func (ev *evalCtx) decidePriority(unsure bool) (Decision, *storedRule, error) {
	for i, sr := range ev.cands {
		ok, err := ev.match(sr)
		if err == nil && (!ok || !ev.decisive(sr)) {
			continue
		}
		if unsure {
			if err := ev.checkPlace(i); err != nil {
				return Decision{}, nil, err
			}
		}
		if err != nil {
			return Decision{}, nil, err
		}
		if ev.eft(sr) == "allow" {
			return Decision{Allowed: true, Effect: EffectAllow}, sr, nil
		}
		return Decision{Effect: EffectDeny}, sr, nil
	}
	return Decision{Effect: EffectNone}, nil, nil
}

// eft is a rule's effect: its eft field, or allow without one.
func (ev *evalCtx) eft(sr *storedRule) string {
	if ev.cm.eftIdx >= 0 {
		return sr.vals[ev.cm.eftIdx]
	}
	return "allow"
}

// decisive reports whether a matching rule decides under a priority effect.
func (ev *evalCtx) decisive(sr *storedRule) bool {
	e := ev.eft(sr)
	return e == "allow" || e == "deny"
}

// checkPlace fails when a candidate ranked after the i-th, the one that
// decided or failed, might come before it in Casbin's order and would then
// decide or fail itself. Candidates ranked before it were evaluated and
// decided nothing, so where they really belong does not matter.
func (ev *evalCtx) checkPlace(i int) error {
	k := ev.ranks[i]
	for _, x := range ev.ranks[i+1:] {
		if surelyBefore(k, x) {
			continue
		}
		ok, err := ev.match(x.sr)
		if err == nil && (!ok || !ev.decisive(x.sr)) {
			continue
		}
		return fmt.Errorf("%w: subjectPriority: the rules of %q and %q have no defined order: top roles reach them at different depths, or through a cycle, and Casbin orders them by whichever it visits last",
			ErrEvaluation, k.sr.vals[0], x.sr.vals[0])
	}
	return nil
}
