package permission_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/permission"
)

func TestAllowed(t *testing.T) {
	tests := []struct {
		granted  []string
		required string
		want     bool
	}{
		{[]string{"read:posts"}, "read:posts", true},
		{[]string{"read:posts"}, "read:post", false},
		{[]string{"read:posts"}, "read:posts:42", false},
		{[]string{"read:*"}, "read:posts", true},
		{[]string{"read:*"}, "write:posts", false},
		{[]string{"posts:*"}, "posts:delete", true},
		{[]string{"admin:*"}, "admin:users:delete", true},
		{[]string{"*"}, "anything:at:all", true},
		{[]string{"*", "!delete:posts"}, "delete:posts", false},
		{[]string{"!delete:posts", "*"}, "delete:posts", false},
		{[]string{"*", "!delete:*"}, "delete:users", false},
		{[]string{"*", "!delete:posts"}, "read:posts", true},
		{[]string{"!read:posts"}, "read:posts", false},
		{nil, "read:posts", false},
		{[]string{""}, "read:posts", false},
		{[]string{"READ:POSTS"}, "read:posts", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.granted, "|")+"→"+tt.required, func(t *testing.T) {
			if got := permission.Allowed(tt.granted, tt.required); got != tt.want {
				t.Fatalf("Allowed(%q, %q) = %v, want %v", tt.granted, tt.required, got, tt.want)
			}
		})
	}
}

// TestCodecAgreesWithModel: the same permissions decided by Allowed and by
// the enforcer on the embedded permissions model give the same answer.
func TestCodecAgreesWithModel(t *testing.T) {
	ctx := context.Background()
	m, err := models.Load("permissions")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	grantSets := [][]string{
		{"read:posts"}, {"read:*"}, {"*"}, {"*", "!delete:posts"}, {"posts:*", "!posts:admin"},
		{"read:posts", "write:posts"}, {"!read:posts"}, {},
	}
	required := []string{"read:posts", "write:posts", "delete:posts", "posts:admin", "posts:read", "read:users", "x"}
	for i, grants := range grantSets {
		sub := fmt.Sprintf("user%d", i)
		rules, err := permission.Rules(sub, grants)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.AddRules(ctx, rules...); err != nil {
			t.Fatal(err)
		}
		scoped, err := permission.Policies("tok"+sub, grants)
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range required {
			want := permission.Allowed(grants, req)
			stored, err := e.Enforce(ctx, sub, req)
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.Decide(ctx, enforcer.Request{Values: []any{"tok" + sub, req}, Policies: scoped})
			if err != nil {
				t.Fatal(err)
			}
			if stored != want || d.Allowed != want {
				t.Errorf("%v ⊢ %s: Allowed=%v, stored rules=%v, request-scoped=%v", grants, req, want, stored, d.Allowed)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	for _, bad := range []string{"", "!", "read posts", "read,posts", `read"posts`, "a\x00b", "\xff", strings.Repeat("a", permission.MaxLen+1), "!!x"} {
		if err := permission.Validate(bad); !errors.Is(err, permission.ErrInvalid) {
			t.Errorf("Validate(%q) = %v; want ErrInvalid", bad, err)
		}
		if _, err := permission.Rule("alice", bad); !errors.Is(err, permission.ErrInvalid) {
			t.Errorf("Rule(%q) = %v; want ErrInvalid", bad, err)
		}
	}
	// keyMatch ignores what follows the first "*": "*:read" would be "*".
	for _, star := range []string{"*:read", "warden:*check", "!*:write", "read:*:own", "**"} {
		if err := permission.Validate(star); !errors.Is(err, permission.ErrInvalid) || !errors.Is(err, permission.ErrStar) {
			t.Errorf("Validate(%q) = %v; want ErrInvalid and ErrStar", star, err)
		}
	}
	for _, good := range []string{"read:posts", "*", "posts:*", "!delete:posts", "!posts:*", "lire:articles:é"} {
		if err := permission.Validate(good); err != nil {
			t.Errorf("Validate(%q) = %v", good, err)
		}
	}
}

func TestFromRule(t *testing.T) {
	for _, p := range []string{"read:posts", "!delete:posts", "*"} {
		r, err := permission.Rule("alice", p)
		if err != nil {
			t.Fatal(err)
		}
		back, ok := permission.FromRule(r)
		if !ok || back != p {
			t.Errorf("FromRule(Rule(%q)) = %q, %v", p, back, ok)
		}
	}
	if _, ok := permission.FromRule(enforcer.G("a", "b")); ok {
		t.Error("FromRule accepted a g rule")
	}
}

func ExampleAllowed() {
	granted := []string{"posts:*", "read:*", "!posts:delete"}
	for _, p := range []string{"posts:write", "read:users", "posts:delete", "write:users"} {
		fmt.Println(p, permission.Allowed(granted, p))
	}
	// Output:
	// posts:write true
	// read:users true
	// posts:delete false
	// write:users false
}
