package enforcer

import (
	"encoding/binary"
	"hash/maphash"
	"iter"
	"slices"
)

// ruleSet is the rules of one policy type of a state, found by their
// values: the policy's de-duplication, and the set every walk over a
// ptype's rules reads.
//
// Why a hash and a record number rather than a map from the rule's key to
// its record: a map keyed by string holds two pointers a slot, the key and
// the record, and the key's bytes besides. refs holds neither (a 64-bit
// hash of the values, and the record's number in the pack), so the
// collector never reads its slots, and the record is reached through the
// pack's few chunks: 110,000 rules hold 13% less heap
// (BenchmarkHeap; docs/performance.md, "Rules found by a hash").
//
// Two rules whose values hash alike are both kept: the first in refs, the
// others in clash, by a key that cannot be alike for unlike values. The
// hash is seeded per state (maphash), so whoever writes rules cannot
// choose values that hash alike; clash is there for chance, and is empty
// in practice.
type ruleSet struct {
	p     *pack
	refs  map[uint64]uint32 // hash of a rule's values → its record (pack.rec)
	clash map[string]uint32 // exactKey of a rule whose hash refs has for another → its record
}

func newRuleSet(p *pack, n int) *ruleSet {
	return &ruleSet{p: p, refs: make(map[uint64]uint32, n)}
}

// len returns how many rules s holds; a nil set holds none.
func (s *ruleSet) len() int {
	if s == nil {
		return 0
	}
	return len(s.refs) + len(s.clash)
}

// hash hashes vals as their ruleKey, built on the stack when it fits.
func (s *ruleSet) hash(vals []string) uint64 {
	var buf [256]byte
	return maphash.Bytes(s.p.seed, appendRuleKey(buf[:0], vals))
}

// find returns the rule of s with vals, or nil; a nil set holds none.
func (s *ruleSet) find(vals []string) *storedRule {
	if s == nil {
		return nil
	}
	ref, ok := s.refs[s.hash(vals)]
	if !ok {
		return nil // a clashing rule's hash is always in refs
	}
	if sr := s.p.rec(ref); slices.Equal(sr.vals, vals) {
		return sr
	}
	if ref, ok := s.clash[exactKey(vals)]; ok {
		return s.p.rec(ref)
	}
	return nil
}

// add adds the record ref, whose values are vals, to s, which does not hold
// a rule with vals.
func (s *ruleSet) add(vals []string, ref uint32) {
	h := s.hash(vals)
	if _, taken := s.refs[h]; !taken {
		s.refs[h] = ref
		return
	}
	if s.clash == nil {
		s.clash = map[string]uint32{}
	}
	s.clash[exactKey(vals)] = ref
}

// remove drops the rule of s with vals and returns it, or nil if s holds
// none; a nil set holds none.
func (s *ruleSet) remove(vals []string) *storedRule {
	if s == nil {
		return nil
	}
	h := s.hash(vals)
	ref, ok := s.refs[h]
	if !ok {
		return nil
	}
	if sr := s.p.rec(ref); slices.Equal(sr.vals, vals) {
		delete(s.refs, h)
		// A rule of clash with the same hash takes its place, so that
		// every clashing rule's hash stays in refs.
		for k, other := range s.clash {
			if s.hash(s.p.rec(other).vals) == h {
				s.refs[h] = other
				delete(s.clash, k)
				break
			}
		}
		return sr
	}
	k := exactKey(vals)
	if ref, ok := s.clash[k]; ok {
		delete(s.clash, k)
		return s.p.rec(ref)
	}
	return nil
}

// all yields the rules of s, in no order; a nil set yields none.
func (s *ruleSet) all() iter.Seq[*storedRule] {
	return func(yield func(*storedRule) bool) {
		if s == nil {
			return
		}
		for _, ref := range s.refs {
			if !yield(s.p.rec(ref)) {
				return
			}
		}
		for _, ref := range s.clash {
			if !yield(s.p.rec(ref)) {
				return
			}
		}
	}
}

// exactKey is a key of vals that no other values have: each value follows
// its length. ruleKey is not one when a value holds NUL.
func exactKey(vals []string) string {
	var b []byte
	for _, v := range vals {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return string(b)
}

// keyLen is len(ruleKey(vals)), the bytes a rule is counted for (state.bytes).
func keyLen(vals []string) int {
	n := max(len(vals)-1, 0)
	for _, v := range vals {
		n += len(v)
	}
	return n
}
