package enforcer_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestRuleSetsUnderReaders: decisions of two definitions (one of them
// priority(p.eft), which walks its rules in order), Has, Len and Rules go on
// while writers add and remove thousands of rules of four ptypes (p, p2, g,
// g2), each round crossing the rebuild threshold: every reader sees the
// rules that never change, in their place, and each round rebuilds the
// policy once. Run under -race, this is the rule sets read beside their
// writes and the swap of a rebuilt state.
func TestRuleSetsUnderReaders(t *testing.T) {
	ctx := context.Background()
	stable := []enforcer.Rule{
		enforcer.P("alice", "/a", "read", "allow"),
		enforcer.G("bob", "alice"),
		{PType: "g2", Values: []string{"bob", "admin", "d1"}},
		{PType: "p2", Values: []string{"admin", "d1", "o1", "allow"}},
		{PType: "p2", Values: []string{"bob", "d1", "o1", "deny"}},
	}
	e := planEnforcer(t, twoDefsModel, stable...)
	two := enforcer.Request{Definition: enforcer.Definitions("2"), Values: []any{"bob", "d1", "o1"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	check := func(what string, ok bool) bool {
		if !ok {
			t.Errorf("%s, during the churn", what)
		}
		return ok
	}
	reader := func(read func() bool) {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if !read() {
					return
				}
			}
		})
	}
	reader(func() bool {
		ok, err := e.Enforce(ctx, "bob", "/a", "read")
		if !check(fmt.Sprintf("bob /a read = %v, %v", ok, err), ok && err == nil) {
			return false
		}
		// The first p2 rule bob reaches decides: the allow through admin.
		d, err := e.Decide(ctx, two)
		return check(fmt.Sprintf("p2 bob d1 o1 = %+v, %v", d, err),
			err == nil && d.Allowed && slices.Equal(d.Rule.Values, stable[3].Values))
	})
	hasAll := func() bool {
		for _, r := range stable {
			if !check(fmt.Sprintf("Has %v = false", r), e.Has(r.PType, r.Values)) {
				return false
			}
		}
		got := e.Rules("p2")
		if !check(fmt.Sprintf("Rules(p2) starts %v", got[:min(2, len(got))]),
			len(got) >= 2 && slices.Equal(got[0].Values, stable[3].Values) && slices.Equal(got[1].Values, stable[4].Values)) {
			return false
		}
		return check(fmt.Sprintf("Len(g2) = %d", e.Len("g2")), e.Len("g2") >= 1)
	}
	reader(hasAll)
	reader(hasAll) // two at once: a lookup shares nothing with another
	const rounds = 3
	for round := range rounds {
		var fill []enforcer.Rule
		for i := range 5000 {
			s := fmt.Sprintf("f%d-%d", round, i)
			switch i % 4 {
			case 0:
				fill = append(fill, enforcer.P(s, "/f", "read", "allow"))
			case 1:
				fill = append(fill, enforcer.Rule{PType: "p2", Values: []string{s, "d1", "o1", "deny"}})
			case 2:
				fill = append(fill, enforcer.G(s, "alice"))
			default:
				fill = append(fill, enforcer.Rule{PType: "g2", Values: []string{s, "admin", "d1"}})
			}
		}
		if n, err := e.AddRules(ctx, fill...); n != len(fill) || err != nil {
			t.Fatalf("round %d: added %d of %d, %v", round, n, len(fill), err)
		}
		for i := 0; i < len(fill); i += 500 {
			if _, err := e.RemoveRules(ctx, fill[i:i+500]...); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	if n := enforcer.Compactions(e); n != rounds {
		t.Fatalf("%d rebuilds, want one a round (%d)", n, rounds)
	}
	for _, pt := range []string{"p", "p2", "g", "g2"} {
		var want []enforcer.Rule
		for _, r := range stable {
			if r.PType == pt {
				want = append(want, r)
			}
		}
		if got := e.Rules(pt); !slices.EqualFunc(got, want, func(a, b enforcer.Rule) bool { return a.String() == b.String() }) || e.Len(pt) != len(want) {
			t.Fatalf("%s after the churn: %v (Len %d), want %v", pt, got, e.Len(pt), want)
		}
	}
}
