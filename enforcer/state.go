package enforcer

import (
	"cmp"
	"fmt"
	"hash/maphash"
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
	// boxed holds, for the fields a registered matcher function is
	// passed (compiledModel.boxFields), the value as an interface, boxed
	// once here rather than at every call; nil for the other fields, and
	// nil altogether when no function reads one. It is a pointer so that
	// a rule of any other model stays 40 bytes (a 48-byte allocation;
	// the slice itself would make it 64).
	boxed *[]any
}

// scopedSeqs is the lowest seq of a request-scoped policy
// (Request.Policies, evalCtx.decide), far above any stored rule's.
const scopedSeqs = 1 << 63

// requestScoped reports whether sr is a request-scoped policy: it does
// not come from the index, so the index proves nothing of it.
func (sr *storedRule) requestScoped() bool { return sr.seq >= scopedSeqs }

// state is the policy as the fast path holds it: every rule by ptype, the
// indexes of the rules the matchers read, and the role graphs. It is read under the enforcer's
// read lock and changed in place under its write lock; Reload builds a new
// one and swaps it in.
type state struct {
	cm    *compiledModel      // the default definition (defs.go)
	rules map[string]*ruleSet // ptype → its rules (ruleset.go)
	// indexes are the rule indexes of the compiled definitions, by
	// their ixNum; ix is the default definition's.
	indexes []*ruleIndex
	ix      *ruleIndex
	graphs  []*roleGraph
	roles   map[string]int // name → how many g rules (any g ptype) have it as their role
	seq     uint64
	// definitions, for validation: ptype → number of values
	width map[string]int
	hier  hierarchy // subjectPriority: the levels of the "g" links (priority.go)
	// pack holds the rules' records and (for rules added rather than
	// loaded) values (pack.go); size is how many rules st holds, dead
	// how many it removed, whose space the pack still holds; bytes and
	// deadBytes are the same in the bytes of their values (keyLen), which
	// a removed rule's record holds on to: a few long rules removed can leave more
	// space behind than many short ones kept hold (pack.go, wasteful).
	pack             pack
	size, dead       int
	bytes, deadBytes int
}

// ruleIndex is the index of one policy type's rules (cm.def.P's) as one
// matcher reads them: the keys are cm's plan. Definitions that share a
// matcher, request and policy definition share it.
type ruleIndex struct {
	cm    *compiledModel
	bySub map[string][]*storedRule // rules by role field
	byKey map[string][]*storedRule // rules by role field, equality fields and pattern prefix
	// patLens are the prefix lengths of the pattern field's values (see
	// pattern.go), when the index has a pattern field.
	patLens lenSet
	// evals are the eval() texts of the rules, compiled (evalexpr.go).
	evals map[string]*evalEntry
	// effects are, for a matcher with a guard, the allow and the deny
	// rules in policy order: their heads are the rules that decide when
	// the guard holds (guard.go, firsts).
	effects [2]effectRules
}

// newState returns an empty state for the definitions of m, its maps
// sized for the policy an adapter has loaded into m. old, the state in
// force (nil on New), gives the sizes m cannot tell (how many subjects,
// role names, index keys): a reload rarely changes them much, and a map
// that grows to its size allocates about as much again as it keeps.
func newState(cm *compiledModel, m model.Model, old *state) *state {
	st := &state{
		cm:    cm,
		rules: make(map[string]*ruleSet, len(m["p"])+len(m["g"])),
		width: make(map[string]int, len(m["p"])+len(m["g"])),
	}
	st.pack.seed = maphash.MakeSeed()
	for _, sec := range []string{"p", "g"} {
		for ptype, a := range m[sec] {
			st.rules[ptype] = newRuleSet(&st.pack, len(a.Policy))
			st.width[ptype] = ruleWidth(a)
		}
	}
	st.indexes = make([]*ruleIndex, cm.nIndexes())
	for _, c := range cm.all() {
		if st.indexes[c.ixNum] != nil {
			continue
		}
		var subs, keys int
		if old != nil && c.ixNum < len(old.indexes) {
			subs, keys = len(old.indexes[c.ixNum].bySub), len(old.indexes[c.ixNum].byKey)
		} else if c.byKeyed() && m["p"][c.def.P] != nil {
			keys = len(m["p"][c.def.P].Policy) // an upper bound, near when the keys are distinct
		}
		st.indexes[c.ixNum] = &ruleIndex{cm: c, bySub: make(map[string][]*storedRule, subs), byKey: make(map[string][]*storedRule, keys)}
	}
	st.ix = st.indexes[cm.ixNum]
	roles := 0
	if old != nil {
		roles = len(old.roles)
	}
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

// ruleKey identifies a rule for de-duplication outside the state (whose
// ruleSet compares values, and hashes this key). NUL cannot be in a value that
// came through a policy file or a database text column, so keys are unique
// where Casbin's comma-joined keys are not.
func ruleKey(vals []string) string { return strings.Join(vals, "\x00") }

// appendRuleKey appends ruleKey(vals) to buf.
func appendRuleKey(buf []byte, vals []string) []byte {
	for i, v := range vals {
		if i > 0 {
			buf = append(buf, 0)
		}
		buf = append(buf, v...)
	}
	return buf
}

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
// holds none.
func (st *state) holds(ptype string, vals []string) bool {
	return st != nil && st.rules[ptype].find(vals) != nil
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
			if n := old.rules[ptype].len(); n > 0 {
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
// vals into the pack when told, else it keeps the slice, which nothing may
// change then.
func (st *state) insert(ptype string, vals []string, copyVals bool) bool {
	return st.insertSeq(ptype, vals, copyVals, st.seq+1)
}

// insertSeq is insert giving the rule seq, above every seq of its ptype's
// rules in st (compacted keeps each rule's own).
func (st *state) insertSeq(ptype string, vals []string, copyVals bool, seq uint64) bool {
	r := Rule{PType: ptype, Values: vals}
	set := st.rules[r.PType]
	if set.find(vals) != nil {
		return false
	}
	if copyVals {
		vals = st.pack.values(vals)
	}
	st.seq = max(st.seq, seq)
	sr, ref := st.pack.record()
	*sr = storedRule{vals: vals, seq: seq}
	set.add(vals, ref)
	st.size++
	st.bytes += keyLen(vals)
	switch {
	case r.section() == "p":
		for _, ix := range st.indexes {
			if ix.cm.def.P == ptype {
				sr.boxed = ix.cm.box(sr.boxed, vals)
				ix.add(sr)
			}
		}
	case r.section() == "g":
		if gi, ok := st.cm.gIdx[r.PType]; ok {
			st.graphs[gi].add(sr.vals, sr.seq)
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
	sr := set.remove(r.Values)
	if sr == nil {
		return false
	}
	n := keyLen(sr.vals)
	st.size--
	st.dead++
	st.bytes -= n
	st.deadBytes += n
	switch {
	case r.section() == "p":
		for _, ix := range st.indexes {
			if ix.cm.def.P == r.PType {
				ix.remove(sr, set)
			}
		}
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
// any) then every equality field (vals(i) is cm.eq[i]'s value), each
// followed by NUL. A pattern field's
// part follows (appendPatternKey, ruleIndexKey).
func (cm *compiledModel) indexKey(buf []byte, role string, vals func(i int) string) []byte {
	if cm.role != nil {
		buf = append(buf, role...)
		buf = append(buf, 0)
	}
	for i := range cm.eq {
		buf = append(buf, vals(i)...)
		buf = append(buf, 0)
	}
	return buf
}

func (ix *ruleIndex) ruleIndexKey(sr *storedRule) string {
	role := ""
	if ix.cm.role != nil {
		role = sr.vals[ix.cm.role.pField]
	}
	k := ix.cm.indexKey(nil, role, func(i int) string { return sr.vals[ix.cm.eq[i].pField] })
	if p := ix.cm.pat; p != nil {
		k = appendPatternKey(k, p.fn, sr.vals[p.pField])
	}
	return string(k)
}

// byKeyed reports whether p rules are kept in byKey.
func (cm *compiledModel) byKeyed() bool { return len(cm.eq) > 0 || cm.pat != nil }

func (ix *ruleIndex) add(sr *storedRule) {
	ix.evalAdd(sr)
	ix.firstsAdd(sr)
	if ix.cm.role != nil {
		sub := sr.vals[ix.cm.role.pField]
		ix.bySub[sub] = append(ix.bySub[sub], sr)
	}
	if ix.cm.byKeyed() {
		k := ix.ruleIndexKey(sr)
		ix.byKey[k] = append(ix.byKey[k], sr)
	}
	if p := ix.cm.pat; p != nil {
		if n := p.patternLen(sr.vals); n >= 0 {
			ix.patLens.add(n)
		}
	}
}

// remove drops sr, already out of rules (its policy type's rules).
func (ix *ruleIndex) remove(sr *storedRule, rules *ruleSet) {
	ix.evalRemove(sr)
	ix.firstsRemove(sr, rules)
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
	if ix.cm.role != nil {
		drop(ix.bySub, sr.vals[ix.cm.role.pField])
	}
	if ix.cm.byKeyed() {
		drop(ix.byKey, ix.ruleIndexKey(sr))
	}
	if p := ix.cm.pat; p != nil {
		if n := p.patternLen(sr.vals); n >= 0 {
			ix.patLens.remove(n)
		}
	}
}

// ordered returns the rules of a ptype in policy order: for a policy type
// a matcher reads, the order decisions evaluate them in, which for a
// model with priorities is Casbin's sorted order (priority.go).
func (st *state) ordered(ptype string) []*storedRule {
	set := st.rules[ptype]
	out := slices.AppendSeq(make([]*storedRule, 0, set.len()), set.all())
	for _, ix := range st.indexes {
		if ix.cm.def.P == ptype {
			st.sortRules(ix.cm, out)
			return out
		}
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
