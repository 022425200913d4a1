package enforcer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestHasLenFields: Has, Len and Fields answer as Rules and the model do,
// on the fast path and on Casbin's evaluation alike, and follow changes.
func TestHasLenFields(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	casbinOnly, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy, enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*enforcer.Enforcer{"fast path": newConf(t), "casbin": casbinOnly} {
		t.Run(name, func(t *testing.T) {
			for _, pt := range []string{"p", "g", "p2", "g2", "", "r", "e", "m"} {
				if got, want := e.Len(pt), len(e.Rules(pt)); got != want {
					t.Errorf("Len(%q) = %d, Rules has %d", pt, got, want)
				}
			}
			if e.Len("p") == 0 || e.Len("g") == 0 {
				t.Fatal("the default policy has no p or g rules")
			}
			for _, pt := range []string{"p", "g"} {
				for _, r := range e.Rules(pt) {
					if !e.Has(pt, r.Values) {
						t.Errorf("Has(%s) = false for a rule Rules lists", r)
					}
				}
			}
			absent := []enforcer.Rule{
				enforcer.P("nobody", "/x", "GET", "allow"),
				{PType: "p", Values: []string{"viewer", "/posts/:id"}}, // too few values
				{PType: "p2", Values: []string{"viewer", "/posts/:id", "GET", "allow"}},
				{PType: "", Values: nil},
				{PType: "r", Values: []string{"alice", "/posts", "GET"}},
				{PType: "g", Values: []string{"alice"}},
			}
			for _, r := range absent {
				if e.Has(r.PType, r.Values) {
					t.Errorf("Has(%q, %q) = true", r.PType, r.Values)
				}
			}
			add := enforcer.G("dave", "auditor")
			n := e.Len("g")
			if _, err := e.AddRules(ctx, add); err != nil {
				t.Fatal(err)
			}
			if !e.Has("g", add.Values) || e.Len("g") != n+1 {
				t.Errorf("after adding %s: Has = %v, Len = %d (was %d)", add, e.Has("g", add.Values), e.Len("g"), n)
			}
			if _, err := e.RemoveRules(ctx, add); err != nil {
				t.Fatal(err)
			}
			if e.Has("g", add.Values) || e.Len("g") != n {
				t.Errorf("after removing %s: Has = %v, Len = %d (was %d)", add, e.Has("g", add.Values), e.Len("g"), n)
			}
			fields := map[string][]string{
				"r": {"sub", "obj", "act"}, "p": {"sub", "obj", "act", "eft"}, "g": {"_", "_"},
				"p2": nil, "g2": nil, "e": nil, "m": nil, "": nil,
			}
			for pt, want := range fields {
				if got := e.Fields(pt); !slices.Equal(got, want) {
					t.Errorf("Fields(%q) = %q, want %q", pt, got, want)
				}
			}
		})
	}
}

// TestHasLenDoNotCopy: Has and Len cost the same on a policy of 100,000
// rules as on one of ten, and allocate nothing, and Fields allocates only
// its result; Rules, what callers used before, allocates per rule.
func TestHasLenDoNotCopy(t *testing.T) {
	e := newConf(t)
	rules := make([]enforcer.Rule, 100_000)
	for i := range rules {
		rules[i] = enforcer.P(fmt.Sprintf("user%d", i), "/data", "GET", "allow")
	}
	if _, err := e.ApplyAdded(rules...); err != nil {
		t.Fatal(err)
	}
	probe := rules[len(rules)/2].Values
	if a := testing.AllocsPerRun(100, func() {
		if !e.Has("p", probe) {
			t.Fatal("Has: rule missing")
		}
	}); a != 0 {
		t.Errorf("Has allocates %.0f times per call on 100,000 rules", a)
	}
	if a := testing.AllocsPerRun(100, func() {
		if e.Len("p") < len(rules) {
			t.Fatal("Len: rules missing")
		}
	}); a != 0 {
		t.Errorf("Len allocates %.0f times per call on 100,000 rules", a)
	}
	// Fields copies the request's three names, once per call: /v1/check
	// asks it on every request, where Model copied the whole model.
	if a := testing.AllocsPerRun(100, func() {
		if len(e.Fields("r")) != 3 {
			t.Fatal("Fields: the request has not 3 fields")
		}
	}); a != 1 {
		t.Errorf("Fields allocates %.0f times per call, want 1 (its result)", a)
	}
	if a := testing.AllocsPerRun(2, func() { _ = e.Rules("p") }); a < float64(len(rules)) {
		t.Errorf("Rules allocates %.0f times on 100,000 rules: the comparison no longer shows anything", a)
	}
}
