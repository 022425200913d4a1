package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/timeout"
)

// docs:begin custom-provider

// Directory is whatever system knows which teams a user is in.
type Directory interface {
	TeamsOf(ctx context.Context, user string) ([]string, error)
}

// TeamGroups is a warden.GroupsProvider: each team a user is in becomes the
// group "team:<name>".
type TeamGroups struct{ Dir Directory }

// Fetch returns the caller's team groups. Any failure is an error, never
// an empty list: the caller denies on error.
func (p TeamGroups) Fetch(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok) // exact identity; never the raw token
	if err != nil {
		return nil, err
	}
	teams, err := p.Dir.TeamsOf(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("team groups of %q: %w", id, err)
	}
	groups := make([]string, 0, len(teams))
	for _, t := range teams {
		groups = append(groups, "team:"+t)
	}
	return adapters.Dedup(groups), nil // a fresh slice, no repeats
}

// docs:end custom-provider

// mapDirectory is a Directory for the example and tests.
type mapDirectory map[string][]string

func (d mapDirectory) TeamsOf(ctx context.Context, user string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d[user], nil
}

// docs:begin compose

// cachedTeamGroups returns the team groups with each fetch bounded by 2 s
// and the answers kept for a minute.
func cachedTeamGroups(dir Directory) (*cache.Cache, error) {
	bounded, err := timeout.Wrap(TeamGroups{Dir: dir}, timeout.WithDuration(2*time.Second))
	if err != nil {
		return nil, err
	}
	return cache.Wrap(bounded, cache.WithTTL(time.Minute))
}

// docs:end compose

func Example_customProvider() {
	groups, err := cachedTeamGroups(mapDirectory{"alice": {"platform", "security", "platform"}})
	if err != nil {
		panic(err)
	}
	g, err := groups.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	fmt.Println(g, err)
	_, err = groups.Fetch(context.Background(), &warden.Token{})
	fmt.Println(errors.Is(err, adapters.ErrNoIdentity))
	// Output:
	// [team:platform team:security] <nil>
	// true
}
