package enforcer

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
)

// evalReusable are the evalCtx fields that may hold something between
// requests: the buffers (length 0, backing arrays free of strings and
// pointers), their inline storage, and the lock shard, which is the
// context's, not a request's. Every other field must be zero after reset.
var evalReusable = map[string]string{
	"evalBufs.rs":     "buffer",
	"evalBufs.memo":   "buffer",
	"evalBufs.sets":   "sets",
	"evalBufs.buf":    "buffer",
	"evalBufs.scoped": "buffer",
	"evalBufs.cands":  "buffer",
	"evalBufs.ranks":  "buffer",
	"evalBufs.eqv":    "buffer",
	"inl.eqv":         "clean",
	"inl.rs":          "clean",
	"inl.cands":       "clean",
	"inl.memo":        "clean",
	"inl.buf":         "clean",
	"inl.sets":        "clean sets",
	"inl.setPtrs":     "own sets",
	"shard":           "kept",
}

// evalLeftovers walks ev by reflection and returns every field that holds
// something a request left behind, by its path: a field outside
// evalReusable that is not zero, a buffer that is not empty, or a string or
// pointer in a buffer's backing array.
func evalLeftovers(ev *evalCtx) []string {
	var bad []string
	report := func(path, f string, args ...any) { bad = append(bad, path+": "+fmt.Sprintf(f, args...)) }
	// clean reports every non-empty string and non-nil reference in v.
	var clean func(path string, v reflect.Value)
	clean = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if v.Len() != 0 {
				report(path, "holds %q", v.String())
			}
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			if !v.IsNil() {
				report(path, "holds a %s", v.Kind())
			}
		case reflect.Array:
			for i := range v.Len() {
				clean(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				clean(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	// cleanSet: a reach set that is empty and remembers no name.
	cleanSet := func(path string, s *reachSet) {
		if len(s.names) != 0 || len(s.parent) != 0 || len(s.idx) != 0 {
			report(path, "reach set not empty: %d names, %d parents, %d indexed", len(s.names), len(s.parent), len(s.idx))
		}
		for i, n := range s.names[:cap(s.names)] {
			if n != "" {
				report(fmt.Sprintf("%s.names[%d]", path, i), "holds %q", n)
			}
		}
		for i, n := range s.namesArr {
			if n != "" {
				report(fmt.Sprintf("%s.namesArr[%d]", path, i), "holds %q", n)
			}
		}
	}
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		for i := range v.NumField() {
			f, fv := v.Type().Field(i), v.Field(i)
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			kind, listed := evalReusable[p]
			switch {
			case !listed && f.Type.Kind() == reflect.Struct && (f.Name == "evalScope" || f.Name == "evalBufs" || f.Name == "inl"):
				walk(p, fv)
			case !listed:
				if !fv.IsZero() {
					report(p, "not zero after reset")
				}
			case kind == "buffer":
				if fv.Len() != 0 {
					report(p, "length %d after reset", fv.Len())
				}
				backing := fv.Slice(0, fv.Cap())
				for i := range backing.Len() {
					clean(fmt.Sprintf("%s[:cap][%d]", p, i), backing.Index(i))
				}
			case kind == "sets":
				for i, s := range ev.sets[:cap(ev.sets)] {
					if s == nil {
						continue
					}
					cleanSet(fmt.Sprintf("%s[%d]", p, i), s)
				}
			case kind == "clean":
				clean(p, fv)
			case kind == "clean sets":
				for i := range ev.inl.sets {
					cleanSet(fmt.Sprintf("%s[%d]", p, i), &ev.inl.sets[i])
				}
			case kind == "own sets":
				for i, s := range ev.inl.setPtrs {
					if s != &ev.inl.sets[i] {
						report(fmt.Sprintf("%s[%d]", p, i), "points outside the context")
					}
				}
			}
		}
	}
	walk("", reflect.ValueOf(ev).Elem())
	return bad
}

// TestEvalResetByValue holds putEval's reset to its promise: after
// decisions, listings and plans with request-scoped groups, policies and
// values (more candidates, reached roles and request values than the inline
// storage holds, and a value that is not a string), nothing of the request
// is left in the pooled context but the emptied buffers. The walk covers
// every field by reflection, so a field added to evalCtx or evalScope that
// reset would leave behind fails here, not in production.
func TestEvalResetByValue(t *testing.T) {
	const priorityModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = priority, sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`
	const patternModel = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act`
	// 40 request-scoped groups, each granted the same object: more
	// candidates and reached names than the inline arrays hold.
	var groups []string
	var prioRules, patRules [][]string
	for i := range 40 {
		gr := fmt.Sprintf("secret-group-%d", i)
		groups = append(groups, gr)
		prioRules = append(prioRules, []string{fmt.Sprint(i % 7), gr, "ledger", "read", "allow"})
		patRules = append(patRules, []string{gr, "/ledger/*", "read"})
	}
	links := [][]string{{"stored-user", "stored-role"}}
	prioRules = append(prioRules, []string{"1", "stored-role", "ledger", "read", "deny"})
	scoped := [][]string{{"0", "token-user", "ledger", "write", "allow"}}
	patScoped := [][]string{{"token-user", "/scoped/*", "read"}}

	ctx := context.Background()
	open := func(text string, p [][]string) *Enforcer {
		m, err := model.NewModelFromString(text)
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(ctx, m, linksLoader{g: links, p: p})
		if err != nil {
			t.Fatal(err)
		}
		if ok, reason := e.FastPath(); !ok {
			t.Fatal(reason)
		}
		return e
	}
	prio, pat := open(priorityModel, prioRules), open(patternModel, patRules)

	type op struct {
		name string
		e    *Enforcer
		run  func(e *Enforcer, ev *evalCtx) error
	}
	decide := func(req Request, allow bool) func(*Enforcer, *evalCtx) error {
		return func(e *Enforcer, ev *evalCtx) error {
			x, err := e.eng.decide(ev, req, withRule|withChain)
			if err == nil && x.Allowed != allow {
				err = fmt.Errorf("decided %+v, want allowed %v", x, allow)
			}
			return err
		}
	}
	failing := func(req Request) func(*Enforcer, *evalCtx) error {
		return func(e *Enforcer, ev *evalCtx) error {
			if _, err := e.eng.decide(ev, req, withRule); err == nil {
				return fmt.Errorf("%v decided, want an evaluation error", req.Values)
			}
			return nil
		}
	}
	subj := Subject{Name: "token-user", Groups: groups, Policies: [][]string{{"token-user", "/scoped/*", "read"}}}
	ops := []op{
		{"priority decide", prio, decide(Request{Values: []any{"token-user", "ledger", "read"}, Groups: groups, Policies: scoped}, true)},
		{"priority decide, stored roles", prio, decide(Request{Values: []any{"stored-user", "ledger", "read"}}, false)},
		// A value that is not a string: no index, and govaluate evaluates
		// the matcher with the candidate's values in params.
		{"priority decide, non-string value", prio, decide(Request{Values: []any{"token-user", "ledger", 42}, Groups: groups, Policies: scoped}, false)},
		{"pattern decide", pat, decide(Request{Values: []any{"token-user", "/ledger/7", "read"}, Groups: groups, Policies: patScoped}, true)},
		// A decision that fails half way leaves nothing either.
		{"pattern decide, evaluation error", pat, failing(Request{Values: []any{"token-user", 42, "read"}, Groups: groups})},
		{"rules for", pat, func(e *Enforcer, ev *evalCtx) error {
			g, err := e.eng.rulesFor(ev, subj)
			if err == nil && len(g) != 41 {
				err = fmt.Errorf("%d grants", len(g))
			}
			return err
		}},
		{"roles", pat, func(e *Enforcer, ev *evalCtx) error {
			r, err := e.eng.rolesOf(ev, subj)
			if err == nil && len(r) != 40 {
				err = fmt.Errorf("%d roles", len(r))
			}
			return err
		}},
		{"plan", pat, func(e *Enforcer, ev *evalCtx) error {
			_, err := e.eng.plan(ev, e, Request{Values: []any{"token-user", Unknown{}, "read"}, Groups: groups, Policies: patScoped}, 1)
			return err
		}},
	}
	ev := newEvalCtx()
	for _, o := range ops {
		o.e.mu.rlockAt(ev.shard)
		err := o.run(o.e, ev)
		o.e.mu.runlock(ev.shard)
		if err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		// The walk must see the request in the context before the reset,
		// or its silence after it would prove nothing.
		before := evalLeftovers(ev)
		if !slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, "evalScope.cm:") }) {
			t.Fatalf("%s: the walk does not see the request before the reset: %q", o.name, before)
		}
		ev.reset()
		if left := evalLeftovers(ev); len(left) > 0 {
			t.Errorf("%s: the reset left request data behind:\n%s", o.name, strings.Join(left, "\n"))
		}
	}
	// The buffers were really reused past their inline storage (else the
	// walk of grown backing arrays proved nothing).
	if cap(ev.cands) <= len(ev.inl.cands) || cap(ev.ranks) == 0 || cap(ev.scoped) == 0 || len(ev.sets) < 1 {
		t.Fatalf("the operations did not grow the buffers: cands %d, ranks %d, scoped %d", cap(ev.cands), cap(ev.ranks), cap(ev.scoped))
	}
	if cap(ev.sets[0].names) <= reachSetLinear {
		t.Fatalf("the reach set did not grow past its inline names: cap %d", cap(ev.sets[0].names))
	}
}
