package enforcer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

func TestRulesFor(t *testing.T) {
	e := newConf(t)
	got, err := e.RulesFor(context.Background(), enforcer.Subject{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, g := range got {
		lines = append(lines, g.Rule.String()+" via "+strings.Join(g.Chain, ">"))
	}
	want := []string{
		"p, viewer, /posts, GET, allow via bob>editor>viewer",
		"p, viewer, /posts/:id, GET, allow via bob>editor>viewer",
		"p, viewer, /posts/:id/comments, GET, allow via bob>editor>viewer",
		"p, editor, /posts, POST, allow via bob>editor",
		"p, editor, /posts/:id, PUT, allow via bob>editor",
		"p, editor, /posts/:id/comments, POST, allow via bob>editor",
		"p, bob, /posts/:id/comments, *, deny via bob",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("RulesFor(bob) =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	scoped, err := e.RulesFor(context.Background(), enforcer.Subject{
		Name: "dave", Groups: []string{"viewer"},
		Policies: [][]string{{"dave", "/own", "GET", "allow"}, {"someone-else", "/x", "GET", "allow"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(scoped) != 4 || scoped[3].Rule.Values[0] != "dave" {
		t.Fatalf("RulesFor(dave with viewer) = %v; want viewer's three rules and dave's own", scoped)
	}
}

// TestRulesForMatchesDecisions checks listing against deciding on generated
// policies: every rule listed for a subject can decide one of its requests,
// and every allowed request's rule is listed.
func TestRulesForMatchesDecisions(t *testing.T) {
	ctx := context.Background()
	for _, dm := range []diffModel{diffModels[0], diffModels[1], diffModels[5]} {
		t.Run(dm.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 20; seed++ {
				r := rand.New(rand.NewPCG(seed, 7))
				w, _ := pair(t, dm.text, genPolicy(r, dm), nil, "")
				for u := 0; u < 12; u++ {
					sub := fmt.Sprintf("user%d", u)
					dom := []string{"t1", "t2", "t3"}[u%3]
					grants, err := w.RulesFor(ctx, enforcer.Subject{Name: sub, Domain: dom})
					if err != nil {
						t.Fatal(err)
					}
					listed := map[string]bool{}
					for _, g := range grants {
						listed[g.Rule.String()] = true
						if eft := g.Rule.Values[len(g.Rule.Values)-1]; dm.eft && eft != "allow" && eft != "deny" {
							continue // an effect Casbin ignores decides nothing
						}
						// Asking for exactly the rule's object and action
						// must reach it (it may still be outranked by a deny).
						vals := []any{sub}
						if dm.domains {
							vals = append(vals, dom)
						}
						off := len(vals)
						vals = append(vals, g.Rule.Values[off], g.Rule.Values[off+1])
						x, err := w.Explain(ctx, enforcer.NewRequest(vals...))
						if err != nil {
							t.Fatal(err)
						}
						if x.Rule.IsZero() {
							t.Fatalf("%s lists %s but asking for it matches no rule", sub, g.Rule)
						}
					}
					for _, obj := range []string{"data0", "data1", "data2", "data3", "data4", "data5"} {
						for _, act := range []string{"read", "write"} {
							vals := []any{sub}
							if dm.domains {
								vals = append(vals, dom)
							}
							vals = append(vals, obj, act)
							d, err := w.Decide(ctx, enforcer.NewRequest(vals...))
							if err != nil {
								t.Fatal(err)
							}
							if !d.Rule.IsZero() && !listed[d.Rule.String()] {
								t.Fatalf("%v decided by %s, which RulesFor does not list", vals, d.Rule)
							}
						}
					}
				}
			}
		})
	}
}

func TestRulesForUnsupported(t *testing.T) {
	m, err := enforcer.ParseModel("[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && r.obj == p.obj && r.act == p.act\n")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.RulesFor(context.Background(), enforcer.Subject{Name: "a"}); !errors.Is(err, enforcer.ErrUnsupported) {
		t.Fatalf("RulesFor without a role term = %v; want ErrUnsupported", err)
	}
}

func BenchmarkRulesFor(b *testing.B) {
	ctx := context.Background()
	s := benchShapes()["rbac-large"]
	w := buildWarden(b, s)
	b.Run("rbac-large/warden", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, err := w.RulesFor(ctx, enforcer.Subject{Name: "user50001"})
			if err != nil || len(g) != 1 {
				b.Fatalf("RulesFor = %v, %v", g, err)
			}
		}
	})
}

func TestRoles(t *testing.T) {
	e := newConf(t)
	ctx := context.Background()
	tests := []struct {
		given enforcer.Subject
		want  []string
	}{
		{enforcer.Subject{Name: "alice"}, []string{"admin", "editor", "viewer"}},
		{enforcer.Subject{Name: "carol"}, []string{"viewer"}},
		{enforcer.Subject{Name: "nobody"}, []string{}},
		{enforcer.Subject{Name: "dave", Groups: []string{"editor"}}, []string{"editor", "viewer"}},
	}
	for _, tt := range tests {
		got, err := e.Roles(ctx, tt.given)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Roles(%+v) = %v, %v; want %v", tt.given, got, err, tt.want)
		}
	}
}
