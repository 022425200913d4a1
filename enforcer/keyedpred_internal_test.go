package enforcer

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeyedPredDropsOnlyTheRoleTerm pins which matchers the index's
// candidates are matched without their role term (compiledModel.predKeyed)
// and that only that term goes: on a rule whose role field the subject
// does not reach, predKeyed is what the rest of the matcher says, while
// pred, for every other rule, still says no.
func TestKeyedPredDropsOnlyTheRoleTerm(t *testing.T) {
	cases := []struct {
		matcher string
		keyed   bool
	}{
		{"g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", true},
		{"r.act == p.act && g(r.sub, p.sub) && underPath(r.obj, p.obj)", true},
		{"g(r.sub, p.sub) && underPath(r.obj, p.obj) && r.act == p.act", true},
		{"g(r.sub, p.sub) && g(r.sub, p.obj) && r.act == p.act", true},                    // g(r.sub, p.obj) stays
		{"g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && r.act == p.act", false},           // a pattern field: the key is a prefix
		{"r.sub == 'root' || g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act", false}, // a guard
		{"r.sub == p.sub && r.obj == p.obj && r.act == p.act", false},                     // no role term
		{"(g(r.sub, p.sub) && r.obj == p.obj) && r.act == p.act", false},                  // not planned
	}
	under := func(args ...any) (any, error) { return args[0] == args[1], nil }
	for _, c := range cases {
		text := "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[role_definition]\ng = _, _\n" +
			"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = " + c.matcher + "\n"
		opts := []Option{WithFunction("underPath", under)}
		m, err := ParseModel(text, opts...)
		if err != nil {
			t.Fatal(err)
		}
		w, err := New(context.Background(), m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		st := w.eng.(*state)
		cm := st.cm
		if got := cm.predKeyed != nil; got != c.keyed {
			t.Errorf("%s: keyed %v, want %v", c.matcher, got, c.keyed)
			continue
		}
		if !c.keyed {
			continue
		}
		ev := newEvalCtx()
		ev.init(cm, st, Request{Values: []any{"alice", "/a", "read"}})
		for _, tc := range []struct {
			p    []string
			want bool
		}{
			{[]string{"stranger", "/a", "read"}, true},
			{[]string{"stranger", "/b", "read"}, false},
			{[]string{"stranger", "/a", "write"}, false},
		} {
			want := tc.want
			if c.matcher == "g(r.sub, p.sub) && g(r.sub, p.obj) && r.act == p.act" {
				want = false // g(alice, /a) holds for no link
			}
			if ok, err := cm.predKeyed(ev, tc.p); err != nil || ok != want {
				t.Errorf("%s: predKeyed(%q) = %v %v, want %v", c.matcher, tc.p, ok, err, want)
			}
			if ok, err := cm.pred(ev, tc.p); err != nil || ok {
				t.Errorf("%s: pred(%q) = %v %v: the subject reaches no role", c.matcher, tc.p, ok, err)
			}
		}
		putEval(ev)
	}
}

// TestSortBySeq: sortBySeq puts rules in policy order, for lists short
// enough to be insertion-sorted and longer ones, runs in order or not.
func TestSortBySeq(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 70 {
		for trial := range 20 {
			rs := make([]*storedRule, n)
			for i := range rs {
				rs[i] = &storedRule{seq: uint64(r.IntN(1000))*100 + uint64(i)}
			}
			if trial%2 == 0 { // a few sorted runs, as the index gives them
				runs := 1 + r.IntN(4)
				for k := 0; k < runs; k++ {
					lo, hi := k*n/runs, (k+1)*n/runs
					slices.SortFunc(rs[lo:hi], func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
				}
			}
			want := slices.Clone(rs)
			slices.SortFunc(want, func(a, b *storedRule) int { return cmp.Compare(a.seq, b.seq) })
			sortBySeq(rs)
			if !slices.Equal(rs, want) {
				t.Fatalf("n=%d: not in seq order", n)
			}
		}
	}
}
