package enforcer

import (
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
	byKey  map[string][]*storedRule          // p rules by role field and equality fields
	graphs []*roleGraph
	roles  map[string]int // name → how many g rules (any g ptype) have it as their role
	seq    uint64
	// definitions, for validation: ptype → number of values
	width map[string]int
}

func newState(cm *compiledModel, m model.Model) *state {
	st := &state{
		cm:    cm,
		rules: map[string]map[string]*storedRule{},
		bySub: map[string][]*storedRule{},
		byKey: map[string][]*storedRule{},
		roles: map[string]int{},
		width: map[string]int{},
	}
	for _, sec := range []string{"p", "g"} {
		for ptype, a := range m[sec] {
			st.rules[ptype] = map[string]*storedRule{}
			st.width[ptype] = len(a.Tokens)
		}
	}
	for _, d := range cm.gDomains {
		st.graphs = append(st.graphs, newRoleGraph(d))
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

func (st *state) has(r Rule) bool {
	_, ok := st.rules[r.PType][ruleKey(r.Values)]
	return ok
}

// add inserts a validated rule; it reports false if the rule was there.
func (st *state) add(r Rule) bool {
	set := st.rules[r.PType]
	k := ruleKey(r.Values)
	if _, ok := set[k]; ok {
		return false
	}
	st.seq++
	sr := &storedRule{vals: slices.Clone(r.Values), seq: st.seq}
	set[k] = sr
	switch {
	case r.PType == "p":
		st.indexAdd(sr)
	case r.section() == "g":
		if gi, ok := st.cm.gIdx[r.PType]; ok {
			st.graphs[gi].add(sr.vals)
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
// any) then every equality field, each followed by NUL.
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
	return string(st.cm.indexKey(nil, role, func(i int) string { return sr.vals[i] }))
}

func (st *state) indexAdd(sr *storedRule) {
	if st.cm.role != nil {
		sub := sr.vals[st.cm.role.pField]
		st.bySub[sub] = append(st.bySub[sub], sr)
	}
	if len(st.cm.eq) > 0 {
		k := st.ruleIndexKey(sr)
		st.byKey[k] = append(st.byKey[k], sr)
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
	if len(st.cm.eq) > 0 {
		drop(st.byKey, st.ruleIndexKey(sr))
	}
}

// ordered returns the rules of a ptype in policy order.
func (st *state) ordered(ptype string) []*storedRule {
	set := st.rules[ptype]
	out := make([]*storedRule, 0, len(set))
	for _, sr := range set {
		out = append(out, sr)
	}
	slices.SortFunc(out, func(a, b *storedRule) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	return out
}

// fromModel builds a state from a model whose policy an adapter has loaded.
func fromModel(cm *compiledModel, m model.Model) (*state, error) {
	st := newState(cm, m)
	for _, sec := range []string{"p", "g"} {
		names := make([]string, 0, len(m[sec]))
		for ptype := range m[sec] {
			names = append(names, ptype)
		}
		slices.Sort(names)
		for _, ptype := range names {
			for i, vals := range m[sec][ptype].Policy {
				r := Rule{PType: ptype, Values: vals}
				if err := st.validate(r); err != nil {
					return nil, fmt.Errorf("rule %d of %s: %w", i+1, ptype, err)
				}
				st.add(r)
			}
		}
	}
	return st, nil
}
