package adapters

import (
	"slices"

	"github.com/wardenhq/warden"
)

// ErrNoIdentity is returned when a token carries no caller identity (or its
// identity claim has the wrong type). A provider that looks callers up by
// identity cannot answer for such a token, and a cache must never fall back
// to keying by the raw token. It means bad caller data, not a failing
// source: match it with errors.Is to answer 403 rather than 503.
var ErrNoIdentity = warden.NewError(warden.ErrInvalid, "adapters: token has no identity")

// IdentityOf returns tok.Identity, or an error wrapping ErrNoIdentity when tok
// is nil or its identity is empty. The identity is returned exactly as given:
// no trimming or case folding, so "alice" and "Alice " stay different callers.
func IdentityOf(tok *warden.Token) (string, error) {
	if tok == nil || tok.Identity == "" {
		return "", ErrNoIdentity
	}
	return tok.Identity, nil
}

// Dedup returns list without empty strings and without repeats, in first-seen
// order. It always returns a fresh non-nil slice, so callers may keep or
// change the result without touching the provider's data, and "no groups"
// is an empty list rather than nil.
func Dedup(list []string) []string {
	out := make([]string, 0, len(list))
	if len(list) <= dedupScan {
		// A short list, the common case (a token's few groups), is
		// checked against what was kept so far: no map to build on every
		// request.
		for _, s := range list {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	seen := make(map[string]struct{}, len(list))
	for _, s := range list {
		if s == "" {
			continue
		}
		if _, dup := seen[s]; dup {
			continue
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out
}

// dedupScan is the longest list Dedup checks without a map.
const dedupScan = 16
