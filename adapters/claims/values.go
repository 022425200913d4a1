package claims

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/adapters"
)

// ErrClaimType is returned when a claim exists but has a shape that cannot be
// read as a list of names.
var ErrClaimType = errors.New("claims: claim has the wrong type")

// ErrMissing is returned for an absent claim when the provider was built
// with Required.
var ErrMissing = errors.New("claims: required claim is missing")

// names reads a claim value as a list of names: a JSON list of strings, or a
// string separated by spaces and/or commas.
func names(path ClaimPath, v any) ([]string, error) {
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
				return nil, fmt.Errorf("%w: %q element %d is a %s, not a string", ErrClaimType, path.String(), i, kind(e))
			}
			out = append(out, s)
		}
		return adapters.Dedup(out), nil
	default:
		return nil, fmt.Errorf("%w: %q is a %s, not a list or a string", ErrClaimType, path.String(), kind(v))
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
