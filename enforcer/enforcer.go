package enforcer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/csvpolicy"
	"github.com/wardenhq/warden/internal/modelcheck"
	"github.com/wardenhq/warden/internal/subjectsort"
)

// Enforcer is the shared enforcer. It is safe for concurrent use: decisions
// run in parallel under a read lock, and changes to the policy take a write
// lock only for the moment they are applied in memory.
type Enforcer struct {
	model   model.Model // the definitions; never holds policy
	adapter persist.Adapter
	opts    options

	kind engineKind // the index or Casbin's enforcer, chosen in New (engine.go)

	mu  readLock
	eng engine // the policy in force; swapped under mu's write lock

	writeMu sync.Mutex // adapters without a log: serialises writers (persist, then apply) and reloads
	// compactions counts the rebuilds of the policy in force that gave
	// back the space of removed rules (pack.go).
	compactions atomic.Uint64

	watcherMu sync.Mutex
	watcher   persist.Watcher // what local changes are announced through (attach.go)
	follower  string          // who keeps this enforcer in step with the store, if anyone

	values      *modelcheck.ValueChecker // checks rule and request values (values.go)
	reqPatterns []bool                   // request fields (of r) a matcher reads as patterns
	// reqPatternsOf is reqPatterns of every request definition, for
	// decisions that choose another (Request.Definition); defNames
	// holds every choice of names the model defines.
	reqPatternsOf map[string][]bool
	defNames      map[Definition]bool
	maxRequest    int // bytes of a string request value

	// With a change log (log != nil), sem admits one reader of the store at
	// a time (CatchUp, Reload, a writer following its own revision); no
	// lock is held while a write talks to the store.
	log      ChangeLog
	sem      chan struct{}
	applied  uint64        // revision in memory; guarded by sem
	epoch    string        // the log's epoch the policy was loaded under (Epochs); guarded by sem
	syncDone uint64        // CatchUp tickets served by a successful read; guarded by sem
	syncReq  atomic.Uint64 // CatchUp tickets handed out

	statusMu sync.Mutex
	status   SyncStatus
}

// Option configures an Enforcer.
type Option func(*options)

type options struct {
	logger        *slog.Logger
	casbinOnly    bool
	reloadTimeout time.Duration

	limits            Limits
	requestEvalUnsafe bool
	deferEvalErrors   bool // WithDeferredEvalErrors (values.go)

	funcs     map[string]govaluate.ExpressionFunction // WithFunction (functions.go)
	funcOrder []string                                // their names, in the order registered
	roleFuncs []roleFunc                              // WithMatchingFunction, WithDomainMatchingFunction
	err       error                                   // the options' errors, for New and LoadModel

	linkConds map[string]linkCond // WithLinkCondition, by ptype (linkcond.go)
	clock     func() time.Time    // WithClock
}

// WithReloadTimeout bounds a reload that a watcher message starts,
// retries included (see Resync). The default is 30 seconds.
func WithReloadTimeout(d time.Duration) Option { return func(o *options) { o.reloadTimeout = d } }

// WithLogger sets the logger for background events such as a reload asked
// for by a watcher. The default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithCasbinEvaluation makes every decision go through Casbin's own
// enforcer, as the fallback does. It exists to compare the two and to work
// around a suspected fast-path bug; it refuses request-scoped data.
func WithCasbinEvaluation() Option { return func(o *options) { o.casbinOnly = true } }

// New returns an enforcer for model m with its policy loaded from src. src
// may be nil for a policy kept only in memory. The model is copied.
func New(ctx context.Context, m model.Model, src persist.Adapter, opts ...Option) (*Enforcer, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil model", ErrInvalidModel)
	}
	e := &Enforcer{model: copyModel(m), adapter: src, opts: options{logger: slog.Default(), reloadTimeout: 30 * time.Second},
		sem: make(chan struct{}, 1)}
	e.log, _ = src.(ChangeLog)
	e.model.ClearPolicy()
	for _, o := range opts {
		o(&e.opts)
	}
	if e.opts.err != nil {
		return nil, e.opts.err
	}
	if err := e.opts.checkFunctions(e.model); err != nil {
		return nil, err
	}
	if err := e.setupValues(); err != nil {
		return nil, err
	}
	if e.opts.casbinOnly {
		e.kind = casbinKind{reason: "WithCasbinEvaluation"}
	} else {
		e.kind = kindFor(e.model, &e.opts)
	}
	if ck, ok := e.kind.(casbinKind); ok && len(modelcheck.RequestEval(e.model)) > 0 {
		// Casbin's eval() calls itself for a request whose text
		// evaluates itself (eval(r.rule) as r.rule) until the stack
		// overflows, which kills the process; Warden's bounds it
		// (evalFunction).
		return nil, fmt.Errorf("%w: eval() of request data with Casbin's own enforcer deciding (%s): a request could make it recurse until the process dies", ErrUnsupported, ck.reason)
	}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// NewFromFiles returns an enforcer for a model file and a policy CSV file.
// The policy file's errors name its file and line.
func NewFromFiles(ctx context.Context, modelPath, policyPath string, opts ...Option) (*Enforcer, error) {
	m, err := LoadModel(modelPath, opts...)
	if err != nil {
		return nil, err
	}
	return New(ctx, m, csvpolicy.New(policyPath), opts...)
}

// FastPath reports whether decisions use Warden's index; when not, reason
// says why Casbin's own enforcer decides.
func (e *Enforcer) FastPath() (ok bool, reason string) { return e.kind.fastPath() }

// Model returns a copy of the enforcer's model definitions.
func (e *Enforcer) Model() model.Model { return copyModel(e.model) }

// Decide answers req.
func (e *Enforcer) Decide(ctx context.Context, req Request) (Decision, error) {
	x, err := e.decide(ctx, req, withRule)
	return x.Decision, err
}

// Explain answers req and tells the role chain that led to the rule.
func (e *Enforcer) Explain(ctx context.Context, req Request) (Explanation, error) {
	return e.decide(ctx, req, withRule|withChain)
}

// Enforce is Decide for a plain request: it reports whether values (the
// model's request fields in order) are allowed.
func (e *Enforcer) Enforce(ctx context.Context, values ...any) (bool, error) {
	x, err := e.decide(ctx, Request{Values: values}, 0)
	return x.Allowed, err
}

// What a decision reports beyond allowed-or-not; Enforce needs neither, and
// copying the rule is its only allocation.
const (
	withRule = 1 << iota
	withChain
)

func (e *Enforcer) decide(ctx context.Context, req Request, want int) (x Explanation, err error) {
	if err := ctx.Err(); err != nil {
		return Explanation{}, err
	}
	defer func() {
		// A rule with a bad regular expression makes Casbin's functions
		// panic; a decision must deny, never crash the caller.
		if r := recover(); r != nil {
			x, err = Explanation{}, fmt.Errorf("%w: %v", ErrEvaluation, r)
		}
	}()
	if err := e.checkRequest(req); err != nil {
		return Explanation{}, err
	}
	ev := e.lockedEval()
	defer e.release(ev)
	return e.eng.decide(ev, req, want)
}

// decide is the index's answer to req.
func (st *state) decide(ev *evalCtx, req Request, want int) (x Explanation, err error) {
	cm := st.cm
	if !req.Definition.isZero() {
		if cm, err = cm.definition(req.Definition); err != nil {
			return Explanation{}, err
		}
	}
	if len(req.Values) != len(cm.rTok) {
		return Explanation{}, fmt.Errorf("%w: %d values, the model's request has %d", ErrInvalidRequest, len(req.Values), len(cm.rTok))
	}
	ev.init(cm, st, req)
	d, sr, err := ev.decide(req)
	if err != nil {
		return Explanation{}, err
	}
	if sr != nil && want&withRule != 0 {
		d.Rule = Rule{PType: cm.def.P, Values: slices.Clone(sr.vals)}
	}
	x.Decision = d
	if want&withChain != 0 {
		x.Chain = ev.chain(sr)
		x.Links = ev.links(x.Chain)
	}
	return x, nil
}

// decide is Casbin's answer to req; it names the rule, never a chain.
func (c *casbinEngine) decide(_ *evalCtx, req Request, _ int) (Explanation, error) {
	if len(req.Groups) > 0 || len(req.Policies) > 0 {
		return Explanation{}, fmt.Errorf("%w: request-scoped groups or policies with a model decided by Casbin (%s)", ErrUnsupported, c.reason)
	}
	vals, def := req.Values, req.Definition.orDefault()
	if !req.Definition.isZero() {
		vals = append([]any{casbin.EnforceContext{RType: def.R, PType: def.P, EType: def.E, MType: def.M}}, vals...)
	}
	ok, rule, err := c.ce.EnforceEx(vals...)
	if err != nil {
		return Explanation{}, casbinError(err)
	}
	d := Decision{Allowed: ok}
	if len(rule) > 0 {
		d.Rule = Rule{PType: def.P, Values: slices.Clone(rule)}
		d.Effect = EffectAllow
		if !ok {
			d.Effect = EffectDeny
		}
	}
	return Explanation{Decision: d}, nil
}

// Reload loads the whole policy from the adapter again. If loading fails,
// the policy in force stays as it was and the error is returned. With a
// change log, the policy loaded is consistent with a revision (see
// CatchUp).
func (e *Enforcer) Reload(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.log != nil {
		if err := e.acquireSync(ctx); err != nil {
			return err
		}
		defer e.releaseSync()
		return e.reloadLogged(ctx)
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	eng, err := e.load(ctx)
	if err != nil {
		e.failed(err)
		return err
	}
	e.swap(eng)
	e.synced(0)
	return nil
}

// Resync reloads the policy like Reload, but retries with backoff (50ms
// doubling to 2s) until it succeeds or ctx ends. It is what a watcher
// message calls for: right after a reconnect the store's pooled connections
// are often dead too, and a single attempt would leave this instance on a
// stale policy until the next change. The last error is returned.
func (e *Enforcer) Resync(ctx context.Context) error { return retry(ctx, e.Reload) }

// catchUpRetry is CatchUp retried like Resync.
func (e *Enforcer) catchUpRetry(ctx context.Context) error { return retry(ctx, e.CatchUp) }

func retry(ctx context.Context, f func(context.Context) error) error {
	delay := 50 * time.Millisecond
	for {
		err := f(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// load reads the whole policy into a new engine, without touching the one
// in force. The caller excludes writers (writeMu, or sem with a change
// log), so the engine in force may be read for what it spares.
func (e *Enforcer) load(ctx context.Context) (engine, error) { return e.kind.load(ctx, e, e.eng) }

// swap puts a loaded policy in force.
func (e *Enforcer) swap(eng engine) {
	e.mu.lock()
	e.eng = eng
	e.mu.unlock()
}

// ctxAdapter makes Casbin's context-free LoadPolicy use a context, and
// gives the model Casbin loads into (its own copy) back the parameters of
// conditional role definitions, so that the adapter sees the definitions
// as written (see copyModel).
type ctxAdapter struct {
	persist.Adapter
	ctx  context.Context
	defs model.Model
}

func (a ctxAdapter) LoadPolicy(m model.Model) error {
	for ptype, d := range a.defs["g"] {
		if x, ok := m["g"][ptype]; ok && conditional(d) && !conditional(x) {
			x.ParamsTokens = append([]string(nil), d.ParamsTokens...)
		}
	}
	if err := loadPolicy(a.ctx, a.Adapter, m); err != nil {
		return err
	}
	// Casbin sorts what this returns; on a cycle below a top role under
	// subjectPriority its sort never returns, so the load fails here,
	// before Casbin sees the links, and the policy in force stays.
	if err := subjectsort.Check(m); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRule, err)
	}
	return nil
}

// newCasbin is the embedded Casbin enforcer for m, with the functions o
// registers.
func newCasbin(m model.Model, a persist.Adapter, o *options) (ce *casbin.Enforcer, err error) {
	defer func() {
		if r := recover(); r != nil {
			ce, err = nil, fmt.Errorf("casbin panicked: %v", r)
		}
	}()
	if a == nil {
		ce, err = casbin.NewEnforcer(m)
	} else {
		ce, err = casbin.NewEnforcer(m, a)
	}
	if err != nil {
		return nil, err
	}
	ce.EnableAutoSave(false)
	ce.EnableLog(false)
	// Casbin's own keyMatch4 stays: AddFunction never replaces a function
	// Casbin has (see functions.go), so the bounded cache of match.go
	// serves the index only.
	if err := o.register(ce); err != nil {
		return nil, err
	}
	return ce, nil
}

func loadPolicy(ctx context.Context, a persist.Adapter, m model.Model) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("adapter panicked: %v", r)
		}
	}()
	if cx, ok := a.(persist.ContextAdapter); ok {
		return cx.LoadPolicyCtx(ctx, m)
	}
	return a.LoadPolicy(m)
}

// Rules returns the rules of a ptype in policy order.
func (e *Enforcer) Rules(ptype string) []Rule {
	defer e.mu.runlock(e.mu.rlock())
	return e.eng.listRules(ptype)
}

func (st *state) listRules(ptype string) []Rule {
	list := st.ordered(ptype)
	out := make([]Rule, len(list))
	for i, sr := range list {
		out[i] = Rule{PType: ptype, Values: slices.Clone(sr.vals)}
	}
	return out
}

func (c *casbinEngine) listRules(ptype string) []Rule {
	var out []Rule
	if a, ok := c.ce.GetModel()[Rule{PType: ptype}.section()][ptype]; ok {
		for _, v := range a.Policy {
			out = append(out, Rule{PType: ptype, Values: slices.Clone(v)})
		}
	}
	return out
}

// AddRules adds rules that are not yet in the policy, persisting them
// through the adapter first when it supports saving. It returns how many
// were added. Nothing is applied if validation or persisting fails.
//
// With a change log (ChangeLog), the count is what the store added, the
// rules are written in one transaction, and memory is brought up to the
// written revision from the log before AddRules returns; an error means
// the change is not in the store, unless it wraps ErrOutcomeUnknown. The
// watcher, if any, is told after the commit unless the store announced the
// revision itself.
func (e *Enforcer) AddRules(ctx context.Context, rules ...Rule) (int, error) {
	return e.change(ctx, rules, true)
}

// RemoveRules removes rules that are in the policy, persisting the removal
// first. It returns how many were removed; see AddRules.
func (e *Enforcer) RemoveRules(ctx context.Context, rules ...Rule) (int, error) {
	return e.change(ctx, rules, false)
}

// ApplyAdded adds rules in memory only: for changes another instance has
// already persisted and announced through a watcher. With a change log it
// refuses (ErrFromLog): memory then follows the log only.
func (e *Enforcer) ApplyAdded(rules ...Rule) (int, error) { return e.apply(rules, true) }

// ApplyRemoved removes rules in memory only; see ApplyAdded.
func (e *Enforcer) ApplyRemoved(rules ...Rule) (int, error) { return e.apply(rules, false) }

func (e *Enforcer) change(ctx context.Context, rules []Rule, add bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if e.log != nil {
		return e.changeLogged(ctx, rules, add)
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	todo, err := e.pending(rules, add)
	if err != nil || len(todo) == 0 {
		return 0, err
	}
	// Whatever reached storage is applied in memory too, even when a later
	// rule failed: memory must not disagree with the store.
	stored, perr := e.persist(ctx, todo, add)
	n := e.applyLocked(stored, add)
	if len(stored) > 0 {
		if err := e.notify(stored, add); err != nil {
			return n, errors.Join(perr, fmt.Errorf("%w: %w", ErrNotAnnounced, err))
		}
	}
	return n, perr
}

func (e *Enforcer) apply(rules []Rule, add bool) (int, error) {
	if e.log != nil {
		return 0, ErrFromLog
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	todo, err := e.pending(rules, add)
	if err != nil {
		return 0, err
	}
	return e.applyLocked(todo, add), nil
}

// pending validates rules and returns those that would change the policy,
// without duplicates. The caller holds writeMu, so the answer stays true
// until it applies them.
func (e *Enforcer) pending(rules []Rule, add bool) ([]Rule, error) {
	defer e.mu.runlock(e.mu.rlock())
	seen := map[string]bool{}
	var todo []Rule
	for _, r := range rules {
		if err := e.validate(r); err != nil {
			return nil, err
		}
		if err := e.checkValues(r); add && err != nil {
			return nil, err
		}
		k := r.PType + "\x00" + ruleKey(r.Values)
		if seen[k] || e.eng.has(r.PType, r.Values) == add {
			continue
		}
		seen[k] = true
		todo = append(todo, Rule{PType: r.PType, Values: slices.Clone(r.Values)})
	}
	if err := e.eng.checkChange(todo, add); err != nil {
		return nil, err
	}
	return todo, nil
}

// validate checks r against the model; the caller holds the read lock (or
// writeMu or sem, which exclude swaps).
func (e *Enforcer) validate(r Rule) error { return e.eng.validate(r) }

func (c *casbinEngine) validate(r Rule) error {
	a, ok := c.defs[r.section()][r.PType]
	if !ok {
		return fmt.Errorf("%w: ptype %q is not defined in the model", ErrInvalidRule, r.PType)
	}
	if len(r.Values) != ruleWidth(a) {
		return fmt.Errorf("%w: %s has %d values, the model defines %d", ErrInvalidRule, r, len(r.Values), ruleWidth(a))
	}
	return nil
}

func (st *state) checkChange([]Rule, bool) error { return nil }

func (st *state) commitCheck([]Rule) CommitCheck { return nil }

// checkChange refuses links that would close a cycle below a top role
// under subjectPriority, and removals of links that would leave one (the
// removal of a name's last membership makes it a top role, above whatever
// cycle it reaches): Casbin's AddPolicy and RemovePolicy would take them,
// but the store would then hold a policy on which every later load
// (Reload, a restart, another instance) loops for ever in Casbin's sort
// (internal/subjectsort).
func (c *casbinEngine) checkChange(rules []Rule, add bool) error {
	if !subjectsort.Sorts(c.defs) {
		return nil
	}
	var changed [][]string
	for _, r := range rules {
		if r.PType == "g" {
			changed = append(changed, r.Values)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	var links [][]string
	if add {
		links = append(slices.Clone(c.ce.GetModel()["g"]["g"].Policy), changed...)
	} else {
		gone := map[string]bool{}
		for _, v := range changed {
			gone[ruleKey(v)] = true
		}
		for _, v := range c.ce.GetModel()["g"]["g"].Policy {
			if !gone[ruleKey(v)] {
				links = append(links, v)
			}
		}
	}
	if err := subjectsort.CheckLinks(links); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRule, err)
	}
	return nil
}

// commitCheck is checkChange on the store's policy as the change commits it:
// with a change log, another instance's link that this one's memory has not
// caught up with may close the cycle.
func (c *casbinEngine) commitCheck(rules []Rule) CommitCheck {
	if !subjectsort.Sorts(c.defs) || !slices.ContainsFunc(rules, func(r Rule) bool { return r.PType == "g" }) {
		return nil
	}
	return func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
		m := copyModel(c.defs) // definitions only, never changed: no lock needed
		// The links alone: Casbin's sort walks g, and the write holds the
		// store's lock while it reads.
		if err := load(ctx, m, "g"); err != nil {
			return err
		}
		if err := subjectsort.CheckLinks(m["g"]["g"].Policy); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidRule, err)
		}
		return nil
	}
}

func (e *Enforcer) applyLocked(rules []Rule, add bool) int {
	n := func() int {
		e.mu.lock()
		defer e.mu.unlock()
		n := 0
		for _, r := range rules {
			if e.eng.apply(r, add) {
				n++
			}
		}
		return n
	}()
	if !add {
		e.compactLocked() // removals may leave the pack wasteful
	}
	return n
}

func (st *state) apply(r Rule, add bool) bool {
	if add {
		return st.add(r)
	}
	return st.remove(r)
}

// apply removes through Casbin's batch calls: its single-rule removal
// (model.RemovePolicy) moves the last rule into the gap, which changes the
// policy order and so the rule a decision names and the evaluation errors
// it meets first. The batch removal keeps the order, as a reload does and
// as the index does.
func (c *casbinEngine) apply(r Rule, add bool) bool {
	var changed bool
	switch {
	case r.section() == "g" && conditional(c.defs["g"][r.PType]):
		changed = c.applyConditional(r, add)
	case add && r.section() == "g":
		changed, _ = c.ce.AddNamedGroupingPolicy(r.PType, r.Values)
	case add:
		changed, _ = c.ce.AddNamedPolicy(r.PType, r.Values)
	case r.section() == "g":
		changed, _ = c.ce.RemoveNamedGroupingPolicies(r.PType, [][]string{r.Values})
	default:
		changed, _ = c.ce.RemoveNamedPolicies(r.PType, [][]string{r.Values})
	}
	return changed
}

// errNotImplemented is what Casbin's adapters return for "no auto-save":
// the change then lives in memory only, as with Casbin.
const errNotImplemented = "not implemented"

// persist writes rules to the adapter: in one call per ptype when it is a
// persist.BatchAdapter (gorm-adapter runs it in a transaction), one by one
// otherwise, with ctx when it is a persist.ContextAdapter. It returns the
// rules that were stored.
func (e *Enforcer) persist(ctx context.Context, rules []Rule, add bool) ([]Rule, error) {
	if e.adapter == nil {
		return rules, nil
	}
	ignore := func(err error) error {
		if err != nil && err.Error() == errNotImplemented {
			return nil
		}
		return err
	}
	if b, ok := e.adapter.(persist.BatchAdapter); ok && len(rules) > 1 {
		var stored []Rule
		for _, group := range byPType(rules) {
			vals := make([][]string, len(group))
			for i, r := range group {
				vals[i] = r.Values
			}
			var err error
			if add {
				err = b.AddPolicies(group[0].section(), group[0].PType, vals)
			} else {
				err = b.RemovePolicies(group[0].section(), group[0].PType, vals)
			}
			if err = ignore(err); err != nil {
				return stored, fmt.Errorf("enforcer: persist %d %s rules: %w", len(group), group[0].PType, err)
			}
			stored = append(stored, group...)
		}
		return stored, nil
	}
	cx, hasCtx := e.adapter.(persist.ContextAdapter)
	for i, r := range rules {
		var err error
		switch {
		case add && hasCtx:
			err = cx.AddPolicyCtx(ctx, r.section(), r.PType, r.Values)
		case add:
			err = e.adapter.AddPolicy(r.section(), r.PType, r.Values)
		case hasCtx:
			err = cx.RemovePolicyCtx(ctx, r.section(), r.PType, r.Values)
		default:
			err = e.adapter.RemovePolicy(r.section(), r.PType, r.Values)
		}
		if err = ignore(err); err != nil {
			return rules[:i], fmt.Errorf("enforcer: persist %s: %w", r, err)
		}
	}
	return rules, nil
}

// byPType groups rules by ptype, keeping their order within a group.
func byPType(rules []Rule) [][]Rule {
	idx := map[string]int{}
	var out [][]Rule
	for _, r := range rules {
		i, ok := idx[r.PType]
		if !ok {
			i = len(out)
			idx[r.PType] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

func (e *Enforcer) notify(rules []Rule, add bool) error {
	w := e.announcer()
	if w == nil {
		return nil
	}
	var err error
	if wx, ok := w.(persist.WatcherEx); ok {
		for _, group := range byPType(rules) {
			vals := make([][]string, len(group))
			for i, r := range group {
				vals[i] = r.Values
			}
			sec, pt := group[0].section(), group[0].PType
			if add {
				err = errors.Join(err, wx.UpdateForAddPolicies(sec, pt, vals...))
			} else {
				err = errors.Join(err, wx.UpdateForRemovePolicies(sec, pt, vals...))
			}
		}
	} else {
		err = w.Update()
	}
	if err != nil {
		e.opts.logger.Error("warden: watcher could not announce a change; other instances catch up on their next reload", "err", err)
	}
	return err
}
