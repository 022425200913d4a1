package config_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
)

// recorder collects hook calls.
type recorder struct {
	mu       sync.Mutex
	fetches  map[string]int
	errors   map[string]int
	hits     map[string]int
	misses   map[string]int
	breakers map[string][]breaker.State
}

func newRecorder() *recorder {
	return &recorder{fetches: map[string]int{}, errors: map[string]int{}, hits: map[string]int{}, misses: map[string]int{}, breakers: map[string][]breaker.State{}}
}

func (r *recorder) hooks() config.Hooks {
	return config.Hooks{
		Fetch: func(src string, _ time.Duration, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.fetches[src]++
			if err != nil {
				r.errors[src]++
			}
		},
		Cache: func(src string, hit bool) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if hit {
				r.hits[src]++
			} else {
				r.misses[src]++
			}
		},
		Breaker: func(src string, s breaker.State) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.breakers[src] = append(r.breakers[src], s)
		},
	}
}

func token(id string, claims map[string]any) *warden.Token {
	return &warden.Token{Identity: id, Claims: claims}
}

func TestBuildProviders(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	st, err := sqlstore.New(db.DB, sqlstore.WithTables("t_authz_groups", "t_authz_permissions"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.GrantGroup(ctx, "alice", "editor"); err != nil {
		t.Fatal(err)
	}
	if err := st.GrantPermission(ctx, "alice", "write:posts"); err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "people.json", `{"users": {"alice": ["read:files", "write:posts"]}, "roles": {}, "user_roles": {"alice": ["auditor", "editor"]}}`)
	alice := token("alice", map[string]any{"groups": []any{"from-token"}, "perms": []any{"read:token"}})

	tests := []struct {
		name        string
		groups      config.Provider
		permissions config.Provider
		wantGroups  []string
		wantPerms   []string
	}{
		{"claims", config.Provider{Sources: []string{"claims"}, Combine: "union"},
			config.Provider{Sources: []string{"claims"}, Combine: "union", Claim: "perms"},
			[]string{"from-token"}, []string{"read:token"}},
		{"sql", config.Provider{Sources: []string{"sql"}, Combine: "union"},
			config.Provider{Sources: []string{"sql"}, Combine: "union"},
			[]string{"editor"}, []string{"write:posts"}},
		{"file", config.Provider{Sources: []string{"file"}, Combine: "union", File: file},
			config.Provider{Sources: []string{"file"}, Combine: "union", File: file},
			[]string{"auditor", "editor"}, []string{"read:files", "write:posts"}},
		{"union of three", config.Provider{Sources: []string{"claims", "sql", "file"}, Combine: "union", File: file},
			config.Provider{Sources: []string{"sql", "file"}, Combine: "union", File: file},
			[]string{"from-token", "editor", "auditor"}, []string{"write:posts", "read:files"}},
		{"intersection", config.Provider{Sources: []string{"claims"}, Combine: "union"},
			config.Provider{Sources: []string{"sql", "file"}, Combine: "intersection", File: file},
			[]string{"from-token"}, []string{"write:posts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Defaults()
			c.TablePrefix = "t_"
			c.Groups, c.Permissions = tt.groups, tt.permissions
			p, err := config.BuildProviders(ctx, c, db.DB, config.Hooks{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			g, err := p.Groups.Fetch(ctx, alice)
			if err != nil {
				t.Fatal(err)
			}
			if !sameSet(g, tt.wantGroups) {
				t.Errorf("groups = %v, want %v", g, tt.wantGroups)
			}
			perms, err := p.Permissions.Fetch(ctx, alice)
			if err != nil && tt.wantPerms != nil {
				t.Fatal(err)
			}
			if tt.wantPerms != nil && !sameSet(perms, tt.wantPerms) {
				t.Errorf("permissions = %v, want %v", perms, tt.wantPerms)
			}
			for _, ch := range p.Checks {
				if err := ch.Check(ctx); err != nil {
					t.Errorf("check %s: %v", ch.Name, err)
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestWrappersAndHooks(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	c := config.Defaults()
	c.Groups = config.Provider{Sources: []string{"sql"}, Combine: "union", CacheTTL: time.Hour, BreakerFailures: 2, BreakerOpen: time.Hour}
	rec := newRecorder()
	p, err := config.BuildProviders(ctx, c, db.DB, rec.hooks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 3 {
		if _, err := p.Groups.Fetch(ctx, token("alice", nil)); err != nil {
			t.Fatal(err)
		}
	}
	src := "groups/sql"
	if rec.fetches[src] != 1 || rec.misses[src] != 1 || rec.hits[src] != 2 {
		t.Errorf("fetches %d, misses %d, hits %d; want 1, 1, 2", rec.fetches[src], rec.misses[src], rec.hits[src])
	}

	// The database goes away: new identities fail, and the breaker opens
	// after two failures, so the third is refused without a fetch.
	sqlDB, _ := db.DB.DB()
	_ = sqlDB.Close()
	for _, id := range []string{"b1", "b2", "b3"} {
		if _, err := p.Groups.Fetch(ctx, token(id, nil)); err == nil {
			t.Fatalf("%s: fetch from a closed database succeeded", id)
		}
	}
	if rec.errors[src] != 2 || rec.fetches[src] != 3 {
		t.Errorf("errors %d fetches %d; want 2 and 3 (the breaker spares the third)", rec.errors[src], rec.fetches[src])
	}
	if got := rec.breakers[src]; !slices.Equal(got, []breaker.State{breaker.Closed, breaker.Open}) {
		t.Errorf("breaker states = %v", got)
	}
	// The cached identity is still answered.
	if g, err := p.Groups.Fetch(ctx, token("alice", nil)); err != nil || g == nil {
		t.Errorf("cached answer after the outage: %v %v", g, err)
	}
	var failing bool
	for _, ch := range p.Checks {
		failing = failing || ch.Check(ctx) != nil
	}
	if !failing {
		t.Error("no readiness check fails with the database closed")
	}
}

func TestBuildErrors(t *testing.T) {
	c := config.Defaults()
	c.Groups = config.Provider{Sources: []string{"file"}, Combine: "union", File: "/nonexistent/dir/people.json"}
	if _, err := config.BuildProviders(context.Background(), c, nil, config.Hooks{}, nil); err == nil {
		t.Error("missing file accepted")
	}
	c.Groups = config.Provider{Sources: []string{"sql"}, Combine: "union"}
	_, err := config.BuildProviders(context.Background(), c, nil, config.Hooks{}, nil)
	if err == nil || errors.Is(err, config.ErrInvalid) {
		t.Errorf("sql source without a database: %v", err)
	}
}
