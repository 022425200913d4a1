package parity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	fileadapter "github.com/casbin/casbin/v2/persist/file-adapter"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/subjectsort"
	"github.com/wardenhq/warden/lint"
)

// DefaultRequests is the number of requests Run generates when
// Config.Requests is zero.
const DefaultRequests = 1000

// Config says what to compare and how many requests to ask.
type Config struct {
	// Model is the text of a Casbin model and Rules its policy, in order.
	// Both enforcers get the rules in this order, so that both name the
	// same first rule that decides.
	Model string
	Rules []enforcer.Rule

	// ModelFile and PolicyFile, when ModelFile is set, are compared
	// instead of Model and Rules: Warden reads them with
	// enforcer.NewFromFiles, Casbin with casbin.NewEnforcer(ModelFile,
	// PolicyFile), each with its own parser.
	ModelFile  string
	PolicyFile string

	// Requests is how many requests to generate; DefaultRequests when 0.
	Requests int
	// Definitions, for a model with several request, policy, effect and
	// matcher definitions, are the choices the requests are asked with
	// (Warden's Request.Definition, Casbin's EnforceContext), each an
	// equal share of Requests made for its definitions. None: the
	// default, r, p, e, m.
	Definitions []enforcer.Definition
	// Seed chooses the requests: the same seed, model and policy give the
	// same requests.
	Seed uint64
	// Options are given to Warden's enforcer (enforcer.WithLimits…).
	Options []enforcer.Option
	// MaxValue is the length of the longest string request value
	// generated; Warden refuses longer ones by design (enforcer.WithLimits),
	// so the default is lint.DefaultLimits.RequestValue.
	MaxValue int

	// SetupCasbin, when set, runs on Casbin's enforcer after it has
	// loaded the policy: for functions Casbin registers in code
	// (AddFunction, AddNamedMatchingFunc…), which the model text does not
	// carry.
	SetupCasbin func(*casbin.Enforcer) error
	// Decider, when set, gets Warden's enforcer and returns what is asked
	// in its place. It exists to test the harness: a decider known to be
	// wrong must be reported. When the returned value has Warden's Explain
	// method, its role chains are checked too.
	Decider func(*enforcer.Enforcer) enforcer.Decider
}

// Kind says how a request's outcomes differ.
type Kind string

// The ways two outcomes can differ, in the order Compare checks them: only
// the first that applies is reported.
const (
	// KindError: one side failed (an evaluation error, a refused request)
	// and the other decided.
	KindError Kind = "error"
	// KindDecision: one side allowed and the other denied.
	KindDecision Kind = "decision"
	// KindRule: both allowed or both denied, by different rules.
	KindRule Kind = "rule"
	// KindChain: Warden's explanation names a role chain whose links the
	// policy does not hold, or that does not end at the rule's subject.
	KindChain Kind = "chain"
)

// Outcome is one side's answer to a request.
type Outcome struct {
	Allowed bool `json:"allowed"`
	// Rule is the rule that decided: Warden's Decision.Rule, Casbin's
	// EnforceEx explanation. Empty when no rule did.
	Rule []string `json:"rule,omitempty"`
	// Chain is Warden's role chain from the subject to the rule's subject
	// (Explain); Casbin gives none.
	Chain []string `json:"chain,omitempty"`
	// Err is the error, when the decision failed (a failure denies).
	Err string `json:"error,omitempty"`
}

// Diff is a request on which Warden and Casbin differ.
type Diff struct {
	Kind    Kind  `json:"kind"`
	Request []any `json:"request"`
	// Definition is the definitions the request was asked with
	// (Config.Definitions); zero for the default.
	Definition enforcer.Definition `json:"definition,omitzero"`
	Warden     Outcome             `json:"warden"`
	Casbin     Outcome             `json:"casbin"`
}

// Report is the result of a comparison.
type Report struct {
	// Requests is how many requests were asked, Seed the seed they came
	// from.
	Requests int    `json:"requests"`
	Seed     uint64 `json:"seed"`
	// Definitions are Config.Definitions, the choices the requests were
	// asked with; none for the default.
	Definitions []enforcer.Definition `json:"definitions,omitempty"`
	// FastPath and Reason are Warden's enforcer.FastPath: whether its
	// index decided, and if not, the construct that sent the model to
	// Casbin's own evaluation.
	FastPath bool   `json:"fast_path"`
	Reason   string `json:"reason,omitempty"`
	// Allowed, Denied and Failed count Casbin's outcomes, so that a run
	// whose requests were all denied is seen for what it proves.
	Allowed int `json:"allowed"`
	Denied  int `json:"denied"`
	Failed  int `json:"failed"`
	// Unevaluated counts the requests on which Casbin's evaluation failed
	// and Warden decided without an error: it denied, or its outcome is
	// Casbin's on the policy without the rules whose evaluation alone
	// fails for the request. They are not differences: Warden never
	// evaluates a rule that cannot match the request (its index rules it
	// out), so it does not meet the error of such a rule (an ipMatch rule
	// given a request value that is no address, an eval() rule reading an
	// attribute the request lacks, for another action); see
	// docs/performance.md.
	Unevaluated int `json:"unevaluated"`
	// Diffs are the requests on which the two differ, in the order asked.
	Diffs []Diff `json:"differences"`
	// PolicyDiffs, with Config.PolicyFile, are the rules that one side
	// read from the file and the other did not ("warden only: p, a, b").
	PolicyDiffs []string `json:"policy_differences,omitempty"`
}

// Equal reports whether no difference was found.
func (r *Report) Equal() bool { return len(r.Diffs) == 0 && len(r.PolicyDiffs) == 0 }

// Side names the enforcer that refused the input in a LoadError.
type Side string

// The two sides of a comparison.
const (
	Warden Side = "warden"
	Casbin Side = "casbin"
)

// LoadError is returned by Run when one side refuses the model or the
// policy, so that there is nothing to compare. Err keeps the side's own
// message (with FILE:LINE where the side gives one).
type LoadError struct {
	Side Side
	Err  error
}

// Error implements error.
func (e *LoadError) Error() string {
	if e.Side == Warden {
		return "warden refuses the input: " + e.Err.Error()
	}
	return "casbin refuses the input: " + e.Err.Error()
}

// Unwrap returns the side's error.
func (e *LoadError) Unwrap() error { return e.Err }

// Run builds Warden's enforcer and Casbin's from cfg, generates the
// requests and compares them. An error means there was nothing to compare:
// a *LoadError when one side refused the input, a bad Config otherwise.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Requests < 0 {
		return nil, fmt.Errorf("parity: %d requests", cfg.Requests)
	}
	if cfg.Requests == 0 {
		cfg.Requests = DefaultRequests
	}
	if cfg.MaxValue <= 0 {
		cfg.MaxValue = lint.DefaultLimits.RequestValue
	}
	var (
		w     *enforcer.Enforcer
		c     *casbin.Enforcer
		rules []enforcer.Rule
		rep   = &Report{Seed: cfg.Seed, Definitions: cfg.Definitions}
		err   error
	)
	if cfg.ModelFile != "" {
		if cfg.Model != "" || len(cfg.Rules) > 0 {
			return nil, errors.New("parity: Config has both files and a model text or rules")
		}
		w, c, rules, rep.PolicyDiffs, err = loadFiles(ctx, cfg)
	} else {
		w, c, err = loadText(ctx, cfg)
		rules = cfg.Rules
	}
	if err != nil {
		return nil, err
	}
	if cfg.SetupCasbin != nil {
		if err := cfg.SetupCasbin(c); err != nil {
			return nil, fmt.Errorf("parity: SetupCasbin: %w", err)
		}
	}
	rep.FastPath, rep.Reason = w.FastPath()
	var d enforcer.Decider = w
	if cfg.Decider != nil {
		d = cfg.Decider(w)
	}
	type asked struct {
		def  enforcer.Definition
		vals []any
	}
	var reqs []asked
	defs := cfg.Definitions
	if len(defs) == 0 {
		defs = []enforcer.Definition{{}}
	}
	for i, def := range defs {
		// Shares of Requests, the first ones taking the remainder.
		n := cfg.Requests / len(defs)
		if i < cfg.Requests%len(defs) {
			n++
		}
		for _, v := range Requests(c.GetModel(), rules, RequestOptions{N: n, Seed: cfg.Seed, MaxValue: cfg.MaxValue, Definition: def}) {
			reqs = append(reqs, asked{def, v})
		}
	}
	links := roleLinks(c.GetModel())
	for _, a := range reqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req := a.vals
		wo := decideWarden(ctx, d, a.def, req)
		co := decideCasbin(c, a.def, req)
		rep.Requests++
		switch {
		case co.Err != "":
			rep.Failed++
		case co.Allowed:
			rep.Allowed++
		default:
			rep.Denied++
		}
		if co.Err != "" && wo.Err == "" && (!wo.Allowed || decidesWithoutFailing(c, a.def, req, wo, links)) {
			rep.Unevaluated++
			continue
		}
		if k, ok := compare(wo, co, links); !ok {
			rep.Diffs = append(rep.Diffs, Diff{Kind: k, Request: req, Definition: a.def, Warden: wo, Casbin: co})
		}
	}
	return rep, nil
}

func loadText(ctx context.Context, cfg Config) (*enforcer.Enforcer, *casbin.Enforcer, error) {
	wm, err := enforcer.ParseModel(cfg.Model, cfg.Options...)
	if err != nil {
		return nil, nil, &LoadError{Side: Warden, Err: err}
	}
	w, err := enforcer.New(ctx, wm, rulesAdapter(cfg.Rules), cfg.Options...)
	if err != nil {
		return nil, nil, &LoadError{Side: Warden, Err: err}
	}
	cm, err := model.NewModelFromString(cfg.Model)
	if err != nil {
		return nil, nil, &LoadError{Side: Casbin, Err: err}
	}
	c, err := newCasbin(cm, sortGuard{rulesAdapter(cfg.Rules)})
	if err != nil {
		return nil, nil, &LoadError{Side: Casbin, Err: err}
	}
	return w, c, nil
}

func loadFiles(ctx context.Context, cfg Config) (*enforcer.Enforcer, *casbin.Enforcer, []enforcer.Rule, []string, error) {
	if cfg.PolicyFile == "" {
		return nil, nil, nil, nil, errors.New("parity: Config.ModelFile without PolicyFile")
	}
	w, err := enforcer.NewFromFiles(ctx, cfg.ModelFile, cfg.PolicyFile, cfg.Options...)
	if err != nil {
		return nil, nil, nil, nil, &LoadError{Side: Warden, Err: err}
	}
	c, err := newCasbin(cfg.ModelFile, sortGuard{fileadapter.NewAdapter(cfg.PolicyFile)})
	if err != nil {
		return nil, nil, nil, nil, &LoadError{Side: Casbin, Err: err}
	}
	var rules []enforcer.Rule
	for _, sec := range []string{"p", "g"} {
		for _, ptype := range sortedKeys(c.GetModel()[sec]) {
			rules = append(rules, w.Rules(ptype)...)
		}
	}
	return w, c, rules, policyDiffs(rules, c.GetModel()), nil
}

// sortGuard is the adapter of plain Casbin's enforcer (for a policy file,
// the file adapter casbin.NewEnforcer(modelPath, policyPath) would make).
// Under subjectPriority, Casbin's loader sorts what the adapter loaded and
// never returns when g links cycle below a top role; the guard fails the
// load first, so Run reports that Casbin cannot load the input instead of
// hanging (and warden verify exits 2).
type sortGuard struct{ persist.Adapter }

func (a sortGuard) LoadPolicy(m model.Model) error {
	if err := a.Adapter.LoadPolicy(m); err != nil {
		return err
	}
	return subjectsort.Check(m)
}

// newCasbin is casbin.NewEnforcer, with its panics (on some malformed
// models and policies) turned into errors and its log off.
func newCasbin(params ...any) (c *casbin.Enforcer, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	c, err = casbin.NewEnforcer(params...)
	if err != nil {
		return nil, err
	}
	c.EnableLog(false)
	return c, nil
}

// policyDiffs lists the rules that Warden read (rules) and Casbin's model
// does not hold, and the other way round.
func policyDiffs(rules []enforcer.Rule, m model.Model) []string {
	key := func(ptype string, vals []string) string {
		return enforcer.Rule{PType: ptype, Values: vals}.String()
	}
	warden := map[string]bool{}
	for _, r := range rules {
		warden[key(r.PType, r.Values)] = true
	}
	casbinHas := map[string]bool{}
	var out []string
	for _, sec := range []string{"p", "g"} {
		for _, ptype := range sortedKeys(m[sec]) {
			for _, vals := range m[sec][ptype].Policy {
				k := key(ptype, vals)
				casbinHas[k] = true
				if !warden[k] {
					out = append(out, "casbin only: "+k)
				}
			}
		}
	}
	for _, r := range rules {
		if k := key(r.PType, r.Values); !casbinHas[k] {
			out = append(out, "warden only: "+k)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// explainer is the part of *enforcer.Enforcer that gives role chains.
type explainer interface {
	Explain(ctx context.Context, req enforcer.Request) (enforcer.Explanation, error)
}

func decideWarden(ctx context.Context, d enforcer.Decider, def enforcer.Definition, req []any) (o Outcome) {
	defer func() {
		// Warden promises never to panic on a decision; should it, that
		// is a difference to report, not a crash of the harness.
		if r := recover(); r != nil {
			o = Outcome{Err: fmt.Sprintf("panic: %v", r)}
		}
	}()
	r := enforcer.Request{Values: req, Definition: def}
	var x enforcer.Explanation
	var err error
	if e, ok := d.(explainer); ok {
		x, err = e.Explain(ctx, r)
	} else {
		x.Decision, err = d.Decide(ctx, r)
	}
	if err != nil {
		return Outcome{Err: err.Error()}
	}
	return Outcome{Allowed: x.Allowed, Rule: x.Rule.Values, Chain: x.Chain}
}

// maxRecheck bounds the policies decidesWithoutFailing re-evaluates rule
// by rule.
const maxRecheck = 2000

// decidesWithoutFailing reports whether Warden's outcome w is Casbin's on
// the rules of def's policy type, in their order, whose evaluation alone
// does not fail for req, when some rule's does. Casbin's own policy slice is swapped for
// the time of the check and restored.
func decidesWithoutFailing(c *casbin.Enforcer, def enforcer.Definition, req []any, w Outcome, links map[string]bool) bool {
	a := c.GetModel()["p"][defaults(def).P]
	if a == nil || len(a.Policy) > maxRecheck {
		return false
	}
	all := a.Policy
	defer func() { a.Policy = all }()
	var kept [][]string
	for _, r := range all {
		a.Policy = [][]string{r}
		if o := decideCasbin(c, def, req); o.Err == "" {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(all) || len(kept) == 0 {
		return false // no rule's failure explains Casbin's, or no rule is left to decide
	}
	a.Policy = kept
	o := decideCasbin(c, def, req)
	if o.Err != "" {
		return false
	}
	_, same := compare(w, o, links)
	return same
}

func decideCasbin(c *casbin.Enforcer, def enforcer.Definition, req []any) (o Outcome) {
	defer func() {
		if r := recover(); r != nil {
			o = Outcome{Err: fmt.Sprintf("panic: %v", r)}
		}
	}()
	if def != (enforcer.Definition{}) {
		d := defaults(def)
		req = append([]any{casbin.EnforceContext{RType: d.R, PType: d.P, EType: d.E, MType: d.M}}, req...)
	}
	ok, rule, err := c.EnforceEx(req...)
	if err != nil {
		// Casbin's message of a recovered panic carries a stack trace.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return Outcome{Err: msg}
	}
	return Outcome{Allowed: ok, Rule: rule}
}

// compare reports whether w and c agree, and if not, how they differ.
// links are the policy's role links as "member\x00role".
func compare(w, c Outcome, links map[string]bool) (Kind, bool) {
	switch {
	case (w.Err != "") != (c.Err != ""):
		return KindError, false
	case w.Err != "":
		return "", true // both failed: both deny
	case w.Allowed != c.Allowed:
		return KindDecision, false
	case !slices.Equal(w.Rule, c.Rule):
		return KindRule, false
	}
	if len(w.Chain) > 0 {
		for i := 0; i+1 < len(w.Chain); i++ {
			if !links[w.Chain[i]+"\x00"+w.Chain[i+1]] {
				return KindChain, false
			}
		}
		if len(w.Rule) == 0 || !slices.Contains(w.Rule, w.Chain[len(w.Chain)-1]) {
			return KindChain, false
		}
	}
	return "", true
}

// roleLinks collects every member→role link of every role definition,
// whatever its domain.
func roleLinks(m model.Model) map[string]bool {
	links := map[string]bool{}
	for _, ast := range m["g"] {
		for _, vals := range ast.Policy {
			if len(vals) >= 2 {
				links[vals[0]+"\x00"+vals[1]] = true
			}
		}
	}
	return links
}

// rulesAdapter loads a fixed list of rules, in order, and stores nothing.
type rulesAdapter []enforcer.Rule

var _ persist.Adapter = rulesAdapter(nil)

// LoadPolicy adds the rules to m in order.
func (a rulesAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return fmt.Errorf("rule %s: %w", r, err)
		}
	}
	return nil
}

var errReadOnly = errors.New("parity: the compared policy is read-only")

// SavePolicy refuses: the comparison never changes the policy.
func (rulesAdapter) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy refuses; see SavePolicy.
func (rulesAdapter) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy refuses; see SavePolicy.
func (rulesAdapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy refuses; see SavePolicy.
func (rulesAdapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
