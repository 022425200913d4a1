package enforcer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// storedRule is one rule in the policy. seq orders rules as Casbin's policy
// slice would (load order, then order of addition), so that "the first
// matching rule" is the same rule Casbin names.
type storedRule struct {
	vals []string
	seq  uint64
}

// state is the policy as the fast path holds it: every rule by ptype, the
// index of "p" rules, and the role graphs. It is read under the enforcer's
// read lock and changed in place under its write lock; Reload builds a new
// one and swaps it in.
type state struct {
	cm     *compiledModel
	rules  map[string]map[string]*storedRule // ptype → key → rule
	bySub  map[string][]*storedRule          // p rules by role field
	byKey  map[string][]*storedRule          // p rules by role field, equality fields and pattern prefix
	graphs []*roleGraph
	roles  map[string]int // name → how many g rules (any g ptype) have it as their role
	seq    uint64
	// definitions, for validation: ptype → number of values
	width map[string]int
	// patLens are the prefix lengths of the pattern field's values (see
	// pattern.go), when the index has a pattern field.
	patLens lenSet
	hier    hierarchy // subjectPriority: the levels of the "g" links (priority.go)
}

// newState returns an empty state for the definitions of m, its maps
// sized for the policy an adapter has loaded into m. old, the state in
// force (nil on New), gives the sizes m cannot tell (how many subjects,
// role names, index keys): a reload rarely changes them much, and a map
// that grows to its size allocates about as much again as it keeps.
func newState(cm *compiledModel, m model.Model, old *state) *state {
	st := &state{
		cm:    cm,
		rules: make(map[string]map[string]*storedRule, len(m["p"])+len(m["g"])),
		width: make(map[string]int, len(m["p"])+len(m["g"])),
	}
	for _, sec := range []string{"p", "g"} {
		for ptype, a := range m[sec] {
			st.rules[ptype] = make(map[string]*storedRule, len(a.Policy))
			st.width[ptype] = ruleWidth(a)
		}
	}
	var subs, keys, roles int
	if old != nil {
		subs, keys, roles = len(old.bySub), len(old.byKey), len(old.roles)
	} else if cm.byKeyed() && m["p"]["p"] != nil {
		keys = len(m["p"]["p"].Policy) // an upper bound, near when the keys are distinct
	}
	st.bySub = make(map[string][]*storedRule, subs)
	st.byKey = make(map[string][]*storedRule, keys)
	st.roles = make(map[string]int, roles)
	st.graphs = make([]*roleGraph, len(cm.gDomains))
	for gi, d := range cm.gDomains {
		st.graphs[gi] = newRoleGraph(d, cm.gMatch[gi], cm.gNameMatch[gi])
		if cm.gCond[gi] {
			st.graphs[gi].cond = newCondLinks(cm.condOf(gi), cm.clock, 2+boolInt(d))
		}
		if d {
			continue // the names spread over domains
		}
		// Each g rule links one name: the rule count bounds the names.
		if a := m["g"][cm.gNames[gi]]; a != nil && len(a.Policy) > 0 {
			st.graphs[gi].links[""] = make(map[string][]string, len(a.Policy))
		}
	}
	return st
}

// ruleKey identifies a rule for de-duplication. NUL cannot be in a value that
// came through a policy file or a database text column, so keys are unique
// where Casbin's comma-joined keys are not.
func ruleKey(vals []string) string { return strings.Join(vals, "\x00") }

// validate checks a rule against the model.
func (st *state) validate(r Rule) error {
	w, ok := st.width[r.PType]
	if !ok {
		return fmt.Errorf("%w: ptype %q is not defined in the model", ErrInvalidRule, r.PType)
	}
	if len(r.Values) != w {
		return fmt.Errorf("%w: %s has %d values, the model defines %d", ErrInvalidRule, r, len(r.Values), w)
	}
	return nil
}

func (st *state) has(ptype string, values []string) bool { return st.holds(ptype, values) }

// holds reports whether st holds the rule of ptype with vals; a nil state
// holds none. The key is built on the stack: a map index by string(bytes)
// does not allocate.
func (st *state) holds(ptype string, vals []string) bool {
	if st == nil {
		return false
	}
	var buf [256]byte
	k := buf[:0]
	for i, v := range vals {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, v...)
	}
	_, ok := st.rules[ptype][string(k)]
	return ok
}

// presize empties the policy of m, a copy of the model's definitions that
// an adapter is about to load into, and sizes Casbin's rule slice and
// key map of each ptype for as many rules as old holds (nothing on New):
// a reload then builds them without regrowing.
func presize(m model.Model, old *state) {
	m.ClearPolicy()
	if old == nil {
		return
	}
	for _, sec := range []string{"p", "g"} {
		for ptype, a := range m[sec] {
			if n := len(old.rules[ptype]); n > 0 {
				a.Policy = make([][]string, 0, n)
				a.PolicyMap = make(map[string]int, n)
			}
		}
	}
}

// add inserts a validated rule; it reports false if the rule was there.
// The rule's values are copied.
func (st *state) add(r Rule) bool { return st.insert(r.PType, r.Values, true) }

// insert adds the rule of ptype with vals unless it is there; it copies
// vals when told, else it keeps the slice, which nothing may change then.
func (st *state) insert(ptype string, vals []string, copyVals bool) bool {
	r := Rule{PType: ptype, Values: vals}
	set := st.rules[r.PType]
	k := ruleKey(r.Values)
	if _, ok := set[k]; ok {
		return false
	}
	if copyVals {
		vals = slices.Clone(vals)
	}
	st.seq++
	sr := &storedRule{vals: vals, seq: st.seq}
	set[k] = sr
	switch {
	case r.PType == "p":
		st.indexAdd(sr)
	case r.section() == "g":
		if gi, ok := st.cm.gIdx[r.PType]; ok {
			st.graphs[gi].add(sr.vals)
			if gi == st.cm.hierGI {
				st.linksChanged()
			}
		}
		if len(sr.vals) > 1 {
			st.roles[sr.vals[1]]++
		}
	}
	return true
}

// remove deletes a rule; it reports false if the rule was not there.
func (st *state) remove(r Rule) bool {
	set := st.rules[r.PType]
	k := ruleKey(r.Values)
	sr, ok := set[k]
	if !ok {
		return false
	}
	delete(set, k)
	switch {
	case r.PType == "p":
		st.indexRemove(sr)
	case r.section() == "g":
		if gi, ok := st.cm.gIdx[r.PType]; ok {
			st.graphs[gi].remove(sr.vals)
			if gi == st.cm.hierGI {
				st.linksChanged()
			}
		}
		if len(sr.vals) > 1 {
			if st.roles[sr.vals[1]]--; st.roles[sr.vals[1]] <= 0 {
				delete(st.roles, sr.vals[1])
			}
		}
	}
	return true
}

// indexKey appends the index key of p values to buf: the role field (if
// any) then every equality field, each followed by NUL. A pattern field's
// part follows (appendPatternKey, ruleIndexKey).
func (cm *compiledModel) indexKey(buf []byte, role string, vals func(i int) string) []byte {
	if cm.role != nil {
		buf = append(buf, role...)
		buf = append(buf, 0)
	}
	for _, e := range cm.eq {
		buf = append(buf, vals(e.pField)...)
		buf = append(buf, 0)
	}
	return buf
}

func (st *state) ruleIndexKey(sr *storedRule) string {
	role := ""
	if st.cm.role != nil {
		role = sr.vals[st.cm.role.pField]
	}
	k := st.cm.indexKey(nil, role, func(i int) string { return sr.vals[i] })
	if p := st.cm.pat; p != nil {
		k = appendPatternKey(k, p.fn, sr.vals[p.pField])
	}
	return string(k)
}

// byKeyed reports whether p rules are kept in byKey.
func (cm *compiledModel) byKeyed() bool { return len(cm.eq) > 0 || cm.pat != nil }

func (st *state) indexAdd(sr *storedRule) {
	if st.cm.role != nil {
		sub := sr.vals[st.cm.role.pField]
		st.bySub[sub] = append(st.bySub[sub], sr)
	}
	if st.cm.byKeyed() {
		k := st.ruleIndexKey(sr)
		st.byKey[k] = append(st.byKey[k], sr)
	}
	if p := st.cm.pat; p != nil {
		if n := p.patternLen(sr.vals); n >= 0 {
			st.patLens.add(n)
		}
	}
}

func (st *state) indexRemove(sr *storedRule) {
	drop := func(m map[string][]*storedRule, k string) {
		list := m[k]
		i := slices.Index(list, sr)
		if i < 0 {
			return
		}
		if len(list) == 1 {
			delete(m, k)
			return
		}
		m[k] = slices.Delete(slices.Clone(list), i, i+1)
	}
	if st.cm.role != nil {
		drop(st.bySub, sr.vals[st.cm.role.pField])
	}
	if st.cm.byKeyed() {
		drop(st.byKey, st.ruleIndexKey(sr))
	}
	if p := st.cm.pat; p != nil {
		if n := p.patternLen(sr.vals); n >= 0 {
			st.patLens.remove(n)
		}
	}
}

// ordered returns the rules of a ptype in policy order: for "p", the order
// decisions evaluate them in, which for a model with priorities is
// Casbin's sorted order (priority.go).
func (st *state) ordered(ptype string) []*storedRule {
	set := st.rules[ptype]
	out := make([]*storedRule, 0, len(set))
	for _, sr := range set {
		out = append(out, sr)
	}
	if ptype == "p" {
		st.sortRules(out)
		return out
	}
	slices.SortFunc(out, func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// fromModel builds a state from a model whose policy an adapter has
// loaded. The model is the load's own and is dropped after: its rule
// slices become the state's without a copy. old is the state in force, nil
// on New (see newState).
func fromModel(cm *compiledModel, m model.Model, old *state) (*state, error) {
	st := newState(cm, m, old)
	for _, sec := range []string{"p", "g"} {
		names := make([]string, 0, len(m[sec]))
		for ptype := range m[sec] {
			names = append(names, ptype)
		}
		slices.Sort(names)
		for _, ptype := range names {
			for i, vals := range m[sec][ptype].Policy {
				if err := st.validate(Rule{PType: ptype, Values: vals}); err != nil {
					return nil, fmt.Errorf("rule %d of %s: %w", i+1, ptype, err)
				}
				st.insert(ptype, vals, false)
			}
		}
	}
	if cm.subjPrio {
		st.levels() // now, rather than in the first decision
	}
	return st, nil
}
