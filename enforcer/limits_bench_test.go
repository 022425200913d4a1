package enforcer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// BenchmarkWorstCase measures one decision against one rule whose pattern
// is as costly as the default limits allow (256 bytes, 128 regexp
// instructions, chosen so that Go's regexp keeps every thread alive), on a
// request value at the default limit of 4096 bytes that never matches. The
// figure is the bound on the work one pattern rule adds to a decision; see
// docs/performance.md. "refused" is issue 10's original case (a 10 KB
// pattern against a 100 KB path), which now never reaches a matcher.
//
//	go test -run '^$' -bench BenchmarkWorstCase -benchmem -count 6 ./enforcer
func BenchmarkWorstCase(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name, fn, pattern, key string
	}{
		{"regexMatch", "regexMatch(r.obj, p.obj)", strings.Repeat(".*a", 41) + "c", strings.Repeat("a", 4096)},
		{"keyMatch2", "keyMatch2(r.obj, p.obj)", strings.Repeat("/*", 40) + "c", strings.Repeat("/", 4096)},
		{"globMatch", "globMatch(r.obj, p.obj)", strings.Repeat("*a", 127) + "c", strings.Repeat("a", 4096)},
	}
	for _, tc := range cases {
		m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n" +
			"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && " + tc.fn + "\n")
		if err != nil {
			b.Fatal(err)
		}
		for _, path := range []struct {
			name string
			opts []enforcer.Option
		}{{"warden", nil}, {"casbin", []enforcer.Option{enforcer.WithCasbinEvaluation()}}} {
			e, err := enforcer.New(ctx, m, nil, path.opts...)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.AddRules(ctx, enforcer.P("alice", tc.pattern)); err != nil {
				b.Fatalf("%s: the worst case must be within the limits: %v", tc.name, err)
			}
			b.Run(tc.name+"/"+path.name, func(b *testing.B) {
				for b.Loop() {
					if ok, err := e.Enforce(ctx, "alice", tc.key); ok || err != nil {
						b.Fatal(ok, err)
					}
				}
			})
		}
	}
	m, err := model.NewModelFromString("[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n" +
		"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && regexMatch(r.obj, p.obj)\n")
	if err != nil {
		b.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("alice", strings.Repeat("(a|b)*", 1700))); !errors.Is(err, enforcer.ErrInvalidRule) {
		b.Fatalf("a 10 KB pattern was not refused: %v", err)
	}
	key := strings.Repeat("a", 100<<10)
	b.Run("refused", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Enforce(ctx, "alice", key); !errors.Is(err, enforcer.ErrInvalidRequest) {
				b.Fatal(err)
			}
		}
	})
}
