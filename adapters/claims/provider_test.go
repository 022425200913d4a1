package claims_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
)

// decode parses claims the way a JWT library hands them over.
func decode(t testing.TB, s string) *warden.Token {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return &warden.Token{Claims: m, Identity: "alice"}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		name    string
		opts    []claims.Option
		claims  string
		want    []string
		wantErr error
	}{
		{"cognito list", nil, `{"cognito:groups":["admin","dev","admin"]}`, []string{"admin", "dev"}, nil},
		{"groups claim", nil, `{"groups":["a"]}`, []string{"a"}, nil},
		{"space separated", []claims.Option{claims.WithGroupsClaim("roles")}, `{"roles":"a b  c"}`, []string{"a", "b", "c"}, nil},
		{"comma separated", []claims.Option{claims.WithGroupsClaim("roles")}, `{"roles":"a,b, c,,"}`, []string{"a", "b", "c"}, nil},
		{"keycloak realm", []claims.Option{claims.WithGroupsClaim("realm_access.roles")}, `{"realm_access":{"roles":["offline","user"]}}`, []string{"offline", "user"}, nil},
		{"keycloak client", []claims.Option{claims.WithGroupsClaim("resource_access.my-api.roles")}, `{"resource_access":{"my-api":{"roles":["editor"]},"other":{"roles":["root"]}}}`, []string{"editor"}, nil},
		{"escaped dot key", []claims.Option{claims.WithGroupsClaim(`https://example\.com/roles`)}, `{"https://example.com/roles":["x"],"https://example":{"com/roles":["wrong"]}}`, []string{"x"}, nil},
		{"Path verbatim", []claims.Option{claims.WithGroupsPath(claims.Path("https://example.com/roles"))}, `{"https://example.com/roles":["x"]}`, []string{"x"}, nil},
		{"fallback order", []claims.Option{claims.WithGroupsClaim("a", "b")}, `{"b":["from-b"]}`, []string{"from-b"}, nil},
		{"missing is empty", nil, `{"sub":"alice"}`, []string{}, nil},
		{"missing required", []claims.Option{claims.Required()}, `{"sub":"alice"}`, nil, claims.ErrMissing},
		{"number", nil, `{"groups":7}`, nil, claims.ErrClaimType},
		{"object", nil, `{"groups":{"a":1}}`, nil, claims.ErrClaimType},
		{"list with a number", nil, `{"groups":["a",1]}`, nil, claims.ErrClaimType},
		{"path through a string", []claims.Option{claims.WithGroupsClaim("realm_access.roles")}, `{"realm_access":"roles"}`, nil, claims.ErrClaimType},
		{"scope never a group by default", nil, `{"scope":"api/admin read"}`, []string{}, nil},
		{"scope with prefix", []claims.Option{claims.WithScopeGroups("api/")}, `{"scope":"api/admin read api/ops"}`, []string{"admin", "ops"}, nil},
		{"scp list with prefix", []claims.Option{claims.WithScopeGroups("api/")}, `{"scp":["api/admin","admin"]}`, []string{"admin"}, nil},
		{"scope groups join claim groups", []claims.Option{claims.WithScopeGroups("grp:")}, `{"groups":["a"],"scope":"grp:b grp:a"}`, []string{"a", "b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := claims.New(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Groups(context.Background(), decode(t, tt.claims))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []claims.Option
		claims  string
		want    []string
		wantErr error
	}{
		{"permissions list", nil, `{"permissions":["read:posts","posts:*"],"scope":"openid"}`, []string{"read:posts", "posts:*"}, nil},
		{"scope string", nil, `{"scope":"read:posts write:posts"}`, []string{"read:posts", "write:posts"}, nil},
		{"scp list", nil, `{"scp":["read:posts"]}`, []string{"read:posts"}, nil},
		{"custom claim", []claims.Option{claims.WithPermissionsClaim("ext.perms")}, `{"ext":{"perms":"a:b,c:d"}}`, []string{"a:b", "c:d"}, nil},
		{"none", nil, `{}`, []string{}, nil},
		{"invalid permission", nil, `{"permissions":["read\"posts"]}`, nil, nil},
		{"wrong type", nil, `{"permissions":true}`, nil, claims.ErrClaimType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := claims.New(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Permissions(context.Background(), decode(t, tt.claims))
			if tt.want == nil {
				if err == nil || got != nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestNoToken(t *testing.T) {
	p, _ := claims.New()
	if _, err := p.Groups(context.Background(), nil); !errors.Is(err, claims.ErrNoToken) {
		t.Fatalf("Groups(nil) err = %v", err)
	}
	if _, err := p.Permissions(context.Background(), &warden.Token{}); !errors.Is(err, claims.ErrNoToken) {
		t.Fatalf("Permissions(no claims) err = %v", err)
	}
}

func TestOptionsRejectBadConfig(t *testing.T) {
	for name, opt := range map[string]claims.Option{
		"empty scope prefix": claims.WithScopeGroups(""),
		"empty path":         claims.WithGroupsClaim(""),
		"empty key":          claims.WithGroupsClaim("a..b"),
		"bad escape":         claims.WithGroupsClaim(`a\b`),
		"empty Path":         claims.WithGroupsPath(claims.Path()),
	} {
		if _, err := claims.New(opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestParsePathRoundTrip(t *testing.T) {
	for _, s := range []string{"cognito:groups", "realm_access.roles", `https://a\.b/roles`, `back\\slash.x`} {
		p, err := claims.ParsePath(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if p.String() != s {
			t.Errorf("round trip %q -> %q", s, p.String())
		}
	}
	p, _ := claims.ParsePath(`https://a\.b/roles.x`)
	if !reflect.DeepEqual([]string(p), []string{"https://a.b/roles", "x"}) {
		t.Fatalf("got %q", p)
	}
}

func Example() {
	p, err := claims.New(claims.WithGroupsClaim("resource_access.my-api.roles"))
	if err != nil {
		panic(err)
	}
	tok := &warden.Token{Identity: "alice", Claims: map[string]any{
		"resource_access": map[string]any{"my-api": map[string]any{"roles": []any{"editor", "viewer"}}},
		"scope":           "read:posts api/admin",
	}}
	groups, _ := p.Groups(context.Background(), tok)
	perms, _ := p.Permissions(context.Background(), tok)
	fmt.Println(groups, perms)
	// Output: [editor viewer] [read:posts api/admin]
}

func BenchmarkGroups(b *testing.B) {
	p, _ := claims.New(claims.WithGroupsClaim("realm_access.roles"))
	tok := decode(b, `{"realm_access":{"roles":["a","b","c","d"]},"scope":"x y"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Groups(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPermissions(b *testing.B) {
	p, _ := claims.New()
	tok := decode(b, `{"scope":"read:posts write:posts delete:posts"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Permissions(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"cognito:groups", "realm_access.roles", `a\.b.c`, `x\\.y`, "..", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := claims.ParsePath(s)
		if err != nil {
			return
		}
		again, err := claims.ParsePath(p.String())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("%q -> %q -> %q, %v", s, p, again, err)
		}
	})
}
