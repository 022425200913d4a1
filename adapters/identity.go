package adapters

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// DefaultIdentityClaims are the claims IdentityFromClaims reads when no
// keys are given: "sub" alone. The identity provider assigns it and the
// user cannot edit it; "preferred_username", "username", "name" and
// "email" are, at many providers, whatever the user typed, so none of them
// is read unless configured.
var DefaultIdentityClaims = []string{"sub"}

// IdentityFromClaims returns the caller's identity: the first of keys
// present in claims (DefaultIdentityClaims when no keys are given). A later
// key is read only when every earlier one is absent. A present claim must be
// a non-empty string of valid UTF-8 without control or format characters
// or line separators:
// anything else (a number, null, "", a list) is an error wrapping
// ErrNoIdentity, never a reason to try the next key, because a token whose
// identity claim is malformed is malformed, and falling back would let
// another claim, perhaps one the user can edit, decide who the caller is.
// "email" counts only with "email_verified": true; an unverified address
// is an error, not a fallback either. The value is returned exactly, never
// trimmed or folded.
func IdentityFromClaims(claims map[string]any, keys ...string) (string, error) {
	if len(keys) == 0 {
		keys = DefaultIdentityClaims
	}
	for _, k := range keys {
		v, ok := claims[k]
		if !ok {
			continue
		}
		s, ok := v.(string)
		switch {
		case !ok:
			return "", fmt.Errorf("%w: claim %q is %s, not a string", ErrNoIdentity, k, jsonKind(v))
		case s == "":
			return "", fmt.Errorf("%w: claim %q is empty", ErrNoIdentity, k)
		case !printable(s):
			return "", fmt.Errorf("%w: claim %q has invalid UTF-8, control or format characters", ErrNoIdentity, k)
		case k == "email" && claims["email_verified"] != true:
			return "", fmt.Errorf("%w: claim \"email\" without \"email_verified\": true", ErrNoIdentity)
		}
		return s, nil
	}
	return "", fmt.Errorf("%w: none of the claims %q is set", ErrNoIdentity, keys)
}

// printable reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1), format characters (bidi controls, zero-width ones) or line
// and paragraph separators (U+2028, U+2029, which break a line as '\n'
// does), which would make one identity print as another in logs and audits.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// jsonKind names a decoded JSON value's type for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, int, int64, float32, int32, uint, uint64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any, []string:
		return "a list"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
