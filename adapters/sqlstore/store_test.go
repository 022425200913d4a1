package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/sqlstore"
)

func TestGrantRevokeList(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		for _, g := range []string{"editors", "viewers", "editors"} {
			if err := s.GrantGroup(ctx, "alice", g); err != nil {
				t.Fatalf("grant %s: %v", g, err)
			}
		}
		got, err := s.ListGroups(ctx, "alice")
		if err != nil || !reflect.DeepEqual(got, []string{"editors", "viewers"}) {
			t.Fatalf("ListGroups = %v, %v", got, err)
		}
		if err := s.RevokeGroup(ctx, "alice", "editors"); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeGroup(ctx, "alice", "never-granted"); err != nil {
			t.Fatalf("revoking a missing membership: %v", err)
		}
		if got, _ := s.ListGroups(ctx, "alice"); !reflect.DeepEqual(got, []string{"viewers"}) {
			t.Fatalf("after revoke: %v", got)
		}
		if got, err := s.ListGroups(ctx, "nobody"); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("unknown identity: %#v, %v (want empty list, no error)", got, err)
		}

		for _, p := range []string{"read:posts", "posts:*", "!delete:posts", "read:posts"} {
			if err := s.GrantPermission(ctx, "alice", p); err != nil {
				t.Fatalf("grant %s: %v", p, err)
			}
		}
		if err := s.RevokePermission(ctx, "alice", "posts:*"); err != nil {
			t.Fatal(err)
		}
		got, err = s.ListPermissions(ctx, "alice")
		if err != nil || !reflect.DeepEqual(got, []string{"read:posts", "!delete:posts"}) {
			t.Fatalf("ListPermissions = %v, %v", got, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if got, _ := s.ListGroups(ctx, "alice"); len(got) != 1 {
			t.Fatalf("Migrate touched data: %v", got)
		}
	})
}

func TestIdentityMatchedExactly(t *testing.T) {
	long := strings.Repeat("é", sqlstore.MaxIdentityLen)
	ids := []string{
		"alice", "Alice", "ALICE", "alice ", " alice", "alice\t",
		"' OR 1=1 --", `"; DROP TABLE x; --`, "%", "_", `\`,
		"ünïcødé-用户-🙂", long,
	}
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		for i, id := range ids {
			if err := s.GrantGroup(ctx, id, fmt.Sprintf("g%d", i)); err != nil {
				t.Fatalf("grant to %q: %v", id, err)
			}
		}
		for i, id := range ids {
			got, err := s.Groups(ctx, &warden.Token{Identity: id})
			want := []string{fmt.Sprintf("g%d", i)}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Groups(%q) = %v, %v; want %v", id, got, err, want)
			}
		}
		// LIKE metacharacters and prefixes must not match.
		for _, id := range []string{"alic", "alice  ", "'", "%%"} {
			if got, err := s.ListGroups(ctx, id); err != nil || len(got) != 0 {
				t.Errorf("ListGroups(%q) = %v, %v; want nothing", id, got, err)
			}
		}
	})
}

func TestRejectsBadValues(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		tests := []struct {
			name string
			err  error
		}{
			{"empty identity", s.GrantGroup(ctx, "", "g")},
			{"too long identity", s.GrantGroup(ctx, strings.Repeat("a", sqlstore.MaxIdentityLen+1), "g")},
			{"invalid UTF-8", s.GrantGroup(ctx, "a\xff", "g")},
			{"NUL", s.GrantGroup(ctx, "a\x00b", "g")},
			{"empty group", s.GrantGroup(ctx, "alice", "")},
			{"too long group", s.GrantGroup(ctx, "alice", strings.Repeat("g", sqlstore.MaxGroupLen+1))},
			{"bad permission", s.GrantPermission(ctx, "alice", "read posts")},
			{"list empty identity", func() error { _, err := s.ListGroups(ctx, ""); return err }()},
		}
		for _, tt := range tests {
			if !errors.Is(tt.err, sqlstore.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", tt.name, tt.err)
			}
		}
		if _, err := s.Groups(ctx, &warden.Token{}); !errors.Is(err, adapters.ErrNoIdentity) {
			t.Errorf("Groups without identity: %v", err)
		}
		if _, err := s.Permissions(ctx, nil); !errors.Is(err, adapters.ErrNoIdentity) {
			t.Errorf("Permissions(nil): %v", err)
		}
	})
}

func TestGroupNamesStoredExactly(t *testing.T) {
	names := []string{"a,b", "with space", " lead", "trail ", "Ünï,cödé", strings.Repeat("x", sqlstore.MaxGroupLen)}
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		for _, g := range names {
			if err := s.GrantGroup(ctx, "alice", g); err != nil {
				t.Fatalf("grant %q: %v", g, err)
			}
		}
		got, err := s.ListGroups(ctx, "alice")
		if err != nil || !reflect.DeepEqual(got, names) {
			t.Fatalf("got %q, %v; want %q", got, err, names)
		}
	})
}

// TestConcurrentGrantsAndRevokes checks that nothing written through the
// grant functions is lost when many goroutines grant and revoke at once,
// including grants that collide on the unique pair.
func TestConcurrentGrantsAndRevokes(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		const workers, each = 8, 20
		// Memberships that the workers will revoke.
		for w := range workers {
			for i := range each / 2 {
				if err := s.GrantGroup(ctx, "alice", fmt.Sprintf("old-%d-%d", w, i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*4)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					errs <- s.GrantGroup(ctx, "alice", fmt.Sprintf("new-%d-%d", w, i))
					errs <- s.GrantGroup(ctx, "alice", fmt.Sprintf("shared-%d", i)) // every worker races on these
					errs <- s.GrantPermission(ctx, "alice", fmt.Sprintf("read:r%d", i))
					if i < each/2 {
						errs <- s.RevokeGroup(ctx, "alice", fmt.Sprintf("old-%d-%d", w, i))
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var want []string
		for w := range workers {
			for i := range each {
				want = append(want, fmt.Sprintf("new-%d-%d", w, i))
			}
		}
		for i := range each {
			want = append(want, fmt.Sprintf("shared-%d", i))
		}
		got, err := s.ListGroups(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %d groups, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
		}
		perms, err := s.ListPermissions(ctx, "alice")
		if err != nil || len(perms) != each {
			t.Fatalf("permissions: %d, %v; want %d", len(perms), err, each)
		}
	})
}

func TestDatabaseGoesAway(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		if err := s.GrantGroup(ctx, "alice", "editors"); err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.Close()
		tok := &warden.Token{Identity: "alice"}
		if got, err := s.Groups(ctx, tok); err == nil || got != nil {
			t.Fatalf("Groups after close = %v, %v; want error", got, err)
		}
		if got, err := s.Permissions(ctx, tok); err == nil || got != nil {
			t.Fatalf("Permissions after close = %v, %v; want error", got, err)
		}
		if err := s.GrantGroup(ctx, "alice", "x"); err == nil {
			t.Fatal("GrantGroup after close succeeded")
		}
		if err := s.LoadPolicy(nil); err == nil || !strings.Contains(err.Error(), "sqlstore:") {
			t.Fatalf("LoadPolicy after close: %v", err)
		}
		// An outage is not bad caller data: it must not look like it.
		_, err = s.Groups(ctx, tok)
		if errors.Is(err, sqlstore.ErrInvalid) || errors.Is(err, adapters.ErrNoIdentity) {
			t.Fatalf("Groups after close: %v matches a caller-data sentinel", err)
		}
	})
}

// Identities the store refuses are bad caller data, told apart from an
// outage with errors.Is (the middleware answers 403 for them, 503 for a
// source that is down): ErrInvalid for a value it cannot hold, and
// adapters.ErrNoIdentity for a token without one. No SQL runs for them.
func TestProviderRefusesBadIdentityAsCallerData(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		plain := newStore(t, db)
		g, p := plain.Tables()
		inherit, err := sqlstore.New(db, sqlstore.WithTables(g, p), sqlstore.WithGroupPermissions())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		tests := []struct {
			name string
			tok  *warden.Token
			want error
		}{
			{"too long", &warden.Token{Identity: strings.Repeat("a", sqlstore.MaxIdentityLen+1)}, sqlstore.ErrInvalid},
			{"NUL", &warden.Token{Identity: "a\x00b"}, sqlstore.ErrInvalid},
			{"invalid UTF-8", &warden.Token{Identity: "a\xff"}, sqlstore.ErrInvalid},
			{"empty identity", &warden.Token{Raw: "x.y.z"}, adapters.ErrNoIdentity},
			{"nil token", nil, adapters.ErrNoIdentity},
		}
		fetches := map[string]warden.ProviderFunc{
			"Groups":                    plain.Groups,
			"Permissions":               plain.Permissions,
			"Permissions with inherits": inherit.Permissions,
		}
		for _, tt := range tests {
			for name, f := range fetches {
				got, err := f(ctx, tt.tok)
				if got != nil || !errors.Is(err, tt.want) {
					t.Errorf("%s, %s: got %v, %v; want %v", name, tt.name, got, err, tt.want)
				}
			}
		}
		// At the limit it is a normal lookup.
		if got, err := plain.Groups(ctx, &warden.Token{Identity: strings.Repeat("a", sqlstore.MaxIdentityLen)}); err != nil || len(got) != 0 {
			t.Errorf("identity of %d characters: %v, %v", sqlstore.MaxIdentityLen, got, err)
		}
	})
}

func TestContextCancelled(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.ListGroups(ctx, "alice"); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestNewRejectsBadTables(t *testing.T) {
	db := openSQLite(t)
	for _, tc := range [][2]string{{"a; DROP TABLE x", "p"}, {"", "p"}, {"same", "same"}, {"1abc", "p"}, {strings.Repeat("t", 51), "p"}} {
		if _, err := sqlstore.New(db, sqlstore.WithTables(tc[0], tc[1])); err == nil {
			t.Errorf("tables %q accepted", tc)
		}
	}
	if _, err := sqlstore.New(nil); err == nil {
		t.Error("nil db accepted")
	}
}

func BenchmarkGroupsMiss(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && getenv(d.env) == "" {
				b.Skipf("set %s to benchmark %s", d.env, d.name)
			}
			db := d.open(b)
			s := newStore(b, db)
			ctx := context.Background()
			for i := range 100 {
				s.GrantGroup(ctx, fmt.Sprintf("user%d", i), "editors")
				s.GrantGroup(ctx, fmt.Sprintf("user%d", i), "viewers")
			}
			tok := &warden.Token{Identity: "user42"}
			b.ResetTimer()
			for b.Loop() {
				if g, err := s.Groups(ctx, tok); err != nil || len(g) != 2 {
					b.Fatal(g, err)
				}
			}
		})
	}
}

func TestGroupPermissions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		base := newStore(t, db)
		g, p := base.Tables()
		s, err := sqlstore.New(db, sqlstore.WithTables(g, p), sqlstore.WithGroupPermissions())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		must(t, s.GrantGroup(ctx, "alice", "editors"))
		must(t, s.GrantGroup(ctx, "Alice", "admins"))
		must(t, s.GrantPermission(ctx, "alice", "profile:edit"))
		must(t, s.GrantPermission(ctx, "editors", "posts:*"))
		must(t, s.GrantPermission(ctx, "editors", "profile:edit"))
		must(t, s.GrantPermission(ctx, "admins", "*"))
		got, err := s.Permissions(ctx, &warden.Token{Identity: "alice"})
		if err != nil || !reflect.DeepEqual(got, []string{"profile:edit", "posts:*"}) {
			t.Fatalf("with group permissions: %v, %v", got, err)
		}
		got, err = base.Permissions(ctx, &warden.Token{Identity: "alice"})
		if err != nil || !reflect.DeepEqual(got, []string{"profile:edit"}) {
			t.Fatalf("default (own only): %v, %v", got, err)
		}
	})
}
