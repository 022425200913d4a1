package claims

import (
	"errors"
	"fmt"
	"strings"
)

// ErrPath is returned for a claim path that cannot be parsed.
var ErrPath = errors.New("claims: invalid claim path")

// ClaimPath is a parsed claim path: the keys from the top-level claim down.
type ClaimPath []string

// Path returns the claim path made of keys, each taken verbatim (dots and
// colons included).
func Path(keys ...string) ClaimPath { return ClaimPath(append([]string(nil), keys...)) }

// ParsePath parses the dotted form described in the package documentation.
func ParsePath(s string) (ClaimPath, error) {
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

// String returns p in the dotted, escaped form.
func (p ClaimPath) String() string {
	parts := make([]string, len(p))
	for i, k := range p {
		k = strings.ReplaceAll(k, `\`, `\\`)
		parts[i] = strings.ReplaceAll(k, ".", `\.`)
	}
	return strings.Join(parts, ".")
}

// lookup walks claims along p. found is false when a key is missing; a
// non-object in the middle of the path is an error.
func (p ClaimPath) lookup(claims map[string]any) (v any, found bool, err error) {
	var cur any = claims
	for i, k := range p {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false, fmt.Errorf("%w: %q is a %s, not an object", ErrClaimType, ClaimPath(p[:i]).String(), kind(cur))
		}
		cur, ok = obj[k]
		if !ok || cur == nil {
			return nil, false, nil
		}
	}
	return cur, true, nil
}
