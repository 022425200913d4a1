package config_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
)

// TestClaimsAreNeverCachedByIdentity is issue 10 item 4: after a token of
// alice carrying warden:admin, a token of alice without it must not be
// admin. With claims and a stored source behind one cache setting, the
// stored answers are cached and each token's claims are its own.
func TestClaimsAreNeverCachedByIdentity(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	st, err := sqlstore.New(db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.GrantPermission(ctx, "alice", "read:posts"); err != nil {
		t.Fatal(err)
	}
	if err := st.GrantGroup(ctx, "alice", "editor"); err != nil {
		t.Fatal(err)
	}
	c := config.Defaults()
	mix := config.Provider{Sources: []string{"claims", "sql"}, Combine: "union", CacheTTL: time.Hour}
	c.Groups, c.Permissions = mix, mix
	rec := newRecorder()
	p, err := config.BuildProviders(ctx, c, db.DB, rec.hooks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	admin := token("alice", map[string]any{"permissions": []any{"warden:admin"}, "groups": []any{"warden-admin"}})
	plain := token("alice", map[string]any{})
	steps := []struct {
		name          string
		tok           *warden.Token
		perms, groups []string
	}{
		{"the admin token", admin, []string{"warden:admin", "read:posts"}, []string{"warden-admin", "editor"}},
		{"a plain token of the same subject", plain, []string{"read:posts"}, []string{"editor"}},
		{"the admin token again", admin, []string{"warden:admin", "read:posts"}, []string{"warden-admin", "editor"}},
	}
	for _, s := range steps {
		perms, err := p.Permissions.Fetch(ctx, s.tok)
		if err != nil || !sameSet(perms, s.perms) {
			t.Errorf("%s: permissions %v, %v; want %v", s.name, perms, err, s.perms)
		}
		groups, err := p.Groups.Fetch(ctx, s.tok)
		if err != nil || !sameSet(groups, s.groups) {
			t.Errorf("%s: groups %v, %v; want %v", s.name, groups, err, s.groups)
		}
	}
	// The stored part is cached: one load, then hits.
	for _, src := range []string{"permissions/sql", "groups/sql"} {
		if rec.fetches[src] != 1 || rec.hits[src] != 2 {
			t.Errorf("%s: %d fetches, %d hits; want 1 and 2", src, rec.fetches[src], rec.hits[src])
		}
	}
	if rec.fetches["permissions/claims"] != 3 || rec.hits["permissions/claims"]+rec.misses["permissions/claims"] != 0 {
		t.Errorf("claims: %d fetches, %d cache answers; want 3 and none", rec.fetches["permissions/claims"],
			rec.hits["permissions/claims"]+rec.misses["permissions/claims"])
	}
}

// TestCachingOnlyClaimsIsRefused: a cache setting whose only source is
// claims could only cache claims, so it is refused, naming the setting.
func TestCachingOnlyClaimsIsRefused(t *testing.T) {
	for _, which := range []string{"groups", "permissions"} {
		c := config.Defaults()
		claimsOnly := config.Provider{Sources: []string{"claims"}, Combine: "union", CacheTTL: time.Minute}
		if which == "groups" {
			c.Groups = claimsOnly
		} else {
			c.Permissions = claimsOnly
		}
		for name, err := range map[string]error{"Validate": func() error { c.JWTSecret = strings.Repeat("s", 32); return c.Validate() }(),
			"BuildProviders": func() error {
				_, err := config.BuildProviders(context.Background(), c, nil, config.Hooks{}, nil)
				return err
			}()} {
			if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), which+"-cache-ttl") {
				t.Errorf("%s, %s claims cached: %v", name, which, err)
			}
		}
	}
}
