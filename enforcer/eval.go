package enforcer

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// evalCtx is the scratch space of one decision: the request, its
// request-scoped data, and the roles reached so far. It is pooled so that a
// decision allocates almost nothing.
//
// Everything of a request lives in evalScope, which putEval resets by value:
// a field added there is zeroed between requests without anyone
// remembering to. Only the buffers in evalBufs survive, emptied.
type evalCtx struct {
	evalScope
	evalBufs
	shard int // the read-lock shard this context's decisions take

	// Inline backing storage for the buffers, so that one context is one
	// allocation. It holds no request data between requests (recycle).
	inl evalInline
	// Two contexts' scratch slices must never share a cache line, or the
	// cores deciding in parallel would fight over it.
	_ [cacheLinePair]byte
}

// evalScope is the request-scoped part of an evalCtx: putEval replaces it
// with its zero value.
type evalScope struct {
	cm      *compiledModel // the definition deciding (defs.go)
	st      *state
	ix      *ruleIndex // cm's index of its policy type's rules
	rv      []any
	strs    bool // every request value is a string (rs holds them)
	subject string
	groups  []string
	params  evalParams
	// bodyOnly: the matcher's guard does not hold for this request, so
	// candidates are matched by its last disjunct alone (guard.go).
	bodyOnly bool
	// byRole: the candidates came from the index by the role term
	// (candidates), so cm.predKeyed may match them.
	byRole bool
	// box is the boxed values of the candidate being matched
	// (storedRule.boxed), for the registered functions it is passed to.
	box []any
	// args is what is left of this decision's argument slab for
	// registered functions (funcArgs), and argChunks how many slabs it
	// took: a slab is never reused, by this decision or another.
	args      []any
	argChunks int
	// evalDepth is how deep in eval() calls the decision is
	// (evalFunction).
	evalDepth int
	// evalNested counts the eval() calls within the matcher's eval()
	// call being evaluated (evalFunction).
	evalNested int
}

// evalBufs are the buffers a context reuses from one request to the next.
// Between requests each has length 0 and its backing array holds no string
// or pointer of a past request (recycle); TestEvalResetByValue lists them.
type evalBufs struct {
	rs     []string // rv as strings, when strs
	memo   []reachMemo
	sets   []*reachSet // the first nsets are in use; the rest are empty
	nsets  int
	buf    []byte
	scoped []storedRule
	cands  []*storedRule
	ranks  []ranked // cands' places, for models that order rules (priority.go)
	eqv    []string // the request's side of each cm.eq, for the index key
}

// evalInline is the backing storage of a fresh context's buffers.
type evalInline struct {
	rs      [8]string
	cands   [16]*storedRule
	eqv     [4]string
	memo    [4]reachMemo
	sets    [4]reachSet
	setPtrs [4]*reachSet
	buf     [256]byte
}

func newEvalCtx() *evalCtx {
	ev := &evalCtx{shard: newShard()}
	for i := range ev.inl.sets {
		ev.inl.sets[i].inline()
		ev.inl.setPtrs[i] = &ev.inl.sets[i]
	}
	ev.evalBufs = evalBufs{
		rs:    ev.inl.rs[:0],
		memo:  ev.inl.memo[:0],
		sets:  ev.inl.setPtrs[:],
		buf:   ev.inl.buf[:0],
		cands: ev.inl.cands[:0],
		eqv:   ev.inl.eqv[:0],
	}
	return ev
}

// Capacities beyond which a buffer is dropped rather than kept, so that
// one huge request does not pin its memory in the pool.
const (
	maxKeptElems = 1024
	maxKeptBuf   = 4096
	maxKeptSets  = 64
)

// recycle empties the buffers for the next request: every element the
// request used is cleared (so no backing array keeps its strings or
// pointers), every length is 0, and an oversized buffer is replaced by the
// inline one (or none). Buffers only grow within a request (init truncates
// rs and rank truncates ranks before filling them, once per request), so
// clearing up to the length clears all that was used.
func (ev *evalCtx) recycle() {
	b, inl := &ev.evalBufs, &ev.inl
	for _, s := range b.sets[:b.nsets] {
		s.reset()
	}
	b.nsets = 0
	if len(b.sets) > maxKeptSets {
		b.sets = inl.setPtrs[:]
	}
	// A buffer that outgrew its inline array left the array holding what
	// it held then.
	clear(b.rs)
	if !onArray(b.rs, inl.rs[:]) {
		clear(inl.rs[:])
	}
	b.rs = b.rs[:0]
	clear(b.eqv)
	if !onArray(b.eqv, inl.eqv[:]) {
		clear(inl.eqv[:])
		b.eqv = inl.eqv[:0]
	}
	b.eqv = b.eqv[:0]
	clear(b.memo)
	if !onArray(b.memo, inl.memo[:]) {
		clear(inl.memo[:])
		if cap(b.memo) > maxKeptElems {
			b.memo = inl.memo[:]
		}
	}
	b.memo = b.memo[:0]
	if !onArray(b.cands, inl.cands[:]) {
		clear(inl.cands[:])
		if cap(b.cands) > maxKeptElems {
			b.cands = inl.cands[:]
		}
	}
	clear(b.cands)
	b.cands = b.cands[:0]
	if cap(b.ranks) > maxKeptElems {
		b.ranks = nil
	}
	clear(b.ranks)
	b.ranks = b.ranks[:0]
	if cap(b.scoped) > maxKeptElems {
		b.scoped = nil
	}
	clear(b.scoped)
	b.scoped = b.scoped[:0]
	if cap(b.buf) > maxKeptBuf {
		b.buf = inl.buf[:]
	}
	b.buf = b.buf[:0]
}

type reachMemo struct {
	gi        int
	name, dom string
	set       *reachSet
}

var evalPool = sync.Pool{New: func() any { return newEvalCtx() }}

// lockedEval takes a pooled context and read-locks its shard of e's lock;
// release undoes both. Until then the engine in force may be read, and it
// prepares the context for its request (init).
func (e *Enforcer) lockedEval() *evalCtx {
	ev := evalPool.Get().(*evalCtx)
	e.mu.rlockAt(ev.shard)
	return ev
}

func (e *Enforcer) release(ev *evalCtx) {
	e.mu.runlock(ev.shard)
	putEval(ev)
}

func (ev *evalCtx) init(cm *compiledModel, st *state, req Request) {
	ev.cm, ev.st, ev.rv, ev.groups = cm, st, req.Values, req.Groups
	ev.ix = st.indexes[cm.ixNum]
	ev.rs = ev.rs[:0]
	ev.strs = true
	for _, v := range req.Values {
		s, ok := v.(string)
		if !ok {
			ev.strs = false
		}
		ev.rs = append(ev.rs, s)
	}
	ev.subject = ""
	if len(ev.rs) > 0 {
		ev.subject = ev.rs[0]
	}
	ev.params.ev = ev
}

// onArray reports whether s is backed by arr.
func onArray[T any](s, arr []T) bool {
	return cap(s) > 0 && &s[:1][0] == &arr[0]
}

// reset makes ev fit for another request: the request-scoped part is
// replaced by its zero value, so nothing of this request can reach the next
// one whatever fields evalScope gains; the buffers are emptied.
func (ev *evalCtx) reset() {
	ev.evalScope = evalScope{}
	ev.recycle()
}

func putEval(ev *evalCtx) {
	ev.reset()
	evalPool.Put(ev)
}

// reach returns the names that name reaches through graph gi in domain dom,
// computing it once per decision.
func (ev *evalCtx) reach(gi int, name, dom string) *reachSet {
	for i := range ev.memo {
		m := &ev.memo[i]
		if m.gi == gi && m.name == name && m.dom == dom {
			return m.set
		}
	}
	if ev.nsets == len(ev.sets) {
		ev.sets = append(ev.sets, new(reachSet))
	}
	s := ev.sets[ev.nsets]
	ev.nsets++
	var extra []string
	if gi == ev.cm.scopedGI {
		extra = ev.groups
	}
	ev.st.graphs[gi].walk(s, name, dom, ev.subject, extra)
	ev.memo = append(ev.memo, reachMemo{gi: gi, name: name, dom: dom, set: s})
	return s
}

// hasLink is Casbin's g(name1, name2[, dom]).
func (ev *evalCtx) hasLink(gi int, name1, name2, dom string) bool {
	if name1 == name2 {
		return true
	}
	s := ev.reach(gi, name1, dom)
	if g := ev.st.graphs[gi]; g.nm != nil {
		return g.linked(s, name2)
	}
	return s.has(name2)
}

// maxArgSlab bounds the calls one argument slab serves (funcArgs).
const maxArgSlab = 256

// funcArgs returns an argument slice of length n for a registered
// function: a piece of this decision's slab, with its capacity cut to n,
// so that a function that keeps it, changes it or appends to it touches
// nothing another call is given. The slab is allocated when the decision
// first calls one, for as many calls as its candidates can make (at most
// one of each call per candidate), up to a bound that doubles with each
// slab; it is dropped with the decision (evalScope), never reused: a
// function may keep its arguments, as it may keep those govaluate gives.
func (ev *evalCtx) funcArgs(n int) []any {
	if len(ev.args) < n {
		calls := min(max(len(ev.cands), 1), 16<<min(ev.argChunks, 4), maxArgSlab)
		ev.args = make([]any, max(n, calls*ev.cm.callSlots))
		ev.argChunks++
	}
	s := ev.args[:n:n]
	ev.args = ev.args[n:]
	return s
}

// match evaluates the matcher on one candidate.
func (ev *evalCtx) match(sr *storedRule) (bool, error) {
	p := sr.vals
	if ev.cm.pred != nil && ev.strs {
		pr := ev.cm.pred
		if ev.byRole && !sr.requestScoped() && ev.cm.predKeyed != nil {
			pr = ev.cm.predKeyed
		}
		if sr.boxed != nil {
			ev.box = *sr.boxed
		}
		ok, err := pr(ev, p)
		ev.box = nil
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrEvaluation, err)
		}
		return ok, nil
	}
	cond, expr := ev.cm.exprCond, ev.cm.expr
	if ev.bodyOnly {
		cond, expr = ev.cm.bodyCond, ev.cm.body
	}
	if cond != nil {
		if v, known := cond(ev, p); known {
			return v, nil
		}
	}
	ev.params.p = p
	res, err := expr.Eval(&ev.params)
	if errors.Is(err, ErrEvaluation) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	switch v := res.(type) {
	case bool:
		return v, nil
	case float64:
		if ev.bodyOnly {
			// The right side of govaluate's || must be a bool.
			return false, fmt.Errorf("%w: Value '%v' cannot be used with the logical operator '||', it is not a bool", ErrEvaluation, v)
		}
		return v != 0, nil
	}
	return false, fmt.Errorf("%w: matcher result should be bool, int or float", ErrEvaluation)
}

// decide runs the fast path. The caller holds the read lock.
//
// The candidates are evaluated in policy order with Casbin's own loop: stop
// at the first matching allow rule (allow-override) or deny rule (the other
// two effects), and return the first evaluation error met on the way. So
// the decision, the rule it names and the errors it reports are Casbin's,
// except for errors in rules that cannot match (which Casbin would also
// evaluate, and Warden never looks at).
func (ev *evalCtx) decide(req Request) (Decision, *storedRule, error) {
	cm, st := ev.cm, ev.st
	if len(req.Groups) > 0 && cm.scopedGI < 0 {
		return Decision{}, nil, fmt.Errorf("%w: request-scoped groups need exactly one role function called with the subject (r.%s) as its first argument", ErrUnsupported, cm.rTok[0][2:])
	}
	if len(req.Groups) > 0 && cm.gNameMatch[cm.scopedGI] != nil {
		// Casbin has no such links to compare with.
		return Decision{}, nil, fmt.Errorf("%w: request-scoped groups with a name matching function on %s", ErrUnsupported, cm.gNames[cm.scopedGI])
	}
	if len(req.Groups) > 0 && cm.subjPrio {
		// They would change the subject hierarchy Casbin orders by.
		return Decision{}, nil, fmt.Errorf("%w: request-scoped groups with subjectPriority(p_eft) || deny", ErrUnsupported)
	}
	// Request-scoped policies come after every stored rule.
	for i, p := range req.Policies {
		if len(p) != len(cm.pTok) {
			return Decision{}, nil, fmt.Errorf("%w: request policy %d has %d values, the model defines %d", ErrInvalidRequest, i, len(p), len(cm.pTok))
		}
		ev.scoped = append(ev.scoped, storedRule{vals: p, seq: math.MaxUint64 - uint64(len(req.Policies)-i)})
	}
	if st.rules[cm.def.P].len()+len(ev.scoped) == 0 {
		if cm.hasEval {
			// Casbin's enforce: eval() needs a rule to read.
			return Decision{}, nil, fmt.Errorf("%w: please make sure rule exists in policy when using eval() in matcher", ErrEvaluation)
		}
		return ev.decideEmpty()
	}
	if err := ev.guardedCandidates(); err != nil {
		return Decision{}, nil, err
	}
	for i := range ev.scoped {
		ev.cands = append(ev.cands, &ev.scoped[i])
	}
	unsure := false
	if cm.ordered() {
		var err error
		if unsure, err = ev.rank(); err != nil {
			return Decision{}, nil, err
		}
	} else {
		sortBySeq(ev.cands)
	}
	if cm.effect == effectPriority {
		return ev.decidePriority(unsure)
	}

	var firstAllow *storedRule
	for _, sr := range ev.cands {
		ok, err := ev.match(sr)
		if err != nil {
			return Decision{}, nil, err
		}
		if !ok {
			continue
		}
		eft := "allow"
		if cm.eftIdx >= 0 {
			eft = sr.vals[cm.eftIdx]
		}
		switch {
		case eft == "allow" && cm.effect == effectAllowOverride:
			return Decision{Allowed: true, Effect: EffectAllow}, sr, nil
		case eft == "deny" && cm.effect != effectAllowOverride:
			return Decision{Effect: EffectDeny}, sr, nil
		case eft == "allow" && firstAllow == nil:
			firstAllow = sr
		}
	}
	switch {
	case cm.effect == effectDenyOverride:
		return Decision{Allowed: true, Effect: EffectNone}, nil, nil
	case cm.effect == effectAllowAndDeny && firstAllow != nil:
		return Decision{Allowed: true, Effect: EffectAllow}, firstAllow, nil
	}
	return Decision{Effect: EffectNone}, nil, nil
}

// sortBySeq sorts rules into policy order. The candidates of a decision
// are a few runs, each in order (one per role the subject reaches), so an
// insertion sort, comparing in line, does a handful of moves where
// slices.SortFunc calls its comparison through a function value at every
// step; a long list is left to slices.SortFunc.
func sortBySeq(rs []*storedRule) {
	if len(rs) > 32 {
		slices.SortFunc(rs, func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
		return
	}
	for i := 1; i < len(rs); i++ {
		x := rs[i]
		j := i
		for ; j > 0 && rs[j-1].seq > x.seq; j-- {
			rs[j] = rs[j-1]
		}
		rs[j] = x
	}
}

// decideEmpty mirrors Casbin with no policy: the matcher is evaluated once
// with empty policy values.
func (ev *evalCtx) decideEmpty() (Decision, *storedRule, error) {
	p := make([]string, len(ev.cm.pTok))
	ok, err := false, error(nil)
	if ev.cm.pred != nil && ev.strs {
		ok, err = ev.match(&storedRule{vals: p})
	} else {
		// Casbin takes only a bool here: its result.(bool) fails on the
		// number that match, as Casbin's loop over rules, takes for one.
		ev.params.p = p
		var res any
		res, err = ev.cm.expr.Eval(&ev.params)
		if b, isBool := res.(bool); err == nil && !isBool {
			err = fmt.Errorf("matcher result %v is not a bool, with no rule to match", res)
		} else {
			ok = b
		}
		if err != nil && !errors.Is(err, ErrEvaluation) {
			err = fmt.Errorf("%w: %v", ErrEvaluation, err)
		}
	}
	if err != nil {
		return Decision{}, nil, err
	}
	if ok || ev.cm.effect == effectDenyOverride {
		return Decision{Allowed: true}, nil, nil
	}
	return Decision{}, nil, nil
}

// candidates collects in ev.cands every stored "p" rule that can match the
// request: those the index names, or all of them when a request value the
// index needs is not a string.
func (ev *evalCtx) candidates() {
	cm, st := ev.cm, ev.st
	indexable := cm.role != nil || cm.byKeyed()
	for _, e := range cm.eq {
		v, kind := ev.eqValue(e)
		switch kind {
		case valueUnknown:
			indexable = false
		case valueNone:
			return // e holds for no rule: none can match
		}
		ev.eqv = append(ev.eqv, v)
	}
	if cm.pat != nil {
		if _, ok := ev.rv[cm.pat.rField].(string); !ok {
			indexable = false
		}
	}
	if cm.role != nil {
		if _, ok := ev.rv[cm.role.rField].(string); !ok {
			indexable = false
		}
		if d := cm.role.dom; d != nil && d.kind == opReq {
			if _, ok := ev.rv[d.idx].(string); !ok {
				indexable = false
			}
		}
	}
	if !indexable {
		for sr := range st.rules[cm.def.P].all() {
			ev.cands = append(ev.cands, sr)
		}
		return
	}
	if cm.role == nil {
		ev.keyed("")
		return
	}
	set := ev.reach(cm.role.gi, ev.rs[cm.role.rField], ev.roleDomain())
	ev.byRole = true
	for i := 0; i < len(set.names); i++ {
		if cm.byKeyed() {
			ev.keyed(set.names[i])
		} else {
			ev.cands = append(ev.cands, ev.ix.bySub[set.names[i]]...)
		}
	}
}

// keyed appends the candidates byKey holds for role (with the request's
// equal fields and, with a pattern field, each prefix of its key).
func (ev *evalCtx) keyed(role string) {
	cm := ev.cm
	ev.buf = cm.indexKey(ev.buf[:0], role, func(i int) string { return ev.eqv[i] })
	if cm.pat != nil {
		ev.patternCands(ev.buf)
		return
	}
	ev.cands = append(ev.cands, ev.ix.byKey[string(ev.buf)]...)
}

func (ev *evalCtx) roleDomain() string {
	d := ev.cm.role.dom
	if d == nil {
		return ""
	}
	if d.kind == opLit {
		return d.lit
	}
	return ev.rs[d.idx]
}

// chain is the role chain from the subject to a rule's role field.
func (ev *evalCtx) chain(sr *storedRule) []string {
	cm := ev.cm
	if sr == nil || cm.role == nil || !ev.strs {
		return nil
	}
	set := ev.reach(cm.role.gi, ev.rs[cm.role.rField], ev.roleDomain())
	return set.chain(sr.vals[cm.role.pField])
}
