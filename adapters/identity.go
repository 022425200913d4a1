package adapters

import "fmt"

// DefaultIdentityClaims are the claims IdentityFromClaims tries, in order,
// when no keys are given.
var DefaultIdentityClaims = []string{"sub", "username", "preferred_username", "email"}

// IdentityFromClaims returns the value of the first of keys that is present
// in claims as a non-empty string; with no keys it tries
// DefaultIdentityClaims. A claim of another type (a number, a list) is an
// error rather than skipped: a token whose configured identity claim has the
// wrong shape is malformed, and falling back to a later claim would silently
// change who the caller is. The value is returned exactly, never trimmed.
func IdentityFromClaims(claims map[string]any, keys ...string) (string, error) {
	if len(keys) == 0 {
		keys = DefaultIdentityClaims
	}
	for _, k := range keys {
		v, ok := claims[k]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%w: claim %q is a %T, not a string", ErrNoIdentity, k, v)
		}
		if s != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: none of the claims %q is set", ErrNoIdentity, keys)
}
