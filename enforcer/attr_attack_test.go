package enforcer_test

import (
	"math/rand/v2"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// Request values of every kind attribute() meets, each with an Owner or
// Type where it has one (AttrExported is exported so that its promoted
// field is reachable, attrInner not).
type attrKind string

type attrInner struct{ Type string }
type attrInnerNamed struct{ Type attrKind }
type attrEmbedded struct {
	attrInner
	Owner string
}
type AttrExported struct{ Type string }
type attrEmbeddedExp struct {
	AttrExported
	Owner string
}
type attrEmbeddedPtr struct {
	*AttrExported
	Owner string
}
type attrMethod struct{ Owner string }

func (attrMethod) Type() string { return "doc" }

type attrPtrMethod struct{ Owner string }

func (*attrPtrMethod) Type() string { return "doc" }

type attrIface struct {
	Owner string
	Type  any
}
type attrStrPtr struct {
	Owner string
	Type  *string
}
type attrInt struct {
	Owner string
	Type  int
}
type attrMap map[string]any
type attrKeyed map[attrKind]any

// TestAttributeKeysDifferential: equalities of a request attribute and a
// rule field key the index (r.obj.Type == p.obj_type, read by attribute()
// as govaluate's accessor does), alone, under a guard and beside eval();
// on structs, pointers, nil pointers, embedded structs (exported,
// unexported, nil pointer), methods named like the field, named string
// types, interfaces, pointers to strings, numbers 5 against "5", maps of
// strings, named maps and maps with named keys, nil and func values, and
// values that are no struct or map, decisions are Casbin's.
func TestAttributeKeysDifferential(t *testing.T) {
	texts := map[string]string{
		"plain": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj_type, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.obj.Type == p.obj_type && r.sub == p.sub && r.act == p.act`,
		"guard": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj_type, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == r.obj.Owner || (r.obj.Type == p.obj_type && r.sub == p.sub && r.act == p.act)`,
		"eval": `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj_type, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == 'root' || (eval(p.sub) && p.obj_type == r.obj.Type && r.act == p.act)`,
	}
	five := "5"
	doc := "doc"
	objs := []any{
		attrInner{Type: "doc"},
		&attrInner{Type: "doc"},
		(*attrInner)(nil),
		attrInnerNamed{Type: "doc"},
		attrEmbedded{attrInner: attrInner{Type: "doc"}, Owner: "x"},
		attrEmbeddedExp{AttrExported: AttrExported{Type: "doc"}, Owner: "x"},
		&attrEmbeddedExp{AttrExported: AttrExported{Type: "doc"}, Owner: "x"},
		attrEmbeddedPtr{Owner: "x"},
		attrEmbeddedPtr{AttrExported: &AttrExported{Type: "doc"}, Owner: "x"},
		attrMethod{Owner: "x"},
		&attrPtrMethod{Owner: "x"},
		attrPtrMethod{Owner: "x"},
		attrIface{Owner: "x", Type: "doc"},
		attrIface{Owner: "x", Type: attrKind("doc")},
		attrIface{Owner: "x", Type: 5},
		attrStrPtr{Owner: "x", Type: &doc},
		attrStrPtr{Owner: "x", Type: &five},
		attrInt{Owner: "x", Type: 5},
		map[string]string{"Owner": "x", "Type": "doc"},
		map[string]string{"Owner": "x", "Type": "5"},
		map[string]any{"Owner": "x", "Type": 5},
		map[string]any{"Owner": "x", "Type": 5.0},
		map[string]any{"Owner": "x", "Type": "5"},
		map[string]any{"Owner": "x", "Type": nil},
		map[string]any{"Owner": "x", "Type": attrKind("doc")},
		map[string]any{"Owner": "x", "Type": []any{"doc"}},
		map[string]any{"Owner": "x", "Type": func() string { return "doc" }},
		map[string]any{"Owner": "x"},
		map[string]attrKind{"Owner": "x", "Type": "doc"},
		attrMap{"Owner": "x", "Type": "doc"},
		&attrMap{"Owner": "x", "Type": "doc"},
		attrKeyed{"Owner": "x", "Type": "doc"},
		map[string]any{"Owner": "alice", "Type": 7},
		"doc",
		5,
		nil,
		&map[string]any{"Owner": "x", "Type": "doc"},
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			sub := "alice"
			if name == "eval" {
				sub = "true"
			}
			rules := []enforcer.Rule{
				enforcer.P(sub, "img", "read"),
				enforcer.P(sub, "doc", "read"),
				enforcer.P(sub, "5", "read"),
			}
			if name == "eval" {
				rules = []enforcer.Rule{
					enforcer.P("r.sub == 'bob'", "img", "read"),
					enforcer.P("r.sub == 'alice'", "doc", "read"),
					enforcer.P("r.sub == 'alice'", "5", "read"),
				}
			}
			w, c := pairWith(t, text, rules, nil, func(*casbin.Enforcer) error { return nil })
			if ok, reason := w.FastPath(); !ok {
				t.Fatalf("not fast: %s", reason)
			}
			for _, o := range objs {
				for _, s := range []string{"alice", "x", "root"} {
					compareEval(t, w, c, enforcer.NewRequest(s, o, "read"))
				}
			}
		})
	}
}

// TestAttributeEqualityFormsDifferential: other spellings of attribute
// equalities and guards (compared with true, concatenated, parenthesised,
// repeated, a ternary, in, =~, guards in and out of parentheses) decide
// as Casbin on eval() rules.
func TestAttributeEqualityFormsDifferential(t *testing.T) {
	for _, m := range []string{
		"(r.obj.Type == p.obj_type) == true && r.act == p.act",
		"r.obj.Type == p.obj_type == true && r.act == p.act",
		"r.obj.Type + '' == p.obj_type && r.act == p.act",
		"r.obj.Type == p.obj_type + '' && r.act == p.act",
		"r.obj.Type == (p.obj_type) && r.act == p.act",

		"r.obj.Type == p.obj_type && r.act == p.act && r.obj.Type == p.act",
		"r.act == p.act && r.obj.Owner == p.obj_type && r.obj.Type == p.obj_type",
		"r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act",
		"r.sub.Name == 'u1' || r.obj.Owner == 'u2' || r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act",
		"r.sub.Name == 'u1' || (r.obj.Owner == 'u2' || r.obj.Type == p.obj_type) && eval(p.sub_rule) && r.act == p.act",
		"(r.sub.Name == 'u1' || r.obj.Owner == 'u2') || (r.obj.Type == p.obj_type && eval(p.sub_rule)) && r.act == p.act",
		"r.sub.Name == 'u1' || r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act || r.sub.Age > 70",
		"!(r.sub.Name != 'u1') || r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act",
		"r.sub.Age > 50 ? true : r.obj.Type == p.obj_type && eval(p.sub_rule)",
		"r.sub.Name in ('u1', 'u2') || r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act",
		"r.obj.Type =~ 'd.c' || r.obj.Type == p.obj_type && eval(p.sub_rule) && r.act == p.act",
	} {
		text := `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj_type, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = ` + m
		t.Run(m, func(t *testing.T) {
			r := rand.New(rand.NewPCG(9, 9))
			var rules []enforcer.Rule
			seen := map[string]bool{}
			for range 20 {
				rule := enforcer.P(pickSub(r), pick(r, evalTypes), pick(r, evalActs))
				if !seen[rule.String()] {
					seen[rule.String()] = true
					rules = append(rules, rule)
				}
			}
			rules = append(rules, evalLinks...)
			w, c := pairWith(t, text, rules, nil, func(*casbin.Enforcer) error { return nil })
			if ok, reason := w.FastPath(); !ok {
				t.Fatalf("not on the index: %s", reason)
			}
			for range 300 {
				compareEval(t, w, c, enforcer.NewRequest(genSubject(r), genObject(r), pick(r, append([]string{"doc"}, evalActs...))))
			}
		})
	}
}
