package adapters

import (
	"context"

	"github.com/wardenhq/warden"
)

// ErrPerToken is returned by a source whose answer is the token's own
// (its claims) when it is asked on behalf of a wrapper that shares answers
// by identity, such as a cache: two tokens of one subject can carry
// different claims, so the claims of one must never answer for the other.
var ErrPerToken = warden.NewError(warden.ErrUnavailable, "adapters: a per-token source's answer cannot be shared by identity")

type sharedKey struct{}

// ShareByIdentity returns ctx marked to say that the answer of the fetch
// it is given to will be reused for other tokens of the same identity.
// Wrappers that share answers (package cache) mark every load; sources
// that read the token itself refuse such a fetch (see ErrPerToken), so
// caching them fails closed however the wrappers are composed.
func ShareByIdentity(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedKey{}, true)
}

// SharedByIdentity reports whether ctx was marked by ShareByIdentity.
func SharedByIdentity(ctx context.Context) bool {
	b, _ := ctx.Value(sharedKey{}).(bool)
	return b
}
