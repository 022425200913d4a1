package claimread

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

var (
	// ErrPath is returned for a claim path that cannot be parsed: a
	// configuration error, so it matches warden.ErrInvalid.
	ErrPath = warden.NewError(warden.ErrInvalid, "claims: invalid claim path")
	// ErrClaimType is returned when a claim exists but has a shape that
	// cannot be read as a list of names. It matches warden.ErrInvalid: the
	// token's own data can never decide.
	ErrClaimType = warden.NewError(warden.ErrInvalid, "claims: claim has the wrong type")
	// ErrNoToken is returned when a fetch is given a nil token or one
	// without claims. It matches warden.ErrInvalid, as
	// adapters.ErrNoIdentity does.
	ErrNoToken = warden.NewError(warden.ErrInvalid, "claims: no verified token")
)

// ParsePath parses the dotted form of a claim path: keys separated by '.',
// a dot inside a key escaped as `\.` and a backslash as `\\`.
func ParsePath(s string) ([]string, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrPath)
	}
	var (
		keys []string
		cur  strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) || (s[i+1] != '.' && s[i+1] != '\\') {
				return nil, fmt.Errorf("%w: %q: '\\' must be followed by '.' or '\\'", ErrPath, s)
			}
			i++
			cur.WriteByte(s[i])
		case '.':
			keys = append(keys, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	keys = append(keys, cur.String())
	for _, k := range keys {
		if k == "" {
			return nil, fmt.Errorf("%w: %q has an empty key", ErrPath, s)
		}
	}
	return keys, nil
}

// PathString returns the dotted, escaped form of keys.
func PathString(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		k = strings.ReplaceAll(k, `\`, `\\`)
		parts[i] = strings.ReplaceAll(k, ".", `\.`)
	}
	return strings.Join(parts, ".")
}

// Check refuses a fetch without a token (ErrNoToken), and one whose answer
// would be shared with other tokens of the identity, as a cache's load is
// (adapters.ErrPerToken): the claims are this token's own.
func Check(ctx context.Context, tok *warden.Token) error {
	switch {
	case adapters.SharedByIdentity(ctx):
		return fmt.Errorf("claims: %w: do not cache the claims source", adapters.ErrPerToken)
	case tok == nil || tok.Claims == nil:
		return ErrNoToken
	}
	return nil
}

// First reads the names of the first of paths present in claims. found is
// false, and the list empty, when none is; a claim of the wrong shape is an
// error wrapping ErrClaimType, never a reason to try the next path.
func First[P ~[]string](claims map[string]any, paths []P) (list []string, found bool, err error) {
	for _, p := range paths {
		v, found, err := lookup(claims, p)
		if err != nil {
			return nil, false, err
		}
		if !found {
			continue
		}
		list, err := Names(p, v)
		return list, true, err
	}
	return []string{}, false, nil
}

// lookup walks claims along path. found is false when a key is missing; a
// non-object in the middle of the path is an error.
func lookup(claims map[string]any, path []string) (v any, found bool, err error) {
	var cur any = claims
	for i, k := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false, fmt.Errorf("%w: %q is a %s, not an object", ErrClaimType, PathString(path[:i]), kind(cur))
		}
		cur, ok = obj[k]
		if !ok || cur == nil {
			return nil, false, nil
		}
	}
	return cur, true, nil
}

// Names reads a claim value as a list of names: a JSON list of strings, or
// a string separated by spaces and/or commas. Empty names and repeats are
// dropped; the list is fresh.
func Names[P ~[]string](path P, v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return adapters.Dedup(strings.FieldsFunc(v, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
		})), nil
	case []string:
		return adapters.Dedup(v), nil
	case []any:
		out := make([]string, 0, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %q element %d is a %s, not a string", ErrClaimType, PathString(path), i, kind(e))
			}
			out = append(out, s)
		}
		return adapters.Dedup(out), nil
	default:
		return nil, fmt.Errorf("%w: %q is a %s, not a list or a string", ErrClaimType, PathString(path), kind(v))
	}
}

// kind names a decoded JSON value's type for error messages, in JSON terms.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, int, int64, float32, int32, uint, uint64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any, []string:
		return "list"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", v)
	}
}
