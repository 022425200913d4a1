package enforcer_test

import (
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
)

// TestPTypesAndModelRules: policy types before role types, each sorted,
// and each ptype's rules in the model's order, whatever order the map
// hands them out in.
func TestPTypesAndModelRules(t *testing.T) {
	m, err := enforcer.ParseModel(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
p3 = sub, obj
p2 = sub, obj
[role_definition]
g2 = _, _
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act
`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := enforcer.PTypes(m), []string{"p", "p2", "p3", "g", "g2"}; !slices.Equal(got, want) {
		t.Fatalf("PTypes = %q, want %q", got, want)
	}
	lines := [][]string{
		{"g2", "x", "y"}, {"p3", "b", "o"}, {"g", "alice", "admin"}, {"p", "z", "o", "read"},
		{"p2", "a", "o"}, {"p", "a", "o", "read"}, {"g", "bob", "admin"},
	}
	for _, l := range lines {
		if err := persist.LoadPolicyArray(l, m); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, r := range enforcer.ModelRules(m) {
		got = append(got, r.String())
	}
	want := []string{"p, z, o, read", "p, a, o, read", "p2, a, o", "p3, b, o", "g, alice, admin", "g, bob, admin", "g2, x, y"}
	if !slices.Equal(got, want) {
		t.Errorf("ModelRules = %q,\nwant %q", got, want)
	}
	if n := len(enforcer.ModelRules(nil)); n != 0 {
		t.Errorf("ModelRules(nil) = %d rules", n)
	}
}
