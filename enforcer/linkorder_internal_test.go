package enforcer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestConditionalLinksKeepPolicyOrder drives the role graph of a
// conditional role definition, with and without a domain, by random adds
// and removals of rules over a few names, several rules to a link: after
// each, every name's roles, and the rule in force for each link, must
// stand as in a rebuild of the same policy (compacted, which adds the
// rules in policy order, as a reload does).
func TestConditionalLinksKeepPolicyOrder(t *testing.T) {
	ctx := context.Background()
	for _, text := range []string{
		`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _, (_, _)
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act`,
		`[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _, (_, _)
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act`,
	} {
		m, err := ParseModel(text)
		if err != nil {
			t.Fatal(err)
		}
		w, err := New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := w.eng.(*state)
		doms := []string{""}
		if st.graphs[0].domains {
			doms = []string{"d1", "d2"}
		}
		r := rand.New(rand.NewPCG(7, 11))
		for step := range 3000 {
			vals := []string{fmt.Sprint("u", r.IntN(2)), fmt.Sprint("r", r.IntN(4))}
			if st.graphs[0].domains {
				vals = append(vals, doms[r.IntN(2)])
			}
			vals = append(vals, []string{"_", "1970-01-01 00:00:00", "1970-01-02 00:00:00"}[r.IntN(3)], "_")
			if r.IntN(2) == 0 {
				st.add(G(vals...))
			} else {
				st.remove(G(vals...))
			}
			fresh := st.compacted(w.model)
			for _, d := range doms {
				for _, name := range []string{"u0", "u1"} {
					got, want := st.graphs[0].parents(name, d), fresh.graphs[0].parents(name, d)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("step %d (%v): roles of %s in %q %v, rebuilt %v", step, vals, name, d, got, want)
					}
					for _, role := range got {
						a, b := st.graphs[0].cond.rule(d, name, role), fresh.graphs[0].cond.rule(d, name, role)
						if fmt.Sprint(a) != fmt.Sprint(b) {
							t.Fatalf("step %d (%v): link %s → %s in %q is %v, rebuilt %v", step, vals, name, role, d, a, b)
						}
					}
				}
			}
		}
	}
}
