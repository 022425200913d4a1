package enforcer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// A model may define several request, policy, effect and matcher
// definitions (r2, p2, e2, m2), and each decision names the ones it is
// decided by (Request.Definition, Casbin's EnforceContext). The index
// compiles, when the enforcer is made, every choice a matcher can be
// evaluated with: for each matcher, the request and policy definitions
// whose fields it reads (every one, for a matcher that reads none of a
// section's fields), with each effect. Every choice must be one compile
// understands, or the whole model is decided by Casbin, FastPath naming
// the choice and its construct. A matcher that reads the fields of two
// request or two policy definitions is no choice: Casbin's evaluation
// has one of each and fails on the other's fields (unless && or || skips
// them), and Warden refuses such a decision. Choices that share a matcher, request
// and policy definition share one index of that policy type's rules,
// keyed as the matcher reads them; two matchers over one policy type each
// have their own (the keys differ).

// definitions are the compiled choices of a model with several, held by
// its default one.
type definitions struct {
	byDef    map[Definition]*compiledModel // every compiled choice, the default included
	all      []*compiledModel              // the same, in a fixed order: the default first
	nIndexes int                           // how many indexes the choices use (ixNum)
	refused  map[string]string             // matchers that are no choice: why
}

// compile analyses m, whose matchers may call the functions o registers,
// for decisions on the index. It returns (nil, reason) when the fast path
// cannot decide for this model and Casbin's own enforcer must. The
// compiled model is the default definition (r, p, e, m); a model with
// several holds the other choices in multi.
func compile(m model.Model, o *options) (*compiledModel, string) {
	def := Definition{}.orDefault()
	cm, reason := compileDef(m, o, def)
	if cm == nil {
		return nil, reason
	}
	if len(m["r"]) == 1 && len(m["p"]) == 1 && len(m["e"]) == 1 && len(m["m"]) == 1 {
		return cm, ""
	}
	for _, e := range sortedKeys(m["e"]) {
		if len(m["e"]) > 1 && m["e"][e].Value == constant.SubjectPriorityEffect {
			// Casbin orders every policy type by the subjects' levels
			// when e (not the effect chosen) says so, and merges by the
			// effect chosen: the index orders by the effect chosen.
			return nil, "effect subjectPriority(p_eft) || deny with several effect definitions"
		}
	}
	multi := &definitions{byDef: map[Definition]*compiledModel{def: cm}, all: []*compiledModel{cm}, nIndexes: 1,
		refused: map[string]string{}}
	cm.multi = multi
	indexes := map[[3]string]int{{def.M, def.R, def.P}: 0}
	for _, mk := range sortedKeys(m["m"]) {
		rs, ps, reason := definitionsRead(m, mk)
		if reason != "" {
			multi.refused[mk] = reason
			continue
		}
		for _, r := range rs {
			for _, p := range ps {
				for _, e := range sortedKeys(m["e"]) {
					d := Definition{R: r, P: p, E: e, M: mk}
					if d == def {
						continue
					}
					c, reason := compileDef(m, o, d)
					if c == nil {
						return nil, "definition " + d.String() + ": " + reason
					}
					k := [3]string{mk, r, p}
					n, ok := indexes[k]
					if !ok {
						n = multi.nIndexes
						indexes[k] = n
						multi.nIndexes++
					}
					c.ixNum = n
					multi.byDef[d] = c
					multi.all = append(multi.all, c)
				}
			}
		}
	}
	return cm, ""
}

// definitionsRead returns the request and policy definitions whose fields
// matcher mk reads: each section's every definition when it reads none of
// its fields. A matcher that reads two of one section, or that govaluate
// cannot read, is no choice: the reason says why.
func definitionsRead(m model.Model, mk string) (rs, ps []string, reason string) {
	toks, err := matchexpr.Tokenize(m["m"][mk].Value)
	if err != nil {
		return nil, nil, "matcher " + mk + ": " + err.Error()
	}
	owner := func(sec, name string) string {
		for _, k := range sortedKeys(m[sec]) {
			if slices.Contains(m[sec][k].Tokens, name) {
				return k
			}
		}
		return ""
	}
	for _, t := range toks {
		if t.Kind != matchexpr.Name {
			continue
		}
		base, _, _ := strings.Cut(t.Text, ".")
		if k := owner("r", base); k != "" && !slices.Contains(rs, k) {
			rs = append(rs, k)
		}
		if k := owner("p", base); k != "" && !slices.Contains(ps, k) {
			ps = append(ps, k)
		}
	}
	for _, both := range [][]string{rs, ps} {
		if len(both) > 1 {
			slices.Sort(both)
			return nil, nil, fmt.Sprintf("matcher %s reads the fields of both %s", mk, strings.Join(both, " and "))
		}
	}
	if len(rs) == 0 {
		rs = sortedKeys(m["r"])
	}
	if len(ps) == 0 {
		ps = sortedKeys(m["p"])
	}
	return rs, ps, ""
}

// all returns every compiled choice, the default first.
func (cm *compiledModel) all() []*compiledModel {
	if cm.multi == nil {
		return []*compiledModel{cm}
	}
	return cm.multi.all
}

// nIndexes is how many rule indexes the choices use.
func (cm *compiledModel) nIndexes() int {
	if cm.multi == nil {
		return 1
	}
	return cm.multi.nIndexes
}

// definition returns the compiled choice d, of cm the default one.
// checkRequest has refused names the model does not define; what is left
// is a choice no matcher is compiled for: one whose matcher reads fields
// of other request or policy definitions than d's, on which Casbin's
// evaluation fails.
func (cm *compiledModel) definition(d Definition) (*compiledModel, error) {
	d = d.orDefault()
	if d == cm.def {
		return cm, nil
	}
	if cm.multi != nil {
		if c := cm.multi.byDef[d]; c != nil {
			return c, nil
		}
	}
	if cm.multi != nil && cm.multi.refused[d.M] != "" {
		return nil, fmt.Errorf("%w: definition %s: %s", ErrInvalidRequest, d, cm.multi.refused[d.M])
	}
	return nil, fmt.Errorf("%w: definition %s: matcher %s reads other request or policy definitions", ErrInvalidRequest, d, d.M)
}

// definitionNames is every choice of the names m defines, for
// checkDefinition: one lookup per decision rather than four.
func definitionNames(m model.Model) map[Definition]bool {
	out := map[Definition]bool{}
	for r := range m["r"] {
		for p := range m["p"] {
			for e := range m["e"] {
				for mk := range m["m"] {
					out[Definition{R: r, P: p, E: e, M: mk}] = true
				}
			}
		}
	}
	return out
}

// checkDefinition refuses a Definition that names a definition the model
// lacks, on either engine: Casbin's enforcer would dereference a missing
// assertion.
func (e *Enforcer) checkDefinition(d Definition) error {
	if d.isZero() {
		return nil
	}
	d = d.orDefault()
	if e.defNames[d] {
		return nil
	}
	for _, f := range []struct{ sec, name string }{{"r", d.R}, {"p", d.P}, {"e", d.E}, {"m", d.M}} {
		if _, ok := e.model[f.sec][f.name]; !ok || !strings.HasPrefix(f.name, f.sec) {
			return fmt.Errorf("%w: definition %s: the model has no %s", ErrInvalidRequest, d, f.name)
		}
	}
	return nil
}
