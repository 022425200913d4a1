package enforcer

import (
	"context"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/filter"
)

// engine is one loaded policy and the way decisions are made on it. There
// are two: the index (*state: Warden's own evaluation, for the models
// compile understands) and Casbin's enforcer (*casbinEngine, for the
// others). Which one an Enforcer uses is chosen once, in New (its
// engineKind); every load builds a fresh engine of that kind, and swap
// puts it in force. The Enforcer never asks which one it has: each method
// below is the whole of that operation for its engine, refusals included
// (Casbin's engine refuses request-scoped data, RulesFor, Roles and most
// plans with ErrUnsupported naming the reason).
//
// Locking is the Enforcer's. It calls the reads (decide, rulesFor, rolesOf,
// plan, validate, has, count, listRules, isRole) holding its read lock, apply
// holding its write lock or on an engine not in force yet; an engine locks
// nothing itself and calls no locking method of the Enforcer. validate
// reads only the model's definitions, which never change, so it may also
// be called without a lock.
type engine interface {
	// decide answers req, whose values checkRequest has passed. ev is a
	// pooled scratch space, not yet prepared for req, whose lock shard the
	// caller holds; want says what to report beyond the answer (withRule,
	// withChain).
	decide(ev *evalCtx, req Request, want int) (Explanation, error)
	// rulesFor and rolesOf answer RulesFor and Roles for s, on ev as decide.
	rulesFor(ev *evalCtx, s Subject) ([]Grant, error)
	rolesOf(ev *evalCtx, s Subject) ([]string, error)
	// plan answers Plan for req, whose field open is Unknown, on ev as
	// decide; e gives it the request checks and bounds.
	plan(ev *evalCtx, e *Enforcer, req Request, open int) (filter.Plan, error)

	// validate checks r against the model's definition of its ptype.
	validate(r Rule) error
	// has reports whether the policy holds the rule of ptype with values.
	has(ptype string, values []string) bool
	// count is how many rules of ptype the policy holds.
	count(ptype string) int
	// listRules returns copies of the rules of ptype in policy order.
	listRules(ptype string) []Rule
	// isRole reports whether name is the role of some g rule (IsRole).
	isRole(name string) bool

	// checkChange checks validated rules to be added (or removed)
	// together against the policy held, for what no single rule shows (a
	// cycle Casbin's loader would loop on: a removal too can make a name a
	// top role above a cycle no top role reached).
	checkChange(rules []Rule, add bool) error
	// commitCheck returns the check of validated rules to be added or
	// removed together against the policy as the store will commit it
	// (see CommitChecker), nil when their change needs none.
	commitCheck(rules []Rule) CommitCheck

	// apply adds or removes a validated rule and reports whether the
	// policy changed.
	apply(r Rule, add bool) bool
}

// engineKind makes the engines of one Enforcer. It is chosen in New and
// never changes.
type engineKind interface {
	// load reads the whole policy from e's adapter (none: an empty
	// policy) into a new engine, checking every rule's values, without
	// touching prev, the engine in force (nil in New). prev may be read,
	// with no lock, by a caller that excludes writers (Reload, CatchUp):
	// a rule it holds has passed the checks already, and its sizes
	// presize the new one.
	load(ctx context.Context, e *Enforcer, prev engine) (engine, error)
	// fastPath is FastPath: whether decisions use the index, else why
	// Casbin's enforcer makes them.
	fastPath() (ok bool, reason string)
}

// kindFor chooses the engine for m: the index when compile understands the
// model, else Casbin's enforcer, with compile's reason.
func kindFor(m model.Model, o *options) engineKind {
	cm, reason := compile(m, o)
	if cm == nil {
		return casbinKind{reason: reason}
	}
	for _, c := range cm.all() {
		c.withConditions(o)
	}
	return indexKind{cm: cm}
}

// indexKind makes index engines for a model compile understood.
type indexKind struct{ cm *compiledModel }

func (k indexKind) fastPath() (bool, string) { return true, "" }

func (k indexKind) load(ctx context.Context, e *Enforcer, prev engine) (engine, error) {
	old, _ := prev.(*state)
	m := copyModel(e.model)
	presize(m, old)
	if e.adapter != nil {
		if err := loadPolicy(ctx, e.adapter, m); err != nil {
			return nil, fmt.Errorf("enforcer: reload: %w", err)
		}
		if err := e.checkLoaded(m, prev); err != nil {
			return nil, fmt.Errorf("enforcer: reload: %w", err)
		}
	}
	st, err := fromModel(k.cm, m, old)
	if err != nil {
		return nil, fmt.Errorf("enforcer: reload: %w", err)
	}
	return st, nil
}

// casbinKind makes engines that hand every decision to Casbin's enforcer,
// for the reason compile (or WithCasbinEvaluation) gave.
type casbinKind struct{ reason string }

func (k casbinKind) fastPath() (bool, string) { return false, k.reason }

func (k casbinKind) load(ctx context.Context, e *Enforcer, prev engine) (engine, error) {
	// Casbin loads, sorts (priority models) and links roles itself;
	// ctxAdapter gives its load the caller's deadline.
	var a persist.Adapter
	if e.adapter != nil {
		a = ctxAdapter{Adapter: e.adapter, ctx: ctx, defs: e.model}
	}
	ce, err := newCasbin(copyModel(e.model), a, &e.opts)
	if err != nil {
		return nil, fmt.Errorf("enforcer: reload: %w", err)
	}
	if err := e.checkLoaded(ce.GetModel(), prev); err != nil {
		return nil, fmt.Errorf("enforcer: reload: %w", err)
	}
	e.opts.linkConditions(ce, e.model)
	return &casbinEngine{ce: ce, defs: e.model, reason: k.reason, opts: &e.opts}, nil
}

// casbinEngine is a policy held and decided by Casbin's own enforcer.
type casbinEngine struct {
	ce     *casbin.Enforcer
	defs   model.Model // the Enforcer's model: definitions only, never changed
	reason string      // why Casbin decides, for refusals
	opts   *options    // the Enforcer's: link conditions for links added later
}

var (
	_ engine = (*state)(nil)
	_ engine = (*casbinEngine)(nil)
)
