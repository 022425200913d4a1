package enforcer_test

import (
	"context"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// TestHasValuesThatJoinLikeARule: Has answers for exactly the values
// asked. Values that hold NUL, fewer of them than the ptype has, can join
// like a stored rule's values (the key the policy's de-duplication once
// looked a rule up by); they are no rule of the policy, on either engine.
func TestHasValuesThatJoinLikeARule(t *testing.T) {
	ctx := context.Background()
	for _, casbinOnly := range []bool{false, true} {
		m, err := model.NewModelFromString(rbacModel)
		if err != nil {
			t.Fatal(err)
		}
		var opts []enforcer.Option
		if casbinOnly {
			opts = append(opts, enforcer.WithCasbinEvaluation())
		}
		e, err := enforcer.New(ctx, m, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, enforcer.P("alice", "/a", "read"), enforcer.G("bob", "alice")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			ptype string
			vals  []string
			want  bool
		}{
			{"p", []string{"alice", "/a", "read"}, true},
			{"g", []string{"bob", "alice"}, true},
			{"p", []string{"alice", "/a\x00read"}, false},
			{"p", []string{"alice\x00/a", "read"}, false},
			{"p", []string{"alice\x00/a\x00read"}, false},
			{"g", []string{"bob\x00alice"}, false},
		} {
			if got := e.Has(tc.ptype, tc.vals); got != tc.want {
				t.Errorf("casbin only %v: Has(%s, %q) = %v, want %v", casbinOnly, tc.ptype, tc.vals, got, tc.want)
			}
		}
	}
}
