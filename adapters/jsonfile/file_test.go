package jsonfile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/jsonfile"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	writeFile(t, path, good)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	john := &warden.Token{Identity: "john"}
	g, err := f.Groups(ctx, john)
	if err != nil || !reflect.DeepEqual(g, []string{"editor"}) {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	p, err := f.Permissions(ctx, john)
	if err != nil || !reflect.DeepEqual(p, []string{"read:posts", "write:posts"}) {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
	for _, id := range []string{"John", "john ", "nobody"} {
		if g, err := f.Groups(ctx, &warden.Token{Identity: id}); err != nil || len(g) != 0 || g == nil {
			t.Fatalf("Groups(%q) = %#v, %v", id, g, err)
		}
	}
	if _, err := f.Groups(ctx, &warden.Token{}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("no identity: %v", err)
	}
	g[0] = "admin"
	if again, _ := f.Groups(ctx, john); again[0] != "editor" {
		t.Fatal("caller changed the file's data through a returned slice")
	}
}

func TestBadReloadKeepsLastGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	writeFile(t, path, good)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "{\n\"users\": {\"john\": [\"*\"],}\n}")
	err = f.Reload(context.Background())
	var pe *jsonfile.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.File != path {
		t.Fatalf("Reload err = %v", err)
	}
	p, _ := f.Permissions(context.Background(), &warden.Token{Identity: "john"})
	if !reflect.DeepEqual(p, []string{"read:posts", "write:posts"}) {
		t.Fatalf("after a bad reload: %v", p)
	}
	os.Remove(path)
	if err := f.Reload(context.Background()); err == nil {
		t.Fatal("reload of a missing file succeeded")
	}
	if _, err := jsonfile.Open(path); err == nil {
		t.Fatal("Open of a missing file succeeded")
	}
}

func TestLoadsIntoEnforcer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	writeFile(t, path, good)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := enforcer.New(ctx, m, f)
	if err != nil {
		t.Fatal(err)
	}
	check := func(sub, perm string, want bool) {
		t.Helper()
		if got, err := e.Enforce(ctx, sub, perm); err != nil || got != want {
			t.Errorf("Enforce(%s, %s) = %v, %v; want %v", sub, perm, got, err, want)
		}
	}
	check("john", "write:posts", true)
	check("john", "delete:posts", false)
	check("mary", "read:posts", false)

	writeFile(t, path, `{"users": {"mary": ["read:*"]}, "user_roles": {"john": ["banned"]}, "roles": {"banned": ["!*"]}}`)
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check("mary", "read:posts", true)
	check("john", "read:posts", false)

	writeFile(t, path, `{"users": {"mary": ["read *"]}}`)
	if err := e.Reload(ctx); !errors.Is(err, jsonfile.ErrValue) {
		t.Fatalf("bad reload err = %v", err)
	}
	check("mary", "read:posts", true) // last good policy still in force

	if _, err := e.AddRules(ctx, enforcer.G("x", "y")); err != nil {
		t.Fatalf("AddRules on a read-only file should stay in memory, got %v", err)
	}
}

func TestZeroFileIsAnError(t *testing.T) {
	var f jsonfile.File
	if g, err := f.Groups(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, jsonfile.ErrNotLoaded) || g != nil {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	if p, err := f.Permissions(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, jsonfile.ErrNotLoaded) || p != nil {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
}
