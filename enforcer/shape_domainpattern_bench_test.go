package enforcer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// The domain-pattern shape: tenants whose rules and role links name their
// domain by pattern ("tenant7/*"), with the same five roles in every
// tenant, so that a role's rules span every tenant and only the domain
// pattern tells them apart. The matcher contains keyMatch(r.dom, p.dom),
// so Casbin (and Warden) also read the links' domains as keyMatch
// patterns.
//
//	go test -run '^$' -bench BenchmarkShapeDomainPattern -benchmem ./enforcer

const domainPatternBenchModel = `[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && keyMatch2(r.obj, p.obj) && r.act == p.act`

// domainPatternShape has n p rules: n/20 tenants, each with five roles of
// four rules (two object patterns, two actions); per tenant an admin
// linked in the tenant's pattern domain and a viewer in one of its
// regions, and one operator linked in "*".
func domainPatternShape(n int) shape {
	s := shape{model: domainPatternBenchModel}
	roles := []string{"admin", "editor", "viewer", "auditor", "billing"}
	tenants := n / 20
	for t := 0; t < tenants; t++ {
		dom := fmt.Sprintf("tenant%d/*", t)
		for _, role := range roles {
			for _, obj := range []string{"/projects/:id", "/" + role + "/*"} {
				for _, act := range []string{"read", "write"} {
					s.rules = append(s.rules, enforcer.P(role, dom, obj, act))
				}
			}
		}
		s.rules = append(s.rules,
			enforcer.G(fmt.Sprintf("admin%d", t), "admin", dom),
			enforcer.G(fmt.Sprintf("viewer%d", t), "viewer", fmt.Sprintf("tenant%d/east", t)))
	}
	s.rules = append(s.rules, enforcer.G("operator", "auditor", "*"))
	t := tenants / 2
	s.allow = []any{fmt.Sprintf("admin%d", t), fmt.Sprintf("tenant%d/east", t), "/projects/42", "write"}
	s.deny = []any{fmt.Sprintf("admin%d", t), fmt.Sprintf("tenant%d/east", t+1), "/projects/42", "write"}
	return s
}

func BenchmarkShapeDomainPattern(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("warden/rules=%d", n), func(b *testing.B) {
			s := domainPatternShape(n)
			w := buildWarden(b, s)
			if ok, reason := w.FastPath(); !ok {
				b.Fatalf("not on the index: %s", reason)
			}
			for req, want := range map[*[]any]bool{&s.allow: true, &s.deny: false} {
				if ok, err := w.Enforce(ctx, (*req)...); err != nil || ok != want {
					b.Fatalf("%v: %v %v, want %v", *req, ok, err, want)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				_, _ = w.Enforce(ctx, s.allow...)
			}
		})
		b.Run(fmt.Sprintf("casbin/rules=%d", n), func(b *testing.B) {
			s := domainPatternShape(n)
			c := buildCasbin(b, s)
			for req, want := range map[*[]any]bool{&s.allow: true, &s.deny: false} {
				if ok, err := c.Enforce((*req)...); err != nil || ok != want {
					b.Fatalf("%v: %v %v, want %v", *req, ok, err, want)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.Enforce(s.allow...)
			}
		})
	}
}
