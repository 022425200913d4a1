package enforcer

import (
	"cmp"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"
)

// pack holds what the rules of one state keep: their records, and for
// rules added rather than loaded their value slices and the bytes of their
// values, many rules to a chunk instead of one small allocation each. The
// rules' de-duplication (ruleSet) keeps no key: it finds a record by its
// number in the pack.
//
// Why: the collector marks every object of the live heap once per cycle,
// and it runs once per heap's worth of allocation, so each byte the whole
// application allocates pays for marking the policy. One allocation per
// record, value slice, value and key made a 110,000-rule policy about
// 580,000 objects; packed, it is a few hundred chunks besides the maps,
// and a request's allocation over it costs about 40% less
// (middleware/internal/overhead.BenchmarkAllocCost).
//
// A chunk is never written again where it holds something: strings are
// taken from a strings.Builder only up to what was written, and a new
// chunk starts when one is full, so no string or slice handed out ever
// changes. A chunk lives while anything points into it; removed rules
// leave their space behind until the state is rebuilt (state.wasteful,
// Enforcer.compact).
type pack struct {
	// seed seeds the hash of the state's rule sets (ruleSet).
	seed maphash.Seed
	strs strings.Builder
	vals []string
	// records are the chunks of records, the last one being filled. A
	// record's number (ref, as ruleSet keeps it) is its chunk's position
	// in records, shifted by refShift, with its position in the chunk.
	records [][]storedRule
	// chunk is the size of the next chunk, in items: it grows with the
	// policy, so that a small policy does not hold a large chunk.
	chunk int
}

// Chunk sizes, in items: strings' chunks are 16 bytes a unit. A record's
// number keeps its position in its chunk in its low refShift bits.
const (
	minChunk = 16
	refShift = 11
	maxChunk = 1 << refShift
)

// grow returns the size of the next chunk, for at least n items.
func (p *pack) grow(n int) int {
	p.chunk = min(max(2*p.chunk, minChunk), maxChunk)
	return max(p.chunk, n)
}

// str returns a copy of s held in the pack.
func (p *pack) str(s string) string {
	if s == "" {
		return ""
	}
	off := p.room(len(s))
	p.strs.WriteString(s)
	return p.strs.String()[off:]
}

// room makes room for n more bytes in the strings' chunk and returns where
// they will start.
func (p *pack) room(n int) int {
	if p.strs.Cap()-p.strs.Len() < n {
		// A new builder: growing the old one would copy it, and the
		// strings already taken would keep the old bytes alive besides.
		p.strs = strings.Builder{}
		p.strs.Grow(16 * p.grow((n+15)/16))
	}
	return p.strs.Len()
}

// values returns a copy of vals, and of each value, held in the pack. Its
// capacity is its length: an append to it copies instead of writing over
// the next rule's values.
func (p *pack) values(vals []string) []string {
	if cap(p.vals)-len(p.vals) < len(vals) {
		p.vals = make([]string, 0, p.grow(len(vals)))
	}
	off := len(p.vals)
	for _, v := range vals {
		p.vals = append(p.vals, p.str(v))
	}
	return p.vals[off:len(p.vals):len(p.vals)]
}

// record returns a new zero record held in the pack, and its number.
// The numbers of 2^32 records fit: more than any heap holds.
func (p *pack) record() (*storedRule, uint32) {
	n := len(p.records)
	if n == 0 || len(p.records[n-1]) == cap(p.records[n-1]) {
		p.records = append(p.records, make([]storedRule, 0, p.grow(1)))
		n++
	}
	c := &p.records[n-1]
	*c = (*c)[:len(*c)+1]
	return &(*c)[len(*c)-1], uint32(n-1)<<refShift | uint32(len(*c)-1)
}

// rec returns the record numbered ref.
func (p *pack) rec(ref uint32) *storedRule {
	return &p.records[ref>>refShift][ref&(maxChunk-1)]
}

// compactMin is the fewest removed rules a state is rebuilt for, and
// compactMinBytes the fewest bytes of removed rules (keyLen): below both the space
// they leave is too small to be worth a rebuild.
const (
	compactMin      = 4096
	compactMinBytes = 1 << 20
)

// wasteful reports whether the rules st removed leave more space behind in
// its pack than its rules hold (and at least compactMin rules' or
// compactMinBytes bytes' worth), counted in rules or in bytes: counted in
// rules alone, long rules removed beside as many short ones kept would
// stay held, each short rule pinning the chunk it shares with a long one.
// Rebuilding then costs, per rule (or byte) removed since the last
// rebuild, about one insert (of a byte): the cost of removals stays
// constant.
func (st *state) wasteful() bool {
	return st.dead >= compactMin && st.dead > st.size ||
		st.deadBytes >= compactMinBytes && st.deadBytes > st.bytes
}

// compacted returns a state that holds the rules of st, each with its own
// seq, in a pack of its own and nothing else: the space removed rules held
// in st's pack is left to the collector with st. defs is the model of
// the definitions st was built for. st is only read.
func (st *state) compacted(defs model.Model) *state {
	m := copyModel(defs)
	m.ClearPolicy()
	byType := make(map[string][]*storedRule, len(st.rules))
	for ptype, set := range st.rules {
		rules := slices.AppendSeq(make([]*storedRule, 0, set.len()), set.all())
		slices.SortFunc(rules, func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
		byType[ptype] = rules
		// The policy only sizes the new state's maps (newState).
		a := m[Rule{PType: ptype}.section()][ptype]
		for _, sr := range rules {
			a.Policy = append(a.Policy, sr.vals)
		}
	}
	fresh := newState(st.cm, m, st)
	for _, sec := range []string{"p", "g"} {
		// In the order fromModel loads them: p before g, ptypes sorted.
		for _, ptype := range slices.Sorted(maps.Keys(m[sec])) {
			for _, sr := range byType[ptype] {
				fresh.insertSeq(ptype, sr.vals, true, sr.seq)
			}
		}
	}
	fresh.seq = st.seq
	if st.cm.subjPrio {
		fresh.levels()
	}
	return fresh
}

// compactLocked puts a compacted copy of the policy in force when the
// index's state is wasteful. The caller excludes writers (writeMu, or sem
// with a change log), which also excludes swaps: e.eng may be read, and
// the copy built, without the read lock, so decisions go on meanwhile.
func (e *Enforcer) compactLocked() {
	st, ok := e.eng.(*state)
	if !ok || !st.wasteful() {
		return
	}
	removed, start := st.dead, time.Now()
	e.swap(st.compacted(e.model))
	e.compactions.Add(1)
	e.opts.logger.Debug("warden: policy rebuilt to give back the space of removed rules",
		"rules", st.size, "removed", removed, "took", time.Since(start))
}
