package parity

import (
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// TestPolicyDiffs: a rule that the two sides read from the same line with
// different values is listed once on each side; rules both hold are not.
func TestPolicyDiffs(t *testing.T) {
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[role_definition]\ng = _, _\n" +
		"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj")
	if err != nil {
		t.Fatal(err)
	}
	m.AddPolicy("p", "p", []string{"alice ", "data1"}) // Casbin kept the space before the comma
	m.AddPolicy("p", "p", []string{"bob", "data2"})
	m.AddPolicy("g", "g", []string{"carol", "admin"})
	warden := []enforcer.Rule{enforcer.P("alice", "data1"), enforcer.P("bob", "data2"), enforcer.G("carol", "admin")}
	got := policyDiffs(warden, m)
	want := []string{"casbin only: p, alice , data1", "warden only: p, alice, data1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if d := policyDiffs(warden[1:], m); len(d) != 1 {
		t.Fatalf("%q", d)
	}
}
