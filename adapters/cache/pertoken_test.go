package cache_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/retry"
)

// TestPerTokenSourceIsNeverCached is issue 10 item 4 in the library: a
// cache keyed by identity over the claims source, however wrapped, fails
// every load instead of giving one token's claims to another token of the
// same subject.
func TestPerTokenSourceIsNeverCached(t *testing.T) {
	ctx := context.Background()
	cp, err := claims.New()
	if err != nil {
		t.Fatal(err)
	}
	admin := &warden.Token{Identity: "alice", Claims: map[string]any{"permissions": []any{"warden:admin"}}}
	plain := &warden.Token{Identity: "alice", Claims: map[string]any{}}
	perms := warden.ProviderFunc(cp.Permissions)
	for name, p := range map[string]warden.Provider{
		"direct":       perms,
		"behind retry": retry.Wrap(perms, retry.WithAttempts(2)),
		"in a func": warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
			return perms.Fetch(ctx, tok)
		}),
	} {
		t.Run(name, func(t *testing.T) {
			c := cache.New(p, cache.WithTTL(time.Hour))
			for _, tok := range []*warden.Token{admin, plain} {
				list, err := c.Fetch(ctx, tok)
				if !errors.Is(err, adapters.ErrPerToken) || slices.Contains(list, "warden:admin") {
					t.Errorf("%v through a cache: %v, %v; want ErrPerToken", tok.Claims, list, err)
				}
			}
			if c.Len() != 0 {
				t.Errorf("%d identities cached", c.Len())
			}
		})
	}
	// Uncached, each token answers with its own claims.
	if list, err := cp.Permissions(ctx, admin); err != nil || !slices.Equal(list, []string{"warden:admin"}) {
		t.Errorf("direct: %v, %v", list, err)
	}
}
