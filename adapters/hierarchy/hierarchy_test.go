package hierarchy_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/hierarchy"
	"github.com/wardenhq/warden/permission"
)

var graph = hierarchy.Graph{
	Parents: map[string][]string{
		"admin":  {"editor", "auditor"},
		"editor": {"viewer"},
		"intern": {"editor"},
	},
	Permissions: map[string][]string{
		"viewer":  {"posts:read", "comments:read"},
		"editor":  {"posts:*", "comments:write"},
		"auditor": {"logs:read"},
		"intern":  {"!posts:delete"},
		"admin":   {"*"},
	},
}

func TestExpand(t *testing.T) {
	e, err := hierarchy.Expand(graph)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		roles     []string
		wantRoles []string
		wantPerms []string
	}{
		{[]string{"viewer"}, []string{"viewer"}, []string{"posts:read", "comments:read"}},
		// posts:read is dropped: posts:* already grants it.
		{[]string{"editor"}, []string{"editor", "viewer"}, []string{"posts:*", "comments:write", "comments:read"}},
		{[]string{"admin"}, []string{"admin", "editor", "auditor", "viewer"}, []string{"*"}},
		{[]string{"intern"}, []string{"intern", "editor", "viewer"}, []string{"!posts:delete", "posts:*", "comments:write", "comments:read"}},
		{[]string{"viewer", "auditor"}, []string{"viewer", "auditor"}, []string{"posts:read", "comments:read", "logs:read"}},
		{[]string{"unknown"}, []string{"unknown"}, []string{}},
		{nil, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.roles, "+"), func(t *testing.T) {
			if got := e.Roles(tt.roles); !reflect.DeepEqual(got, tt.wantRoles) {
				t.Errorf("Roles = %v, want %v", got, tt.wantRoles)
			}
			if got := e.Permissions(tt.roles); !reflect.DeepEqual(got, tt.wantPerms) {
				t.Errorf("Permissions = %v, want %v", got, tt.wantPerms)
			}
		})
	}
}

// The reduced permission set decides exactly like the full one.
func TestReductionKeepsDecisions(t *testing.T) {
	e, _ := hierarchy.Expand(graph)
	full := map[string][]string{
		"intern": {"!posts:delete", "posts:*", "comments:write", "posts:read", "comments:read"},
		"admin":  {"*", "posts:*", "comments:write", "logs:read", "posts:read", "comments:read"},
	}
	for role, all := range full {
		got := e.Permissions([]string{role})
		for _, req := range []string{"posts:read", "posts:delete", "comments:read", "logs:read", "users:delete", "posts"} {
			if permission.Allowed(got, req) != permission.Allowed(all, req) {
				t.Errorf("%s %s: reduced %v and full %v disagree", role, req, got, all)
			}
		}
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		name string
		g    hierarchy.Graph
		err  error
		msg  string
	}{
		{"self", hierarchy.Graph{Parents: map[string][]string{"a": {"a"}}}, hierarchy.ErrCycle, "a -> a"},
		{"loop", hierarchy.Graph{Parents: map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}}, hierarchy.ErrCycle, "a -> b -> c -> a"},
		{"bad permission", hierarchy.Graph{Permissions: map[string][]string{"a": {"read posts"}}}, hierarchy.ErrInvalid, `role "a"`},
		{"empty role", hierarchy.Graph{Parents: map[string][]string{"a": {""}}}, hierarchy.ErrInvalid, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hierarchy.Expand(tt.g)
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.msg)
			}
		})
	}
}

func TestProviderExpandsOncePerChange(t *testing.T) {
	var loads atomic.Int64
	current := graph
	src := func(context.Context) (hierarchy.Graph, error) {
		loads.Add(1)
		return current, nil
	}
	direct := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		return map[string][]string{"alice": {"editor"}, "bob": {"intern"}}[tok.Identity], nil
	})
	ctx := context.Background()
	h, err := hierarchy.New(ctx, direct, src)
	if err != nil {
		t.Fatal(err)
	}
	alice := &warden.Token{Identity: "alice"}
	for range 100 {
		if g, err := h.Groups(ctx, alice); err != nil || !reflect.DeepEqual(g, []string{"editor", "viewer"}) {
			t.Fatalf("Groups = %v, %v", g, err)
		}
		if _, err := h.Permissions(ctx, alice); err != nil {
			t.Fatal(err)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Fatalf("graph loaded %d times for 200 fetches, want 1", n)
	}

	current = hierarchy.Graph{Parents: map[string][]string{"editor": {"auditor"}}, Permissions: map[string][]string{"auditor": {"logs:read"}}}
	if err := h.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := h.Permissions(ctx, alice); !reflect.DeepEqual(p, []string{"logs:read"}) {
		t.Fatalf("after Reload: %v", p)
	}
	if loads.Load() != 2 {
		t.Fatalf("loads = %d", loads.Load())
	}

	// A bad graph keeps the previous expansion.
	if err := h.Update(hierarchy.Graph{Parents: map[string][]string{"x": {"x"}}}); !errors.Is(err, hierarchy.ErrCycle) {
		t.Fatalf("Update err = %v", err)
	}
	if p, _ := h.Permissions(ctx, alice); !reflect.DeepEqual(p, []string{"logs:read"}) {
		t.Fatalf("after a bad update: %v", p)
	}
}

func TestProviderErrors(t *testing.T) {
	boom := errors.New("boom")
	ok := func(context.Context) (hierarchy.Graph, error) { return graph, nil }
	failing := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, boom })
	h, err := hierarchy.New(context.Background(), failing, ok)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := h.Groups(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, boom) || g != nil {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	if p, err := h.Permissions(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, boom) || p != nil {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
	if _, err := hierarchy.New(context.Background(), failing, func(context.Context) (hierarchy.Graph, error) {
		return hierarchy.Graph{}, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("New with failing source: %v", err)
	}
}

func ExampleNew() {
	direct := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return []string{"editor"}, nil
	})
	src := func(context.Context) (hierarchy.Graph, error) {
		return hierarchy.Graph{
			Parents:     map[string][]string{"editor": {"viewer"}},
			Permissions: map[string][]string{"viewer": {"posts:read"}, "editor": {"posts:write"}},
		}, nil
	}
	h, err := hierarchy.New(context.Background(), direct, src)
	if err != nil {
		panic(err)
	}
	tok := &warden.Token{Identity: "alice"}
	roles, _ := h.Groups(context.Background(), tok)
	perms, _ := h.Permissions(context.Background(), tok)
	fmt.Println(roles, perms)
	// Output: [editor viewer] [posts:write posts:read]
}

func TestWithUserPermissions(t *testing.T) {
	direct := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return []string{"viewer"}, nil })
	own := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return []string{"posts:*", "profile:edit"}, nil
	})
	h, err := hierarchy.New(context.Background(), direct, func(context.Context) (hierarchy.Graph, error) { return graph, nil },
		hierarchy.WithUserPermissions(own))
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Permissions(context.Background(), &warden.Token{Identity: "a"})
	if err != nil || !reflect.DeepEqual(got, []string{"posts:*", "profile:edit", "comments:read"}) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestZeroProviderIsAnError(t *testing.T) {
	var h hierarchy.Provider
	if g, err := h.Groups(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, hierarchy.ErrNotLoaded) || g != nil {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	if p, err := h.Permissions(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, hierarchy.ErrNotLoaded) || p != nil {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
}
