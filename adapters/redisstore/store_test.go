package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// newStore returns a Store on the test Redis under a prefix no other test
// uses, and deletes its keys afterwards.
func newStore(t *testing.T) (*redisstore.Store, *redis.Client, string) {
	t.Helper()
	addr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run the Redis tests (see 'Quick start' in README.md; bash .ci/run sets it)")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "warden-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return redisstore.New(rdb, redisstore.WithPrefix(prefix)), rdb, prefix
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestProvider(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	must(t, s.Add(ctx, redisstore.UserGroups, "alice", "staff", "editors"))
	must(t, s.Add(ctx, redisstore.UserRoles, "alice", "editors", "auditor"))
	must(t, s.Add(ctx, redisstore.UserPermissions, "alice", "read:profile"))
	must(t, s.Add(ctx, redisstore.RolePermissions, "editors", "posts:*", "read:profile"))
	must(t, s.Add(ctx, redisstore.RolePermissions, "auditor", "read:logs"))
	must(t, s.Add(ctx, redisstore.UserPermissions, "staff", "read:wiki"))
	must(t, s.Add(ctx, redisstore.UserGroups, "Alice", "admins"))

	tok := &warden.Token{Identity: "alice"}
	g, err := s.Groups(ctx, tok)
	if err != nil || !reflect.DeepEqual(g, []string{"auditor", "editors", "staff"}) {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	p, err := s.Permissions(ctx, tok)
	if err != nil || !reflect.DeepEqual(p, []string{"posts:*", "read:logs", "read:profile", "read:wiki"}) {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
	for _, id := range []string{"nobody", "alice ", "*", "alic?"} {
		g, err := s.Groups(ctx, &warden.Token{Identity: id})
		if err != nil || len(g) != 0 {
			t.Fatalf("Groups(%q) = %v, %v", id, g, err)
		}
	}
	if _, err := s.Groups(ctx, &warden.Token{}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("no identity: %v", err)
	}
	must(t, s.Remove(ctx, redisstore.UserRoles, "alice", "auditor"))
	p, _ = s.Permissions(ctx, tok)
	if strings.Contains(strings.Join(p, " "), "read:logs") {
		t.Fatalf("removed role still grants: %v", p)
	}
	if err := s.Add(ctx, redisstore.UserPermissions, "alice", "read posts"); !errors.Is(err, redisstore.ErrInvalid) {
		t.Fatalf("bad permission: %v", err)
	}
	if err := s.Add(ctx, "user_secrets:", "alice", "x"); !errors.Is(err, redisstore.ErrInvalid) {
		t.Fatalf("bad kind: %v", err)
	}
}

func TestLoadsIntoEnforcer(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	must(t, s.Add(ctx, redisstore.UserRoles, "alice", "editors"))
	must(t, s.Add(ctx, redisstore.UserGroups, "bob", "viewers"))
	must(t, s.Add(ctx, redisstore.RolePermissions, "editors", "posts:*"))
	must(t, s.Add(ctx, redisstore.RolePermissions, "viewers", "posts:read"))
	must(t, s.Add(ctx, redisstore.UserPermissions, "alice", "!posts:delete"))
	// Keys outside the prefix are not loaded.
	rdb.SAdd(ctx, prefix+"x"+redisstore.UserGroups+"mallory", "editors")

	m, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sub, perm string
		want      bool
	}{
		{"alice", "posts:write", true}, {"alice", "posts:delete", false},
		{"bob", "posts:read", true}, {"bob", "posts:write", false}, {"mallory", "posts:read", false},
	} {
		if got, err := e.Enforce(ctx, c.sub, c.perm); err != nil || got != c.want {
			t.Errorf("Enforce(%s, %s) = %v, %v", c.sub, c.perm, got, err)
		}
	}
	if _, err := e.AddRules(ctx, enforcer.G("carol", "viewers"), enforcer.P("carol", "x:y", "allow")); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Groups(ctx, &warden.Token{Identity: "carol"}); !reflect.DeepEqual(g, []string{"viewers"}) {
		t.Fatalf("AddRules not persisted: %v", g)
	}
	if _, err := e.RemoveRules(ctx, enforcer.G("alice", "editors")); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Groups(ctx, &warden.Token{Identity: "alice"}); len(g) != 0 {
		t.Fatalf("RemoveRules not persisted: %v", g)
	}

	// A value that cannot be a rule value fails the load; the enforcer
	// keeps its policy.
	must(t, s.Add(ctx, redisstore.UserGroups, "dave", "a,b"))
	if err := e.Reload(ctx); !errors.Is(err, redisstore.ErrInvalid) {
		t.Fatalf("Reload err = %v", err)
	}
	if ok, _ := e.Enforce(ctx, "carol", "x:y"); !ok {
		t.Fatal("failed reload dropped the policy")
	}
}

func TestPrefixWithGlobCharacters(t *testing.T) {
	_, rdb, base := newStore(t)
	ctx := context.Background()
	s := redisstore.New(rdb, redisstore.WithPrefix(base+"[ab]*:"))
	must(t, s.Add(ctx, redisstore.UserGroups, "alice", "editors"))
	// Matches the prefix read as a glob pattern, but is not under it.
	rdb.SAdd(ctx, base+"a-anything:"+redisstore.UserGroups+"mallory", "admins")
	rules, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].String() != "g, alice, editors" {
		t.Fatalf("rules = %v", rules)
	}
}

func TestSavePolicy(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	must(t, s.Add(ctx, redisstore.UserGroups, "old", "gone"))
	m, _ := models.Load(models.Permissions)
	m.AddPolicy("g", "g", []string{"alice", "editors"})
	m.AddPolicy("p", "p", []string{"editors", "posts:*", "allow"})
	m.AddPolicy("p", "p", []string{"alice", "posts:delete", "deny"})
	must(t, s.SavePolicy(m))
	rules, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.String())
	}
	want := []string{"g, alice, editors", "p, alice, posts:delete, deny", "p, editors, posts:*, allow"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rules = %q, want %q", got, want)
	}
	must(t, s.RemoveFilteredPolicy("p", "p", 0, "alice"))
	rules, _ = s.Rules(ctx)
	if len(rules) != 2 {
		t.Fatalf("after RemoveFilteredPolicy: %v", rules)
	}
}

func TestRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	s := redisstore.New(rdb)
	if g, err := s.Groups(context.Background(), &warden.Token{Identity: "alice"}); err == nil || g != nil {
		t.Fatalf("Groups with Redis down = %v, %v", g, err)
	}
	if err := s.LoadPolicy(nil); err == nil {
		t.Fatal("LoadPolicy with Redis down succeeded")
	}
}
