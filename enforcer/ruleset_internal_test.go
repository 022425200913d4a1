package enforcer

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"testing"
)

// clashing are values whose ruleKey, and so whose hash, is the same: a
// value holding NUL joins like two values. The policy refuses control
// characters in values (modelcheck), so only chance makes two stored
// rules' hashes alike; these make the set's clash path run every time.
var clashing = [][]string{
	{"a", "b\x00c\x00d"},
	{"a\x00b", "c\x00d"},
	{"a\x00b\x00c", "d"},
}

func newTestRuleSet() (*ruleSet, *pack) {
	p := &pack{seed: maphash.MakeSeed()}
	return newRuleSet(p, 0), p
}

func addTo(s *ruleSet, p *pack, vals []string) *storedRule {
	sr, ref := p.record()
	*sr = storedRule{vals: vals}
	s.add(vals, ref)
	return sr
}

// TestRuleSetClashes: rules whose hashes are alike are each found, and
// removing any of them, in any order, leaves the others found.
func TestRuleSetClashes(t *testing.T) {
	if s, _ := newTestRuleSet(); s.hash(clashing[0]) != s.hash(clashing[1]) || s.hash(clashing[1]) != s.hash(clashing[2]) {
		t.Fatal("the clashing values do not hash alike")
	}
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for _, order := range orders {
		s, p := newTestRuleSet()
		held := map[int]*storedRule{}
		for i, v := range clashing {
			held[i] = addTo(s, p, v)
		}
		for _, gone := range order {
			if got := s.remove(clashing[gone]); got != held[gone] {
				t.Fatalf("order %v: remove %q = %v, want its record", order, clashing[gone], got)
			}
			delete(held, gone)
			if s.len() != len(held) {
				t.Fatalf("order %v: len %d, want %d", order, s.len(), len(held))
			}
			for i, v := range clashing {
				if got := s.find(v); got != held[i] {
					t.Fatalf("order %v, %q removed: find %q = %v, want %v", order, clashing[gone], v, got, held[i])
				}
			}
			if got := s.remove(clashing[gone]); got != nil {
				t.Fatalf("order %v: removed %q twice", order, clashing[gone])
			}
		}
	}
}

// TestRuleSetAsAMap runs random adds, removes and finds, clashing values
// among them, against a map keyed by exactKey.
func TestRuleSetAsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pool := slices.Clone(clashing)
	for i := range 200 {
		pool = append(pool, []string{string(rune('a' + i%7)), string(rune('a' + i/7))})
	}
	s, p := newTestRuleSet()
	want := map[string]*storedRule{}
	for step := range 20_000 {
		v := pool[r.IntN(len(pool))]
		k := exactKey(v)
		switch r.IntN(3) {
		case 0:
			if s.find(v) == nil {
				want[k] = addTo(s, p, v)
			}
		case 1:
			if got := s.remove(v); got != want[k] {
				t.Fatalf("step %d: remove %q = %v, want %v", step, v, got, want[k])
			}
			delete(want, k)
		default:
			if got := s.find(v); got != want[k] {
				t.Fatalf("step %d: find %q = %v, want %v", step, v, got, want[k])
			}
		}
		if s.len() != len(want) {
			t.Fatalf("step %d: len %d, want %d", step, s.len(), len(want))
		}
	}
	var got []*storedRule
	for sr := range s.all() {
		got = append(got, sr)
	}
	if len(got) != len(want) {
		t.Fatalf("all yields %d rules, want %d", len(got), len(want))
	}
	for _, sr := range got {
		if want[exactKey(sr.vals)] != sr {
			t.Fatalf("all yields %q, not held", sr.vals)
		}
	}
}

// TestNilRuleSet: a ptype the model does not define has no set, which
// holds nothing.
func TestNilRuleSet(t *testing.T) {
	var s *ruleSet
	if s.len() != 0 || s.find([]string{"a"}) != nil || s.remove([]string{"a"}) != nil {
		t.Fatal("a nil set holds a rule")
	}
	for range s.all() {
		t.Fatal("a nil set yields a rule")
	}
}

// TestRecordNumbers: every record keeps its number across chunks, and the
// number finds it.
func TestRecordNumbers(t *testing.T) {
	var p pack
	var recs []*storedRule
	var refs []uint32
	for i := range 3*maxChunk + 5 {
		sr, ref := p.record()
		sr.seq = uint64(i)
		recs, refs = append(recs, sr), append(refs, ref)
	}
	for i, ref := range refs {
		if p.rec(ref) != recs[i] || recs[i].seq != uint64(i) {
			t.Fatalf("record %d: rec(%#x) is not it", i, ref)
		}
	}
}
