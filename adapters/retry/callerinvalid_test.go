package retry_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/retry"
)

// An error that the request's own data caused (kind warden.ErrInvalid: an
// identity the source refuses, a token without one) or that no attempt can
// change (a per-token source asked on behalf of a shared cache) comes
// again on every attempt: retrying it only multiplies the source's load by
// the attempts, at the hand of whoever sends such tokens, and makes the
// caller wait the backoff for the same answer.
func TestNoRetryOnCallersDataOrPerToken(t *testing.T) {
	for name, fail := range map[string]error{
		"ErrInvalid":    warden.NewError(warden.ErrInvalid, "teams: invalid team name"),
		"ErrNoIdentity": adapters.ErrNoIdentity,
		"ErrPerToken":   adapters.ErrPerToken,
	} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int64
			var waits atomic.Int64
			f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
				calls.Add(1)
				return nil, fail
			}), retry.WithAttempts(5), retry.WithTestHooks(func(context.Context, time.Duration) error {
				waits.Add(1)
				return nil
			}, nil))
			got, err := f.Fetch(context.Background(), &warden.Token{Identity: "a"})
			if got != nil || !errors.Is(err, fail) {
				t.Fatalf("got %v, %v; want nil and %v", got, err, fail)
			}
			if calls.Load() != 1 || waits.Load() != 0 {
				t.Fatalf("%d calls and %d waits; want 1 and 0", calls.Load(), waits.Load())
			}
		})
	}
	// A source's own failure is still retried.
	var calls atomic.Int64
	f := wrap(flaky(2, &calls), retry.WithTestHooks(func(context.Context, time.Duration) error { return nil }, nil))
	if got, err := f.Fetch(context.Background(), &warden.Token{Identity: "a"}); err != nil || len(got) != 1 || calls.Load() != 3 {
		t.Fatalf("flaky source: %v, %v after %d calls; want [g] after 3", got, err, calls.Load())
	}
}
