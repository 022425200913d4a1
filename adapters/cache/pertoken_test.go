package cache_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/multi"
	"github.com/wardenhq/warden/adapters/retry"
	"github.com/wardenhq/warden/adapters/timeout"
)

// TestPerTokenSourceIsNeverCached is issue 10 item 4 in the library: a
// cache keyed by identity over the claims source, however wrapped (by every
// wrapper, a plain function, another cache), fails every load instead of
// giving one token's claims to another token of the same subject.
func TestPerTokenSourceIsNeverCached(t *testing.T) {
	ctx := context.Background()
	cp, err := claims.New()
	if err != nil {
		t.Fatal(err)
	}
	admin := &warden.Token{Identity: "alice", Claims: map[string]any{"permissions": []any{"warden:admin"}}}
	plain := &warden.Token{Identity: "alice", Claims: map[string]any{}}
	perms := warden.ProviderFunc(cp.Permissions)
	stored := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return []string{"read:posts"}, nil })
	must := func(p warden.Provider, err error) warden.Provider {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	inner, err := cache.Wrap(perms)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]warden.Provider{
		"direct":                  perms,
		"behind retry":            must(retry.Wrap(perms, retry.WithAttempts(2))),
		"behind timeout":          must(timeout.Wrap(perms)),
		"behind breaker":          must(breaker.Wrap(perms)),
		"in a union":              must(multi.Wrap([]warden.Provider{stored, perms})),
		"behind a cache":          inner,
		"retry, timeout, breaker": must(retry.Wrap(must(timeout.Wrap(must(breaker.Wrap(perms)))))),
		"in a func": warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
			return perms.Fetch(ctx, tok)
		}),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := cache.Wrap(p, cache.WithTTL(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
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
