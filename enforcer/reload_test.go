package enforcer_test

import (
	"context"
	"runtime"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// TestReloadAllocatesWithinTwiceTheHeap holds issue 12's bound on a full
// reload, at 110,000 rules here (BenchmarkReload measures 1.1M): the bytes
// one Reload allocates, counted by the runtime (MemStats.TotalAlloc) after a
// collection, are at most twice the heap the reloaded policy holds, plus
// 1 MiB for the runtime's own. It counts bytes, not time, so a loaded
// machine does not move it. The domains shape adds the index by equal
// fields and role links per domain.
func TestReloadAllocatesWithinTwiceTheHeap(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    shape
	}{{"hierarchy-110k", hierarchyShape(1)}, {"domains-1k", domainsShape()}} {
		t.Run(tc.name, func(t *testing.T) {
			warden := loadSides[0]
			base, _ := memSnapshot()
			v := warden.load(t, tc.s, &memAdapter{rules: tc.s.rules})
			if ok, why := v.(*enforcer.Enforcer).FastPath(); !ok {
				t.Fatalf("the shape is not on the index: %s", why)
			}
			_, before := memSnapshot()
			warden.reload(t, v)
			heap, after := memSnapshot()
			if ok, err := warden.decide(v, tc.s.allow); !ok || err != nil {
				t.Fatalf("after the reload %v = %v, %v; want allowed", tc.s.allow, ok, err)
			}
			runtime.KeepAlive(v)
			alloc, held := after-before, heap-base
			t.Logf("one reload of %d rules allocates %.1f MiB; the policy holds %.1f MiB (%.2f×)",
				len(tc.s.rules), float64(alloc)/(1<<20), float64(held)/(1<<20), float64(alloc)/float64(held))
			if limit := 2*held + 1<<20; alloc > limit {
				t.Fatalf("one reload allocates %d bytes, over twice the %d bytes the policy holds (+1 MiB)", alloc, held)
			}
		})
	}
}

// TestRoleListsDoNotShareValues: the first role of a name is kept as a
// slice of its g rule's values (roleGraph.add); a second role for the same
// name in the same domain must copy it, not write over the rule's domain,
// whichever way the rules came in.
func TestRoleListsDoNotShareValues(t *testing.T) {
	ctx := context.Background()
	rules := []enforcer.Rule{
		enforcer.G("alice", "reader", "t1"),
		enforcer.G("alice", "writer", "t1"),
		enforcer.P("reader", "t1", "data", "read"),
		enforcer.P("writer", "t1", "data", "write"),
	}
	m, err := model.NewModelFromString(domainsModel)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := enforcer.New(ctx, m, &memAdapter{rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	added, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := added.AddRules(ctx, rules...); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*enforcer.Enforcer{"loaded": loaded, "added": added} {
		var got []string
		for _, r := range e.Rules("g") {
			got = append(got, r.String())
		}
		if want := []string{"g, alice, reader, t1", "g, alice, writer, t1"}; !slices.Equal(got, want) {
			t.Errorf("%s: g rules = %q, want %q", name, got, want)
		}
		for _, act := range []string{"read", "write"} {
			if ok, err := e.Enforce(ctx, "alice", "t1", "data", act); !ok || err != nil {
				t.Errorf("%s: alice %s = %v, %v; want allowed", name, act, ok, err)
			}
		}
		if _, err := e.ApplyRemoved(enforcer.G("alice", "reader", "t1")); err != nil {
			t.Fatal(err)
		}
		if ok, _ := e.Enforce(ctx, "alice", "t1", "data", "read"); ok {
			t.Errorf("%s: alice still reads after her reader link went", name)
		}
		if ok, _ := e.Enforce(ctx, "alice", "t1", "data", "write"); !ok {
			t.Errorf("%s: alice lost write with her reader link", name)
		}
	}
}
