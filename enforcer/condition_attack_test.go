package enforcer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
)

// Hostile request values and texts for the compiled conditions
// (condition.go) through the public API, against plain Casbin; see
// condition_attack_internal_test.go for the same against govaluate alone.

type hostileAge int

type hostileInner struct{ C any }

type hostileBase struct{ Promo any }

type hostileSubject struct {
	Name  any
	Age   any
	Dept  any
	Admin any
	Inner hostileInner
	P     *hostileInner
	hostileBase
	//lint:ignore U1000 an unexported field, which no condition may read ("r.sub.lower" below)
	lower any
}

func (hostileSubject) Meth() bool { return true }

func genHostileLeaf(r *rand.Rand) any {
	switch r.IntN(24) {
	case 0:
		return uint(r.IntN(40))
	case 1:
		return uintptr(r.IntN(40))
	case 2:
		return hostileAge(r.IntN(40))
	case 3:
		return math.NaN()
	case 4:
		return math.Inf(1)
	case 5:
		return math.Copysign(0, -1)
	case 6:
		return complex(18, 0)
	case 7:
		return json.Number("18")
	case 8:
		return time.Unix(18, 0)
	case 9:
		return nil
	case 10:
		return (*hostileInner)(nil)
	case 11:
		return r.IntN(2) == 0
	case 12:
		return int8(r.IntN(40))
	case 13:
		return float32(r.IntN(40)) + 0.5
	case 14:
		return uint64(r.IntN(40))
	case 15:
		return fmt.Sprintf("u%d", r.IntN(4))
	case 16:
		return "eng"
	}
	return 10 + r.IntN(40)
}

func genHostileSubject(r *rand.Rand) any {
	switch r.IntN(8) {
	case 0:
		return hostileSubject{Name: genHostileLeaf(r), Age: genHostileLeaf(r), Dept: genHostileLeaf(r), Admin: genHostileLeaf(r),
			Inner: hostileInner{C: genHostileLeaf(r)}, hostileBase: hostileBase{Promo: genHostileLeaf(r)}}
	case 1:
		return &hostileSubject{Name: genHostileLeaf(r), Age: genHostileLeaf(r), P: &hostileInner{C: genHostileLeaf(r)}}
	case 2:
		return map[string]any{"Name": genHostileLeaf(r), "Age": genHostileLeaf(r), "Dept": func() string { return "eng" }}
	case 3:
		return map[any]any{"Name": "u1", "Age": 30}
	case 4:
		return genHostileLeaf(r)
	}
	return map[string]any{"Name": genHostileLeaf(r), "Age": genHostileLeaf(r), "Dept": genHostileLeaf(r), "Admin": genHostileLeaf(r),
		"Inner": map[string]any{"C": genHostileLeaf(r)}}
}

func genHostileObject(r *rand.Rand) any {
	switch r.IntN(6) {
	case 0:
		return map[string]any{"Owner": genHostileLeaf(r), "Type": genHostileLeaf(r)}
	case 1:
		return thing{Owner: fmt.Sprintf("u%d", r.IntN(4)), Type: evalTypes[r.IntN(3)]}
	case 2:
		return &thing{Owner: fmt.Sprintf("u%d", r.IntN(4)), Type: evalTypes[r.IntN(3)]}
	}
	return map[string]any{"Owner": fmt.Sprintf("u%d", r.IntN(4)), "Type": evalTypes[r.IntN(3)]}
}

var hostileRules = []string{
	"r.sub.Age >= 18", "r.sub.Age > 18.", "r.sub.Age < .5", "r.sub.Age == 018", "r.sub.Age != r.sub.Age",
	"r.sub.Name == 'u1'", "r.sub.Name == \"u1'", "r.sub.Name >= 'u2' && r.sub.Age < 30", "r.sub.Admin",
	"!r.sub.Admin", "r.sub.Admin == true", "!r.sub.Admin == false", "r.sub.Age > 18 == true",
	"r.sub.Admin || r.sub.Age > 30 && r.sub.Name == 'u2'", "(r.sub.Admin || r.sub.Age > 30) && r.sub.Name == 'u2'",
	"r.sub.Inner.C == 18", "r.sub.P.C > 1", "r.sub.Promo == 'eng'", "r.sub.Meth", "r.sub.lower == 1",
	"r.sub.Dept == 'eng'", "r.sub.Dept == '2021-01-01'", "r.sub.Name == r.obj.Owner", "r.act == p.act",
	"r.sub == 'u1'", "r.sub > 18", "true", "false || r.sub.Age > 20", "r.sub.Age > 1\\8",
	"r.sub.Age in (18, 19)", "r.sub.Age + 1 > 19", "r.sub.Name =~ 'u.*'",
}

// TestEvalHostileDifferential: the eval() and guard shapes with request
// attributes of hostile types and texts of odd syntax, against plain
// Casbin: the same decision and rule.
func TestEvalHostileDifferential(t *testing.T) {
	names := []string{"abac_rule", "pbac_deny", "abac_embedded", "guard_deny_override", "guard_priority", "abac_rule_deferred"}
	deferred := evalModels[0]
	deferred.name, deferred.opts = "abac_rule_deferred", []enforcer.Option{enforcer.WithDeferredEvalErrors()}
	for _, em := range append(slices.Clone(evalModels), deferred) {
		if !slices.Contains(names, em.name) {
			continue
		}
		em := em
		em.rule = func(r *rand.Rand) []string {
			sub := pick(r, hostileRules)
			if em.name == "abac_rule_deferred" && r.IntN(3) == 0 {
				sub = pick(r, conditionRules)
			}
			if em.name == "pbac_deny" {
				if r.IntN(2) == 0 {
					sub = pick(r, subRules[:4])
				}
				return []string{sub, pick(r, []string{"r.obj.Type == 'doc'", "r.obj.Owner != r.sub.Name", "true"}), pick(r, evalActs)}
			}
			second := pick(r, evalTypes)
			if strings.HasPrefix(em.name, "abac_rule") {
				second = fmt.Sprintf("/data%d", r.IntN(3))
			}
			return []string{sub, second, pick(r, evalActs)}
		}
		em.req = func(r *rand.Rand) []any {
			obj := genHostileObject(r)
			if strings.HasPrefix(em.name, "abac_rule") {
				obj = fmt.Sprintf("/data%d", r.IntN(4))
			}
			return []any{genHostileSubject(r), obj, pick(r, append([]string{"audit"}, evalActs...))}
		}
		t.Run(em.name, func(t *testing.T) { runEvalSeeds(t, em, 40) })
	}
}

const hostileDefsModel = `[request_definition]
r = sub, obj, act
r2 = sub, act
[policy_definition]
p = sub_rule, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.obj == p.obj && r.act == p.act
m2 = eval(p.sub_rule) && r2.act == p.act`

// TestEvalHostileDefinitions: a text compiled for one request definition
// decides nothing for another (r.sub is no field of r2), as in Casbin.
func TestEvalHostileDefinitions(t *testing.T) {
	texts := []string{"r.sub.Age > 18", "r2.sub.Age > 18", "r2.sub.Name == 'u1' || r.sub.Age > 1", "true", "r2.act == 'read'"}
	var rules []enforcer.Rule
	for i, text := range texts {
		rules = append(rules, enforcer.Rule{PType: "p", Values: []string{text, fmt.Sprintf("/d%d", i%2), pick(rand.New(rand.NewPCG(uint64(i), 1)), evalActs)}})
	}
	w, c := pairWith(t, hostileDefsModel, rules, nil, func(*casbin.Enforcer) error { return nil })
	r := rand.New(rand.NewPCG(3, 4))
	decided := map[bool]int{}
	for range 400 {
		sub := genHostileSubject(r)
		act := pick(r, evalActs)
		req := enforcer.Request{Values: []any{sub, fmt.Sprintf("/d%d", r.IntN(2)), act}}
		cvals := req.Values
		if r.IntN(2) == 0 {
			req = enforcer.Request{Values: []any{sub, act}, Definition: enforcer.Definition{R: "r2", M: "m2"}}
			cvals = append([]any{casbin.EnforceContext{RType: "r2", PType: "p", EType: "e", MType: "m2"}}, req.Values...)
		}
		d, werr := w.Decide(context.Background(), req)
		ok, rule, cerr := c.EnforceEx(cvals...)
		if cerr != nil && werr == nil {
			// Casbin's loop fails on a rule the index never evaluates:
			// Warden's answer is Casbin's without the rules that fail.
			var fine bool
			ok, rule, fine = casbinWithout(c, cvals)
			if fine {
				cerr = nil
			} else if !d.Allowed {
				continue
			}
		}
		if (werr != nil) != (cerr != nil) || werr == nil && (d.Allowed != ok || !slices.Equal(d.Rule.Values, rule) && len(rule) > 0) {
			t.Fatalf("%v %+v: warden %v %v %v, casbin %v %v %v", req.Values, req.Definition, d.Allowed, d.Rule, werr, ok, rule, cerr)
		}
		if werr == nil {
			decided[d.Allowed]++
		}
	}
	if decided[true] < 20 || decided[false] < 20 {
		t.Fatalf("decided %v: the requests prove little", decided)
	}
}

// TestEvalHostileConcurrent: decisions read compiled texts while the last
// rule with a text is removed and stored again (run under -race).
func TestEvalHostileConcurrent(t *testing.T) {
	ctx := context.Background()
	toggled := enforcer.Rule{PType: "p", Values: []string{"r.sub.Age >= 18 && r.sub.Name != 'x'", "/d", "read"}}
	w, _ := pairWith(t, evalModels0, []enforcer.Rule{{PType: "p", Values: []string{"r.sub.Age < 0", "/d", "read"}}}, nil, func(*casbin.Enforcer) error { return nil })
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 3 {
		go func() {
			defer func() { errs <- nil }()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				age := 30
				if (i+g)%2 == 0 {
					age = 10
				}
				d, err := w.Decide(ctx, enforcer.NewRequest(map[string]any{"Name": "u1", "Age": age}, "/d", "read"))
				if err != nil || d.Allowed && (age < 18 || !slices.Equal(d.Rule.Values, toggled.Values)) {
					errs <- fmt.Errorf("age %d: allowed %v by %v, %v", age, d.Allowed, d.Rule, err)
					return
				}
			}
		}()
	}
	for range 300 {
		if _, err := w.AddRules(ctx, toggled); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RemoveRules(ctx, toggled); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if d, err := w.Decide(ctx, enforcer.NewRequest(map[string]any{"Name": "u1", "Age": 30}, "/d", "read")); err != nil || d.Allowed {
		t.Fatalf("after the last removal: allowed %v, %v", d.Allowed, err)
	}
}
