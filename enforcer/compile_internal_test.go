package enforcer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
)

// TestCompileReadsTheMatcher pins what compile takes from a matcher: which
// matchers are compiled to Go, the index (role term and equality fields)
// and the graph request-scoped groups join. The decisions themselves are
// held to Casbin's by the differential tests; this keeps the fast path from
// silently shrinking when the reading of matchers changes.
func TestCompileReadsTheMatcher(t *testing.T) {
	cases := []struct {
		matcher string
		domains bool
		pred    bool
		role    string // "gi rField pField dom" or ""
		eq      string // [pField rField]...
		scoped  int
	}{
		{"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", false, true, "0 0 0 -", "[{1 1} {2 2}]", 0},
		{"g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && regexMatch(r.act, p.act)", false, true, "0 0 0 -", "[]", 0},
		{"g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act", true, true, "0 0 0 r1", "[{1 1} {2 2} {3 3}]", 0},
		{`g(r.sub, p.sub, "t1") && r.obj == p.obj`, true, true, `0 0 0 "t1"`, "[{2 2}]", 0},
		{"g(r.sub, p.sub, p.dom) && r.obj == p.obj", true, true, "", "[{2 2}]", 0},
		{"r.sub == p.sub && r.obj == p.obj", false, true, "", "[{0 0} {1 1}]", -1},
		{"p.obj == r.obj && r.sub == p.sub && r.obj == p.obj", false, true, "", "[{1 1} {0 0}]", -1},
		{"g(r.sub, p.sub) && r.obj.Owner == r.sub", false, false, "0 0 0 -", "[]", 0},
		{"(g(r.sub, p.sub) && r.obj == p.obj) || r.sub == \"root\"", false, true, "", "[]", 0},
		{"(g(r.sub, p.sub) && r.obj == p.obj) && r.act == p.act", false, true, "", "[{2 2}]", 0},
		{`g(r.sub, p.sub) && r.obj == "2024-01-01"`, false, false, "0 0 0 -", "[]", 0},
		{`g(r.sub, p.sub) && r.act == "a\\b"`, false, false, "0 0 0 -", "[]", 0},
		{"!g(r.sub, p.sub) && r.obj == p.obj", false, true, "", "[{1 1}]", 0},
		{"g(r.sub, p.sub) && r.obj == p.obj && (r.act == p.act || p.act == \"*\")", false, true, "0 0 0 -", "[{1 1}]", 0},
		{"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act ? true : false", false, false, "", "[]", 0},
		{"g(p.sub, r.sub) && r.obj == p.obj", false, true, "", "[{1 1}]", -1},
		{"g(r.obj, p.obj) && r.sub == p.sub", false, true, "0 1 1 -", "[{0 0}]", -1},
		{"g(r.sub, p.sub) && g(r.sub, p.obj)", false, true, "0 0 0 -", "[]", 0},
		{"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act && true", false, false, "0 0 0 -", "[{1 1} {2 2}]", 0},
		// A call written with a space before "(" is a call to govaluate.
		{"g (r.sub, p.sub) && r.obj == p.obj", false, true, "0 0 0 -", "[{1 1}]", 0},
		// Text in a string literal calls nothing.
		{`r.sub == p.sub && r.obj != "g(r_sub, x)"`, false, true, "", "[{0 0}]", -1},
	}
	for _, c := range cases {
		text := "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\ng = _, _\n" +
			"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = " + c.matcher + "\n"
		if c.domains {
			text = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n[role_definition]\ng = _, _, _\n" +
				"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = " + c.matcher + "\n"
		}
		m, err := model.NewModelFromString(text)
		if err != nil {
			t.Fatal(err)
		}
		cm, reason := compile(m, &options{})
		if cm == nil {
			t.Errorf("%s: not compiled: %s", c.matcher, reason)
			continue
		}
		role := ""
		if cm.role != nil {
			dom := "-"
			if d := cm.role.dom; d != nil && d.kind == opReq {
				dom = fmt.Sprintf("r%d", d.idx)
			} else if d != nil {
				dom = fmt.Sprintf("%q", d.lit)
			}
			role = fmt.Sprintf("%d %d %d %s", cm.role.gi, cm.role.rField, cm.role.pField, dom)
		}
		var eqs []string
		for _, e := range cm.eq {
			attr := ""
			if len(e.attr) > 0 {
				attr = " " + strings.Join(e.attr, ".")
			}
			eqs = append(eqs, fmt.Sprintf("{%d %d%s}", e.pField, e.rField, attr))
		}
		eq := "[" + strings.Join(eqs, " ") + "]"
		if got := cm.pred != nil; got != c.pred || role != c.role || eq != c.eq || cm.scopedGI != c.scoped {
			t.Errorf("%s:\n compiled %v role %q eq %s scoped %d\n want     %v role %q eq %s scoped %d",
				c.matcher, got, role, eq, cm.scopedGI, c.pred, c.role, c.eq, c.scoped)
		}
	}
}

// TestEvalGateComesFirst: under WithDeferredEvalErrors the eval() texts
// the value checks let in uncompiled are refused by the gate before
// compileEval compiles a text its own way (with the scope argument
// added), so that a text the checks never read is never evaluated, even
// where the two compilations could disagree.
func TestEvalGateComesFirst(t *testing.T) {
	m, err := model.NewModelFromString(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, sub_rule, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && eval(p.sub_rule) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := compile(m, &options{})
	if plain == nil || plain.evalGate != nil {
		t.Fatalf("without the option: %v", plain)
	}
	cm, reason := compile(m, &options{deferEvalErrors: true})
	if cm == nil || cm.evalGate == nil {
		t.Fatalf("with the option: no gate (%s)", reason)
	}
	if _, err := cm.compileEval("r.obj.category_id = 2"); err == nil || !strings.Contains(err.Error(), "error while parsing eval parameter") {
		t.Fatalf("uncompilable text: %v", err)
	}
	if _, err := cm.compileEval("r.act == 'read'"); err != nil {
		t.Fatalf("compilable text: %v", err)
	}
	// The gate's word is final: a text it refuses is not compiled.
	asked := ""
	cm.evalGate = func(text string) error { asked = text; return fmt.Errorf("gate: %s", text) }
	if _, err := cm.compileEval("true"); err == nil || asked != "true" {
		t.Fatalf("compileEval(true) with a refusing gate: %v (asked %q)", err, asked)
	}
}
