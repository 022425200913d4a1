package token

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/adapters"
)

// ClaimGroups returns a GroupsProvider that reads groups from a claim of the
// verified token. path is a claim name, or names joined by '.' to reach into
// nested objects, as in KeycloakGroupsClaim ("realm_access.roles"). A
// missing claim is no groups; a claim of the wrong type is an error, so that
// a misconfigured path is noticed instead of silently granting nothing.
func ClaimGroups(path string) adapters.GroupsProvider {
	return adapters.GroupsFunc(func(_ context.Context, tok *adapters.Token) ([]string, error) {
		if tok == nil {
			return nil, nil
		}
		return ClaimStrings(tok.Claims, path)
	})
}

// ClaimStrings reads a string or list-of-strings claim at path (see
// ClaimGroups). A missing claim is nil without error.
func ClaimStrings(claims map[string]any, path string) ([]string, error) {
	var cur any = claims
	for _, name := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("token: claim %q: %q is not an object", path, name)
		}
		if cur, ok = obj[name]; !ok {
			return nil, nil
		}
	}
	switch v := cur.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []string:
		return append([]string(nil), v...), nil
	case []any:
		out := make([]string, 0, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("token: claim %q: element %d is %T, not a string", path, i, e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("token: claim %q is %T, not a string list", path, cur)
	}
}
