package config_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
)

func TestRedisSource(t *testing.T) {
	addr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("Redis test skipped: set WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379 to run it")
	}
	ctx := context.Background()
	prefix := dbtest.Unique() + ":"
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	st := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	if err := st.Add(ctx, redisstore.UserGroups, "alice", "ops"); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(ctx, redisstore.UserPermissions, "alice", "read:logs"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rdb.Del(ctx, prefix+redisstore.UserGroups+"alice", prefix+redisstore.UserPermissions+"alice")
	})

	c := config.Defaults()
	src := config.Provider{Sources: []string{"redis"}, Combine: "union", RedisAddr: addr, RedisPrefix: prefix}
	c.Groups, c.Permissions = src, src
	p, err := config.BuildProviders(ctx, c, nil, config.Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tok := token("alice", nil)
	if g, err := p.Groups.Fetch(ctx, tok); err != nil || !sameSet(g, []string{"ops"}) {
		t.Errorf("groups = %v, %v", g, err)
	}
	if perms, err := p.Permissions.Fetch(ctx, tok); err != nil || !sameSet(perms, []string{"read:logs"}) {
		t.Errorf("permissions = %v, %v", perms, err)
	}
	if len(p.Checks) != 1 || p.Checks[0].Check(ctx) != nil {
		t.Errorf("redis readiness checks = %v", p.Checks)
	}

	// A Redis that does not answer fails the fetch and the check.
	c.Groups.RedisAddr = "127.0.0.1:1"
	down, err := config.BuildProviders(ctx, c, nil, config.Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if _, err := down.Groups.Fetch(ctx, tok); err == nil {
		t.Error("fetch from an unreachable Redis succeeded")
	}
	var failed int
	for _, ch := range down.Checks {
		if ch.Check(ctx) != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d of %d checks fail, want the unreachable one", failed, len(down.Checks))
	}
}

func TestHTTPSource(t *testing.T) {
	ctx := context.Background()
	var calls, bad atomic.Int32
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer svc-key" {
			bad.Add(1)
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/users/alice/groups":
			_, _ = w.Write([]byte(`["staff"]`))
		case "/api/users/alice/permissions":
			_, _ = w.Write([]byte(`["read:wiki"]`))
		default:
			http.Error(w, "missing", http.StatusNotFound)
		}
	}))
	defer svc.Close()
	c := config.Defaults()
	src := config.Provider{Sources: []string{"http"}, Combine: "union", URL: svc.URL + "/api", APIKey: "svc-key", Retries: 2}
	c.Groups, c.Permissions = src, src
	p, err := config.BuildProviders(ctx, c, nil, config.Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if g, err := p.Groups.Fetch(ctx, token("alice", nil)); err != nil || !sameSet(g, []string{"staff"}) {
		t.Errorf("groups = %v, %v", g, err)
	}
	if perms, err := p.Permissions.Fetch(ctx, token("alice", nil)); err != nil || !sameSet(perms, []string{"read:wiki"}) {
		t.Errorf("permissions = %v, %v", perms, err)
	}
	// A 404 is not retried: one call, not three.
	before := calls.Load()
	if _, err := p.Groups.Fetch(ctx, token("nobody", nil)); err == nil {
		t.Error("unknown user answered")
	}
	if n := calls.Load() - before; n != 1 {
		t.Errorf("a 404 was tried %d times, want 1", n)
	}
	if bad.Load() != 0 {
		t.Error("requests went out without the API key")
	}
}

func TestRemoteSourcesNeedAddresses(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--jwt-secret", secret, "--groups-provider", "redis"}, "groups-redis-addr: required"},
		{[]string{"--jwt-secret", secret, "--permissions-provider", "http"}, "permissions-url: required"},
	}
	for _, tt := range tests {
		if _, err := load(t, tt.args, nil); err == nil || !contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
